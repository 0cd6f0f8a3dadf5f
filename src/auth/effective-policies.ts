// A principal's effective policies, loaded from the store and compiled once:
// for a user, its inline and attached policies plus those of its groups; for a
// role session, the role's; each within the permissions boundary, and for a role
// session also within the session policies.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import type { DbTx } from '../db/client.js';
import { getManagedPolicy } from '../iam/managed-policy-lookup.js';
import { compilePolicySet, parsePolicy, type CompiledPolicySet, type PolicyDocument } from '../policy/index.js';
import type { Principal } from './principal.js';

/** Loads and compiles the policies that govern `principal`'s requests. */
export async function loadEffectivePolicies(db: DbTx, principal: Principal): Promise<CompiledPolicySet> {
  if (principal.kind === 'user' && principal.userId) return loadUserPolicies(db, principal.accountId, principal.userId);
  if (principal.kind === 'assumed-role' && principal.roleId) return loadRoleSessionPolicies(db, principal);
  return compilePolicySet({ identityPolicies: [] });
}

async function loadUserPolicies(db: DbTx, accountId: string, userId: string): Promise<CompiledPolicySet> {
  const user = await db.user.findFirst({
    where: { id: userId, accountId },
    select: { permissionsBoundaryArn: true, memberships: { select: { groupId: true } } },
  });
  if (!user) return compilePolicySet({ identityPolicies: [] });
  const groupIds = user.memberships.map((m) => m.groupId);
  const owners = [{ entityType: 'user', entityId: userId }, ...groupIds.map((id) => ({ entityType: 'group', entityId: id }))];
  const identityPolicies = await loadIdentityDocuments(db, accountId, owners);
  const permissionsBoundary = user.permissionsBoundaryArn ? await loadManaged(db, accountId, user.permissionsBoundaryArn) : null;
  return compilePolicySet({ identityPolicies, permissionsBoundary });
}

async function loadRoleSessionPolicies(db: DbTx, principal: Principal): Promise<CompiledPolicySet> {
  const [role, session] = await Promise.all([
    db.role.findFirst({ where: { id: principal.roleId!, accountId: principal.accountId }, select: { permissionsBoundaryArn: true } }),
    db.session.findUnique({ where: { id: principal.sessionId }, select: { sessionPolicy: true, policyArns: true } }),
  ]);
  if (!role) return compilePolicySet({ identityPolicies: [] });
  const identityPolicies = await loadIdentityDocuments(db, principal.accountId, [{ entityType: 'role', entityId: principal.roleId! }]);
  const permissionsBoundary = role.permissionsBoundaryArn ? await loadManaged(db, principal.accountId, role.permissionsBoundaryArn) : null;
  const sessionDocs: PolicyDocument[] = [];
  if (session?.sessionPolicy) sessionDocs.push(parsePolicy(session.sessionPolicy, { policyType: 'session', policyId: 'session-policy' }));
  for (const arn of session?.policyArns ?? []) {
    const doc = await loadManaged(db, principal.accountId, arn);
    if (doc) sessionDocs.push(doc);
  }
  const hasSessionPolicies = session !== null && (session.sessionPolicy !== null || session.policyArns.length > 0);
  return compilePolicySet({
    identityPolicies,
    permissionsBoundary,
    // Several session policies (inline plus managed ARNs) together form one session policy set.
    sessionPolicy: hasSessionPolicies ? mergeDocuments(sessionDocs) : null,
  });
}

async function loadIdentityDocuments(db: DbTx, accountId: string, owners: Array<{ entityType: string; entityId: string }>): Promise<PolicyDocument[]> {
  const [inline, attached] = await Promise.all([
    db.inlinePolicy.findMany({ where: { accountId, OR: owners }, select: { entityType: true, entityId: true, name: true, document: true } }),
    db.policyAttachment.findMany({ where: { accountId, OR: owners }, select: { policyArn: true } }),
  ]);
  // Inline documents passed their own (entity-specific) quota when stored.
  const docs: PolicyDocument[] = inline.map((p) =>
    parsePolicy(p.document, { policyType: 'managed', policyId: `${p.entityType}/${p.entityId}/${p.name}`, enforceSizeQuota: false }),
  );
  const arns = [...new Set(attached.map((a) => a.policyArn))];
  const managed = await Promise.all(arns.map((arn) => loadManaged(db, accountId, arn)));
  for (const doc of managed) if (doc) docs.push(doc);
  return docs;
}

async function loadManaged(db: DbTx, accountId: string, arn: string): Promise<PolicyDocument | null> {
  const policy = await getManagedPolicy(db, accountId, arn);
  return policy ? parsePolicy(policy.document, { policyType: 'managed', policyId: policy.arn, enforceSizeQuota: !policy.isAwsManaged }) : null;
}

function mergeDocuments(docs: PolicyDocument[]): PolicyDocument {
  const statements = docs.flatMap((doc) => doc.statements).map((statement, index) => ({ ...statement, index }));
  const version = docs.every((doc) => doc.version === '2012-10-17') ? '2012-10-17' : docs[0]?.version;
  return { version, policyType: 'session', policyId: 'session-policies', statements };
}
