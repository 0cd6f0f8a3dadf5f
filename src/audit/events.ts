// Audit events shaped like CloudTrail records: one per API call, allowed or
// denied. Mutations are written before the response is sent; read-only calls are
// buffered and written in batches so reads stay cheap.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { type Db, type DbTx, poolOf } from '../db/client.js';
import type { Logger } from '../log.js';
import type { Principal } from '../auth/principal.js';
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
/** Loads a batch of events in COPY's text format (`copyLine`): about half the server work of an INSERT of the same rows. */
const COPY_BATCH = `COPY "AuditEvent" (${COLUMN_LIST}) FROM STDIN`;

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

/** A list as a Postgres array literal, every element quoted. */
function arrayLiteral(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`;
}

/** Columns whose values we make ourselves in a fixed form (ids, times, names), which never hold what COPY escapes. */
const VERBATIM = new Set(['eventId', 'eventTime', 'eventName', 'eventSource', 'requestId', 'readOnly']);
const ESCAPED = COLUMNS.map(([name]) => !VERBATIM.has(name));

/** A row as one line of COPY's text format. */
function copyLine(row: Row): string {
  let line = '';
  for (let i = 0; i < row.length; i++) {
    const value = row[i]!;
    const text = typeof value === 'boolean' ? (value ? 't' : 'f') : Array.isArray(value) ? arrayLiteral(value) : value;
    line += (i === 0 ? '' : '\t') + (ESCAPED[i] ? copyField(text) : text);
  }
  return line + '\n';
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

/** COPY text being appended to, line by line, in one growing byte buffer outside the JavaScript heap. */
class BatchBuffer {
  private bytes = Buffer.allocUnsafe(64 * 1024);
  private length = 0;
  count = 0;

  append(line: string): void {
    // 3 bytes per UTF-16 unit bounds its UTF-8 length.
    const needed = this.length + line.length * 3;
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    this.length += this.bytes.write(line, this.length, 'utf8');
    this.count++;
  }

  contents(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}

/** Most sessions whose userIdentity JSON is remembered (see `identityJson`). */
const IDENTITY_CACHE_LIMIT = 10_000;

/** Writes audit events; read-only ones in batches. */
export class AuditLog {
  /**
   * Queued read-only events as COPY text, in UTF-8 outside the JavaScript heap.
   * Events wait up to `flushMs` here; kept as strings they would outlive
   * young-generation collections and be copied and promoted on every request's account.
   */
  private batch = new BatchBuffer();
  private timer: NodeJS.Timeout | undefined;
  /** userIdentity as JSON per session id: every field of it is a fixed fact of the session. */
  private readonly identities = new Map<string, string>();

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

  /** Queues a read's event for the next batch (at most `flushMs` or 500 events away). */
  recordRead(call: AuditCall): void {
    this.batch.append(copyLine(this.toRow(call)));
    if (this.batch.count >= 500) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
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
    const batch = this.batch;
    if (batch.count === 0) return;
    this.batch = new BatchBuffer();
    try {
      // COPY through node-postgres: Prisma has no COPY, and its per-query work
      // is what batching saves.
      const client = await poolOf(this.db).connect();
      try {
        await pipeline(Readable.from([batch.contents()]), client.query(copyFrom(COPY_BATCH)));
      } finally {
        client.release();
      }
    } catch (error) {
      this.logger.error({ err: error, events: batch.count }, 'audit events could not be written');
    }
  }

  /** `call`'s event as column values. */
  private toRow(call: AuditCall): Row {
    const ms = Date.now();
    return [
      uuidV7(ms), call.accountId, stampOf(ms).iso, call.eventName, call.eventSource,
      // Free text from the request is kept without NUL characters, which Postgres refuses (one would fail a whole batch).
      call.userIdentity ? JSON.stringify(call.userIdentity) : this.identityJson(call.principal), call.sourceIp || null,
      call.userAgent === undefined ? null : withoutNul(call.userAgent),
      jsonOrNull(call.requestParameters), jsonOrNull(call.responseElements),
      call.resources.map(withoutNul), call.errorCode ?? null, call.errorMessage === undefined ? null : withoutNul(call.errorMessage), call.requestId, call.readOnly,
    ];
  }

  private identityJson(principal: Principal | null): string {
    if (!principal) return '{"type":"Anonymous"}';
    let json = this.identities.get(principal.sessionId);
    if (json === undefined) {
      json = JSON.stringify(userIdentityOf(principal));
      if (this.identities.size >= IDENTITY_CACHE_LIMIT) this.identities.clear();
      this.identities.set(principal.sessionId, json);
    }
    return json;
  }
}
