// Successful read-only calls, queued and written in batches: one AuditReadBatch row per caller
// and call name in each batch, so reads stay cheap. A read with nothing of its own but its
// request id (no parameters, no resource, such as getCallerIdentity) is stored as that id and a time offset alone.
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../log.js';
import type { Principal } from '../sessions/principal.js';
import { arrayLiteral, BatchBuffer, copyField, copyFromStdin } from './copy-text.js';
import { ANONYMOUS_IDENTITY, type AuditCall, jsonOrNull, type UserIdentityCache } from './event.js';
import { withoutNul } from './redact.js';
import { stampOf, uuidV7 } from './uuid7.js';

/** Queued reads that start a flush at once rather than at the timer. */
const BATCH_LIMIT = 500;

/** Loads read batches in COPY's text format: one line per `ReadGroup`. */
const COPY_READS = 'COPY "AuditReadBatch" ("batchId", "accountId", "eventName", "eventSource", "userIdentity", "sourceIPAddress", "userAgent", "firstTime", "lastTime", "events", "resources", "requestIds", "offsets") FROM STDIN';

/**
 * Whether `id` is written as is, in JSON and in COPY: ASCII letters, digits and
 * dashes only, as the server's own request ids (UUIDs) are. A loop rather than
 * JSON.stringify and a regular expression: with the processor's caches full of the
 * rest of a request, as they are on its path, those two builtins made up a third of
 * a read's event (1.7 against 1.1 µs in a micro-benchmark that flushes the caches
 * between calls).
 */
function isPlainId(id: string): boolean {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    // 0-9, A-Z, a-z, '-'.
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45)) return false;
  }
  return true;
}

/**
 * A UUIDv7 as the server makes its request ids: lowercase, so that it reads back from a
 * uuid column as the same text, and of version 7, so that the event id made from it
 * (version 8) is no other event's.
 */
const REQUEST_UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The queued reads that share everything but what differs per call: caller, account,
 * event name and source, source address and user agent. They become one AuditReadBatch row.
 */
interface ReadGroup {
  accountId: string | null;
  eventName: string;
  eventSource: string;
  sourceIp: string | null;
  userAgent: string | null;
  /** The row's first columns, up to `firstTime`, as COPY text ending in a tab. */
  head: string;
  /** The first call's time: no later call's is earlier (see `ReadQueue.now`). */
  firstMs: number;
  lastMs: number;
  /**
   * Each call's `{ eventId, eventTime, requestId, requestParameters, resources }` JSON, the last
   * two only when the call has them, comma-separated, as COPY text.
   */
  events: BatchBuffer;
  /** The calls' resources, all together. */
  resources: Set<string>;
  /** The calls stored as their request id alone, comma-separated; their times in `offsets`. */
  requestIds: BatchBuffer;
  /** Each of those calls' time, in ms after `firstMs`. */
  offsets: number[];
}

