-- CreateTable
CREATE TABLE "SignInAttempt" (
    "attemptId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SignInAttempt_pkey" PRIMARY KEY ("attemptId","key")
);

-- CreateIndex
CREATE INDEX "SignInAttempt_key_idx" ON "SignInAttempt"("key");
