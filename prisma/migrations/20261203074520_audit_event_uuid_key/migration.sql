-- AuditEvent is keyed by its UUIDv7 eventId alone: the bigint id, its sequence
-- and the separate unique index on eventId go. Existing ids are all UUIDs
-- (v4 before 2026-11-24, v7 since), so they convert in place.

-- DropIndex
DROP INDEX "AuditEvent_eventId_key";

-- AlterTable
ALTER TABLE "AuditEvent" DROP CONSTRAINT "AuditEvent_pkey",
DROP COLUMN "id",
ALTER COLUMN "eventId" SET DATA TYPE UUID USING "eventId"::uuid,
ADD CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("eventId");
