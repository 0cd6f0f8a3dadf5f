// Throttling of credential checks (sign-in, changePassword's old password, MFA
// codes, getSessionToken): failures are counted per key in a sliding window, and
// past a key's threshold every further attempt is refused with `Throttling`
// BEFORE any password is verified, so during a lockout even the right password
// fails and costs no argon2 work. The lockout doubles with each further failure
// (exponential backoff), up to a cap. The refusal says when to retry: when the
// longest lockout among the attempt's keys ends, or in a second when only attempts
// still under way hold a key at its threshold (they end within one argon2 verify).
//
// Keys, and why three of them (OWASP Authentication Cheat Sheet, "Account lockout"):
//   user+ip  strict: stops one client guessing one user's password;
//   user     looser: stops a distributed guess against one user; its cap is short,
//            because an attacker who fails on purpose can keep a user locked out
//            (the trade-off of any per-account lockout: we accept a denial of
//            service of at most `user.maxLockMs` per burst of failures over
//            the user's own legitimate sign-in, rather than unbounded guessing);
//   ip       loosest: stops one client spraying many users (clients behind one
//            NAT share this budget, hence its high threshold).
// Attempts in flight count as failures until they finish, so a burst of
// concurrent requests cannot slip past the threshold before the first failure lands.
//
// Several processes on one database share their counts: each attempt's outcome
// (a failure, or a success clearing the principal's counts) is handed to `share`,
// which `shareThrottle` sends over the notification bus (src/db/notifications.ts),
// and every other process applies it with `applyShared`. Keys travel as digests, never as
// the user names and addresses they are made of. Failures are also stored in
// Postgres (src/auth/throttle-store.ts), and a process that starts replays those of
// the last horizon.
//
// What a process knows is a fast path only: it refuses at once what it can see is
// over budget. Every attempt it lets through is then admitted by the `ledger`,
// which decides on the counts in Postgres under per-key locks, attempts in flight
// in every process included: a burst spread over several processes can no more
// pass a threshold than a burst at one.
import { createHash } from 'node:crypto';
import type { NotificationBus } from '../db/notifications.js';
import { ThrottlingError } from '../errors.js';

export interface ThrottleRule {
  /** Failures tolerated within the window before attempts are refused. */
  threshold: number;
  windowMs: number;
  /** First lockout; doubles with each failure past the threshold. */
  baseLockMs: number;
  maxLockMs: number;
}

export type ThrottleScope = 'userIp' | 'user' | 'ip';

export type ThrottleRules = Record<ThrottleScope, ThrottleRule>;

export const defaultThrottleRules: ThrottleRules = Object.freeze({
  userIp: { threshold: 5, windowMs: 15 * 60_000, baseLockMs: 1_000, maxLockMs: 15 * 60_000 },
  user: { threshold: 20, windowMs: 15 * 60_000, baseLockMs: 1_000, maxLockMs: 60_000 },
  ip: { threshold: 100, windowMs: 15 * 60_000, baseLockMs: 1_000, maxLockMs: 15 * 60_000 },
});

/** What an attempt is about: the principal it names (account + user, or an access key) and the client. */
export interface AttemptSubject {
  /** e.g. `user:123456789012:alice`, `root:ann@example.com`, `key:AKIA...`; lower-cased by the caller. */
  principal: string;
  sourceIp: string;
}

interface Entry {
  /** Times of recent failures, oldest first. */
  failures: number[];
  inFlight: number;
  lockedUntil: number;
}

/** An attempt under way: call one of these exactly once. */
export interface Attempt {
  /** The credentials were right: clears the counts naming this principal. */
  succeeded(): void;
  /** The credentials were wrong: counts a failure. */
  failed(): void;
  /** Ended for another reason (a database error...): counts nothing, clears nothing. */
  abandoned(): void;
  /** The keys it counts under, as digests. */
  readonly keys: Array<[ThrottleScope, string]>;
  /** What it ended with, once it succeeded or failed. */
  outcome?: SharedOutcome;
}

const MAX_ENTRIES = 100_000;

/** The retry time a refusal names while attempts under way, not a lockout, hold a key at its threshold. */
const IN_FLIGHT_RETRY_MS = 1_000;

/** What a refusal of the throttle says. */
const REFUSED = 'too many failed attempts with these credentials or from this client';

/** One attempt's outcome as other processes apply it: the keys (digests) it counted under. */
export interface SharedOutcome {
  outcome: 'failed' | 'succeeded';
  keys: Array<[ThrottleScope, string]>;
  at: number;
}

/** One key's counts in every process on the database, as the ledger reads them. */
export interface SharedCounts {
  /** Failures within the key's window. */
  failures: number;
  /** Epoch ms of the latest of them (0 when none). */
  lastFailureAt: number;
  /** Attempts under way. */
  inFlight: number;
}

/** A key of an attempt as the ledger counts it: failures after `since` (epoch ms) count. */
export interface LedgerKey {
  scope: ThrottleScope;
  key: string;
  since: number;
}

