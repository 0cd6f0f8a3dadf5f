// The process's one Postgres LISTEN connection, shared as a small notification
// bus: the triggers of prisma/migrations/20261124101500_notify announce account
// epochs and session revocations on it, and processes on one database tell each
// other things on it (sign-in throttle outcomes, src/auth/throttle.ts). Each
// subscriber takes the notifications of its own kinds. While the connection is
// down it reconnects with backoff (100 ms doubling to 5 s), and tells its subscribers,
// who then read the database instead; an outage is logged when it starts and when it ends.
// https://www.postgresql.org/docs/current/sql-notify.html
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Logger } from '../log.js';

/** The channel the triggers notify on. */
export const NOTIFICATIONS_CHANNEL = 'iam_changes';
/** The listening connection's application_name (visible in pg_stat_activity). */
export const NOTIFICATIONS_APPLICATION = 'open-iam-change-feed';
/** The triggers that notify on it. */
const NOTIFY_TRIGGERS = ['Account_policyEpoch_notify', 'Session_revokedAt_notify'];

/** A notification's JSON payload: the triggers' (`epoch`, `session`) or a process's own. */
export interface Notification {
  kind: string;
  [field: string]: unknown;
}

/** Receives one notification; `sentHere` is true for one this process sent. */
export type NotificationHandler = (notification: Notification, sentHere: boolean) => void;

/** Told when the listening connection starts listening (`up`) and when it fails or stops (`down`). */
export interface ConnectionWatcher {
  up(): void;
  down(): void;
}

export interface NotificationBusOptions {
  /** Longest wait for our own sync mark before the listening connection is presumed broken. */
  syncTimeoutMs?: number;
}

/**
 * The listening connection.
 *
 * INVARIANT (order): while `live`, every notification committed after LISTEN took
 * effect reaches the subscribers of its kind, in commit order, and `up` was told
 * before the first of them.
 *
 * INVARIANT (own writes): `sync()` resolves once every notification committed
 * before it was called has been handed to the subscribers (or the connection went
 * down, after which they read the database directly). Postgres delivers
 * notifications of different transactions in commit order, so our own NOTIFY
 * coming back proves it.
 */
