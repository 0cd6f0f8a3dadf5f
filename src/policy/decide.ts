// decide: combines the statements that apply to a request into a decision.
// Explicit Deny anywhere wins; otherwise the request is allowed only when the
// policy types that apply all allow it (identity ∩ permissions boundary ∩ session
// policy), or when a resource-based policy grants it within the account, or, across
// accounts, when both the identity side and the resource side allow it. Otherwise
// implicit deny.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_accounts.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html

import type { CompiledStatement } from './compile.js';
import { trustPolicyActions } from './parse-resource.js';
import type { GrantKind } from './principal.js';
import type { Decision, MatchedStatement, PolicySource } from './types.js';

/** A statement that applied to the request, with where it came from. */
export interface Hit {
  readonly compiled: CompiledStatement;
  readonly source: PolicySource;
  readonly policyIndex: number;
  readonly policyId: string | undefined;
  /** For resource-based Allow statements: how the Principal element named the requester. */
  readonly grant: GrantKind | undefined;
}

/** Every statement that applied, sorted into what `decide` needs. */
export interface Hits {
  denies: Hit[];
  identityAllows: Hit[];
  boundaryAllows: Hit[];
  sessionAllows: Hit[];
  resourceAllows: Hit[];
}

/** The facts about a request that decide which policy types must allow it. */
export interface DecisionFacts {
  hasBoundary: boolean;
  hasSessionPolicy: boolean;
  /** True when the resource's owner is an account other than the principal's. */
  crossAccount: boolean;
  /**
   * True for a role's trust policy and a KMS key policy (`resourcePolicyRequired`): the
   * resource-based policy must allow, in one account too; identity-based policies alone
   * never do. Optional: `false` when left out.
   */
  resourceMustAllow?: boolean;
  /**
   * True for a role's trust policy: the permissions boundary limits even a grant that
   * names the requester itself.
   */
  boundaryLimitsDirectGrants?: boolean;
}

const ROLE_ARN = /^arn:[^:]+:iam::\d{12}:role\//;
const KMS_KEY_ARN = /^arn:[^:]+:kms:[^:]*:\d{12}:key\//;

/**
 * Which resource-based policy must allow a request on its own terms, read from the
 * action (lower case) and the resource: `trust` for the role-assumption actions on a
 * role (its trust policy), `kms` for a KMS action on a key (its key policy), else
 * `undefined` (an identity-based Allow is enough within one account).
 * "For most resources, you only need an explicit allow for the principal in either an
 * identity-based policy or a resource-based policy to grant access. IAM role trust
 * policies and KMS key policies are exceptions to this logic, because they must
 * explicitly allow access for principals."
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_accounts.html
 * "Unless the key policy explicitly allows it, you cannot use IAM policies to allow
 * access to a KMS key. Without permission from the key policy, IAM policies that allow
 * permissions have no effect. (You can use an IAM policy to deny a permission to a KMS
 * key without permission from a key policy.)"
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
 * Not for `sts:TagSession` on a federated user (GetFederationToken's tags), nor for
 * `kms:CreateKey` / `kms:ListKeys` (resource `*`) or aliases: those have no such policy.
 */
export function resourcePolicyRequired(lowerAction: string, resourceArn: string): 'trust' | 'kms' | undefined {
  if (lowerAction.startsWith('sts:')) return trustPolicyActions.has(lowerAction) && ROLE_ARN.test(resourceArn) ? 'trust' : undefined;
  if (lowerAction.startsWith('kms:')) return KMS_KEY_ARN.test(resourceArn) ? 'kms' : undefined;
  return undefined;
}

/** A decision and the statements that made it. */
export interface Outcome {
  decision: Decision;
  deciding: Hit[];
}

/** Empty hit lists. */
export function createHits(): Hits {
  return { denies: [], identityAllows: [], boundaryAllows: [], sessionAllows: [], resourceAllows: [] };
}

/**
 * Decides a request from its hits.
 * - Any applicable Deny → `explicitDeny` (deny statements of every policy type count,
 *   boundaries and session policies included).
 * - Identity side: an identity-based Allow, and an Allow in the permissions boundary
 *   and in the session policy when those exist (the effective permissions are their
 *   intersection).
 * - Across accounts: identity side and a resource-based Allow are both required.
 * - A role's trust policy and a KMS key policy (`resourceMustAllow`) must allow in one
 *   account too: without a resource-based Allow that grants, identity-based Allows
 *   decide nothing. (Denies still deny.)
 * - Within one account a resource-based Allow is enough on its own when it names the
 *   requester itself (user ARN, role-session ARN, federated-user ARN, service): an
 *   implicit deny in identity-based policies, the boundary or the session policy does
 *   not limit it. When it names the role of a session, or everyone (`*`), it is
 *   still limited by the boundary and the session policy. When it names only the
 *   account, it delegates to the account's identity-based policies and adds nothing.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_accounts.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-eval-logic
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
 */
