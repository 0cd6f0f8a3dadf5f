// Whether the database answers, for /readyz: a `SELECT 1` at most once per interval,
// shared by every caller meanwhile, and an outage logged once when it starts and once
// when it ends (never per request or per probe).
import type { Logger } from '../log.js';

/** The last answer of the probe. */
export interface DatabaseStatus {
  reachable: boolean;
  /** When the probe last answered, ms since the epoch. */
  checkedAt: number;
}

export interface DatabaseHealthOptions {
  /** Fewest ms between two probes: callers inside the interval share the last answer. */
  intervalMs?: number;
  /** Longest wait for a probe's answer before the database counts as unreachable. */
  timeoutMs?: number;
  /** Milliseconds since the epoch (the machine's clock: a probe's rate is not domain time). */
  now?: () => number;
}

/**
 * The database's reachability.
 *
 * INVARIANT (cost): at most one probe is in flight, and a new one starts only once
 * `intervalMs` has passed since the last started (or after `suspect`): however often
 * readiness is asked, the database sees at most one `SELECT 1` per interval from this
 * process, plus one when another connection fails while the database looked reachable.
 */
export class DatabaseHealth {
  private status: DatabaseStatus = { reachable: true, checkedAt: 0 };
  private startedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<void> | null = null;
  /** When the current outage began (ms), or null while reachable. */
  private outageSince: number | null = null;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly probe: () => Promise<unknown>,
    private readonly logger: Logger,
    options: DatabaseHealthOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.now = options.now ?? Date.now;
  }

  /** True unless the last probe failed or timed out. */
  get reachable(): boolean {
    return this.status.reachable;
  }

  /**
   * Makes the next `check` probe at once, however recent the last probe: another
   * connection to the same database just failed. Only while the database counts as
   * reachable, so during an outage it adds no probe.
   */
  suspect(): void {
    if (this.status.reachable) this.startedAt = Number.NEGATIVE_INFINITY;
  }

  /** The database's status, probing first when the last probe is older than the interval. */
  async check(): Promise<DatabaseStatus> {
    if (!this.inFlight && this.now() - this.startedAt >= this.intervalMs) {
      this.startedAt = this.now();
      this.inFlight = this.runProbe().finally(() => {
        this.inFlight = null;
      });
    }
    if (this.inFlight) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
      });
      const outcome = await Promise.race([this.inFlight, timedOut]);
      clearTimeout(timer);
      // A probe that hangs (a network partition rather than a refused connection) is an outage too;
      // it stays the one in flight, so waiting callers never start a second.
      if (outcome === 'timeout') this.record(false, new Error(`no answer to SELECT 1 within ${this.timeoutMs} ms`));
    }
    return this.status;
  }

  private async runProbe(): Promise<void> {
    try {
      await this.probe();
      this.record(true);
    } catch (error) {
      this.record(false, error);
    }
  }

  /** Keeps the status and logs the edges of an outage, not its middle. */
  private record(reachable: boolean, error?: unknown): void {
    const now = this.now();
    this.status = { reachable, checkedAt: now };
    if (!reachable && this.outageSince === null) {
      this.outageSince = now;
      this.logger.warn({ err: error }, 'database unreachable: /readyz answers 503 until it is back');
    } else if (reachable && this.outageSince !== null) {
      this.logger.info({ outageMs: now - this.outageSince }, 'database reachable again');
      this.outageSince = null;
    }
  }
}
