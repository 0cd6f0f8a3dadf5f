-- AlterTable
ALTER TABLE "AccessKey" ADD COLUMN     "secretSealed" TEXT,
ALTER COLUMN "secretHash" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "secretSealed" TEXT;

-- Written by hand (Prisma does not model CHECK constraints): a key keeps exactly one
-- form of its secret, the digest (keys made before this migration) or the sealed secret.
ALTER TABLE "AccessKey" ADD CONSTRAINT "AccessKey_one_secret_form"
  CHECK (("secretHash" IS NULL) <> ("secretSealed" IS NULL));
