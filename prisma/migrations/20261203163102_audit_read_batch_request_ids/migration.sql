-- AlterTable
ALTER TABLE "AuditReadBatch" ADD COLUMN     "offsets" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
ADD COLUMN     "requestIds" UUID[] DEFAULT ARRAY[]::UUID[];
