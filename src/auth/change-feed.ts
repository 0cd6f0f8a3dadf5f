// What this process knows about the database's mutable authentication state —
// each account's policy epoch, which sessions are revoked, and the immutable
// facts of sessions already seen — kept fresh by Postgres LISTEN/NOTIFY
// (triggers in prisma/migrations/20261124101500_notify, heard through the
// notification bus of src/db/notifications.ts), so that authenticating a known
// session costs no database round trip. What no request used for the idle time is
// released (`sweep`): it is read from the database again when asked for.
// https://www.postgresql.org/docs/current/sql-notify.html
import { type Clock, systemClock } from '../clock.js';
import type { Session } from '../generated/prisma/client.js';
import type { Notification, NotificationBus } from '../db/notifications.js';
import { releaseIdle, type CacheStats, type IdleCache } from '../metrics.js';

/** The facts of a session row that never change once it is written. */
export type SessionFacts = Pick<
  Session,
  | 'id' | 'accountId' | 'principalArn' | 'principalId' | 'userId' | 'roleId' | 'roleArn' | 'accessKeyId'
  | 'mfaAuthenticatedAt' | 'sourceIdentity' | 'passwordResetOnly' | 'issuedAt' | 'expiresAt' | 'federatedProvider'
>;

/** What the triggers' notifications say (their JSON payloads). */
type EpochChange = { kind: 'epoch'; accountId: string; epoch: number };
type SessionChange = { kind: 'session'; sessionId: string; revoked: boolean; expiresAt: number };

export interface ChangeFeedOptions {
  /** Most session facts remembered (least recently used first out). */
  sessionLimit?: number;
  /** Above this many remembered epochs or revocations, everything is forgotten and reloaded on demand. */
  stateLimit?: number;
  /** Whose time decides which revoked sessions have expired (default: the machine's). */
  clock?: Clock;
}

/**
 * The state the bus's notifications keep fresh.
 *
 * INVARIANT (freshness): while `live`, every change committed after LISTEN took
 * effect reaches this object in commit order. State read from the database is
 * merged in only if no reset happened since the read began (`generation`), and
 * merged monotonically (epochs only grow, revocations only add), so a slow read
 * can never overwrite a newer notification.
 *
 * INVARIANT (own writes): `sync()` resolves once every change committed before
 * it was called has been applied here (or the bus went down, after which callers
 * read the database directly): see `NotificationBus.sync`.
 */
export class ChangeFeed {
  private gen = 0;
  /** Each account's epoch, and when it was last asked for or set (the clock's epoch ms). */
  private readonly epochs = new Map<string, { epoch: number; usedAt: number }>();
  private readonly revoked = new Map<string, number>();
  private readonly sessions = new Map<string, { facts: SessionFacts; usedAt: number }>();
  /** Lookups of an epoch and of a session answered from memory, and not (for metrics). */
  private readonly counts = { epochHits: 0, epochMisses: 0, sessionHits: 0, sessionMisses: 0 };
  private readonly sessionLimit: number;
  private readonly stateLimit: number;
  private readonly clock: Clock;

  constructor(
    private readonly bus: NotificationBus,
    options: ChangeFeedOptions = {},
  ) {
    this.sessionLimit = options.sessionLimit ?? 50_000;
    this.stateLimit = options.stateLimit ?? 200_000;
    this.clock = options.clock ?? systemClock;
    // Anything committed before LISTEN may have been missed, and nothing arrives while
    // down (callers read the database meanwhile): either way, start from nothing.
    bus.watch({ up: () => this.reset(), down: () => this.reset() });
    bus.subscribe('epoch', (change) => this.applyEpoch(change));
    bus.subscribe('session', (change) => this.applySession(change));
  }

  /** True while listening: only then may the state below be trusted. */
  get live(): boolean {
    return this.bus.live;
  }

  /** Changes whenever the state is dropped; pass the value read before a database read to `remember`. */
  get generation(): number {
    return this.gen;
  }

  /** The remembered facts of a session, if any. */
  session(sessionId: string): SessionFacts | undefined {
    const known = this.sessions.get(sessionId);
    if (known) {
      this.counts.sessionHits++;
      known.usedAt = this.clock.nowMs();
      this.sessions.delete(sessionId);
      this.sessions.set(sessionId, known);
      return known.facts;
    }
    this.counts.sessionMisses++;
    return undefined;
  }

  epochOf(accountId: string): number | undefined {
    const known = this.epochs.get(accountId);
    if (known === undefined) {
      this.counts.epochMisses++;
      return undefined;
    }
    this.counts.epochHits++;
    known.usedAt = this.clock.nowMs();
    return known.epoch;
  }

