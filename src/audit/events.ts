// Audit events shaped like CloudTrail records: one per API call, allowed or
// denied. Mutations are written before the response is sent; read-only calls are
// buffered and written in batches so reads stay cheap.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
import { randomUUID } from 'node:crypto';
import { type Db, type DbTx, poolOf } from '../db/client.js';
import type { Logger } from '../log.js';
import type { Principal } from '../auth/principal.js';
import { redact } from './redact.js';

export interface AuditCall {
  accountId: string | null;
  eventName: string;
  eventSource: string;
  principal: Principal | null;
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

const COLUMNS = [
  ['eventId', 'text'], ['accountId', 'text'], ['eventTime', 'timestamp(3)'], ['eventName', 'text'], ['eventSource', 'text'],
  ['userIdentity', 'json'], ['sourceIPAddress', 'text'], ['userAgent', 'text'], ['requestParameters', 'json'],
  ['responseElements', 'json'], ['resources', 'text[]'], ['errorCode', 'text'], ['errorMessage', 'text'],
  ['requestId', 'text'], ['readOnly', 'boolean'],
] as const;

/** Inserts a JSON array of events (the objects `toJson` writes) in one statement. */
const INSERT_BATCH = `INSERT INTO "AuditEvent" (${COLUMNS.map(([name]) => `"${name}"`).join(', ')})
SELECT ${COLUMNS.map(([name]) => `r."${name}"`).join(', ')}
FROM json_to_recordset($1::json) AS r(${COLUMNS.map(([name, type]) => `"${name}" ${type}`).join(', ')})`;

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

/** A JSON array being appended to, element by element, in one growing byte buffer. */
class BatchBuffer {
  private bytes = Buffer.allocUnsafe(64 * 1024);
  private length = 1;
  count = 0;

  constructor() {
    this.bytes[0] = 0x5b; // [
  }

  /** Adds one element, given as JSON text. */
  append(json: string): void {
    // 3 bytes per UTF-16 unit bounds its UTF-8 length, plus the comma and the closing bracket.
    const needed = this.length + json.length * 3 + 2;
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    if (this.count > 0) this.bytes[this.length++] = 0x2c; // ,
    this.length += this.bytes.write(json, this.length, 'utf8');
    this.count++;
  }

  /** The whole array; nothing may be appended after. */
  close(): Buffer {
    this.bytes[this.length] = 0x5d; // ]
    return this.bytes.subarray(0, this.length + 1);
  }
}

/** Most sessions whose userIdentity JSON is remembered (see `identityJson`). */
const IDENTITY_CACHE_LIMIT = 10_000;

/** Writes audit events; read-only ones in batches. */
export class AuditLog {
  /**
   * Queued read-only events: the JSON array `INSERT_BATCH` expands, as UTF-8 bytes
   * outside the JavaScript heap. Events wait up to `flushMs` here; kept as strings
   * they would outlive young-generation collections and be copied and promoted
   * on every request's account.
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
    const eventId = randomUUID();
    await db.$executeRawUnsafe(INSERT_BATCH, `[${this.toJson(call, eventId)}]`);
    return eventId;
  }

  /** Queues a read's event for the next batch (at most `flushMs` or 500 events away). */
  recordRead(call: AuditCall): void {
    this.batch.append(this.toJson(call, randomUUID()));
    if (this.batch.count >= 500) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Fills in the response of an event written in its effect's transaction. */
  async attachResponse(eventId: string, responseElements: unknown): Promise<void> {
    // AWS's calls that answer nothing but success have no response elements.
    if (responseElements === null || typeof responseElements !== 'object') return;
    const redacted = redact(responseElements);
    await this.db.auditEvent.update({ where: { eventId }, data: { responseElements: redacted as object } });
  }

  /** Writes what is queued. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.batch;
    if (batch.count === 0) return;
    this.batch = new BatchBuffer();
    try {
      // One statement, one parameter: the batch as a JSON array, expanded by Postgres. Much
      // cheaper on the request-serving process than building a row-by-row insert, and
      // sent through node-postgres directly (as json's binary form, its UTF-8 text):
      // Prisma would re-encode a large parameter.
      const pool = poolOf(this.db);
      if (pool) await pool.query(INSERT_BATCH, [batch.close()]);
      else await this.db.$executeRawUnsafe(INSERT_BATCH, batch.close().toString('utf8'));
    } catch (error) {
      this.logger.error({ err: error, events: batch.count }, 'audit events could not be written');
    }
  }

  /** `call`'s event as one JSON object of the record set `INSERT_BATCH` expands, written straight to text. */
  private toJson(call: AuditCall, eventId: string): string {
    const parameters = redact(call.requestParameters);
    const response = redact(call.responseElements);
    return (
      `{"eventId":"${eventId}","accountId":${JSON.stringify(call.accountId)},"eventTime":"${new Date().toISOString()}",` +
      `"eventName":${JSON.stringify(call.eventName)},"eventSource":${JSON.stringify(call.eventSource)},` +
      `"userIdentity":${this.identityJson(call.principal)},"sourceIPAddress":${JSON.stringify(call.sourceIp || null)},` +
      `"userAgent":${JSON.stringify(call.userAgent ?? null)},"requestParameters":${parameters === undefined ? 'null' : JSON.stringify(parameters)},` +
      `"responseElements":${response === undefined ? 'null' : JSON.stringify(response)},"resources":${JSON.stringify(call.resources)},` +
      `"errorCode":${JSON.stringify(call.errorCode ?? null)},"errorMessage":${JSON.stringify(call.errorMessage ?? null)},` +
      `"requestId":${JSON.stringify(call.requestId)},"readOnly":${call.readOnly}}`
    );
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
