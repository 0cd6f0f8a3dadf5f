// A principal's effective policies, compiled once for the authorizer, and its
// tags. Which policies those are (a user's with its groups', a role session's,
// the boundary, the session policies) is src/iam/principal-policies.ts's answer.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import type { DbTx } from '../db/client.js';
import { loadHeldPolicies, loadRootFederatedPolicies, type HeldPolicies } from '../iam/principal-policies.js';
import { compilePolicySet, type CompiledPolicySet } from '../policy/index.js';
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
  const [held, principalTags] = await loadHeldPoliciesAndTags(db, principal);
  const policies = compilePolicySet({
    identityPolicies: held?.identity.map((policy) => policy.document) ?? [],
    permissionsBoundary: held?.permissionsBoundary ?? null,
    sessionPolicy: held?.sessionPolicy ?? null,
  });
  const { identity, permissionsBoundary, sessionPolicy } = policies;
  const documents = [...identity, ...(permissionsBoundary ? [permissionsBoundary] : []), ...(sessionPolicy ? [sessionPolicy] : [])].map((policy) => policy.document);
  return { policies, principalTags, readsResourceFacts: readsResourceFacts(documents) };
}

/**
 * A user's policies and tags; a role session's policies and the role's tags overridden by the session's;
 * a federated user's, its user's policies and tags with the session's; nothing for anyone else.
 */
async function loadHeldPoliciesAndTags(db: DbTx, principal: Principal): Promise<[HeldPolicies | null, Record<string, string>]> {
  const { accountId, userId, roleId, sessionId } = principal;
  if (principal.kind === 'user' && userId) {
    return Promise.all([loadHeldPolicies(db, accountId, { type: 'user', id: userId }), loadTags(db, 'user', userId)]);
  }
  if (principal.kind === 'assumed-role' && roleId) {
    const [held, tags, session] = await Promise.all([
      loadHeldPolicies(db, accountId, { type: 'role-session', roleId, sessionId }),
      loadTags(db, 'role', roleId),
      db.session.findUnique({ where: { id: sessionId }, select: { tags: true } }),
    ]);
    for (const tag of (session?.tags as Array<{ key: string; value: string }> | null) ?? []) tags[tag.key] = tag.value;
    return [held, tags];
  }
  if (principal.kind === 'federated-user') {
    // GetFederationToken: the calling user's policies (all of the root user's, when root called it)
    // intersected with the session policies, which the federated session always has (absent ones allow nothing).
    const [held, tags, session] = await Promise.all([
      userId ? loadHeldPolicies(db, accountId, { type: 'federated-session', userId, sessionId }) : loadRootFederatedPolicies(db, accountId, sessionId),
      userId ? loadTags(db, 'user', userId) : ({} as Record<string, string>),
      db.session.findUnique({ where: { id: sessionId }, select: { tags: true } }),
    ]);
    // AWS: "session tags override a user tag with the same key".
    for (const tag of (session?.tags as Array<{ key: string; value: string }> | null) ?? []) tags[tag.key] = tag.value;
    return [held, tags];
  }
  return [null, {}];
}

async function loadTags(db: DbTx, resourceType: 'user' | 'role', resourceId: string): Promise<Record<string, string>> {
  const rows = await db.tag.findMany({ where: { resourceType, resourceId }, select: { key: true, value: true } });
  const tags: Record<string, string> = {};
  for (const row of rows) tags[row.key] = row.value;
  return tags;
}
