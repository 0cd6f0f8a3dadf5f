// Request signed with SigV4 → principal, for the AWS Query protocol. A long-term
// key (`AKIA…`) acts as its IAM user, without a session; a temporary key (`ASIA…`)
// must come with its session token (X-Amz-Security-Token), which is verified as a
// bearer token is (src/auth/authenticate.ts), so every revocation applies alike.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
import type { Sealer } from '../crypto/seal.js';
import { ExpiredTokenError, InvalidClientTokenIdError } from '../errors.js';
import { recordAccessKeyUse } from '../iam/access-keys.js';
import type { Principal } from '../sessions/principal.js';
import { findSigningSecret } from './access-key-secrets.js';
import { type AuthenticationDeps, authenticate } from './authenticate.js';
import { MAX_CLOCK_SKEW_MS, type SigV4Request, type SigningKeyCache, type VerifiedSigV4, verifySigV4 } from './sigv4.js';

/** What SigV4 authentication uses beside what bearer authentication does. */
export interface SigV4AuthenticationDeps extends AuthenticationDeps {
  sealer: Sealer;
  signingKeys: SigningKeyCache;
}

/** Who signed, and the principal the request acts as. */
export interface SigV4Authentication {
  principal: Principal;
  signature: VerifiedSigV4;
}

const INVALID = 'The security token included in the request is invalid.';
/** How often a long-term key's AccessKeyLastUsed is written (AWS: "within 4 hours"). */
const LAST_USED_INTERVAL_MS = 60_000;
const lastUsedWrites = new Map<string, number>();

/** Verifies the signature and answers the principal; IamError with AWS's code otherwise. */
export async function authenticateSigV4(deps: SigV4AuthenticationDeps, request: SigV4Request): Promise<SigV4Authentication> {
  const now = deps.clock.now();
  let principal: Principal | undefined;
  let longTermKey: { id: string; userId: string } | undefined;
  const signature = await verifySigV4(request, {
    now,
    cache: deps.signingKeys,
    lookup: async (accessKeyId, { securityToken }) => {
      const found = await findSigningSecret(deps.db, deps.sealer, accessKeyId, now);
      if (!found) return null;
      if (found.kind === 'legacy') throw new InvalidClientTokenIdError(found.message);
      if (found.kind === 'long-term') {
        if (found.accessKey.status !== 'Active' || securityToken !== undefined) throw new InvalidClientTokenIdError(INVALID);
        longTermKey = { id: found.accessKey.id, userId: found.accessKey.userId };
        return { secretAccessKey: found.secretAccessKey };
      }
      if (found.session.status === 'expired') throw new ExpiredTokenError('The security token included in the request is expired');
      if (found.session.status === 'revoked' || securityToken === undefined) throw new InvalidClientTokenIdError(INVALID);
      // The session token is the session's own: verified like a bearer token, with every revocation it is subject to.
      const auth = await authenticate(deps, `Bearer ${securityToken}`);
      if (auth.error) throw auth.error;
      if (!auth.principal || auth.principal.sessionId !== found.sessionId) throw new InvalidClientTokenIdError(INVALID);
      principal = auth.principal;
      return { secretAccessKey: found.secretAccessKey };
    },
  });
  if (longTermKey) principal = await userPrincipal(deps, longTermKey, signature, now);
  if (!principal) throw new InvalidClientTokenIdError(INVALID);
  return { principal, signature };
}

/** The IAM user a long-term key belongs to, acting without a session. */
async function userPrincipal(
  deps: SigV4AuthenticationDeps,
  key: { id: string; userId: string },
  signature: VerifiedSigV4,
  now: Date,
): Promise<Principal> {
  const user = await deps.db.user.findUnique({ where: { id: key.userId }, include: { account: { select: { policyEpoch: true } } } });
  if (!user) throw new InvalidClientTokenIdError(INVALID);
  const last = lastUsedWrites.get(key.id) ?? 0;
  if (now.getTime() - last >= LAST_USED_INTERVAL_MS) {
    lastUsedWrites.set(key.id, now.getTime());
    await recordAccessKeyUse(deps.db, key.id, signature.service, signature.region, now);
  }
  return Object.freeze({
    kind: 'user',
    accountId: user.accountId,
    arn: user.arn,
    principalId: user.id,
    // No session: the key stands in for one wherever a session id keys a cache.
    sessionId: `access-key:${key.id}`,
    userId: user.id,
    userName: user.name,
    longTermAccessKeyId: key.id,
    passwordResetOnly: false,
    policyEpoch: user.account.policyEpoch,
    issuedAt: signature.signedAt,
    expiresAt: new Date(signature.signedAt.getTime() + MAX_CLOCK_SKEW_MS),
  });
}
