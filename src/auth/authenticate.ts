// Request → principal. A bearer token is either the operator's secret (for
// createAccount) or a session JWT, verified and checked against its session row
// (revoked, expired): from memory once the session is known (src/auth/token-cache.ts,
// src/auth/change-feed.ts), from the database otherwise. Failures are remembered,
// not thrown: public fields still work.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { ExpiredTokenError, InvalidClientTokenIdError } from '../errors.js';
import type { ChangeFeed, SessionFacts } from './change-feed.js';
import type { VerifiedTokenCache } from './token-cache.js';
import type { SessionClaims, TokenService } from '../sessions/tokens.js';
import type { Principal } from '../sessions/principal.js';

export interface Authentication {
  principal: Principal | null;
  operator: boolean;
  error: Error | null;
}

/** What authentication reads: the session rows, the token verifier and its cache, the change feed, the clock. */
export interface AuthenticationDeps {
  db: Db;
  tokens: TokenService;
  tokenCache: VerifiedTokenCache;
  changeFeed?: ChangeFeed;
  clock: Clock;
  config: Pick<Config, 'operatorToken' | 'clockSkewSeconds'>;
}

const anonymous: Authentication = { principal: null, operator: false, error: null };

/** Reads `Authorization: Bearer ...` and answers who is calling. */
export async function authenticate(deps: AuthenticationDeps, authorization: string | undefined): Promise<Authentication> {
  if (!authorization) return anonymous;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) return { ...anonymous, error: invalidToken() };
  const token = match[1]!;
  // A token that verified before is a session token: no need to compare it with the
  // operator's secret (which costs a digest of the whole token on every request).
  const now = deps.clock.nowMs();
  const known = deps.tokenCache.lookup(token, now);
  if (!known && deps.config.operatorToken && isSameSecret(token, deps.config.operatorToken)) {
    return { principal: null, operator: true, error: null };
  }
  try {
    return { principal: await resolveSession(deps, token, known, now), operator: false, error: null };
  } catch (error) {
    if (error instanceof InvalidClientTokenIdError || error instanceof ExpiredTokenError) {
      return { ...anonymous, error };
    }
    throw error;
  }
}

async function resolveSession(deps: AuthenticationDeps, token: string, known: SessionClaims | undefined, now: number): Promise<Principal> {
  const claims = known ?? (await deps.tokenCache.verify(token, (t) => deps.tokens.verify(t), now));
  const found = await loadSession(deps, claims.jti);
  if (!found || found.session.principalArn !== claims.sub || found.revoked) throw invalidToken();
  const { session, policyEpoch } = found;
  if (session.expiresAt.getTime() <= now - deps.config.clockSkewSeconds * 1000) {
    throw new ExpiredTokenError('The security token included in the request is expired');
  }
  return principalOf(session, claims.principal_type, policyEpoch);
}

/**
 * Principals already built, per session facts object: the change feed hands out the
 * same facts object for a session on every request, so its principal is built once
 * per policy epoch. Frozen: every request of the session shares it.
 */
const principals = new WeakMap<SessionFacts, Principal>();

function principalOf(session: SessionFacts, kind: Principal['kind'], policyEpoch: number): Principal {
  const known = principals.get(session);
  if (known && known.policyEpoch === policyEpoch && known.kind === kind) return known;
  const principal: Principal = {
    kind,
    accountId: session.accountId,
    arn: session.principalArn,
    principalId: session.principalId,
    sessionId: session.id,
    passwordResetOnly: session.passwordResetOnly,
    policyEpoch,
    issuedAt: session.issuedAt,
    expiresAt: session.expiresAt,
  };
  if (session.userId) principal.userId = session.userId;
  if (session.roleId) principal.roleId = session.roleId;
  if (session.roleArn) principal.roleArn = session.roleArn;
  if (session.accessKeyId) principal.accessKeyId = session.accessKeyId;
  if (session.mfaAuthenticatedAt) principal.mfaAuthenticatedAt = session.mfaAuthenticatedAt;
  if (session.sourceIdentity) principal.sourceIdentity = session.sourceIdentity;
  if (session.federatedProvider) principal.federatedProvider = session.federatedProvider;
  if (kind === 'user') principal.userName = session.principalArn.slice(session.principalArn.lastIndexOf('/') + 1);
  if (kind === 'assumed-role') {
    const [, roleName, sessionName] = session.principalArn.split(':assumed-role/')[1]!.match(/^(.*)\/([^/]*)$/) ?? [];
    if (roleName) principal.roleName = roleName;
    if (sessionName) principal.roleSessionName = sessionName;
  }
  principals.set(session, Object.freeze(principal));
  return principal;
}

/**
 * A session's facts, whether it is revoked, and its account's policy epoch. From
 * memory when the change feed is live and knows them (no round trip); otherwise
 * one query, whose answer the feed then remembers.
 */
async function loadSession(deps: AuthenticationDeps, sessionId: string): Promise<{ session: SessionFacts; revoked: boolean; policyEpoch: number } | null> {
  const feed = deps.changeFeed;
  if (feed?.live) {
    const session = feed.session(sessionId);
    const policyEpoch = session && feed.epochOf(session.accountId);
    if (session && policyEpoch !== undefined) return { session, revoked: feed.isRevoked(sessionId), policyEpoch };
  }
  const generation = feed?.generation ?? 0;
  const row = await deps.db.session.findUnique({ where: { id: sessionId }, include: { account: { select: { policyEpoch: true } } } });
  if (!row) return null;
  feed?.remember(generation, row, row.revokedAt !== null, row.account.policyEpoch);
  return { session: row, revoked: row.revokedAt !== null, policyEpoch: row.account.policyEpoch };
}

function invalidToken(): Error {
  return new InvalidClientTokenIdError('The security token included in the request is invalid.');
}

/** Compares two secrets in constant time (digests first, so lengths do not leak). */
export function isSameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), digestOf(b));
}

/** The digest of the last secret compared against (the operator token: the same on every request). */
let remembered: { secret: string; digest: Buffer } | undefined;

function digestOf(secret: string): Buffer {
  if (remembered?.secret !== secret) remembered = { secret, digest: createHash('sha256').update(secret).digest() };
  return remembered.digest;
}
