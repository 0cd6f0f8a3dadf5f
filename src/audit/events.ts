// Audit events shaped like CloudTrail records: one per API call, allowed or
// denied. Mutations are written before the response is sent; read-only calls are
// buffered and written in batches so reads stay cheap.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client.js';
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
  ['userIdentity', 'jsonb'], ['sourceIPAddress', 'text'], ['userAgent', 'text'], ['requestParameters', 'jsonb'],
  ['responseElements', 'jsonb'], ['resources', 'text[]'], ['errorCode', 'text'], ['errorMessage', 'text'],
  ['requestId', 'text'], ['readOnly', 'boolean'],
] as const;

/** Inserts a JSON array of rows (the shape `toRow` builds) in one statement. */
const INSERT_BATCH = `INSERT INTO "AuditEvent" (${COLUMNS.map(([name]) => `"${name}"`).join(', ')})
SELECT ${COLUMNS.map(([name]) => `r."${name}"`).join(', ')}
FROM jsonb_to_recordset($1::jsonb) AS r(${COLUMNS.map(([name, type]) => `"${name}" ${type}`).join(', ')})`;

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

/** Writes audit events; read-only ones in batches. */
export class AuditLog {
  private buffer: ReturnType<AuditLog['toRow']>[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly logger: Logger,
    private readonly flushMs = 200,
  ) {}

  /** Records a call. Mutations are written before this resolves; reads are queued. */
  async record(call: AuditCall): Promise<void> {
    const row = this.toRow(call);
    if (!call.readOnly) {
      await this.db.auditEvent.create({ data: row });
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length >= 500) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** The row `call` would be stored as (for a write inside the effect's own transaction). */
  rowOf(call: AuditCall) {
    return this.toRow(call);
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
    const rows = this.buffer;
    this.buffer = [];
    if (rows.length === 0) return;
    try {
      // One statement, one parameter: the batch as a JSON array, expanded by Postgres. Much
      // cheaper on the request-serving process than building a row-by-row insert.
      await this.db.$executeRawUnsafe(INSERT_BATCH, JSON.stringify(rows));
    } catch (error) {
      this.logger.error({ err: error, events: rows.length }, 'audit events could not be written');
    }
  }

  private toRow(call: AuditCall) {
    return {
      eventId: randomUUID(),
      accountId: call.accountId,
      eventTime: new Date(),
      eventName: call.eventName,
      eventSource: call.eventSource,
      userIdentity: userIdentityOf(call.principal) as object,
      sourceIPAddress: call.sourceIp || null,
      userAgent: call.userAgent ?? null,
      requestParameters: (redact(call.requestParameters) ?? undefined) as object | undefined,
      responseElements: (redact(call.responseElements) ?? undefined) as object | undefined,
      resources: call.resources,
      errorCode: call.errorCode ?? null,
      errorMessage: call.errorMessage ?? null,
      requestId: call.requestId,
      readOnly: call.readOnly,
    };
  }
}
