// STS AssumeRole: the caller's own policies must allow sts:AssumeRole on the
// role (for a caller in the role's account, a trust policy naming the caller
// itself suffices), and the role's trust policy must allow the caller, both
// decided by the policy engine with the request's context. The new session's
// permissions are the role's policies ∩ its boundary ∩ the session policies.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
import type { Clock } from '../clock.js';
import { AccessDeniedError, ValidationError } from '../errors.js';
import { accessDenied } from '../auth/authorize.js';
import type { Sealer } from '../crypto/seal.js';
import { parseIamArn } from '../iam/arn.js';
import type { Principal } from '../sessions/principal.js';
import type { SessionIssuer } from '../sessions/sessions.js';
import { type AssumeRoleInput, checkAssumeRoleInput, checkSessionPolicies } from './assume-role-input.js';
import { type CallerPolicies, decideTrust } from './trust.js';
import { issueRoleSession, requirePolicyArns } from './role-session.js';

export type { AssumeRoleInput } from './assume-role-input.js';

/** What AssumeRole uses: the session issuer (its database handle reads the role), the clock and the sealer of the temporary secret. */
export type AssumeRoleDeps = SessionIssuer & { clock: Clock; sealer: Sealer };

/** What the caller's policies look like to the engine (from the authorizer's cache). */
export type EffectivePoliciesOf = (principal: Principal) => Promise<CallerPolicies>;

/** Verifies an MFA code of the caller's device; true when valid. */
export type MfaVerifier = (principal: Principal, serialNumber: string, tokenCode: string) => Promise<boolean>;

export interface AssumeRoleRequest {
  principal: Principal;
  input: AssumeRoleInput;
  effectivePolicies: EffectivePoliciesOf;
  verifyMfa: MfaVerifier;
  request: { sourceIp: string; secureTransport: boolean; now: Date };
}

/** Role chaining caps the session at one hour. */
const CHAINED_SESSION_SECONDS = 3600;

/** Assumes a role: checks the request, decides trust, then issues the role session. */
export async function assumeRole(deps: AssumeRoleDeps, { principal, input, effectivePolicies, verifyMfa, request }: AssumeRoleRequest) {
  const action = 'sts:AssumeRole';
  const checked = checkAssumeRoleInput(principal, input);
  const { tags, policyArns } = checked;

  // Everything that does not depend on the role is checked first, and everything that does only
  // after the trust decision: a caller learns nothing about a role it may not assume (another
  // account's, or one that does not exist) beyond AccessDenied.
  let mfaAuthenticatedAt: Date | undefined;
  if (input.serialNumber || input.tokenCode) {
    if (!input.serialNumber || !input.tokenCode || !(await verifyMfa(principal, input.serialNumber, input.tokenCode))) {
      throw new AccessDeniedError('MultiFactorAuthentication failed with invalid MFA one time pass code.');
    }
    mfaAuthenticatedAt = request.now;
  }
  const packedPolicySize = checkSessionPolicies(input, checked);

  const target = parseIamArn(input.roleArn);
  const role = target?.type === 'role' ? await deps.db.role.findUnique({ where: { arn: input.roleArn } }) : null;
  // An unknown role and a refused one look the same: nothing is revealed about other accounts.
  if (!role) throw accessDenied(principal, action, input.roleArn, 'no identity-based policy allows the sts:AssumeRole action');
  decideTrust({
    principal,
    caller: await effectivePolicies(principal),
    role,
    roleSessionName: input.roleSessionName,
    externalId: input.externalId,
    sourceIdentity: input.sourceIdentity,
    tags,
    mfaAuthenticatedAt,
    request,
  });

  await requirePolicyArns(deps.db, role.accountId, policyArns);

  const isChained = principal.kind === 'assumed-role';
  const durationSeconds = input.durationSeconds ?? 3600;
  if (isChained && durationSeconds > CHAINED_SESSION_SECONDS) {
    throw new ValidationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (durationSeconds > role.maxSessionDuration) {
    throw new ValidationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }

  const sourceIdentity = input.sourceIdentity ?? principal.sourceIdentity;
  const issued = await issueRoleSession(deps, {
    role,
    roleSessionName: input.roleSessionName,
    durationSeconds,
    now: request.now,
    sourceIdentity,
    policy: input.policy,
    policyArns,
    tags,
    parentSessionId: principal.sessionId,
    ...(mfaAuthenticatedAt ? { mfaAuthenticatedAt } : {}),
  });
  return {
    ...issued,
    packedPolicySize,
    sourceIdentity: sourceIdentity ?? null,
  };
}
