// Audit events shaped like CloudTrail records: one per API call, allowed or
// denied. Mutations are written before the response is sent, one row each;
// successful read-only calls are buffered and written in batches, one row per
// caller and call name in each batch (AuditReadBatch), so reads stay cheap: a read
// with nothing of its own but its request id (no parameters, no resource, such as
// getCallerIdentity) is stored as that id and a time offset alone.
// src/audit/trail.ts reads both tables as one trail.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
import { from as copyFrom } from 'pg-copy-streams';
import { type Db, type DbTx, poolOf } from '../db/client.js';
import type { Logger } from '../log.js';
import type { Principal } from '../sessions/principal.js';
import { redact, withoutNul } from './redact.js';
import { stampOf, uuidV7 } from './uuid7.js';

export interface AuditCall {
  accountId: string | null;
  eventName: string;
  eventSource: string;
  principal: Principal | null;
  /** userIdentity when it is not the caller's session: a sign-in's, whose caller has none yet. */
  userIdentity?: Record<string, unknown>;
  sourceIp: string;
  userAgent: string | undefined;
  requestId: string;
  requestParameters: unknown;
  responseElements: unknown;
  resources: string[];
  errorCode?: string;
  errorMessage?: string;
  readOnly: boolean;
  /**
   * Whether this is the first call its request hands to `recordRead`: that one read may
   * take its event id from the request id (see AuditReadBatch.requestIds).
   */
  firstReadOfRequest?: boolean;
}

/** The table's columns in the order of `toRow`'s values, with the cast a positional parameter needs. */
const COLUMNS = [
  ['eventId', 'uuid'], ['accountId', 'text'], ['eventTime', 'timestamp(3)'], ['eventName', 'text'], ['eventSource', 'text'],
  ['userIdentity', 'json'], ['sourceIPAddress', 'text'], ['userAgent', 'text'], ['requestParameters', 'json'],
  ['responseElements', 'json'], ['resources', 'text[]'], ['errorCode', 'text'], ['errorMessage', 'text'],
  ['requestId', 'text'], ['readOnly', 'boolean'],
] as const;

/** One event as `COLUMNS`' values: JSON columns as JSON text, `resources` as a list. */
type Text = string | null;
type Row = [eventId: string, Text, eventTime: string, eventName: string, eventSource: string, userIdentity: string, Text, Text, Text, Text, resources: string[], Text, Text, requestId: string, readOnly: boolean];

const COLUMN_LIST = COLUMNS.map(([name]) => `"${name}"`).join(', ');
/** Inserts one event: the path of events written inside their effect's transaction. */
const INSERT_ONE = `INSERT INTO "AuditEvent" (${COLUMN_LIST}) VALUES (${COLUMNS.map(([, type], i) => `$${i + 1}::${type}`).join(', ')})`;

/** Characters COPY's text format escapes: the column and row delimiters, and the escape itself. */
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** `value` redacted, as JSON text; SQL NULL when there is nothing (CloudTrail's absent element). */
function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(redact(value));
}

/** A value as one field of COPY's text format. */
function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

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

/** Strings as a Postgres array literal, every element quoted. */
function arrayLiteral(values: Iterable<string>): string {
  let literal = '';
  for (const value of values) literal += `${literal ? ',' : ''}"${value.replace(/["\\]/g, '\\$&')}"`;
  return `{${literal}}`;
}

const USER_IDENTITY_TYPES = { root: 'Root', user: 'IAMUser', 'assumed-role': 'AssumedRole' } as const;

/** CloudTrail's userIdentity element for a principal. */
export function userIdentityOf(principal: Principal | null): Record<string, unknown> {
  if (!principal) return { type: 'Anonymous' };
  return {
    type: USER_IDENTITY_TYPES[principal.kind],
    principalId: principal.principalId,
    arn: principal.arn,
    accountId: principal.accountId,
    ...(principal.accessKeyId ? { accessKeyId: principal.accessKeyId } : {}),
    ...(principal.userName ? { userName: principal.userName } : {}),
    sessionContext: {
      attributes: {
        creationDate: principal.issuedAt.toISOString(),
        mfaAuthenticated: principal.mfaAuthenticatedAt ? 'true' : 'false',
      },
      ...(principal.roleArn ? { sessionIssuer: { type: 'Role', principalId: principal.roleId, arn: principal.roleArn, accountId: principal.accountId, userName: principal.roleName } } : {}),
      ...(principal.sourceIdentity ? { sourceIdentity: principal.sourceIdentity } : {}),
    },
  };
}

/** COPY text being appended to, piece by piece, in one growing byte buffer outside the JavaScript heap. */
class BatchBuffer {
  private bytes: Buffer;
  private length = 0;
  count = 0;

  constructor(initialBytes: number) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
  }

  append(text: string): void {
    // 3 bytes per UTF-16 unit bounds its UTF-8 length.
    this.reserve(text.length * 3);
    this.length += this.bytes.write(text, this.length, 'utf8');
    this.count++;
  }

  /** Appends `text`, ASCII only, after a comma unless it is the first item. */
  appendItem(text: string): void {
    this.reserve(text.length + 1);
    if (this.count > 0) this.bytes[this.length++] = 44;
    this.length += this.bytes.write(text, this.length, 'latin1');
    this.count++;
  }

  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
  }

  contents(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}

/** Most sessions whose userIdentity JSON is remembered (see `identityJson`). */
const IDENTITY_CACHE_LIMIT = 10_000;
/** The caller of reads made without a principal or a userIdentity of their own. */
const ANONYMOUS = '{"type":"Anonymous"}';
/** Queued reads that start a flush at once rather than at the timer. */
const BATCH_LIMIT = 500;

