// The audit trail's writer, as the server holds it (`Deps.audit`): mutations and failed calls
// are written before the response is sent, one AuditEvent row each; successful reads are queued
// and written in batches (src/audit/read-batch.ts). src/audit/trail.ts reads both tables as one trail.
import type { Clock } from '../clock.js';
import type { Db, DbTx } from '../db/client.js';
import type { Logger } from '../log.js';
import { type AuditCall, insertEvent, replaceResponse, UserIdentityCache } from './event.js';
import { ReadQueue } from './read-batch.js';

/** Writes audit events; successful reads in batches. */
export class AuditLog {
  /** Shared by both paths, so a session's userIdentity is made once (for metrics and the idle sweep too). */
  readonly identities = new UserIdentityCache();
  private readonly reads: ReadQueue;

  constructor(
    private readonly db: Db,
    logger: Logger,
    /** Where events take their time. */
    private readonly clock: Clock,
    flushMs = 200,
  ) {
    this.reads = new ReadQueue(db, logger, this.identities, clock, flushMs);
  }

  /** Writes a call's event before resolving: mutations, and every call that failed (denials included). */
  async record(call: AuditCall): Promise<void> {
    await insertEvent(this.db, call, this.identities, this.clock.nowMs());
  }

  /** Inserts `call`'s event with `db` (a transaction's, for an effect's own event); resolves with its id. */
  insert(db: DbTx, call: AuditCall): Promise<string> {
    return insertEvent(db, call, this.identities, this.clock.nowMs());
  }

  /**
   * Queues a successful read's event for the next batch (at most `flushMs` or a batch's
   * worth of events away, see `ReadQueue`). A batch has no place for an error or a
   * response: failed calls go to `record`, which writes them at once; handing one here throws.
   */
  recordRead(call: AuditCall): void {
    this.reads.enqueue(call);
  }

  /**
   * Replaces the response of an event written in its effect's transaction, when the
   * resolver answered something else than that transaction's result.
   */
  async attachResponse(eventId: string, responseElements: unknown): Promise<void> {
    await replaceResponse(this.db, eventId, responseElements);
  }

  /** Writes what is queued. */
  async flush(): Promise<void> {
    await this.reads.flush();
  }

  /** Successful reads waiting for their batch, and how long the oldest has waited, seconds (metrics). */
  readQueueState(): { depth: number; oldestAgeSeconds: number } {
    return this.reads.state();
  }

  /** Tells `listener` of each batch of reads once written or refused: how long its oldest read waited, seconds. */
  onReadsFlushed(listener: (lagSeconds: number, written: boolean) => void): void {
    this.reads.onFlushed = listener;
  }
}