/**
 * The attempts of every process on one database (src/auth/throttle-store.ts).
 * `claim` reads each key's shared counts and records the attempt as under way if
 * `admits` accepts them, atomically with respect to other claims of the same keys;
 * it resolves with the attempt's id, or undefined when refused. `finish` ends the
 * attempt, storing its outcome (none when abandoned).
 */
export interface AttemptLedger {
  claim(keys: LedgerKey[], admits: (counts: Map<string, SharedCounts>) => boolean, now: number): Promise<string | undefined>;
  finish(attemptId: string, outcome: SharedOutcome | undefined): Promise<void>;
}

/** The keys whose counts a success clears: those naming the principal, not the client's (`ip`). */
export function clearedBy(keys: Array<[ThrottleScope, string]>): Array<[ThrottleScope, string]> {
  return keys.filter(([scope]) => scope !== 'ip');
}

export class SignInThrottle {
  private readonly entries = new Map<string, Entry>();
  /** How long a failure can matter: the longest window or lockout of any rule. */
  readonly horizonMs: number;
  /** Hands each failure or success to the other processes (set by the service). */
  share: ((outcome: SharedOutcome) => void) | undefined;
  /** Admits each attempt of `run` on the counts of every process, and stores its outcome (set by the service). */
  ledger: AttemptLedger | undefined;

  constructor(
    private readonly rules: ThrottleRules = defaultThrottleRules,
    /** Epoch ms now: the service passes its clock's (src/clock.ts). */
    private readonly clock: () => number = Date.now,
  ) {
    this.horizonMs = Math.max(...Object.values(rules).map((rule) => Math.max(rule.windowMs, rule.maxLockMs)));
  }

