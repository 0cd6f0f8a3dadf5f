// AssumeRole's checks that do not depend on the role: member shapes, session
// tags, policy ARNs, the session policy and the packed size of all three.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
import { AccessDeniedError, PackedPolicyTooLargeError, ValidationError } from '../errors.js';
import { checkArn, checkRange, checkString, checkTags, type TagInput } from '../iam/names.js';
import { checkPolicyDocument } from '../iam/policy-documents.js';
import type { Principal } from '../sessions/principal.js';

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

/** The request's session tags and policy ARNs once checked. */
export interface CheckedAssumeRoleInput {
  tags: TagInput[];
  policyArns: string[];
}

/** AWS's limit on the packed size of session policies and tags (the 100% of packedPolicySize). */
const PACKED_POLICY_LIMIT = 2048;
const ROLE_SESSION_NAME = /^[\w+=,.@-]*$/;
const SOURCE_IDENTITY = /^[\w+=,.@-]*$/;

/**
 * The members every AssumeRole* action shares (RoleArn, RoleSessionName, DurationSeconds,
 * PolicyArns); answers the policy ARNs. ValidationError otherwise.
 */
export function checkRoleSessionRequest(input: Pick<AssumeRoleInput, 'roleArn' | 'roleSessionName' | 'durationSeconds' | 'policyArns'>): string[] {
  checkArn(input.roleArn, 'roleArn');
  checkString(input.roleSessionName, 'roleSessionName', 2, 64, ROLE_SESSION_NAME, '[\\w+=,.@-]*');
  if (input.durationSeconds != null) checkRange(input.durationSeconds, 'durationSeconds', 900, 43200);
  const policyArns = (input.policyArns ?? []).map((p) => checkArn(p.arn, 'policyArns.member.arn'));
  if (policyArns.length > 10) throw new ValidationError("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10");
  return policyArns;
}

/** A source identity's shape (AssumeRole's member, or the claim of a web identity token). */
export function checkSourceIdentity(value: string, member = 'sourceIdentity'): string {
  return checkString(value, member, 2, 64, SOURCE_IDENTITY, '[\\w+=,.@-]*');
}

/** Checks the members' shapes and the caller's kind; ValidationError or AccessDenied (root) otherwise. */
export function checkAssumeRoleInput(principal: Principal, input: AssumeRoleInput): CheckedAssumeRoleInput {
  const policyArns = checkRoleSessionRequest(input);
  if (input.externalId != null) checkString(input.externalId, 'externalId', 2, 1224, /^[\w+=,.@:/-]*$/, '[\\w+=,.@:\\/-]*');
  if (input.sourceIdentity != null) checkSourceIdentity(input.sourceIdentity);
  const tags = checkTags(input.tags);
  if (principal.kind === 'root') {
    // AWS: "You cannot use AWS account root user credentials to call AssumeRole."
    throw new AccessDeniedError('Roles may not be assumed by root accounts.');
  }
  return { tags, policyArns };
}

/**
 * Checks the session policy and the packed size of it, the policy ARNs and the tags;
 * answers AWS's PackedPolicySize (the percentage of the allotted space they use), or
 * PackedPolicyTooLarge past 100%, the code every operation that takes session policies
 * declares for it (AssumeRole*, GetFederationToken).
 * https://repost.aws/knowledge-center/iam-role-aws-sts-error
 */
export function checkSessionPolicies(input: Pick<AssumeRoleInput, 'policy'>, { tags, policyArns }: CheckedAssumeRoleInput): number {
  if (input.policy != null) checkPolicyDocument(input.policy, 'session');
  const packedPolicySize = Math.ceil(
    (100 * ((input.policy?.replace(/\s+/g, '').length ?? 0) + policyArns.join('').length + tags.reduce((n, t) => n + t.key.length + t.value.length, 0))) /
      PACKED_POLICY_LIMIT,
  );
  if (packedPolicySize > 100) {
    throw new PackedPolicyTooLargeError(`Packed policy consumes ${packedPolicySize}% of allotted space, please use smaller policy for this request.`);
  }
  return packedPolicySize;
}
