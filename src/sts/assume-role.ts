// STS AssumeRole: the caller's own policies must allow sts:AssumeRole on the
// role (for a caller in the role's account, a trust policy naming the caller
// itself suffices), and the role's trust policy must allow the caller, both
// decided by the policy engine with the request's context. The new session's
// permissions are the role's policies ∩ its boundary ∩ the session policies.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
import type { Deps } from '../context.js';
import { AccessDeniedError, ValidationError } from '../errors.js';
import { accessDenied } from '../auth/authorize.js';
import type { Principal } from '../sessions/principal.js';
import { buildRequestContext } from '../auth/request-context.js';
import { requestTagKeys } from '../auth/request-keys.js';
import { hashSecret } from '../crypto/secrets.js';
import { assumedRoleArn, parseIamArn } from '../iam/arn.js';
import { newSecretAccessKey, newUniqueId } from '../iam/ids.js';
import { getManagedPolicy } from '../iam/managed-policy-lookup.js';
import { checkArn, checkRange, checkString, checkTags, type TagInput } from '../iam/names.js';
import { checkPolicyDocument } from '../iam/policy-documents.js';
import { evaluateWithPolicySet, type CompiledPolicySet } from '../policy/index.js';
import { issueSession } from '../sessions/sessions.js';

export interface AssumeRoleInput {
  roleArn: string;
  roleSessionName: string;
  durationSeconds?: number | null;
  externalId?: string | null;
  policy?: string | null;
  policyArns?: Array<{ arn: string }> | null;
  tags?: TagInput[] | null;
  sourceIdentity?: string | null;
  serialNumber?: string | null;
  tokenCode?: string | null;
}

/** What the caller's policies look like to the engine (from the authorizer's cache). */
export type EffectivePoliciesOf = (principal: Principal) => Promise<{ policies: CompiledPolicySet; principalTags: Record<string, string> }>;

/** Verifies an MFA code of the caller's device; true when valid. */
export type MfaVerifier = (principal: Principal, serialNumber: string, tokenCode: string) => Promise<boolean>;

export interface AssumeRoleRequest {
  principal: Principal;
  input: AssumeRoleInput;
  effectivePolicies: EffectivePoliciesOf;
  verifyMfa: MfaVerifier;
  request: { sourceIp: string; secureTransport: boolean; now: Date };
}

