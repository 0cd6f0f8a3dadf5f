// A principal's effective policies, loaded from the store and compiled once:
// for a user, its inline and attached policies plus those of its groups; for a
// role session, the role's; each within the permissions boundary, and for a role
// session also within the session policies.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import type { DbTx } from '../db/client.js';
import { getManagedPolicies } from '../iam/managed-policy-lookup.js';
import { compilePolicySet, parsePolicy, type CompiledPolicySet, type PolicyDocument } from '../policy/index.js';
import type { Principal } from '../sessions/principal.js';
import { readsResourceFacts } from './resource-facts.js';

/** What the authorizer keeps per principal: its compiled policies and its tags. */
export interface PrincipalPolicies {
  policies: CompiledPolicySet;
  principalTags: Record<string, string>;
  /** Whether any of the policies can read a condition key taken from the resource acted on (src/auth/resource-facts.ts). */
  readsResourceFacts: boolean;
}

/** Loads and compiles the policies that govern `principal`'s requests, and its tags. */
export async function loadPrincipalPolicies(db: DbTx, principal: Principal): Promise<PrincipalPolicies> {
  let loaded: Omit<PrincipalPolicies, 'readsResourceFacts'>;
  if (principal.kind === 'user' && principal.userId) {
    const [policies, principalTags] = await Promise.all([loadUserPolicies(db, principal.accountId, principal.userId), loadTags(db, 'user', principal.userId)]);
    loaded = { policies, principalTags };
  } else if (principal.kind === 'assumed-role' && principal.roleId) {
    loaded = await loadRoleSessionPolicies(db, principal, principal.roleId);
  } else {
    loaded = { policies: compilePolicySet({ identityPolicies: [] }), principalTags: {} };
  }
  const { identity, permissionsBoundary, sessionPolicy } = loaded.policies;
  const documents = [...identity, ...(permissionsBoundary ? [permissionsBoundary] : []), ...(sessionPolicy ? [sessionPolicy] : [])].map((policy) => policy.document);
  return { ...loaded, readsResourceFacts: readsResourceFacts(documents) };
}

async function loadUserPolicies(db: DbTx, accountId: string, userId: string): Promise<CompiledPolicySet> {
  const user = await db.user.findFirst({
    where: { id: userId, accountId },
    select: { permissionsBoundaryArn: true, memberships: { select: { groupId: true } } },
  });
  if (!user) return compilePolicySet({ identityPolicies: [] });
  const groupIds = user.memberships.map((m) => m.groupId);
  const owners = [{ entityType: 'user', entityId: userId }, ...groupIds.map((id) => ({ entityType: 'group', entityId: id }))];
  const { inline, attachedArns } = await loadIdentityRows(db, accountId, owners);
  const managed = await loadManaged(db, accountId, [...attachedArns, ...(user.permissionsBoundaryArn ? [user.permissionsBoundaryArn] : [])]);
  return compilePolicySet({
    identityPolicies: [...inline, ...pick(managed, attachedArns)],
    permissionsBoundary: user.permissionsBoundaryArn ? (managed.get(user.permissionsBoundaryArn) ?? null) : null,
  });
}

/** A role session: the role's policies within its boundary, limited by the session's own policies; the role's tags overridden by the session's. */
async function loadRoleSessionPolicies(db: DbTx, principal: Principal, roleId: string): Promise<Omit<PrincipalPolicies, 'readsResourceFacts'>> {
  const [role, session, { inline, attachedArns }, roleTags] = await Promise.all([
    db.role.findFirst({ where: { id: roleId, accountId: principal.accountId }, select: { permissionsBoundaryArn: true } }),
    db.session.findUnique({ where: { id: principal.sessionId }, select: { sessionPolicy: true, policyArns: true, tags: true } }),
    loadIdentityRows(db, principal.accountId, [{ entityType: 'role', entityId: roleId }]),
    loadTags(db, 'role', roleId),
  ]);
  const principalTags = roleTags;
  for (const tag of (session?.tags as Array<{ key: string; value: string }> | null) ?? []) principalTags[tag.key] = tag.value;
  if (!role) return { policies: compilePolicySet({ identityPolicies: [] }), principalTags };
  const sessionArns = session?.policyArns ?? [];
  const managed = await loadManaged(db, principal.accountId, [...attachedArns, ...sessionArns, ...(role.permissionsBoundaryArn ? [role.permissionsBoundaryArn] : [])]);
  const sessionDocs: PolicyDocument[] = [];
  if (session?.sessionPolicy) sessionDocs.push(parsePolicy(session.sessionPolicy, { policyType: 'session', policyId: 'session-policy' }));
  sessionDocs.push(...pick(managed, sessionArns));
  const hasSessionPolicies = session !== null && (session.sessionPolicy !== null || sessionArns.length > 0);
  const policies = compilePolicySet({
    identityPolicies: [...inline, ...pick(managed, attachedArns)],
    permissionsBoundary: role.permissionsBoundaryArn ? (managed.get(role.permissionsBoundaryArn) ?? null) : null,
    // Several session policies (inline plus managed ARNs) together form one session policy set.
    sessionPolicy: hasSessionPolicies ? mergeDocuments(sessionDocs) : null,
  });
  return { policies, principalTags };
}

/** The owners' inline documents, parsed, and the ARNs of the managed policies attached to them. */
async function loadIdentityRows(db: DbTx, accountId: string, owners: Array<{ entityType: string; entityId: string }>): Promise<{ inline: PolicyDocument[]; attachedArns: string[] }> {
  const [inline, attached] = await Promise.all([
    db.inlinePolicy.findMany({ where: { accountId, OR: owners }, select: { entityType: true, entityId: true, name: true, document: true } }),
    db.policyAttachment.findMany({ where: { accountId, OR: owners }, select: { policyArn: true } }),
  ]);
  return {
    // Inline documents passed their own (entity-specific) quota when stored.
    inline: inline.map((p) => parsePolicy(p.document, { policyType: 'managed', policyId: `${p.entityType}/${p.entityId}/${p.name}`, enforceSizeQuota: false })),
    attachedArns: [...new Set(attached.map((a) => a.policyArn))],
  };
}

/** Managed policies by ARN, parsed, in one query (missing ones are absent). */
async function loadManaged(db: DbTx, accountId: string, arns: string[]): Promise<Map<string, PolicyDocument>> {
  const docs = new Map<string, PolicyDocument>();
  if (arns.length === 0) return docs;
  for (const policy of (await getManagedPolicies(db, accountId, arns)).values()) {
    docs.set(policy.arn, parsePolicy(policy.document, { policyType: 'managed', policyId: policy.arn, enforceSizeQuota: !policy.isAwsManaged }));
  }
  return docs;
}

/** The documents of `arns` that exist, in order. */
function pick(docs: Map<string, PolicyDocument>, arns: readonly string[]): PolicyDocument[] {
  return arns.flatMap((arn) => docs.get(arn) ?? []);
}

async function loadTags(db: DbTx, resourceType: 'user' | 'role', resourceId: string): Promise<Record<string, string>> {
  const rows = await db.tag.findMany({ where: { resourceType, resourceId }, select: { key: true, value: true } });
  const tags: Record<string, string> = {};
  for (const row of rows) tags[row.key] = row.value;
  return tags;
}

function mergeDocuments(docs: PolicyDocument[]): PolicyDocument {
  const statements = docs.flatMap((doc) => doc.statements).map((statement, index) => ({ ...statement, index }));
  const version = docs.every((doc) => doc.version === '2012-10-17') ? '2012-10-17' : docs[0]?.version;
  return { version, policyType: 'session', policyId: 'session-policies', statements };
}
