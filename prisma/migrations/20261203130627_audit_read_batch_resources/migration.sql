-- AlterTable
ALTER TABLE "AuditReadBatch" ADD COLUMN     "resources" TEXT[];
