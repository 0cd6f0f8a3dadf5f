// What this process knows about the database's mutable authentication state —
// each account's policy epoch, which sessions are revoked, and the immutable
// facts of sessions already seen — kept fresh by Postgres LISTEN/NOTIFY
// (triggers in prisma/migrations/20261124101500_notify), so that authenticating
// a known session costs no database round trip.
// https://www.postgresql.org/docs/current/sql-notify.html
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Session } from '../generated/prisma/client.js';
import type { Logger } from '../log.js';
import type { SharedOutcome } from './throttle.js';

/** The channel the triggers notify on. */
export const CHANGES_CHANNEL = 'iam_changes';
/** The listening connection's application_name (visible in pg_stat_activity). */
export const CHANGE_FEED_APPLICATION = 'open-iam-change-feed';
/** The triggers that notify on it. */
const NOTIFY_TRIGGERS = ['Account_policyEpoch_notify', 'Session_revokedAt_notify'];

/** The facts of a session row that never change once it is written. */
export type SessionFacts = Pick<
  Session,
  | 'id' | 'accountId' | 'principalArn' | 'principalId' | 'userId' | 'roleId' | 'roleArn' | 'accessKeyId'
  | 'mfaAuthenticatedAt' | 'sourceIdentity' | 'passwordResetOnly' | 'issuedAt' | 'expiresAt'
>;

/** What a notification says (the triggers' JSON payloads, plus our own sync marks). */
type Change =
  | { kind: 'epoch'; accountId: string; epoch: number }
  | { kind: 'session'; sessionId: string; revoked: boolean; expiresAt: number }
  | { kind: 'sync'; feed: string; n: number }
  | ({ kind: 'throttle'; feed: string } & SharedOutcome);

export interface ChangeFeedOptions {
  /** Most session facts remembered (least recently used first out). */
  sessionLimit?: number;
  /** Above this many remembered epochs or revocations, everything is forgotten and reloaded on demand. */
  stateLimit?: number;
  /** Longest wait for our own sync mark before the listening connection is presumed broken. */
  syncTimeoutMs?: number;
}

/**
 * The listening connection and the state it keeps fresh.
 *
 * INVARIANT (freshness): while `live`, every change committed after LISTEN took
 * effect reaches this object in commit order. State read from the database is
 * merged in only if no reset happened since the read began (`generation`), and
 * merged monotonically (epochs only grow, revocations only add), so a slow read
 * can never overwrite a newer notification.
 *
 * INVARIANT (own writes): `sync()` resolves once every change committed before
 * it was called has been applied here (or the feed went down, after which callers
 * read the database directly). Postgres delivers notifications of different
 * transactions in commit order, so our own NOTIFY coming back proves it.
 */
