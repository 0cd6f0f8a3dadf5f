-- The sign-in throttle's claim in one round trip (src/auth/throttle-store.ts).
-- Written by hand: functions are not part of the Prisma schema.
-- It locks the claim's keys, reads their counts and records the attempt as under way.
-- INVARIANT: the counts are read by a statement after the one that takes the locks.
-- A VOLATILE function's statements each read a new snapshot (under READ COMMITTED),
-- so the counts include every claim and outcome committed by the lock's holders before:
-- https://www.postgresql.org/docs/current/xfunc-volatility.html
-- The attempt is recorded whatever its counts: the caller, which decides on them, ends
-- a refused one at once. Until then other claims count it as under way, which can
-- only refuse them, never admit more.

-- CreateFunction
CREATE OR REPLACE FUNCTION "iam_claim_sign_in"(
  "claimId" uuid,
  "claimKeys" text[],
  "failuresSince" timestamptz[],
  "claimedAt" timestamptz,
  "claimsLiveSince" timestamptz
) RETURNS TABLE ("claimKey" text, "failures" int, "lastFailureAt" timestamptz, "inFlight" int)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  -- Every process locks a claim's keys in the order given (sorted by the caller), so two claims never wait on each other in a cycle.
  PERFORM pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest("claimKeys") WITH ORDINALITY AS u(k, n) ORDER BY n;
  RETURN QUERY
    SELECT c.k, f.n, f.latest,
      (SELECT count(*) FROM "SignInAttempt" a WHERE a."key" = c.k AND a."startedAt" > "claimsLiveSince")::int
    FROM unnest("claimKeys", "failuresSince") AS c(k, since)
    CROSS JOIN LATERAL (SELECT count(*)::int AS n, max(s."at") AS latest FROM "SignInFailure" s WHERE s."key" = c.k AND s."at" > c.since) f;
  INSERT INTO "SignInAttempt" ("attemptId", "key", "startedAt") SELECT "claimId", k, "claimedAt" FROM unnest("claimKeys") AS k;
END
$$;
