// Issuing a role session: what AssumeRole, AssumeRoleWithWebIdentity and AssumeRoleWithSAML
// do once each has decided that the caller may have it. The session's ARN and id, a temporary
// key pair whose secret is sealed to the account and key, the session row and its token, and
// the role's RoleLastUsed.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
import type { Sealer } from '../crypto/seal.js';
import type { Db } from '../db/client.js';
import { ValidationError } from '../errors.js';
import { getManagedPolicy } from '../iam/managed-policy-lookup.js';
import { sealAccessKeySecret } from '../crypto/secrets.js';
import { assumedRoleArn } from '../iam/arn.js';
import { newSecretAccessKey, newUniqueId } from '../iam/ids.js';
import { issueSession, type SessionIssuer } from '../sessions/sessions.js';

/** The managed session policies passed with a request must exist in the role's account (ValidationError otherwise, as AWS answers). */
export async function requirePolicyArns(db: Db, accountId: string, policyArns: readonly string[]): Promise<void> {
  for (const arn of policyArns) {
    if (!(await getManagedPolicy(db, accountId, arn))) throw new ValidationError(`Policy ${arn} does not exist or is not attachable.`);
  }
}

/** The role a session is issued for, as its row has it. */
export interface SessionRole {
  id: string;
  arn: string;
  name: string;
  accountId: string;
}

/** A role session's request, each part already checked by the operation that issues it. */
export interface RoleSessionRequest {
  role: SessionRole;
  roleSessionName: string;
  durationSeconds: number;
  /** When the request was made: the role's RoleLastUsed. */
  now: Date;
  sourceIdentity?: string | null;
  /** The session policy (JSON text) and the managed policy ARNs passed with the request. */
  policy?: string | null;
  policyArns: string[];
  tags: Array<{ key: string; value: string }>;
  /** The calling session, for a role chained from another session. */
  parentSessionId?: string;
  mfaAuthenticatedAt?: Date;
  /** The identity provider of a web-identity session (aws:FederatedProvider). */
  federatedProvider?: string;
}

/** What the three operations answer of the session they issued. */
export interface IssuedRoleSession {
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date };
  assumedRoleUser: { assumedRoleId: string; arn: string };
}

/** Issues the role session of `request` and records the role's use. */
export async function issueRoleSession(deps: SessionIssuer & { sealer: Sealer }, request: RoleSessionRequest): Promise<IssuedRoleSession> {
  const { role } = request;
  const arn = assumedRoleArn(role.accountId, role.name, request.roleSessionName);
  const assumedRoleId = `${role.id}:${request.roleSessionName}`;
  const accessKeyId = newUniqueId('temporaryAccessKey');
  const secretAccessKey = newSecretAccessKey();
  const session = await issueSession(deps, {
    kind: 'assumed-role',
    accountId: role.accountId,
    principalArn: arn,
    principalId: assumedRoleId,
    roleId: role.id,
    roleArn: role.arn,
    durationSeconds: request.durationSeconds,
    accessKeyId,
    secretSealed: sealAccessKeySecret(deps.sealer, { accountId: role.accountId, accessKeyId }, secretAccessKey),
    ...(request.parentSessionId ? { parentSessionId: request.parentSessionId } : {}),
    ...(request.federatedProvider ? { federatedProvider: request.federatedProvider } : {}),
    ...(request.mfaAuthenticatedAt ? { mfaAuthenticatedAt: request.mfaAuthenticatedAt } : {}),
    ...(request.sourceIdentity ? { sourceIdentity: request.sourceIdentity } : {}),
    ...(request.policy != null ? { sessionPolicy: request.policy } : {}),
    ...(request.policyArns.length > 0 ? { policyArns: request.policyArns } : {}),
    ...(request.tags.length > 0 ? { tags: request.tags } : {}),
  });
  // RoleLastUsed: one region-free service, reported as us-east-1 like IAM's own endpoint.
  await deps.db.role.update({ where: { id: role.id }, data: { lastUsedAt: request.now, lastUsedRegion: 'us-east-1' } });
  return {
    credentials: { accessKeyId, secretAccessKey, sessionToken: session.sessionToken, expiration: session.expiration },
    assumedRoleUser: { assumedRoleId, arn },
  };
}
