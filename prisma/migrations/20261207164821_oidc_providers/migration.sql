-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "federatedProvider" TEXT;

-- CreateTable
CREATE TABLE "OpenIdConnectProvider" (
    "id" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "arn" TEXT NOT NULL,
    "clientIds" TEXT[],
    "thumbprints" TEXT[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OpenIdConnectProvider_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "OpenIdConnectProvider_arn_key" ON "OpenIdConnectProvider"("arn");

-- CreateIndex
CREATE UNIQUE INDEX "OpenIdConnectProvider_accountId_url_key" ON "OpenIdConnectProvider"("accountId", "url");

-- AddForeignKey
ALTER TABLE "OpenIdConnectProvider" ADD CONSTRAINT "OpenIdConnectProvider_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