export class NotificationBus {
  private client: pg.Client | null = null;
  private isLive = false;
  private stopped = false;
  /** No triggers to listen to (migrations not applied): not an outage, nothing to retry. */
  private disabled = false;
  /** When the current outage began (ms since the epoch), or null while listening or never yet failed. */
  private outageSince: number | null = null;
  private reconnectDelayMs = 100;
  private reconnectTimer: NodeJS.Timeout | undefined;
  /** Tells our own notifications from other processes'. */
  private readonly id = randomBytes(8).toString('hex');
  private readonly handlers = new Map<string, NotificationHandler[]>();
  private readonly watchers: ConnectionWatcher[] = [];
  private syncCounter = 0;
  /** The last notification sent (or being sent) on the listening connection. */
  private sending: Promise<unknown> = Promise.resolve();
  private readonly pendingSyncs = new Map<number, () => void>();
  private readonly syncTimeoutMs: number;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
    options: NotificationBusOptions = {},
  ) {
    this.syncTimeoutMs = options.syncTimeoutMs ?? 5_000;
    this.subscribe('sync', (notification, sentHere) => {
      const n = notification.n;
      if (!sentHere || typeof n !== 'number') return;
      this.pendingSyncs.get(n)?.();
      this.pendingSyncs.delete(n);
    });
  }

  /** True while listening: only then does every notification arrive. */
  get live(): boolean {
    return this.isLive;
  }

  /**
   * True while the connection is down and being retried: the change feed is unreachable
   * (readiness answers 503). False while listening, stopped, or without triggers to listen to.
   */
  get unavailable(): boolean {
    return !this.isLive && !this.stopped && !this.disabled;
  }

  /** Hands the notifications of `kind` to `handler`, in the order they arrive. */
  subscribe(kind: string, handler: NotificationHandler): void {
    const list = this.handlers.get(kind);
    if (list) list.push(handler);
    else this.handlers.set(kind, [handler]);
  }

  /** Tells `watcher` each time the connection starts or stops listening. */
  watch(watcher: ConnectionWatcher): void {
    this.watchers.push(watcher);
  }

  /** Connects and listens. Never throws: while down, subscribers read the database. */
  async start(): Promise<void> {
    this.stopped = false;
    this.disabled = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.goDown();
    await client?.end().catch(() => {});
  }

  /**
   * Tells the other processes `{ kind, ...body }`, on the listening connection after
   * anything already queued there. Best effort: while down nothing is sent.
   */
  notify(kind: string, body: Record<string, unknown>): void {
    const client = this.client;
    if (!this.isLive || !client) return;
    void this.send(client, { kind, feed: this.id, ...body }).catch(() => {});
  }

  /**
   * Sends a notification on the listening connection once the ones before it have
   * gone: one query at a time there (node-postgres deprecates overlapping queries on
   * a client), so concurrent sync marks and other notifications go out one after another.
   */
  private send(client: pg.Client, notification: Notification): Promise<unknown> {
    const sent = this.sending.then(() => client.query('SELECT pg_notify($1, $2)', [NOTIFICATIONS_CHANNEL, JSON.stringify(notification)]));
    this.sending = sent.catch(() => {});
    return sent;
  }

  /** Resolves once every notification committed before this call has been handed to the subscribers. */
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
      await this.send(client, { kind: 'sync', feed: this.id, n });
    } catch {
      // The connection failed: the 'error'/'end' handler takes the bus down, which resolves us.
    }
    const outcome = await Promise.race([arrived, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.pendingSyncs.delete(n);
      this.restart(client, new Error(`own notification did not come back within ${this.syncTimeoutMs} ms`));
    }
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.connectionString, application_name: NOTIFICATIONS_APPLICATION });
    this.client = client;
    client.on('notification', (message) => {
      if (client === this.client && message.channel === NOTIFICATIONS_CHANNEL && message.payload) this.deliver(message.payload);
    });
    // INVARIANT: every client made here has an 'error' listener before it connects, so a
    // database that goes away never raises an unhandled 'error' event (which ends the process).
    client.on('error', (error) => this.restart(client, error));
    client.on('end', () => this.restart(client, new Error('connection ended')));
    try {
      await client.connect();
      // Without the triggers (migrations not applied) nothing would ever arrive.
      const triggers = await client.query(`SELECT 1 FROM pg_trigger WHERE tgname = ANY($1)`, [NOTIFY_TRIGGERS]);
      if (triggers.rowCount !== NOTIFY_TRIGGERS.length) {
        this.logger.warn('change feed: notification triggers missing (migrations not applied?); authenticating from the database');
        this.disabled = true;
        this.client = null;
        await client.end().catch(() => {});
        return;
      }
      await client.query(`LISTEN ${NOTIFICATIONS_CHANNEL}`);
    } catch (error) {
      this.restart(client, error);
      return;
    }
    if (client !== this.client) {
      await client.end().catch(() => {});
      return;
    }
    // Anything committed before LISTEN may have been missed: subscribers start from nothing.
    for (const watcher of this.watchers) watcher.up();
    this.isLive = true;
    this.reconnectDelayMs = 100;
    if (this.outageSince !== null) {
      this.logger.info({ outageMs: Date.now() - this.outageSince }, 'change feed: listening again');
      this.outageSince = null;
    }
  }

  /** Drops a failed connection and schedules a new one; the first failure of an outage is logged. */
  private restart(client: pg.Client, error?: unknown): void {
    if (client !== this.client) return;
    if (this.outageSince === null && !this.stopped) {
      this.outageSince = Date.now();
      // The database stopping or restarting (SQLSTATE class 57, operator intervention) is said, not traced.
      const code = (error as { code?: unknown } | undefined)?.code;
      const said = typeof code === 'string' && code.startsWith('57') ? { code, reason: (error as Error).message } : { err: error };
      this.logger.warn(said, 'change feed: not listening; authenticating from the database and reconnecting');
    }
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
    for (const watcher of this.watchers) watcher.down();
    // Subscribers read the database while the bus is down: nothing to wait for.
    for (const resolve of this.pendingSyncs.values()) resolve();
    this.pendingSyncs.clear();
  }

  private deliver(payload: string): void {
    let notification: Notification;
    try {
      notification = JSON.parse(payload) as Notification;
    } catch {
      return;
    }
    if (!notification || typeof notification.kind !== 'string') return;
    const handlers = this.handlers.get(notification.kind);
    if (!handlers) return;
    const sentHere = notification.feed === this.id;
    for (const handler of handlers) handler(notification, sentHere);
  }
}
