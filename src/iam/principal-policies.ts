// The policies of a principal, loaded from the store and parsed: for a user, its
// inline and attached managed policies plus those of its groups; for a group or a
// role, its own; for a role session, the role's plus the session policies; and the
// permissions boundary of a user or role. The one loader the authorizer, both
// simulators and the access advisor read, so none can drift from what is enforced.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import type { DbTx } from '../db/client.js';
import { parsePolicy, type PolicyDocument } from '../policy/index.js';
import { getManagedPolicies, type ManagedPolicyRef } from './managed-policy-lookup.js';

type EntityType = 'user' | 'group' | 'role';

/** Whose policies: a user, group or role named by its id or its ARN, a role session, or a federated user's session. */
export type PolicyHolder =
  | { type: EntityType; id: string }
  | { type: EntityType; arn: string }
  | { type: 'role-session'; roleId: string; sessionId: string }
  /** A federated user's session (GetFederationToken) made by the IAM user `userId`. */
  | { type: 'federated-session'; userId: string; sessionId: string };

/** Where an identity policy comes from. */
export type PolicyOrigin =
  | { kind: 'inline'; entityType: EntityType; entityId: string; name: string }
  | { kind: 'managed'; arn: string; isAwsManaged: boolean };

/** An identity-based policy, parsed, with its origin. */
export interface IdentityPolicy {
  document: PolicyDocument;
  origin: PolicyOrigin;
  /** The document's text as stored (the simulators locate matched statements in it). */
  text?: string;
}

/** Everything that governs a principal's requests, parsed and not yet compiled. */
export interface HeldPolicies {
  /** The user's, group's or role's id. */
  entityId: string;
  /** Inline policies (the entity's, then its groups', by name) then attached managed ones (by ARN, each once). */
  identity: IdentityPolicy[];
  permissionsBoundary: PolicyDocument | null;
  /** The boundary's text as stored, when there is one. */
  permissionsBoundaryText?: string | null;
  /** A role session's inline session policy and policy ARNs, together as one document; null when it has none. */
  sessionPolicy: PolicyDocument | null;
}

interface Entity {
  id: string;
  boundaryArn: string | null;
  groupIds: string[];
}

/**
 * Loads and parses the policies of `holder` in `accountId`, or null when the
 * entity (for a session, its role) is not there. At most five statements in at
 * most three round trips (a user's groups come with the user), however many
 * policies and groups are involved.
 */
export async function loadHeldPolicies(db: DbTx, accountId: string, holder: PolicyHolder): Promise<HeldPolicies | null> {
  if (holder.type === 'role-session') {
    const [role, session, rows] = await Promise.all([
      findEntity(db, accountId, { type: 'role', id: holder.roleId }),
      db.session.findUnique({ where: { id: holder.sessionId }, select: { sessionPolicy: true, policyArns: true } }),
      loadPolicyRows(db, accountId, [{ entityType: 'role', entityId: holder.roleId }]),
    ]);
    if (!role) return null;
    return assemble(db, accountId, role, rows, session);
  }
  if (holder.type === 'federated-session') {
    const [user, session] = await Promise.all([
      findEntity(db, accountId, { type: 'user', id: holder.userId }),
      db.session.findUnique({ where: { id: holder.sessionId }, select: { sessionPolicy: true, policyArns: true } }),
    ]);
    if (!user) return null;
    const owners = [{ entityType: 'user' as const, entityId: user.id }, ...user.groupIds.map((id) => ({ entityType: 'group' as const, entityId: id }))];
    return assemble(db, accountId, user, await loadPolicyRows(db, accountId, owners), session ? { ...session, required: true } : EMPTY_SESSION);
  }
  // A group or role named by id needs no lookup before its rows; a user's groups do.
  if ('id' in holder && holder.type !== 'user') {
    const [entity, rows] = await Promise.all([findEntity(db, accountId, holder), loadPolicyRows(db, accountId, [{ entityType: holder.type, entityId: holder.id }])]);
    return entity ? assemble(db, accountId, entity, rows, null) : null;
  }
  const entity = await findEntity(db, accountId, holder);
  if (!entity) return null;
  const owners = [{ entityType: holder.type, entityId: entity.id }, ...entity.groupIds.map((id) => ({ entityType: 'group' as const, entityId: id }))];
  return assemble(db, accountId, entity, await loadPolicyRows(db, accountId, owners), null);
}

/** A session whose session policies must be read as allowing nothing. */
const EMPTY_SESSION = Object.freeze({ sessionPolicy: null, policyArns: [], required: true });

/** The root user's permissions, as a policy: everything in its account (the authorizer keeps requests to the account). */
const ROOT_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';

/**
 * The policies of a federated session the root user made: all of root's permissions,
 * as an Allow of everything, intersected with the session's policies.
 */
export async function loadRootFederatedPolicies(db: DbTx, accountId: string, sessionId: string): Promise<HeldPolicies> {
  const session = await db.session.findFirst({ where: { id: sessionId, accountId }, select: { sessionPolicy: true, policyArns: true } });
  const held = await assemble(db, accountId, { id: accountId, boundaryArn: null, groupIds: [] }, { inline: [], attachedArns: [] }, session ? { ...session, required: true } : EMPTY_SESSION);
  const document = parsePolicy(ROOT_POLICY, { policyType: 'managed', policyId: `root/${accountId}`, enforceSizeQuota: false });
  return { ...held, identity: [{ document, origin: { kind: 'inline', entityType: 'user', entityId: accountId, name: 'root' } }] };
}

