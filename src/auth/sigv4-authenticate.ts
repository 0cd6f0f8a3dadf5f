// Request signed with SigV4 → principal, for the AWS Query protocol. A long-term
// key (`AKIA…`) acts as its IAM user, without a session; a temporary key (`ASIA…`)
// must come with its session token (X-Amz-Security-Token), which is verified as a
// bearer token is (src/auth/authenticate.ts), so every revocation applies alike.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
import type { Sealer } from '../crypto/seal.js';
import { releaseIdle, type IdleCache } from '../metrics.js';
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
  longTermKeys: LongTermKeyCache;
}

/** A long-term key as a request signed with it needs it: its secret and the user it acts as. */
interface KnownKey {
  secretAccessKey: string;
  userId: string;
  user: { accountId: string; arn: string; name: string };
  /** The account's policy epoch when the key was read: every change of a key's status or existence bumps it. */
  epoch: number;
  lastUsedWrittenAt: number;
  /** Epoch ms of the last request it verified (released once idle, see `sweep`). */
  usedAt: number;
}

/**
 * Long-term keys already opened, so that a signed request costs no database round
 * trip: an entry is used only while the change feed is live and the account's policy
 * epoch is the one it was read at (src/iam/access-keys.ts bumps it whenever a key is
 * deactivated or deleted). Bounded; the least recently used entry goes first, and
 * entries no request used for the idle time are released (`sweep`).
 */
export class LongTermKeyCache implements IdleCache {
  private readonly keys = new Map<string, KnownKey>();

  constructor(private readonly limit = 10_000) {}

  get size(): number {
    return this.keys.size;
  }

  /** Lookups answered from the cache, and not (for metrics). */
  hits = 0;
  misses = 0;

  /** The key, if it is known for the account's current epoch; `now`: the request's time, epoch ms. */
  get(accessKeyId: string, currentEpoch: (accountId: string) => number | undefined, now: number): KnownKey | undefined {
    const known = this.keys.get(accessKeyId);
    if (!known) {
      this.misses++;
      return undefined;
    }
    if (currentEpoch(known.user.accountId) !== known.epoch) {
      this.misses++;
      this.keys.delete(accessKeyId);
      return undefined;
    }
    this.hits++;
    known.usedAt = now;
    this.keys.delete(accessKeyId);
    this.keys.set(accessKeyId, known);
    return known;
  }

  set(accessKeyId: string, key: KnownKey): void {
    this.keys.delete(accessKeyId);
    this.keys.set(accessKeyId, key);
    if (this.keys.size > this.limit) this.keys.delete(this.keys.keys().next().value!);
  }

  /** Releases the keys no request used since `now - idleMs` (read and opened again when next used). */
  sweep(now: number, idleMs: number): number {
    return releaseIdle(this.keys, now, idleMs);
  }
}

/** Who signed, and the principal the request acts as. */
export interface SigV4Authentication {
  principal: Principal;
  signature: VerifiedSigV4;
}

const INVALID = 'The security token included in the request is invalid.';
/** How often a long-term key's AccessKeyLastUsed is written (AWS: "within 4 hours"). */
const LAST_USED_INTERVAL_MS = 60_000;

/** Verifies the signature and answers the principal; IamError with AWS's code otherwise. */
export async function authenticateSigV4(deps: SigV4AuthenticationDeps, request: SigV4Request): Promise<SigV4Authentication> {
  const now = deps.clock.now();
  let principal: Principal | undefined;
  let longTermKey: { id: string; known: KnownKey } | undefined;
  const feed = deps.changeFeed;
  const signature = await verifySigV4(request, {
    now,
    cache: deps.signingKeys,
    lookup: async (accessKeyId, { securityToken }) => {
      const known = feed?.live && securityToken === undefined ? deps.longTermKeys.get(accessKeyId, (account) => feed.epochOf(account), now.getTime()) : undefined;
      if (known) {
        longTermKey = { id: accessKeyId, known };
        return { secretAccessKey: known.secretAccessKey };
      }
      // The owner and the account's epoch are read before the key's status: a deactivation
      // committed after this read bumps the epoch past the one remembered with the key.
      const owner = securityToken === undefined ? await readOwner(deps, accessKeyId) : undefined;
      const found = await findSigningSecret(deps.db, deps.sealer, accessKeyId, now);
      if (!found) return null;
      if (found.kind === 'legacy') throw new InvalidClientTokenIdError(found.message);
      if (found.kind === 'long-term') {
        if (found.accessKey.status !== 'Active' || securityToken !== undefined) throw new InvalidClientTokenIdError(INVALID);
        if (!owner) throw new InvalidClientTokenIdError(INVALID);
        longTermKey = { id: found.accessKey.id, known: { ...owner, secretAccessKey: found.secretAccessKey, lastUsedWrittenAt: 0, usedAt: now.getTime() } };
        deps.longTermKeys.set(found.accessKey.id, longTermKey.known);
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
  if (longTermKey) principal = await userPrincipal(deps, longTermKey.id, longTermKey.known, signature, now);
  if (!principal) throw new InvalidClientTokenIdError(INVALID);
  return { principal, signature };
}

/** The user a long-term key belongs to, with its account's epoch (read once per epoch); undefined for no such key. */
async function readOwner(deps: SigV4AuthenticationDeps, accessKeyId: string): Promise<Omit<KnownKey, 'secretAccessKey' | 'lastUsedWrittenAt' | 'usedAt'> | undefined> {
  const generation = deps.changeFeed?.generation ?? 0;
  const row = await deps.db.accessKey.findUnique({
    where: { id: accessKeyId },
    select: { user: { select: { id: true, accountId: true, arn: true, name: true, account: { select: { policyEpoch: true } } } } },
  });
  if (!row) return undefined;
  const { user } = row;
  // The feed then knows the account's epoch, so the cached key is checked against it in memory.
  deps.changeFeed?.rememberEpoch(generation, user.accountId, user.account.policyEpoch);
  return { userId: user.id, user: { accountId: user.accountId, arn: user.arn, name: user.name }, epoch: user.account.policyEpoch };
}

/** The IAM user a long-term key belongs to, acting without a session. */
async function userPrincipal(deps: SigV4AuthenticationDeps, keyId: string, key: KnownKey, signature: VerifiedSigV4, now: Date): Promise<Principal> {
  if (now.getTime() - key.lastUsedWrittenAt >= LAST_USED_INTERVAL_MS) {
    key.lastUsedWrittenAt = now.getTime();
    await recordAccessKeyUse(deps.db, keyId, signature.service, signature.region, now);
  }
  return {
    kind: 'user',
    accountId: key.user.accountId,
    arn: key.user.arn,
    principalId: key.userId,
    // No session: the key stands in for one wherever a session id keys a cache.
    sessionId: `access-key:${keyId}`,
    userId: key.userId,
    userName: key.user.name,
    longTermAccessKeyId: keyId,
    passwordResetOnly: false,
    policyEpoch: key.epoch,
    issuedAt: signature.signedAt,
    expiresAt: new Date(signature.signedAt.getTime() + MAX_CLOCK_SKEW_MS),
  };
}