  /**
   * Starts an attempt, or throws Throttling when any of its keys is locked out
   * or has reached its threshold (failures + attempts in flight).
   */
  begin(subject: AttemptSubject): Attempt {
    const now = this.clock();
    const keys = this.keysOf(subject);
    let retryMs: number | undefined;
    for (const [scope, key] of keys) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      prune(entry, now, this.rules[scope].windowMs);
      retryMs = later(retryMs, this.refusal(scope, entry.failures.length, entry.lockedUntil, entry.inFlight, now));
    }
    if (retryMs !== undefined) throw new ThrottlingError(retryMs, REFUSED);
    const entries = keys.map(([, key]) => this.entry(key));
    for (const entry of entries) entry.inFlight++;
    let done = false;
    const attempt: Attempt = {
      keys,
      succeeded: () => finish('succeeded'),
      failed: () => finish('failed'),
      abandoned: () => finish('abandoned'),
    };
    const finish = (outcome: 'succeeded' | 'failed' | 'abandoned') => {
      if (done) return;
      done = true;
      const at = this.clock();
      for (const entry of entries) entry.inFlight--;
      if (outcome === 'abandoned') return;
      this.record(outcome, keys, at);
      attempt.outcome = { outcome, keys, at };
      this.share?.(attempt.outcome);
    };
    return attempt;
  }

  /**
   * Whether a key refuses an attempt, as the ms until it may be retried (undefined: it
   * admits it): it is locked out, or at its threshold counting attempts in flight (past
   * it, once a lockout ends, one probe at a time may try: the backoff then doubles if it fails).
   */
  private refusal(scope: ThrottleScope, failures: number, lockedUntil: number, inFlight: number, now: number): number | undefined {
    if (lockedUntil > now) return lockedUntil - now;
    return inFlight > 0 && failures + inFlight >= this.rules[scope].threshold ? IN_FLIGHT_RETRY_MS : undefined;
  }

  /** Whether the counts of every process refuse an attempt under `keys`, by the same rule as `begin`: the ms until a retry, or undefined. */
  private sharedRefusal(keys: LedgerKey[], counts: Map<string, SharedCounts>, now: number): number | undefined {
    let retryMs: number | undefined;
    for (const { scope, key } of keys) {
      const shared = counts.get(key);
      if (!shared) continue;
      const lockedUntil = shared.failures >= this.rules[scope].threshold ? shared.lastFailureAt + this.lockMs(scope, shared.failures) : 0;
      retryMs = later(retryMs, this.refusal(scope, shared.failures, lockedUntil, shared.inFlight, now));
    }
    return retryMs;
  }

  /** Applies an outcome another process shared. */
  applyShared({ outcome, keys, at }: SharedOutcome): void {
    this.record(outcome, keys.filter(([scope]) => Object.hasOwn(this.rules, scope)), at);
  }

  /** Counts a failure under each key (locking out past the threshold), or clears the principal's keys on a success. */
  private record(outcome: 'failed' | 'succeeded', keys: Array<[ThrottleScope, string]>, at: number): void {
    if (outcome === 'succeeded') {
      for (const [, key] of clearedBy(keys)) this.entries.delete(key);
      return;
    }
    for (const [scope, key] of keys) {
      const entry = this.entry(key);
      entry.failures.push(at);
      if (entry.failures.length >= this.rules[scope].threshold) entry.lockedUntil = at + this.lockMs(scope, entry.failures.length);
    }
  }

  /**
   * Runs `work` as one attempt, once this process and then the ledger admit it: a
   * thrown error of `isFailure` counts as a failure, any other counts nothing. The
   * attempt's outcome is stored before this resolves.
   */
  async run<T>(subject: AttemptSubject, work: () => Promise<T>, isFailure: (error: unknown) => boolean = () => true): Promise<T> {
    const attempt = this.begin(subject);
    let attemptId: string | undefined;
    try {
      if (this.ledger) {
        const now = this.clock();
        const keys = attempt.keys.map(([scope, key]) => ({ scope, key, since: now - this.rules[scope].windowMs }));
        let retryMs = IN_FLIGHT_RETRY_MS;
        attemptId = await this.ledger.claim(
          keys,
          (counts) => {
            const refusal = this.sharedRefusal(keys, counts, now);
            if (refusal !== undefined) retryMs = refusal;
            return refusal === undefined;
          },
          now,
        );
        if (attemptId === undefined) throw new ThrottlingError(retryMs, REFUSED);
      }
      const result = await work();
      attempt.succeeded();
      return result;
    } catch (error) {
      // Refused by the ledger, or failed to reach it: not an attempt at the credentials.
      if (this.ledger && attemptId === undefined) attempt.abandoned();
      else if (isFailure(error)) attempt.failed();
      else attempt.abandoned();
      throw error;
    } finally {
      if (attemptId !== undefined) await this.ledger!.finish(attemptId, attempt.outcome);
    }
  }

  /** The attempt's keys, as digests: the same in every process, and shareable without what they are made of. */
  private keysOf(subject: AttemptSubject): Array<[ThrottleScope, string]> {
    return [
      ['userIp', digest(`userIp\0${subject.principal}\0${subject.sourceIp}`)],
      ['user', digest(`user\0${subject.principal}`)],
      ['ip', digest(`ip\0${subject.sourceIp}`)],
    ];
  }

  private entry(key: string): Entry {
    let entry = this.entries.get(key);
    if (entry) {
      // Re-insert so the Map's order is least recently used first.
      this.entries.delete(key);
    } else {
      entry = { failures: [], inFlight: 0, lockedUntil: 0 };
      if (this.entries.size >= MAX_ENTRIES) this.evict();
    }
    this.entries.set(key, entry);
    return entry;
  }

  /** Keys counted now (for metrics). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Releases the keys whose counts can no longer refuse anything at `now`: no attempt
   * in flight, no lockout, no failure within the horizon (a client's key stays after
   * its sign-in succeeds, which clears only the principal's). Answers how many went.
   */
  sweep(now: number): number {
    const before = this.entries.size;
    for (const [key, entry] of this.entries) {
      const lastFailure = entry.failures.length > 0 ? entry.failures[entry.failures.length - 1]! : -Infinity;
      if (entry.inFlight === 0 && entry.lockedUntil <= now && lastFailure <= now - this.horizonMs) this.entries.delete(key);
    }
    return before - this.entries.size;
  }

  /** Drops the least recently used entry that holds no attempt in flight. */
  private evict(): void {
    for (const [key, entry] of this.entries) {
      if (entry.inFlight === 0) {
        this.entries.delete(key);
        return;
      }
    }
  }

  /** The lockout after the `failures`-th failure within the window. */
  private lockMs(scope: ThrottleScope, failures: number): number {
    const rule = this.rules[scope];
    const over = Math.max(0, failures - rule.threshold);
    return Math.min(rule.maxLockMs, rule.baseLockMs * 2 ** Math.min(over, 30));
  }
}

/** The kind of notification a throttle outcome travels as. */
const THROTTLE_NOTIFICATION = 'throttle';

/**
 * Tells the other processes on `bus` each outcome of `throttle`, and applies theirs.
 * Best effort: while the bus is down each process counts alone (the ledger still
 * decides on the counts in Postgres).
 */
export function shareThrottle(throttle: SignInThrottle, bus: NotificationBus): void {
  throttle.share = (outcome) => bus.notify(THROTTLE_NOTIFICATION, { ...outcome });
  bus.subscribe(THROTTLE_NOTIFICATION, (notification, sentHere) => {
    if (!sentHere && isSharedOutcome(notification)) throttle.applyShared({ outcome: notification.outcome, keys: notification.keys, at: notification.at });
  });
}

/** A well-formed throttle outcome (anyone who can connect to the database can NOTIFY). */
function isSharedOutcome(change: Record<string, unknown>): change is Record<string, unknown> & SharedOutcome {
  return (
    (change.outcome === 'failed' || change.outcome === 'succeeded') &&
    typeof change.at === 'number' &&
    Array.isArray(change.keys) &&
    change.keys.length <= 3 &&
    change.keys.every((key) => Array.isArray(key) && key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string')
  );
}

/** The later of two retry times, either of which may be absent. */
function later(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

function prune(entry: Entry, now: number, windowMs: number): void {
  while (entry.failures.length > 0 && entry.failures[0]! <= now - windowMs) entry.failures.shift();
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}
