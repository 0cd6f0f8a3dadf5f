// AssumeRole's trust decision: the caller's own policies and the role's trust
// policy, decided together by the policy engine with the request's context. A
// trust policy is required: an identity policy alone never lets anyone assume a role.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
import { accessDenied } from '../auth/authorize.js';
import { buildRequestContext } from '../auth/request-context.js';
import { requestTagKeys } from '../auth/request-keys.js';
import type { Role } from '../generated/prisma/client.js';
import type { TagInput } from '../iam/names.js';
import { evaluate, type CompiledPolicySet } from '../policy/index.js';
import type { Principal } from '../sessions/principal.js';

/** What the caller's policies look like to the engine (from the authorizer's cache). */
export interface CallerPolicies {
  policies: CompiledPolicySet;
  principalTags: Record<string, string>;
}

/** The facts of an AssumeRole request that its trust decision reads. */
export interface TrustQuestion {
  principal: Principal;
  caller: CallerPolicies;
  role: Pick<Role, 'arn' | 'accountId' | 'assumeRolePolicy'>;
  roleSessionName: string;
  externalId?: string | null;
  sourceIdentity?: string | null;
  tags: TagInput[];
  /** When the request itself was MFA-authenticated (SerialNumber and TokenCode). */
  mfaAuthenticatedAt: Date | undefined;
  request: { sourceIp: string; secureTransport: boolean; now: Date };
}

/** Throws AccessDenied unless the caller may assume the role, tag the session and set its source identity. */
export function decideTrust(question: TrustQuestion): void {
  const { principal, caller, role, tags, mfaAuthenticatedAt } = question;
  const action = 'sts:AssumeRole';
  const context: Record<string, string | string[]> = {
    ...buildRequestContext(principal, caller.principalTags, question.request),
    'sts:RoleSessionName': question.roleSessionName,
    'aws:MultiFactorAuthPresent': mfaAuthenticatedAt || principal.mfaAuthenticatedAt ? 'true' : 'false',
  };
  if (mfaAuthenticatedAt) context['aws:MultiFactorAuthAge'] = '0';
  if (question.externalId != null) context['sts:ExternalId'] = question.externalId;
  if (question.sourceIdentity != null) context['sts:SourceIdentity'] = question.sourceIdentity;
  Object.assign(context, requestTagKeys(tags));
  const facts = (act: string) => ({ principalArn: principal.arn, action: act, resourceArn: role.arn, context, resourceOwnerAccount: role.accountId });
  const withTrust: CompiledPolicySet = { ...caller.policies, resourcePolicy: role.assumeRolePolicy };
  // Session tags need sts:TagSession and a source identity needs sts:SetSourceIdentity, both in the trust policy too.
  const needed = [action, ...(tags.length > 0 ? ['sts:TagSession'] : []), ...(question.sourceIdentity != null ? ['sts:SetSourceIdentity'] : [])];
  for (const act of needed) {
    const result = evaluate(withTrust, facts(act));
    // Unlike other resource-based policies, a trust policy is required: an identity policy alone never
    // lets a principal assume a role. So the trust policy must be among the statements that allowed
    // the request: naming the caller (then, in one account, it suffices) or the caller's account
    // (then the caller's own policies must allow it as well, which the decision already requires).
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html ("trust policy")
    const trusted = result.matchedStatements.some((statement) => statement.source === 'resource');
    if (result.decision !== 'allowed' || !trusted) {
      const decision = result.decision === 'explicitDeny' ? 'explicitDeny' : 'implicitDeny';
      throw accessDenied(principal, act, role.arn, decision === 'explicitDeny' ? 'with an explicit deny' : `no identity-based policy allows the ${act} action`, decision);
    }
  }
}
