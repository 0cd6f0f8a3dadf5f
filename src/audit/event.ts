// The audit event, shaped like a CloudTrail record: the call it describes (AuditCall), the
// caller as its userIdentity, and writing one event as an AuditEvent row.
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
import type { DbTx } from '../db/client.js';
import { releaseIdle, type IdleCache } from '../metrics.js';
import type { Principal } from '../sessions/principal.js';
import { redact, withoutNul } from './redact.js';
import { stampOf, uuidV7 } from './uuid7.js';

/** One API call, allowed or denied, as its audit event records it. */
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

/** The userIdentity JSON of calls made without a principal or a userIdentity of their own. */
export const ANONYMOUS_IDENTITY = '{"type":"Anonymous"}';

const USER_IDENTITY_TYPES = { root: 'Root', user: 'IAMUser', 'assumed-role': 'AssumedRole', 'federated-user': 'FederatedUser' } as const;

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
      // CloudTrail's webIdFederationData: the provider a web identity session came from.
      ...(principal.federatedProvider ? { webIdFederationData: { federatedProvider: principal.federatedProvider, attributes: {} } } : {}),
    },
  };
}

/** Most sessions whose userIdentity JSON is remembered (see `UserIdentityCache`). */
const IDENTITY_CACHE_LIMIT = 10_000;

/**
 * userIdentity as JSON per session id, made once: every field of it is a fixed fact of the
 * session. Sessions no event named for the idle time are released (`sweep`).
 */
export class UserIdentityCache implements IdleCache {
  private readonly bySession = new Map<string, { json: string; usedAt: number }>();
  hits = 0;
  misses = 0;

  /** `principal`'s userIdentity as JSON; `ANONYMOUS_IDENTITY` without one. `now`: the event's time, epoch ms. */
  jsonOf(principal: Principal | null, now: number): string {
    if (!principal) return ANONYMOUS_IDENTITY;
    const known = this.bySession.get(principal.sessionId);
    if (known !== undefined) {
      this.hits++;
      known.usedAt = now;
      return known.json;
    }
    this.misses++;
    const json = JSON.stringify(userIdentityOf(principal));
    if (this.bySession.size >= IDENTITY_CACHE_LIMIT) this.bySession.clear();
    this.bySession.set(principal.sessionId, { json, usedAt: now });
    return json;
  }

  get size(): number {
    return this.bySession.size;
  }

  sweep(now: number, idleMs: number): number {
    return releaseIdle(this.bySession, now, idleMs);
  }
}

/** `value` redacted, as JSON text; SQL NULL when there is nothing (CloudTrail's absent element). */
export function jsonOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(redact(value));
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

/**
 * Inserts `call`'s event with `db` (a transaction's, for an effect's own event), taking
 * the caller's userIdentity from `identities` unless the call brings its own, at epoch ms `ms`; resolves with its id.
 */
export async function insertEvent(db: DbTx, call: AuditCall, identities: UserIdentityCache, ms: number): Promise<string> {
  const row = toRow(call, identities, ms);
  await db.$executeRawUnsafe(INSERT_ONE, ...row);
  return row[0];
}

/**
 * Replaces the response of the event `eventId`, written in its effect's transaction, when
 * the resolver answered something else than that transaction's result.
 */
export async function replaceResponse(db: DbTx, eventId: string, responseElements: unknown): Promise<void> {
  const json = jsonOrNull(responseElements);
  await db.$executeRaw`UPDATE "AuditEvent" SET "responseElements" = ${json}::json WHERE "eventId" = ${eventId}::uuid`;
}

/** `call`'s event as column values. */
function toRow(call: AuditCall, identities: UserIdentityCache, ms: number): Row {
  return [
    uuidV7(ms), call.accountId, stampOf(ms).iso, call.eventName, call.eventSource,
    // Free text from the request is kept without NUL characters, which Postgres refuses.
    call.userIdentity ? JSON.stringify(call.userIdentity) : identities.jsonOf(call.principal, ms), call.sourceIp || null,
    call.userAgent === undefined ? null : withoutNul(call.userAgent),
    jsonOrNull(call.requestParameters), jsonOrNull(call.responseElements),
    call.resources.map(withoutNul), call.errorCode ?? null, call.errorMessage === undefined ? null : withoutNul(call.errorMessage), call.requestId, call.readOnly,
  ];
}
