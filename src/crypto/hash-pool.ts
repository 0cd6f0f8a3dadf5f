// The password-hash pool: at most `concurrency` argon2 computations at once, the
// rest waiting in a bounded first-in first-out queue, and past that `Throttling`
// with a time to retry. Each hash keeps a core busy for tens of milliseconds, on
// a thread of its own at a lowered CPU priority (src/crypto/hash-threads.ts): a
// pool smaller than the cores (src/config.ts sizes it) leaves the event loop, and
// with it every other request, a core of its own during a sign-in flood, and the
// priority lets them come first on the other cores too.
import { ThrottlingError } from '../errors.js';

export interface HashPoolOptions {
  /** Hashes that run at once (at least 1). */
  concurrency: number;
  /** Hashes that may wait for a turn (0: none waits; past it, Throttling). */
  queueLimit: number;
}

/** The pool's counters, for metrics: a snapshot, cheap to take. */
export interface HashPoolStats {
  concurrency: number;
  queueLimit: number;
  /** Hashes running now. */
  running: number;
  /** Hashes waiting for a turn now. */
  queued: number;
  /** Hashes started since the pool was made. */
  started: number;
  /** Hashes refused because the queue was full. */
  throttled: number;
  /** Time the started hashes spent waiting in the queue, in all, seconds. */
  waitSecondsTotal: number;
  /** Recent run time of one hash (moving average), ms. */
  meanRunMs: number;
}

/** One hash's timing, handed to `onSettled` (a metrics histogram, for instance). */
export interface HashTiming {
  waitMs: number;
  runMs: number;
}

/** First guess of a hash's run time, until one is measured (argon2id at m = 19 MiB, t = 2 on a 2020s core). */
const INITIAL_RUN_MS = 50;
/** Weight of the latest run in the moving average. */
const SMOOTHING = 0.2;

export class HashPool {
  readonly concurrency: number;
  readonly queueLimit: number;
  /** Told of each hash that ran (set by whoever collects metrics). */
  onSettled: ((timing: HashTiming) => void) | undefined;
  private running = 0;
  /** Waiting hashes, oldest first: each is handed a turn by the hash that ends before it. */
  private readonly queue: Array<() => void> = [];
  private started = 0;
  private throttled = 0;
  private waitMsTotal = 0;
  private meanRunMs = INITIAL_RUN_MS;

  constructor({ concurrency, queueLimit }: HashPoolOptions) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    if (!Number.isInteger(queueLimit) || queueLimit < 0) throw new RangeError(`queueLimit must be a non-negative integer, got ${queueLimit}`);
    this.concurrency = concurrency;
    this.queueLimit = queueLimit;
  }

  /**
   * Runs `work` when a turn comes, in arrival order; throws Throttling at once when
   * every turn is taken and the queue is full.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    const arrived = performance.now();
    if (this.running < this.concurrency) {
      this.running++;
    } else {
      this.checkCapacity();
      // INVARIANT: a turn passes from the hash that ends straight to the oldest waiter
      // (`running` is not lowered in between), so a newcomer can never take it first.
      await new Promise<void>((resolve) => this.queue.push(resolve));
    }
    const start = performance.now();
    this.started++;
    this.waitMsTotal += start - arrived;
    try {
      return await work();
    } finally {
      const runMs = performance.now() - start;
      this.meanRunMs += SMOOTHING * (runMs - this.meanRunMs);
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
      this.onSettled?.({ waitMs: start - arrived, runMs });
    }
  }

  /**
   * Throws Throttling when a hash asked for now would be refused, so that a caller
   * can refuse before doing any other work. The retry time is how long the hashes
   * running and waiting take to clear at the recent pace.
   */
  checkCapacity(): void {
    if (this.running < this.concurrency || this.queue.length < this.queueLimit) return;
    this.throttled++;
    const backlog = Math.ceil((this.running + this.queue.length) / this.concurrency);
    throw new ThrottlingError(backlog * this.meanRunMs, 'too many passwords are being checked at once');
  }

  stats(): HashPoolStats {
    return {
      concurrency: this.concurrency,
      queueLimit: this.queueLimit,
      running: this.running,
      queued: this.queue.length,
      started: this.started,
      throttled: this.throttled,
      waitSecondsTotal: this.waitMsTotal / 1000,
      meanRunMs: this.meanRunMs,
    };
  }
}
