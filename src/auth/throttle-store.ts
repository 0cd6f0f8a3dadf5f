// The sign-in throttle's failures in Postgres (src/auth/throttle.ts). Each failure
// is stored under its keys (digests), a success deletes the counts naming its
// principal, and a process that starts replays the failures still inside the
// throttle's horizon. Live processes hear each other's outcomes at once through the
// change feed; this is how a process that was not listening (restarted, or new)
// learns them, so a restart or a scale-out does not start anyone's budget over.
import type { Db } from '../db/client.js';
import type { Logger } from '../log.js';
import { clearedBy, type SharedOutcome, type SignInThrottle, type ThrottleScope } from './throttle.js';

/** Failures older than the horizon are deleted at most this often. */
const PRUNE_EVERY_MS = 60_000;

export class ThrottleStore {
  /** Writes go out one after another, so a success's delete follows the failures before it. */
  private writing: Promise<void> = Promise.resolve();
  private prunedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly horizonMs: number,
  ) {}

  /** Replays into `throttle` the failures of the last horizon, oldest first. */
  async load(throttle: SignInThrottle, now = Date.now()): Promise<void> {
    await this.prune(now);
    const rows = await this.db.signInFailure.findMany({
      where: { at: { gte: new Date(now - this.horizonMs) } },
      orderBy: { at: 'asc' },
      select: { scope: true, key: true, at: true },
    });
    for (const row of rows) throttle.applyShared({ outcome: 'failed', keys: [[row.scope as ThrottleScope, row.key]], at: row.at.getTime() });
  }

  /** Stores an outcome. Best effort: a database error is logged, and only this outcome is not kept. */
  save(outcome: SharedOutcome): Promise<void> {
    this.writing = this.writing
      .then(() => this.write(outcome))
      .catch((error: unknown) => this.logger.warn({ err: error }, 'sign-in throttle outcome not stored'));
    return this.writing;
  }

  private async write({ outcome, keys, at }: SharedOutcome): Promise<void> {
    if (outcome === 'succeeded') {
      await this.db.signInFailure.deleteMany({ where: { key: { in: clearedBy(keys).map(([, key]) => key) } } });
      return;
    }
    await this.db.signInFailure.createMany({ data: keys.map(([scope, key]) => ({ scope, key, at: new Date(at) })) });
    if (at - this.prunedAt >= PRUNE_EVERY_MS) await this.prune(at);
  }

  private async prune(now: number): Promise<void> {
    this.prunedAt = now;
    await this.db.signInFailure.deleteMany({ where: { at: { lt: new Date(now - this.horizonMs) } } });
  }
}
