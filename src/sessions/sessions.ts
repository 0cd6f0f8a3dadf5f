// Sessions: a row per issued token, so a token can be revoked (by session, by
// user, by role) and so the server knows what the session may do.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import type { TokenService } from './tokens.js';
import type { SessionKind } from './tokens.js';

export interface NewSession {
  kind: SessionKind;
  accountId: string;
  principalArn: string;
  principalId: string;
  userId?: string;
  roleId?: string;
  roleArn?: string;
  durationSeconds: number;
  mfaAuthenticatedAt?: Date;
  sourceIdentity?: string;
  passwordResetOnly?: boolean;
  sessionPolicy?: string;
  policyArns?: string[];
  tags?: Array<{ key: string; value: string }>;
  accessKeyId?: string;
  /** The temporary secret sealed to the account and `accessKeyId` (src/crypto/secrets.ts), for SigV4. */
  secretSealed?: string;
  sourceAccessKeyId?: string;
  parentSessionId?: string;
  /** The identity provider's ARN of a web-identity session (aws:FederatedProvider). */
  federatedProvider?: string;
}

export interface IssuedSession {
  sessionId: string;
  sessionToken: string;
  expiration: Date;
}

/** What issuing a session uses: the store of session rows, the token signer and the clock. */
export interface SessionIssuer {
  db: Db;
  tokens: TokenService;
  clock: Clock;
}

/** Records a session and signs its token. */
export async function issueSession(deps: SessionIssuer, input: NewSession): Promise<IssuedSession> {
  const id = randomUUID();
  const now = deps.clock.now();
  // The row keeps milliseconds (aws:TokenIssueTime must order exactly against a revocation
  // instant); the token's iat and exp are whole seconds, exp never later than the row's.
  const issuedAt = now;
  const expiration = new Date(Math.floor((issuedAt.getTime() + input.durationSeconds * 1000) / 1000) * 1000);
  await deps.db.session.create({
    data: {
      id,
      accountId: input.accountId,
      kind: input.kind,
      principalArn: input.principalArn,
      principalId: input.principalId,
      userId: input.userId ?? null,
      roleId: input.roleId ?? null,
      roleArn: input.roleArn ?? null,
      accessKeyId: input.accessKeyId ?? null,
      secretSealed: input.secretSealed ?? null,
      sourceAccessKeyId: input.sourceAccessKeyId ?? null,
      issuedAt,
      expiresAt: expiration,
      mfaAuthenticatedAt: input.mfaAuthenticatedAt ?? null,
      sourceIdentity: input.sourceIdentity ?? null,
      sessionPolicy: input.sessionPolicy ?? null,
      policyArns: input.policyArns ?? [],
      tags: input.tags ?? undefined,
      passwordResetOnly: input.passwordResetOnly ?? false,
      parentSessionId: input.parentSessionId ?? null,
      federatedProvider: input.federatedProvider ?? null,
    },
  });
  const sessionToken = await deps.tokens.sign(
    {
      sub: input.principalArn,
      jti: id,
      account: input.accountId,
      principal_type: input.kind,
      principal_id: input.principalId,
      exp: Math.floor(expiration.getTime() / 1000),
      ...(input.mfaAuthenticatedAt ? { mfa_auth_time: Math.floor(input.mfaAuthenticatedAt.getTime() / 1000) } : {}),
      ...(input.sourceIdentity ? { source_identity: input.sourceIdentity } : {}),
      ...(input.passwordResetOnly ? { password_reset_required: true as const } : {}),
    },
    issuedAt,
  );
  return { sessionId: id, sessionToken, expiration };
}

/** Revokes one session (sign-out). */
export async function revokeSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db.session.updateMany({ where: { id: sessionId, revokedAt: null }, data: { revokedAt: now } });
}