export class ChangeFeed {
  private client: pg.Client | null = null;
  private isLive = false;
  private stopped = false;
  private reconnectDelayMs = 100;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private gen = 0;
  private readonly epochs = new Map<string, number>();
  private readonly revoked = new Map<string, number>();
  private readonly sessions = new Map<string, SessionFacts>();
  private readonly id = randomBytes(8).toString('hex');
  private syncCounter = 0;
  /** The last sync mark sent (or being sent) on the listening connection. */
  private sending: Promise<unknown> = Promise.resolve();
  private readonly pendingSyncs = new Map<number, () => void>();
  private readonly sessionLimit: number;
  private readonly stateLimit: number;
  private readonly syncTimeoutMs: number;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
    options: ChangeFeedOptions = {},
  ) {
    this.sessionLimit = options.sessionLimit ?? 50_000;
    this.stateLimit = options.stateLimit ?? 200_000;
    this.syncTimeoutMs = options.syncTimeoutMs ?? 5_000;
  }

  /** Receives the sign-in throttle outcomes other processes share (see `shareThrottle`). */
  onThrottle: ((outcome: SharedOutcome) => void) | undefined;

  /** True while listening: only then may the state below be trusted. */
  get live(): boolean {
    return this.isLive;
  }

  /** Changes whenever the state is dropped; pass the value read before a database read to `remember`. */
  get generation(): number {
    return this.gen;
  }

  /** Connects and listens. Never throws: while down, callers read the database. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.goDown();
    await client?.end().catch(() => {});
  }

  /** The remembered facts of a session, if any. */
  session(sessionId: string): SessionFacts | undefined {
    const facts = this.sessions.get(sessionId);
    if (facts) {
      this.sessions.delete(sessionId);
      this.sessions.set(sessionId, facts);
    }
    return facts;
  }

  epochOf(accountId: string): number | undefined {
    return this.epochs.get(accountId);
  }

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  /** Merges a session row (and its account's epoch) read from the database at `generation`. */
  remember(generation: number, facts: SessionFacts, revoked: boolean, epoch: number): void {
    if (!this.isLive || generation !== this.gen) return;
    this.noteEpoch(facts.accountId, epoch);
    if (revoked) this.noteRevoked(facts.id, facts.expiresAt.getTime());
    this.sessions.delete(facts.id);
    this.sessions.set(facts.id, pickFacts(facts));
    if (this.sessions.size > this.sessionLimit) this.sessions.delete(this.sessions.keys().next().value!);
  }

  /**
   * Tells the other processes a sign-in throttle outcome (src/auth/throttle.ts), on
   * the listening connection after anything already queued there. Best effort: while
   * the feed is down each process counts alone.
   */
  shareThrottle(outcome: SharedOutcome): void {
    const client = this.client;
    if (!this.isLive || !client) return;
    void this.notify(client, { kind: 'throttle', feed: this.id, ...outcome }).catch(() => {});
  }

  /**
   * Sends a notification on the listening connection once the ones before it have
   * gone: one query at a time there (node-postgres deprecates overlapping queries on
   * a client), so concurrent sync marks and throttle outcomes go out one after another.
   */
  private notify(client: pg.Client, change: Change): Promise<unknown> {
    const sent = this.sending.then(() => client.query('SELECT pg_notify($1, $2)', [CHANGES_CHANNEL, JSON.stringify(change)]));
    this.sending = sent.catch(() => {});
    return sent;
  }

  /** Resolves once every change committed before this call has been applied here. */
  async sync(): Promise<void> {
    const client = this.client;
    if (!this.isLive || !client) return;
    const n = ++this.syncCounter;
    const arrived = new Promise<void>((resolve) => this.pendingSyncs.set(n, resolve));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.syncTimeoutMs);
    });
    try {
      await this.notify(client, { kind: 'sync', feed: this.id, n });
    } catch {
      // The connection failed: the 'error'/'end' handler takes the feed down, which resolves us.
    }
    const outcome = await Promise.race([arrived, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.pendingSyncs.delete(n);
      this.logger.warn('change feed: own notification did not come back in time; reconnecting');
      this.restart(client);
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.connectionString, application_name: CHANGE_FEED_APPLICATION });
    this.client = client;
    client.on('notification', (message) => {
      if (client === this.client && message.channel === CHANGES_CHANNEL && message.payload) this.apply(message.payload);
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'change feed: connection failed');
      this.restart(client);
    });
    client.on('end', () => this.restart(client));
    try {
      await client.connect();
      // Without the triggers (migrations not applied) nothing would ever arrive.
      const triggers = await client.query(`SELECT 1 FROM pg_trigger WHERE tgname = ANY($1)`, [NOTIFY_TRIGGERS]);
      if (triggers.rowCount !== NOTIFY_TRIGGERS.length) {
        this.logger.warn('change feed: notification triggers missing (migrations not applied?); authenticating from the database');
        this.client = null;
        await client.end().catch(() => {});
        return;
      }
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      this.logger.warn({ err: error }, 'change feed: cannot listen; authenticating from the database meanwhile');
      this.restart(client);
      return;
    }
    if (client !== this.client) {
      await client.end().catch(() => {});
      return;
    }
    // Anything committed before LISTEN may have been missed: start from nothing.
    this.reset();
    this.isLive = true;
    this.reconnectDelayMs = 100;
  }

  /** Drops a failed connection and schedules a new one. */
  private restart(client: pg.Client): void {
    if (client !== this.client) return;
    this.goDown();
    client.end().catch(() => {});
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), this.reconnectDelayMs);
    this.reconnectTimer.unref();
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 5_000);
  }

  private goDown(): void {
    this.client = null;
    this.isLive = false;
    this.reset();
    // Callers read the database while the feed is down: nothing to wait for.
    for (const resolve of this.pendingSyncs.values()) resolve();
    this.pendingSyncs.clear();
  }

  private reset(): void {
    this.gen++;
    this.epochs.clear();
    this.revoked.clear();
    this.sessions.clear();
  }

  private apply(payload: string): void {
    let change: Change;
    try {
      change = JSON.parse(payload) as Change;
    } catch {
      return;
    }
    if (change.kind === 'epoch') this.noteEpoch(change.accountId, change.epoch);
    else if (change.kind === 'session') {
      this.sessions.delete(change.sessionId);
      if (change.revoked) this.noteRevoked(change.sessionId, change.expiresAt);
      else this.revoked.delete(change.sessionId);
    } else if (change.kind === 'sync' && change.feed === this.id) {
      this.pendingSyncs.get(change.n)?.();
      this.pendingSyncs.delete(change.n);
    } else if (change.kind === 'throttle' && change.feed !== this.id && isSharedOutcome(change)) {
      this.onThrottle?.({ outcome: change.outcome, keys: change.keys, at: change.at });
    }
  }

  private noteEpoch(accountId: string, epoch: number): void {
    const known = this.epochs.get(accountId);
    if (known === undefined || epoch > known) this.epochs.set(accountId, epoch);
    if (this.epochs.size > this.stateLimit) this.reset();
  }

  private noteRevoked(sessionId: string, expiresAt: number): void {
    this.revoked.set(sessionId, expiresAt);
    if (this.revoked.size > this.stateLimit) {
      // Expired sessions are refused on their expiry anyway.
      const now = Date.now() - 300_000;
      for (const [id, expiry] of this.revoked) if (expiry < now) this.revoked.delete(id);
      if (this.revoked.size > this.stateLimit) this.reset();
    }
  }
}

/** A well-formed throttle outcome (anyone who can connect to the database can NOTIFY). */
function isSharedOutcome(change: { outcome?: unknown; keys?: unknown; at?: unknown }): change is SharedOutcome {
  return (
    (change.outcome === 'failed' || change.outcome === 'succeeded') &&
    typeof change.at === 'number' &&
    Array.isArray(change.keys) &&
    change.keys.length <= 3 &&
    change.keys.every((key) => Array.isArray(key) && key.length === 2 && typeof key[0] === 'string' && typeof key[1] === 'string')
  );
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
    passwordResetOnly: row.passwordResetOnly,
    issuedAt: row.issuedAt,
    expiresAt: row.expiresAt,
  };
}