/** Successful reads waiting for their batch, written at most `flushMs` or `BATCH_LIMIT` events after they come. */
export class ReadQueue {
  /**
   * Queued reads by caller: its principal (one object per session, shared by its requests)
   * or, without one, its userIdentity JSON. Their per-call JSON waits up to `flushMs` in
   * UTF-8 outside the JavaScript heap: kept as strings it would outlive young-generation
   * collections and be copied and promoted on every request's account.
   */
  private groups = new Map<Principal | string, ReadGroup[]>();
  private queued = 0;
  /** When the oldest queued read came (performance.now(), ms): the flush lag is measured from it. */
  private oldestAt = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Told of each batch once written (`written`) or refused: how long its oldest read waited, seconds (metrics). */
  onFlushed: ((lagSeconds: number, written: boolean) => void) | undefined;
  /** The latest time `now` answered. */
  private latestMs = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly identities: UserIdentityCache,
    private readonly clock: Clock,
    private readonly flushMs: number,
  ) {}

  /**
   * Queues a successful read's event for the next batch. A batch has no place for an
   * error or a response: throws for any other call, which `AuditLog.record` writes at once.
   */
  enqueue(call: AuditCall): void {
    if (!call.readOnly || call.errorCode !== undefined || call.errorMessage !== undefined || call.responseElements != null) {
      throw new Error(`recordRead takes successful reads only (${call.eventName}); record() writes the others`);
    }
    if (this.queued === 0) this.oldestAt = performance.now();
    const ms = this.now();
    const identity = call.userIdentity ? JSON.stringify(call.userIdentity) : undefined;
    const caller = identity ?? call.principal ?? ANONYMOUS_IDENTITY;
    const sourceIp = call.sourceIp || null;
    const userAgent = call.userAgent === undefined ? null : withoutNul(call.userAgent);
    let groups = this.groups.get(caller);
    if (groups === undefined) this.groups.set(caller, (groups = []));
    let group = groups.find((g) => g.eventName === call.eventName && g.accountId === call.accountId && g.userAgent === userAgent && g.sourceIp === sourceIp && g.eventSource === call.eventSource);
    if (group === undefined) {
      const columns = [uuidV7(ms), call.accountId, call.eventName, call.eventSource, identity ?? this.identities.jsonOf(call.principal, ms), sourceIp, userAgent];
      group = {
        accountId: call.accountId, eventName: call.eventName, eventSource: call.eventSource, sourceIp, userAgent,
        head: columns.map(copyField).join('\t') + '\t', firstMs: ms, lastMs: ms, events: new BatchBuffer(1024), resources: new Set(),
        requestIds: new BatchBuffer(4096), offsets: [],
      };
      groups.push(group);
    } else {
      group.lastMs = ms;
    }
    const parameters = jsonOrNull(call.requestParameters);
    if (parameters === null && call.resources.length === 0 && call.firstReadOfRequest === true && REQUEST_UUID_V7.test(call.requestId)) {
      // Nothing of its own but its request id: stored as that id and its time's offset, about
      // 40 bytes against about 140 for its JSON below, and kept as about 7 bytes instead of 15.
      group.requestIds.appendItem(call.requestId);
      group.offsets.push(ms - group.firstMs);
    } else {
      this.queueEvent(group, call, ms, parameters);
    }
    if (++this.queued >= BATCH_LIMIT) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /**
   * Writes what is queued, as one COPY. A batch Postgres refuses is logged and dropped:
   * the queue is empty again either way, and the next batch is written as usual.
   */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const groups = this.groups;
    const events = this.queued;
    if (events === 0) return;
    const oldestAt = this.oldestAt;
    this.groups = new Map();
    this.queued = 0;
    const parts: Buffer[] = [];
    for (const group of [...groups.values()].flat()) {
      parts.push(
        Buffer.from(`${group.head}${new Date(group.firstMs).toISOString()}\t${new Date(group.lastMs).toISOString()}\t[`),
        group.events.contents(),
        Buffer.from(`]\t${copyField(arrayLiteral(group.resources))}\t{`),
        group.requestIds.contents(),
        Buffer.from(`}\t{${group.offsets.join(',')}}\n`),
      );
    }
    let written = false;
    try {
      await copyFromStdin(this.db, COPY_READS, Buffer.concat(parts));
      written = true;
    } catch (error) {
      this.logger.error({ err: error, events }, 'audit events could not be written');
    }
    this.onFlushed?.((performance.now() - oldestAt) / 1000, written);
  }

  /** Reads waiting for their batch, and how long the oldest of them has waited, seconds (metrics). */
  state(): { depth: number; oldestAgeSeconds: number } {
    return { depth: this.queued, oldestAgeSeconds: this.queued === 0 ? 0 : (performance.now() - this.oldestAt) / 1000 };
  }

  /**
   * The time of a read: the clock's, or the latest this answered if the clock has gone
   * back since. A batch's times then never run backwards, so each of its calls' time
   * is its first call's plus an offset of zero or more.
   */
  private now(): number {
    const ms = this.clock.nowMs();
    if (ms > this.latestMs) this.latestMs = ms;
    return this.latestMs;
  }

  /** Appends a read's event to its group's events JSON. */
  private queueEvent(group: ReadGroup, call: AuditCall, ms: number, parameters: string | null): void {
    // The event id and the time are made here, in a fixed form that neither JSON nor COPY escapes.
    // Parameters and resources are left out when there are none: the trail reads them as
    // null and an empty list, and every byte left out is one fewer for Postgres to parse.
    const requestId = isPlainId(call.requestId) ? `"${call.requestId}"` : copyField(JSON.stringify(call.requestId));
    let event = `${group.events.count === 0 ? '' : ','}{"eventId":"${uuidV7(ms)}","eventTime":"${stampOf(ms).iso}","requestId":${requestId}`;
    if (parameters !== null) event += `,"requestParameters":${copyField(parameters)}`;
    if (call.resources.length > 0) {
      const clean = call.resources.map(withoutNul);
      for (const resource of clean) group.resources.add(resource);
      event += `,"resources":${copyField(JSON.stringify(clean))}`;
    }
    event += '}';
    group.events.append(event);
  }
}
