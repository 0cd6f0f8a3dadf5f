-- Change notifications for the in-memory authentication caches (src/auth/change-feed.ts).
-- Written by hand: triggers are not part of the Prisma schema.
-- Every server process LISTENs on "iam_changes"; Postgres delivers a notification
-- only once its transaction commits, in commit order. Payloads stay far below
-- NOTIFY's 8000-byte limit (a kind and a few ids).

-- CreateFunction
CREATE OR REPLACE FUNCTION "iam_notify_policy_epoch"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."policyEpoch" IS DISTINCT FROM OLD."policyEpoch" THEN
    PERFORM pg_notify('iam_changes', json_build_object('kind', 'epoch', 'accountId', NEW."id", 'epoch', NEW."policyEpoch")::text);
  END IF;
  RETURN NULL;
END
$$;

-- CreateTrigger
CREATE TRIGGER "Account_policyEpoch_notify"
  AFTER UPDATE OF "policyEpoch" ON "Account"
  FOR EACH ROW EXECUTE FUNCTION "iam_notify_policy_epoch"();

-- CreateFunction
-- A deleted session (cascades from its account, user or role) counts as revoked.
CREATE OR REPLACE FUNCTION "iam_notify_session_revoked"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('iam_changes', json_build_object('kind', 'session', 'sessionId', OLD."id", 'revoked', true,
      'expiresAt', floor(extract(epoch FROM OLD."expiresAt") * 1000))::text);
  ELSIF NEW."revokedAt" IS DISTINCT FROM OLD."revokedAt" THEN
    PERFORM pg_notify('iam_changes', json_build_object('kind', 'session', 'sessionId', NEW."id", 'revoked', NEW."revokedAt" IS NOT NULL,
      'expiresAt', floor(extract(epoch FROM NEW."expiresAt") * 1000))::text);
  END IF;
  RETURN NULL;
END
$$;

-- CreateTrigger
CREATE TRIGGER "Session_revokedAt_notify"
  AFTER UPDATE OF "revokedAt" OR DELETE ON "Session"
  FOR EACH ROW EXECUTE FUNCTION "iam_notify_session_revoked"();
