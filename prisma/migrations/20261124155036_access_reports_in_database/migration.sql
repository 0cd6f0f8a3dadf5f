-- CreateTable
CREATE TABLE "CredentialReport" (
    "accountId" VARCHAR(12) NOT NULL,
    "content" TEXT NOT NULL,
    "generatedTime" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "CredentialReport_pkey" PRIMARY KEY ("accountId")
);

-- CreateTable
CREATE TABLE "ServiceLastAccessedJob" (
    "jobId" TEXT NOT NULL,
    "accountId" VARCHAR(12) NOT NULL,
    "job" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServiceLastAccessedJob_pkey" PRIMARY KEY ("jobId")
);

-- CreateIndex
CREATE INDEX "ServiceLastAccessedJob_accountId_createdAt_idx" ON "ServiceLastAccessedJob"("accountId", "createdAt");

-- AddForeignKey
ALTER TABLE "CredentialReport" ADD CONSTRAINT "CredentialReport_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ServiceLastAccessedJob" ADD CONSTRAINT "ServiceLastAccessedJob_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
