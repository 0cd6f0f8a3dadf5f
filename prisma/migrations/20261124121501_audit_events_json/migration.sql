-- DropForeignKey
ALTER TABLE "AuditEvent" DROP CONSTRAINT "AuditEvent_accountId_fkey";

-- AlterTable
ALTER TABLE "AuditEvent" ALTER COLUMN "userIdentity" SET DATA TYPE JSON,
ALTER COLUMN "requestParameters" SET DATA TYPE JSON,
ALTER COLUMN "responseElements" SET DATA TYPE JSON;
