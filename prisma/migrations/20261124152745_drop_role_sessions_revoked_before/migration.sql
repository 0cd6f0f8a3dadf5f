-- AlterTable
ALTER TABLE "Role" DROP COLUMN "sessionsRevokedBefore";