/** A managed policy's default version, parsed as the authorizer parses it. */
export function parseManagedPolicy(policy: ManagedPolicyRef): PolicyDocument {
  // AWS-managed policies are not bound by the customer quotas.
  return parsePolicy(policy.document, { policyType: 'managed', policyId: policy.arn, enforceSizeQuota: !policy.isAwsManaged });
}

async function findEntity(db: DbTx, accountId: string, holder: Exclude<PolicyHolder, { type: 'role-session' | 'federated-session' }>): Promise<Entity | null> {
  // Tenant isolation: every lookup names the account.
  const where = { ...('id' in holder ? { id: holder.id } : { arn: holder.arn }), accountId };
  if (holder.type === 'user') {
    const user = await db.user.findFirst({ where, select: { id: true, permissionsBoundaryArn: true, memberships: { select: { groupId: true } } } });
    return user && { id: user.id, boundaryArn: user.permissionsBoundaryArn, groupIds: user.memberships.map((m) => m.groupId) };
  }
  if (holder.type === 'group') {
    const group = await db.group.findFirst({ where, select: { id: true } });
    return group && { id: group.id, boundaryArn: null, groupIds: [] };
  }
  const role = await db.role.findFirst({ where, select: { id: true, permissionsBoundaryArn: true } });
  return role && { id: role.id, boundaryArn: role.permissionsBoundaryArn, groupIds: [] };
}

interface PolicyRows {
  inline: Array<{ entityType: string; entityId: string; name: string; document: string }>;
  attachedArns: string[];
}

/** The owners' inline policies and the ARNs of the managed policies attached to them, in a stable order. */
async function loadPolicyRows(db: DbTx, accountId: string, owners: Array<{ entityType: EntityType; entityId: string }>): Promise<PolicyRows> {
  const [inline, attached] = await Promise.all([
    db.inlinePolicy.findMany({
      where: { accountId, OR: owners },
      select: { entityType: true, entityId: true, name: true, document: true },
      orderBy: [{ entityType: 'desc' }, { name: 'asc' }],
    }),
    db.policyAttachment.findMany({ where: { accountId, OR: owners }, select: { policyArn: true }, orderBy: { policyArn: 'asc' } }),
  ]);
  return { inline, attachedArns: [...new Set(attached.map((a) => a.policyArn))] };
}

/** Loads the managed policies (attached, boundary, session) in one query and parses everything. */
async function assemble(
  db: DbTx,
  accountId: string,
  entity: Entity,
  rows: PolicyRows,
  session: { sessionPolicy: string | null; policyArns: readonly string[]; required?: boolean } | null,
): Promise<HeldPolicies> {
  const sessionArns = session?.policyArns ?? [];
  const arns = [...rows.attachedArns, ...sessionArns, ...(entity.boundaryArn ? [entity.boundaryArn] : [])];
  const managed = arns.length > 0 ? await getManagedPolicies(db, accountId, arns) : new Map<string, ManagedPolicyRef>();
  const parsed = new Map([...managed.values()].map((policy) => [policy.arn, parseManagedPolicy(policy)]));
  const identity: IdentityPolicy[] = rows.inline.map((p) => ({
    // Inline documents passed their own (entity-specific) quota when stored.
    document: parsePolicy(p.document, { policyType: 'managed', policyId: `${p.entityType}/${p.entityId}/${p.name}`, enforceSizeQuota: false }),
    origin: { kind: 'inline', entityType: p.entityType as EntityType, entityId: p.entityId, name: p.name },
    text: p.document,
  }));
  for (const arn of rows.attachedArns) {
    const document = parsed.get(arn);
    const policy = managed.get(arn)!;
    if (document) identity.push({ document, origin: { kind: 'managed', arn, isAwsManaged: policy.isAwsManaged }, text: policy.document });
  }
  return {
    entityId: entity.id,
    identity,
    permissionsBoundary: entity.boundaryArn ? (parsed.get(entity.boundaryArn) ?? null) : null,
    permissionsBoundaryText: entity.boundaryArn ? (managed.get(entity.boundaryArn)?.document ?? null) : null,
    sessionPolicy: session ? sessionPolicyOf(session.sessionPolicy, sessionArns, parsed, session.required ?? false) : null,
  };
}

/**
 * Several session policies (the inline one plus managed ARNs) together form one
 * session policy set. A session given none has none (null); a session given only
 * ARNs that no longer resolve keeps an empty one, which allows nothing.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
 */
function sessionPolicyOf(inline: string | null, arns: readonly string[], managed: ReadonlyMap<string, PolicyDocument>, required: boolean): PolicyDocument | null {
  // A federated user's session always has session policies: "if you don't pass a session policy,
  // the resulting federated user session has no permissions" (GetFederationToken).
  if (inline === null && arns.length === 0 && !required) return null;
  const docs = arns.flatMap((arn) => managed.get(arn) ?? []);
  if (inline !== null) docs.unshift(parsePolicy(inline, { policyType: 'session', policyId: 'session-policy' }));
  return mergeDocuments(docs);
}

function mergeDocuments(docs: PolicyDocument[]): PolicyDocument {
  const statements = docs.flatMap((doc) => doc.statements).map((statement, index) => ({ ...statement, index }));
  const version = docs.every((doc) => doc.version === '2012-10-17') ? '2012-10-17' : docs[0]?.version;
  return { version, policyType: 'session', policyId: 'session-policies', statements };
}