// Disagreements with @cloud-copilot/iam-simulate 0.1.173 that we keep, checked by hand:
// - A grant that names the role-session ARN is not limited by the session policy
//   (iam-simulate limits it). STS's AssumeRole/GetFederationToken reference: when a
//   resource-based policy "specifically references the ... session in the Principal
//   element ... these permissions are granted in addition to the permissions that are
//   granted by the session policies".
// - A `"*"` grant is limited by the permissions boundary (iam-simulate does not limit
//   it). The boundary page exempts grants that name the IAM user's ARN; we do not
//   widen that exemption to grants that name nobody in particular.
// - A role's trust policy or a KMS key policy must allow in one account too
//   (`resourceMustAllow`). iam-simulate (its Sts/KmsServiceAuthorizer, main branch as
//   read for issue 22) differs at the edges: for sts:* in one account with no resource
//   policy at all it trusts identity policies alone (we deny: every role has a trust
//   policy, and "IAM role trust policies ... must explicitly allow access for principals");
//   it applies the STS rule to every sts action and resource, the KMS rule to every kms
//   action (kms:CreateKey, kms:ListKeys, aliases included), where we apply them only to a
//   role's trust policy and a key's key policy, the two policies the sentence names.
// - A trust policy naming the user itself is still limited by the user's boundary
//   (iam-simulate allows it: its same-account boundary exemption for grants naming the
//   user, session or federated user does not single out trust policies):
//   "If a user is listed as the principal in a role's trust policy but cannot assume the
//   role, check the user's permissions boundary. If a permissions boundary is set for
//   the user, then it must allow the sts:AssumeRole action."
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
export function decide(hits: Hits, facts: DecisionFacts): Outcome {
  if (hits.denies.length > 0) return { decision: 'explicitDeny', deciding: hits.denies };
  const boundaryAllows = !facts.hasBoundary || hits.boundaryAllows.length > 0;
  const sessionAllows = !facts.hasSessionPolicy || hits.sessionAllows.length > 0;
  const identitySide = hits.identityAllows.length > 0 && boundaryAllows && sessionAllows;
  const resourceAllows = hits.resourceAllows;

  if (facts.crossAccount) {
    if (identitySide && resourceAllows.length > 0) {
      return { decision: 'allowed', deciding: identityHits(hits).concat(resourceAllows) };
    }
    return { decision: 'implicitDeny', deciding: [] };
  }

  const granting: Hit[] = [];
  for (const hit of resourceAllows) {
    if (
      (hit.grant === 'direct' && (boundaryAllows || !facts.boundaryLimitsDirectGrants)) ||
      ((hit.grant === 'role' || hit.grant === 'public') && boundaryAllows && sessionAllows) ||
      (hit.grant === 'account' && identitySide)
    ) {
      granting.push(hit);
    }
  }
  if (facts.resourceMustAllow && granting.length === 0) return { decision: 'implicitDeny', deciding: [] };
  if (identitySide) return { decision: 'allowed', deciding: granting.length ? identityHits(hits).concat(granting) : identityHits(hits) };
  if (granting.length > 0) return { decision: 'allowed', deciding: granting };
  return { decision: 'implicitDeny', deciding: [] };
}

function identityHits(hits: Hits): Hit[] {
  if (hits.boundaryAllows.length === 0 && hits.sessionAllows.length === 0) return hits.identityAllows;
  return hits.identityAllows.concat(hits.boundaryAllows, hits.sessionAllows);
}

const SOURCE_ORDER: Readonly<Record<PolicySource, number>> = Object.freeze({
  identity: 0,
  permissionsBoundary: 1,
  session: 2,
  resource: 3,
});

/** The deciding statements as the public result reports them, in document order. */
export function toMatchedStatements(hits: readonly Hit[]): MatchedStatement[] {
  const sorted = hits.length > 1 ? [...hits].sort(compareHits) : hits;
  return sorted.map((hit) => {
    const { statement } = hit.compiled;
    const matched: MatchedStatement = {
      source: hit.source,
      policyIndex: hit.policyIndex,
      statementIndex: statement.index,
      effect: statement.effect,
    };
    if (hit.policyId !== undefined) matched.policyId = hit.policyId;
    if (statement.sid !== undefined) matched.sid = statement.sid;
    return matched;
  });
}

function compareHits(a: Hit, b: Hit): number {
  return (
    SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source] ||
    a.policyIndex - b.policyIndex ||
    a.compiled.statement.index - b.compiled.statement.index
  );
}
