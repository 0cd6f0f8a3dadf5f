-- CreateTable
CREATE TABLE "SamlProvider" (
    "id" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "arn" TEXT NOT NULL,
    "metadataDocument" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "certificates" TEXT[],
    "validUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SamlProvider_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SamlAssertionUse" (
    "accountId" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "assertionId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SamlAssertionUse_pkey" PRIMARY KEY ("accountId","issuer","assertionId")
);

-- CreateIndex
CREATE UNIQUE INDEX "SamlProvider_arn_key" ON "SamlProvider"("arn");

-- CreateIndex
CREATE UNIQUE INDEX "SamlProvider_accountId_name_key" ON "SamlProvider"("accountId", "name");

-- CreateIndex
CREATE INDEX "SamlAssertionUse_expiresAt_idx" ON "SamlAssertionUse"("expiresAt");

-- AddForeignKey
ALTER TABLE "SamlProvider" ADD CONSTRAINT "SamlProvider_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SamlAssertionUse" ADD CONSTRAINT "SamlAssertionUse_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
