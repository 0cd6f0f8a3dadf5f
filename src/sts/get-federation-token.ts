// STS GetFederationToken: temporary credentials for a federated user
// (`arn:aws:sts::<account>:federated-user/<name>`), made from an IAM user's (or the
// root user's) long-term credentials. The session may do what the calling user may
// do intersected with the session policies passed here: without any, nothing.
// Its callers may not call IAM, nor STS beyond GetCallerIdentity (src/graphql/guard.ts).
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
import type { Clock } from '../clock.js';
import type { Sealer } from '../crypto/seal.js';
import { sealAccessKeySecret } from '../crypto/secrets.js';
import { AccessDeniedError, ValidationError } from '../errors.js';
import { federatedUserArn } from '../iam/arn.js';
import { newSecretAccessKey, newUniqueId } from '../iam/ids.js';
import { getManagedPolicy } from '../iam/managed-policy-lookup.js';
import { checkArn, checkRange, checkString, checkTags, type TagInput } from '../iam/names.js';
import type { Principal } from '../sessions/principal.js';
import { issueSession, type SessionIssuer } from '../sessions/sessions.js';
import { checkSessionPolicies } from './assume-role-input.js';
import { SESSION_TOKEN_SECONDS, type TemporaryCredentials } from './get-session-token.js';

export interface GetFederationTokenInput {
  name: string;
  durationSeconds?: number | null;
  policy?: string | null;
  policyArns?: Array<{ arn: string }> | null;
  tags?: TagInput[] | null;
}

export interface GetFederationTokenResult {
  credentials: TemporaryCredentials;
  federatedUser: { federatedUserId: string; arn: string };
  packedPolicySize: number;
}

/** What GetFederationToken uses: the session issuer (its database handle reads policy ARNs), the clock and the sealer of the temporary secret. */
export type GetFederationTokenDeps = SessionIssuer & { clock: Clock; sealer: Sealer };

/**
 * Issues a federated-user session. The guard has already checked sts:GetFederationToken
 * (and sts:TagSession for tags) on the federated user's ARN.
 */
export async function getFederationToken(deps: GetFederationTokenDeps, principal: Principal, input: GetFederationTokenInput): Promise<GetFederationTokenResult> {
  const name = checkString(input.name, 'name', 2, 32, /^[\w+=,.@-]*$/, '[\\w+=,.@-]*');
  const requested = checkRange(input.durationSeconds ?? SESSION_TOKEN_SECONDS.default, 'durationSeconds', SESSION_TOKEN_SECONDS.min, SESSION_TOKEN_SECONDS.max);
  const tags = checkTags(input.tags);
  const policyArns = (input.policyArns ?? []).map((p) => checkArn(p.arn, 'policyArns.member.arn'));
  if (policyArns.length > 10) throw new ValidationError("1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10");
  // AWS: "You must call the GetFederationToken operation using the long-term security credentials
  // of an IAM user" (or of the root user). Role sessions, GetSessionToken's and federated sessions are refused.
  if ((principal.kind !== 'user' && principal.kind !== 'root') || principal.accessKeyId || principal.passwordResetOnly) {
    throw new AccessDeniedError('Cannot call GetFederationToken with session credentials');
  }
  const packedPolicySize = checkSessionPolicies(input, { tags, policyArns });
  for (const arn of policyArns) {
    if (!(await getManagedPolicy(deps.db, principal.accountId, arn))) throw new ValidationError(`Policy ${arn} does not exist or is not attachable.`);
  }
  // AWS: the root user's sessions last at most one hour; a longer request "defaults to one hour".
  const durationSeconds = principal.kind === 'root' ? Math.min(requested, SESSION_TOKEN_SECONDS.rootMax) : requested;

  const arn = federatedUserArn(principal.accountId, name);
  // aws:userid of a federated user: `account:caller-specified-name`.
  const federatedUserId = `${principal.accountId}:${name}`;
  const accessKeyId = newUniqueId('temporaryAccessKey');
  const secretAccessKey = newSecretAccessKey();
  const session = await issueSession(deps, {
    kind: 'federated-user',
    accountId: principal.accountId,
    principalArn: arn,
    principalId: federatedUserId,
    // The calling user, whose policies bound the session's (none for the root user).
    ...(principal.kind === 'user' && principal.userId ? { userId: principal.userId } : {}),
    durationSeconds,
    accessKeyId,
    secretSealed: sealAccessKeySecret(deps.sealer, { accountId: principal.accountId, accessKeyId }, secretAccessKey),
    // Made with a long-term key: the session ends when that key is switched off (as GetSessionToken's).
    ...(principal.longTermAccessKeyId ? { sourceAccessKeyId: principal.longTermAccessKeyId } : {}),
    ...(input.policy != null ? { sessionPolicy: input.policy } : {}),
    ...(policyArns.length > 0 ? { policyArns } : {}),
    ...(tags.length > 0 ? { tags } : {}),
  });
  return {
    credentials: { accessKeyId, secretAccessKey, sessionToken: session.sessionToken, expiration: session.expiration },
    federatedUser: { federatedUserId, arn },
    packedPolicySize,
  };
}