  /** The accounts' policy epochs it knows, for metrics; sweeping it also lets go of revocations of expired sessions. */
  get epochCache(): IdleCache {
    return { size: this.epochs.size, hits: this.counts.epochHits, misses: this.counts.epochMisses, sweep: (now, idleMs) => this.sweepEpochs(now, idleMs) };
  }

  /** The sessions whose facts it remembers, for metrics. */
  get sessionCache(): IdleCache {
    return {
      size: this.sessions.size,
      hits: this.counts.sessionHits,
      misses: this.counts.sessionMisses,
      sweep: (now, idleMs) => releaseIdle(this.sessions, now, idleMs),
    };
  }

  /**
   * Releases the epochs of accounts no request asked for since `now - idleMs`, and the
   * revocations of sessions expired for five minutes (refused on their expiry anyway).
   * A revocation of a live session is never released: it is all that refuses its token.
   *
   * INVARIANT (freshness): releasing an epoch starts a new generation, so a database
   * read begun before cannot merge an epoch older than the one released.
   */
  private sweepEpochs(now: number, idleMs: number): number {
    const released = releaseIdle(this.epochs, now, idleMs);
    if (released > 0) this.gen++;
    this.dropExpiredRevocations(now);
    return released;
  }

  private dropExpiredRevocations(now: number): void {
    const expired = now - 300_000;
    for (const [id, expiry] of this.revoked) if (expiry < expired) this.revoked.delete(id);
  }

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  /** Merges a session row (and its account's epoch) read from the database at `generation`. */
  remember(generation: number, facts: SessionFacts, revoked: boolean, epoch: number): void {
    if (!this.bus.live || generation !== this.gen) return;
    this.noteEpoch(facts.accountId, epoch);
    if (revoked) this.noteRevoked(facts.id, facts.expiresAt.getTime());
    this.sessions.delete(facts.id);
    this.sessions.set(facts.id, { facts: pickFacts(facts), usedAt: this.clock.nowMs() });
    if (this.sessions.size > this.sessionLimit) this.sessions.delete(this.sessions.keys().next().value!);
  }

  /** Merges an account's epoch read from the database at `generation` (a SigV4 key's account, src/auth/sigv4-authenticate.ts). */
  rememberEpoch(generation: number, accountId: string, epoch: number): void {
    if (this.bus.live && generation === this.gen) this.noteEpoch(accountId, epoch);
  }

  /** Resolves once every change committed before this call has been applied here. */
  sync(): Promise<void> {
    return this.bus.sync();
  }

  private reset(): void {
    this.gen++;
    this.epochs.clear();
    this.revoked.clear();
    this.sessions.clear();
  }

  private applyEpoch(notification: Notification): void {
    const change = notification as EpochChange;
    this.noteEpoch(change.accountId, change.epoch);
  }

  private applySession(notification: Notification): void {
    const change = notification as SessionChange;
    this.sessions.delete(change.sessionId);
    if (change.revoked) this.noteRevoked(change.sessionId, change.expiresAt);
    else this.revoked.delete(change.sessionId);
  }

  private noteEpoch(accountId: string, epoch: number): void {
    const known = this.epochs.get(accountId);
    if (known === undefined) this.epochs.set(accountId, { epoch, usedAt: this.clock.nowMs() });
    else if (epoch > known.epoch) known.epoch = epoch;
    if (this.epochs.size > this.stateLimit) this.reset();
  }

  private noteRevoked(sessionId: string, expiresAt: number): void {
    this.revoked.set(sessionId, expiresAt);
    if (this.revoked.size > this.stateLimit) {
      // Expired sessions are refused on their expiry anyway.
      this.dropExpiredRevocations(this.clock.nowMs());
      if (this.revoked.size > this.stateLimit) this.reset();
    }
  }
}

function pickFacts(row: SessionFacts): SessionFacts {
  return {
    id: row.id,
    accountId: row.accountId,
    principalArn: row.principalArn,
    principalId: row.principalId,
    userId: row.userId,
    roleId: row.roleId,
    roleArn: row.roleArn,
    accessKeyId: row.accessKeyId,
    mfaAuthenticatedAt: row.mfaAuthenticatedAt,
    sourceIdentity: row.sourceIdentity,
    federatedProvider: row.federatedProvider,
    passwordResetOnly: row.passwordResetOnly,
    issuedAt: row.issuedAt,
    expiresAt: row.expiresAt,
  };
}