/** AWS's limit on the packed size of session policies and tags (the 100% of packedPolicySize). */
const PACKED_POLICY_LIMIT = 2048;
/** Role chaining caps the session at one hour. */
const CHAINED_SESSION_SECONDS = 3600;
const ROLE_SESSION_NAME = /^[\w+=,.@-]*$/;
/** Assumes a role and issues its session. */
export async function assumeRole(deps: Deps, { principal, input, effectivePolicies, verifyMfa, request }: AssumeRoleRequest) {
  const action = 'sts:AssumeRole';
  checkArn(input.roleArn, 'roleArn');
  checkString(input.roleSessionName, 'roleSessionName', 2, 64, ROLE_SESSION_NAME, '[\\w+=,.@-]*');
  if (input.externalId != null) checkString(input.externalId, 'externalId', 2, 1224, /^[\w+=,.@:/-]*$/, '[\\w+=,.@:\\/-]*');
  if (input.sourceIdentity != null) checkString(input.sourceIdentity, 'sourceIdentity', 2, 64, /^[\w+=,.@-]*$/, '[\\w+=,.@-]*');
  if (input.durationSeconds != null) checkRange(input.durationSeconds, 'durationSeconds', 900, 43200);
  const tags = checkTags(input.tags);
  const policyArns = (input.policyArns ?? []).map((p) => checkArn(p.arn, 'policyArns.member.arn'));
  if (policyArns.length > 10) throw new ValidationError("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10");
  if (principal.kind === 'root') {
    // AWS: "You cannot use AWS account root user credentials to call AssumeRole."
    throw new AccessDeniedError('Roles may not be assumed by root accounts.');
  }

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
  const sessionPolicy = input.policy != null ? checkPolicyDocument(input.policy, 'session') : undefined;
  const packedPolicySize = Math.ceil(
    (100 * ((input.policy?.replace(/\s+/g, '').length ?? 0) + policyArns.join('').length + tags.reduce((n, t) => n + t.key.length + t.value.length, 0))) /
      PACKED_POLICY_LIMIT,
  );
  if (packedPolicySize > 100) {
    throw new ValidationError(`Packed policy consumes ${packedPolicySize}% of allotted space, please use smaller policy for this request.`);
  }

  const target = parseIamArn(input.roleArn);
  const role = target?.type === 'role' ? await deps.db.role.findUnique({ where: { arn: input.roleArn } }) : null;
  // An unknown role and a refused one look the same: nothing is revealed about other accounts.
  const denied = () => accessDenied(principal, action, input.roleArn, 'no identity-based policy allows the sts:AssumeRole action');
  if (!role) throw denied();

  const { policies, principalTags } = await effectivePolicies(principal);
  const context: Record<string, string | string[]> = {
    ...buildRequestContext(principal, principalTags, request),
    'sts:RoleSessionName': input.roleSessionName,
    'aws:MultiFactorAuthPresent': mfaAuthenticatedAt || principal.mfaAuthenticatedAt ? 'true' : 'false',
  };
  if (mfaAuthenticatedAt) context['aws:MultiFactorAuthAge'] = '0';
  if (input.externalId != null) context['sts:ExternalId'] = input.externalId;
  if (input.sourceIdentity != null) context['sts:SourceIdentity'] = input.sourceIdentity;
  Object.assign(context, requestTagKeys(tags));
  const facts = (act: string) => ({ principalArn: principal.arn, action: act, resourceArn: role.arn, context, resourceOwnerAccount: role.accountId });
  const withTrust: CompiledPolicySet = { ...policies, resourcePolicy: role.assumeRolePolicy };
  // Session tags need sts:TagSession and a source identity needs sts:SetSourceIdentity, both in the trust policy too.
  const needed = [action, ...(tags.length > 0 ? ['sts:TagSession'] : []), ...(input.sourceIdentity != null ? ['sts:SetSourceIdentity'] : [])];
  for (const act of needed) {
    const result = evaluateWithPolicySet(withTrust, facts(act));
    // Unlike other resource-based policies, a trust policy is required: an identity policy alone never
    // lets a principal assume a role. So the trust policy must be among the statements that allowed
    // the request: naming the caller (then, in one account, it suffices) or the caller's account
    // (then the caller's own policies must allow it as well, which the decision already requires).
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html ("trust policy")
    const trusted = result.matchedStatements.some((statement) => statement.source === 'resource');
    if (result.decision !== 'allowed' || !trusted) {
      throw accessDenied(principal, act, role.arn, result.decision === 'explicitDeny' ? 'with an explicit deny' : `no identity-based policy allows the ${act} action`);
    }
  }

  for (const arn of policyArns) {
    if (!(await getManagedPolicy(deps.db, role.accountId, arn))) {
      throw new ValidationError(`Policy ${arn} does not exist or is not attachable.`);
    }
  }

  const isChained = principal.kind === 'assumed-role';
  const durationSeconds = input.durationSeconds ?? 3600;
  if (isChained && durationSeconds > CHAINED_SESSION_SECONDS) {
    throw new ValidationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (durationSeconds > role.maxSessionDuration) {
    throw new ValidationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  }

  const arn = assumedRoleArn(role.accountId, role.name, input.roleSessionName);
  const assumedRoleId = `${role.id}:${input.roleSessionName}`;
  const accessKeyId = newUniqueId('temporaryAccessKey');
  const secretAccessKey = newSecretAccessKey();
  const sourceIdentity = input.sourceIdentity ?? principal.sourceIdentity;
  const session = await issueSession(deps, {
    kind: 'assumed-role',
    accountId: role.accountId,
    principalArn: arn,
    principalId: assumedRoleId,
    roleId: role.id,
    roleArn: role.arn,
    durationSeconds,
    accessKeyId,
    secretHash: hashSecret(secretAccessKey),
    parentSessionId: principal.sessionId,
    ...(mfaAuthenticatedAt ? { mfaAuthenticatedAt } : {}),
    ...(sourceIdentity ? { sourceIdentity } : {}),
    ...(sessionPolicy ? { sessionPolicy: input.policy! } : {}),
    ...(policyArns.length > 0 ? { policyArns } : {}),
    ...(tags.length > 0 ? { tags } : {}),
  });
  // RoleLastUsed: one region-free service, reported as us-east-1 like IAM's own endpoint.
  await deps.db.role.update({ where: { id: role.id }, data: { lastUsedAt: request.now, lastUsedRegion: 'us-east-1' } });
  return {
    credentials: { accessKeyId, secretAccessKey, sessionToken: session.sessionToken, expiration: session.expiration },
    assumedRoleUser: { assumedRoleId, arn },
    packedPolicySize,
    sourceIdentity: sourceIdentity ?? null,
  };
}