/** Loads read batches in COPY's text format: one line per `ReadGroup`. */
const COPY_READS = 'COPY "AuditReadBatch" ("batchId", "accountId", "eventName", "eventSource", "userIdentity", "sourceIPAddress", "userAgent", "firstTime", "lastTime", "events", "resources", "requestIds", "offsets") FROM STDIN';

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
  /** The first call's time: no later call's is earlier (see `AuditLog.now`). */
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

/** Writes audit events; successful reads in batches. */
export class AuditLog {
  /**
   * Queued reads by caller: its principal (one object per session, shared by its requests)
   * or, without one, its userIdentity JSON. Their per-call JSON waits up to `flushMs` in
   * UTF-8 outside the JavaScript heap: kept as strings it would outlive young-generation
   * collections and be copied and promoted on every request's account.
   */
  private groups = new Map<Principal | string, ReadGroup[]>();
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  /** userIdentity as JSON per session id: every field of it is a fixed fact of the session. */
  private readonly identities = new Map<string, string>();
  /** The latest time `now` answered. */
  private latestMs = 0;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly flushMs = 200,
  ) {}

  /** Writes a call's event before resolving: mutations, and every call that failed (denials included). */
  async record(call: AuditCall): Promise<void> {
    await this.insert(this.db, call);
  }

  /** Inserts `call`'s event with `db` (a transaction's, for an effect's own event); resolves with its id. */
  async insert(db: DbTx, call: AuditCall): Promise<string> {
    const row = this.toRow(call);
    await db.$executeRawUnsafe(INSERT_ONE, ...row);
    return row[0]!;
  }

  /**
   * Queues a successful read's event for the next batch (at most `flushMs` or
   * `BATCH_LIMIT` events away). A batch has no place for an error or a response:
   * failed calls go to `record`, which writes them at once.
   */
  recordRead(call: AuditCall): void {
    if (!call.readOnly || call.errorCode !== undefined || call.errorMessage !== undefined || call.responseElements != null) {
      throw new Error(`recordRead takes successful reads only (${call.eventName}); record() writes the others`);
    }
    const ms = this.now();
    const identity = call.userIdentity ? JSON.stringify(call.userIdentity) : undefined;
    const caller = identity ?? call.principal ?? ANONYMOUS;
    const sourceIp = call.sourceIp || null;
    const userAgent = call.userAgent === undefined ? null : withoutNul(call.userAgent);
    let groups = this.groups.get(caller);
    if (groups === undefined) this.groups.set(caller, (groups = []));
    let group = groups.find((g) => g.eventName === call.eventName && g.accountId === call.accountId && g.userAgent === userAgent && g.sourceIp === sourceIp && g.eventSource === call.eventSource);
    if (group === undefined) {
      const columns = [uuidV7(ms), call.accountId, call.eventName, call.eventSource, identity ?? this.identityJson(call.principal), sourceIp, userAgent];
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
   * The time of a read: the clock's, or the latest this answered if the clock has gone
   * back since. A batch's times then never run backwards, so each of its calls' time
   * is its first call's plus an offset of zero or more.
   */
  private now(): number {
    const ms = Date.now();
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

  /**
   * Replaces the response of an event written in its effect's transaction, when the
   * resolver answered something else than that transaction's result.
   */
  async attachResponse(eventId: string, responseElements: unknown): Promise<void> {
    const json = jsonOrNull(responseElements);
    await this.db.$executeRaw`UPDATE "AuditEvent" SET "responseElements" = ${json}::json WHERE "eventId" = ${eventId}::uuid`;
  }

  /** Writes what is queued. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const groups = this.groups;
    const events = this.queued;
    if (events === 0) return;
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
    try {
      // COPY through node-postgres: Prisma has no COPY, and its per-query work
      // is what batching saves.
      const client = await poolOf(this.db).connect();
      try {
        await copyIn(client.query(copyFrom(COPY_READS)), Buffer.concat(parts));
      } finally {
        client.release();
      }
    } catch (error) {
      this.logger.error({ err: error, events }, 'audit events could not be written');
    }
  }

  /** `call`'s event as column values. */
  private toRow(call: AuditCall): Row {
    const ms = Date.now();
    return [
      uuidV7(ms), call.accountId, stampOf(ms).iso, call.eventName, call.eventSource,
      // Free text from the request is kept without NUL characters, which Postgres refuses.
      call.userIdentity ? JSON.stringify(call.userIdentity) : this.identityJson(call.principal), call.sourceIp || null,
      call.userAgent === undefined ? null : withoutNul(call.userAgent),
      jsonOrNull(call.requestParameters), jsonOrNull(call.responseElements),
      call.resources.map(withoutNul), call.errorCode ?? null, call.errorMessage === undefined ? null : withoutNul(call.errorMessage), call.requestId, call.readOnly,
    ];
  }

  private identityJson(principal: Principal | null): string {
    if (!principal) return ANONYMOUS;
    let json = this.identities.get(principal.sessionId);
    if (json === undefined) {
      json = JSON.stringify(userIdentityOf(principal));
      if (this.identities.size >= IDENTITY_CACHE_LIMIT) this.identities.clear();
      this.identities.set(principal.sessionId, json);
    }
    return json;
  }
}

/**
 * Sends `data` down a COPY stream and resolves once Postgres has taken it. Written
 * directly: stream.pipeline costs each batch an AbortController, and its abort at
 * the end a DOMException with a stack trace.
 */
function copyIn(stream: NodeJS.WritableStream, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.once('finish', resolve);
    stream.end(data);
  });
}
