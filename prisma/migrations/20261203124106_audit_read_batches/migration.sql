-- CreateTable
CREATE TABLE "AuditReadBatch" (
    "batchId" UUID NOT NULL,
    "accountId" TEXT,
    "eventName" TEXT NOT NULL,
    "eventSource" TEXT NOT NULL,
    "userIdentity" JSON NOT NULL,
    "sourceIPAddress" TEXT,
    "userAgent" TEXT,
    "firstTime" TIMESTAMP(3) NOT NULL,
    "lastTime" TIMESTAMP(3) NOT NULL,
    "events" JSON NOT NULL,

    CONSTRAINT "AuditReadBatch_pkey" PRIMARY KEY ("batchId")
);

-- CreateIndex
CREATE INDEX "AuditReadBatch_accountId_lastTime_idx" ON "AuditReadBatch"("accountId", "lastTime");
