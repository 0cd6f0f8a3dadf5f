// The sign-in throttle's counts in Postgres (src/auth/throttle.ts), shared by every
// process on the database:
//  - each failure is stored under its keys (digests), and a success deletes the
//    failures naming its principal;
//  - each attempt under way is a row per key from its claim to its end, so that
//    every process counts it;
//  - claims of one key queue on a transaction-scoped advisory lock of that key, so
//    that each decides on the counts left by the ones before it, wherever they ran;
//  - a process that starts replays the failures still inside the throttle's
//    horizon into its own counts, which refuse at once what is plainly over budget.
// A claim and an outcome are one statement each (the claim is a function of the
// migration ..._sign_in_claim): one round trip each on the path of every sign-in.
// Live processes also hear each other's outcomes at once through the notification
// bus (src/db/notifications.ts).
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
import type { Logger } from '../log.js';
import { type AttemptLedger, clearedBy, type LedgerKey, type SharedCounts, type SharedOutcome, type SignInThrottle, type ThrottleScope } from './throttle.js';

/** Failures older than the horizon, and claims left by a process that died, are deleted at most this often. */
const PRUNE_EVERY_MS = 60_000;

/**
 * How long a claim counts. An attempt ends in well under this (one argon2 verify);
 * a claim this old was left by a process that stopped before ending it.
 */
const CLAIM_LIFETIME_MS = 60_000;

export class ThrottleStore implements AttemptLedger {
  private prunedAt = 0;
  /**
   * Claims of this process go to Postgres one at a time: a claim holds a pooled
   * connection while it waits for its keys' locks, and a burst from one client (one
   * `ip` key) would otherwise hold the whole pool waiting. Claims take a few ms; the
   * argon2 verifies behind them bound sign-ins far lower.
   */
  private claiming: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly horizonMs: number,
  ) {}

  /** Replays into `throttle` the failures of the horizon before `now` (epoch ms), oldest first. */
  async load(throttle: SignInThrottle, now: number): Promise<void> {
    await this.prune(now);
    const rows = await this.db.signInFailure.findMany({
      where: { at: { gte: new Date(now - this.horizonMs) } },
      orderBy: { at: 'asc' },
      select: { scope: true, key: true, at: true },
    });
    for (const row of rows) throttle.applyShared({ outcome: 'failed', keys: [[row.scope as ThrottleScope, row.key]], at: row.at.getTime() });
  }

  claim(keys: LedgerKey[], admits: (counts: Map<string, SharedCounts>) => boolean, now: number): Promise<string | undefined> {
    const claimed = this.claiming.then(() => this.claimNow(keys, admits, now));
    this.claiming = claimed.catch(() => {});
    return claimed;
  }

  private async claimNow(keys: LedgerKey[], admits: (counts: Map<string, SharedCounts>) => boolean, now: number): Promise<string | undefined> {
    const ordered = [...keys].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const attemptId = randomUUID();
    // One statement (prisma/migrations/…_sign_in_claim): lock the keys, read their counts, record the attempt.
    const rows = await this.db.$queryRaw<Array<{ claimKey: string; failures: number; lastFailureAt: Date | null; inFlight: number }>>`
      SELECT * FROM iam_claim_sign_in(${attemptId}::uuid, ${ordered.map(({ key }) => key)}::text[],
        ${ordered.map(({ since }) => new Date(since).toISOString())}::text[]::timestamptz[], ${new Date(now)}, ${new Date(now - CLAIM_LIFETIME_MS)})`;
    const counts = new Map(rows.map((row) => [row.claimKey, { failures: row.failures, lastFailureAt: row.lastFailureAt?.getTime() ?? 0, inFlight: row.inFlight }]));
    if (admits(counts)) return attemptId;
    await this.finish(attemptId, undefined);
    return undefined;
  }

  /**
   * Ends a claimed attempt and stores its outcome in one statement, so that every
   * other claim sees it either under way or counted. Best effort: a database error
   * is logged, and the claim then counts until it expires.
   */
  async finish(attemptId: string, outcome: SharedOutcome | undefined): Promise<void> {
    try {
      if (outcome?.outcome === 'failed') {
        const at = new Date(outcome.at);
        await this.db.$executeRaw`
          WITH ended AS (DELETE FROM "SignInAttempt" WHERE "attemptId" = ${attemptId}::uuid)
          INSERT INTO "SignInFailure" ("scope", "key", "at")
          SELECT scope, key, ${at} FROM unnest(${outcome.keys.map(([scope]) => scope)}::text[], ${outcome.keys.map(([, key]) => key)}::text[]) AS k(scope, key)`;
      } else if (outcome?.outcome === 'succeeded') {
        await this.db.$executeRaw`
          WITH ended AS (DELETE FROM "SignInAttempt" WHERE "attemptId" = ${attemptId}::uuid)
          DELETE FROM "SignInFailure" WHERE "key" = ANY(${clearedBy(outcome.keys).map(([, key]) => key)}::text[])`;
      } else {
        await this.db.$executeRaw`DELETE FROM "SignInAttempt" WHERE "attemptId" = ${attemptId}::uuid`;
      }
      if (outcome && outcome.at - this.prunedAt >= PRUNE_EVERY_MS) await this.prune(outcome.at);
    } catch (error) {
      this.logger.warn({ err: error }, 'sign-in throttle outcome not stored');
    }
  }

  private async prune(now: number): Promise<void> {
    this.prunedAt = now;
    await this.db.signInFailure.deleteMany({ where: { at: { lt: new Date(now - this.horizonMs) } } });
    await this.db.signInAttempt.deleteMany({ where: { startedAt: { lt: new Date(now - CLAIM_LIFETIME_MS) } } });
  }
}
