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
    const names = ordered.map(({ key }) => key);
    const attemptId = randomUUID();
    return this.db.$transaction(async (tx) => {
      // Every process locks a claim's keys in the same (sorted) order, so two claims never wait on each other in a cycle.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(k, 0)) FROM unnest(${names}::text[]) AS k`;
      const rows = await tx.$queryRaw<Array<{ key: string; failures: number; lastFailureAt: Date | null; inFlight: number }>>`
        SELECT k.key, f.failures, f."lastFailureAt",
          (SELECT count(*) FROM "SignInAttempt" a WHERE a.key = k.key AND a."startedAt" > ${new Date(now - CLAIM_LIFETIME_MS)})::int AS "inFlight"
        FROM unnest(${names}::text[], ${ordered.map(({ since }) => new Date(since).toISOString())}::text[]::timestamptz[]) AS k(key, since)
        CROSS JOIN LATERAL (SELECT count(*)::int AS failures, max(at) AS "lastFailureAt" FROM "SignInFailure" WHERE key = k.key AND at > k.since) f`;
      const counts = new Map(rows.map((row) => [row.key, { failures: row.failures, lastFailureAt: row.lastFailureAt?.getTime() ?? 0, inFlight: row.inFlight }]));
      if (!admits(counts)) return undefined;
      await tx.signInAttempt.createMany({ data: ordered.map(({ key }) => ({ attemptId, key, startedAt: new Date(now) })) });
      return attemptId;
    });
  }

  /**
   * Ends a claimed attempt and stores its outcome in one transaction, so that every
   * other claim sees it either under way or counted. Best effort: a database error
   * is logged, and the claim then counts until it expires.
   */
  async finish(attemptId: string, outcome: SharedOutcome | undefined): Promise<void> {
    try {
      await this.db.$transaction(async (tx) => {
        await tx.signInAttempt.deleteMany({ where: { attemptId } });
        if (outcome?.outcome === 'failed') {
          await tx.signInFailure.createMany({ data: outcome.keys.map(([scope, key]) => ({ scope, key, at: new Date(outcome.at) })) });
        } else if (outcome?.outcome === 'succeeded') {
          await tx.signInFailure.deleteMany({ where: { key: { in: clearedBy(outcome.keys).map(([, key]) => key) } } });
        }
      });
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
