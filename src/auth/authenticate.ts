// Request → principal. A bearer token is either the operator's secret (for
// createAccount) or a session JWT, verified and checked against its session row
// (revoked, expired). Failures are remembered, not thrown: public fields still work.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Deps } from '../context.js';
import { ExpiredTokenError, InvalidClientTokenIdError } from '../errors.js';
import type { Principal } from './principal.js';

export interface Authentication {
  principal: Principal | null;
  operator: boolean;
  error: Error | null;
}

const anonymous: Authentication = { principal: null, operator: false, error: null };

/** Reads `Authorization: Bearer ...` and answers who is calling. */
export async function authenticate(deps: Deps, authorization: string | undefined): Promise<Authentication> {
  if (!authorization) return anonymous;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) return { ...anonymous, error: invalidToken() };
  const token = match[1]!;
  if (deps.config.operatorToken && isSameSecret(token, deps.config.operatorToken)) {
    return { principal: null, operator: true, error: null };
  }
  try {
    return { principal: await resolveSession(deps, token), operator: false, error: null };
  } catch (error) {
    if (error instanceof InvalidClientTokenIdError || error instanceof ExpiredTokenError) {
      return { ...anonymous, error };
    }
    throw error;
  }
}

async function resolveSession(deps: Deps, token: string): Promise<Principal> {
  const claims = await deps.tokens.verify(token);
  // One query answers revocation and the account's policy epoch (for the policy cache).
  const session = await deps.db.session.findUnique({ where: { id: claims.jti }, include: { account: { select: { policyEpoch: true } } } });
  if (!session || session.principalArn !== claims.sub || session.revokedAt !== null) throw invalidToken();
  if (session.expiresAt.getTime() <= Date.now() - deps.config.clockSkewSeconds * 1000) {
    throw new ExpiredTokenError('The security token included in the request is expired');
  }
  const principal: Principal = {
    kind: claims.principal_type,
    accountId: session.accountId,
    arn: session.principalArn,
    principalId: session.principalId,
    sessionId: session.id,
    passwordResetOnly: session.passwordResetOnly,
    policyEpoch: session.account.policyEpoch,
    issuedAt: session.issuedAt,
    expiresAt: session.expiresAt,
  };
  if (session.userId) principal.userId = session.userId;
  if (session.roleId) principal.roleId = session.roleId;
  if (session.roleArn) principal.roleArn = session.roleArn;
  if (session.accessKeyId) principal.accessKeyId = session.accessKeyId;
  if (session.mfaAuthenticatedAt) principal.mfaAuthenticatedAt = session.mfaAuthenticatedAt;
  if (session.sourceIdentity) principal.sourceIdentity = session.sourceIdentity;
  if (claims.principal_type === 'user') principal.userName = session.principalArn.slice(session.principalArn.lastIndexOf('/') + 1);
  if (claims.principal_type === 'assumed-role') {
    const [, roleName, sessionName] = session.principalArn.split(':assumed-role/')[1]!.match(/^(.*)\/([^/]*)$/) ?? [];
    if (roleName) principal.roleName = roleName;
    if (sessionName) principal.roleSessionName = sessionName;
  }
  return principal;
}

function invalidToken(): Error {
  return new InvalidClientTokenIdError('The security token included in the request is invalid.');
}

/** Compares two secrets in constant time (digests first, so lengths do not leak). */
export function isSameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
