// The per-request context: who is calling, from where, and the dependencies
// built once in main.ts. Resolvers and services receive what they need from here.
import { MissingAuthenticationTokenError } from './errors.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Db } from './db/client.js';
import type { Logger } from './log.js';
import type { Principal } from './sessions/principal.js';
import type { Authentication } from './auth/authenticate.js';
import type { Sealer } from './crypto/seal.js';
import type { Authorizer } from './auth/authorize.js';
import type { SigningKeyStore } from './sessions/signing-keys.js';
import type { TokenService } from './sessions/tokens.js';
import type { CursorCodec } from './db/pagination.js';
import type { Loaders } from './db/loaders.js';
import type { AuditLog } from './audit/audit-log.js';
import type { SignInThrottle } from './auth/throttle.js';
import type { PasswordHasher } from './crypto/passwords.js';
import type { VerifiedTokenCache } from './auth/token-cache.js';
import type { ChangeFeed } from './auth/change-feed.js';
import type { NotificationBus } from './db/notifications.js';
import type { OidcKeyStore } from './sts/oidc-keys.js';
import type { Decision, Metrics, Protocol } from './metrics.js';

/** Dependencies shared by all requests. */
export interface Deps {
  config: Config;
  /** Where services read the time (src/clock.ts). */
  clock: Clock;
  db: Db;
  logger: Logger;
  sealer: Sealer;
  keys: SigningKeyStore;
  tokens: TokenService;
  /** Claims of tokens already verified (src/auth/token-cache.ts). */
  tokenCache: VerifiedTokenCache;
  /** Account epochs and session revocations pushed by Postgres; absent: every request reads the session row. */
  changeFeed?: ChangeFeed;
  /** The listening connection the change feed and the sign-in throttle share (src/db/notifications.ts); started and stopped with the server. */
  notifications?: NotificationBus;
  authorizer: Authorizer;
  cursors: CursorCodec;
  /** The audit trail (CloudTrail-shaped events). */
  audit: AuditLog;
  /** Failed credential checks per user, client and both (src/auth/throttle.ts). */
  throttle: SignInThrottle;
  /** OpenID Providers' discovery documents and JWKS, cached per issuer (AssumeRoleWithWebIdentity). */
  oidcKeys: OidcKeyStore;
  /** What /metrics reports (src/metrics.ts). */
  metrics: Metrics;
  /** Password hashing, bounded by one pool for the whole process (src/crypto/hash-pool.ts). */
  passwords: PasswordHasher;
}

/**
 * What a request did, for its log line, its metrics and its trace (src/request-log.ts):
 * filled in as it runs, reported once it is answered. Never a secret: no token, no
 * password, no parameter.
 */
export interface RequestRecord {
  readonly requestId: string;
  readonly protocol: Protocol;
  /** When it arrived (performance.now(), ms). */
  readonly startedAt: number;
  /** The root fields it ran (GraphQL), or its action (AWS), once known. */
  operations: readonly string[] | undefined;
  /** The strictest authorization decision made for it: any denial over an allow. */
  decision: Decision | undefined;
  /** The code of its first error; undefined while it succeeds. */
  errorCode: string | undefined;
  /** Who called, once authenticated (null: anonymous, or not yet known). */
  principal: Principal | null;
  /** True when it carried the operator's bearer secret. */
  operator: boolean;
}

/** What every resolver receives. */
export interface Context {
  requestId: string;
  /** What the request did so far (src/request-log.ts reports it). */
  record: RequestRecord;
  deps: Deps;
  db: Db;
  /** The raw Authorization header; read once the operation has validated. */
  authorization: string | undefined;
  /**
   * Who the transport already authenticated (the AWS Query protocol verifies SigV4
   * before the operation runs); absent: the bearer token in `authorization` is checked.
   */
  authentication?: Authentication;
  /** The authenticated caller, or null for an anonymous request. */
  principal: Principal | null;
  /** True when the request carried the operator's bearer secret. */
  operator: boolean;
  /** Why authentication failed, if it did; reported when a protected field is reached. */
  authError: Error | null;
  sourceIp: string;
  userAgent: string | undefined;
  secureTransport: boolean;
  loaders: Loaders;
  /** Resource ARNs the guard resolved per root field (by response key), for the audit event. */
  auditResources: Map<string, string[]>;
  /** Successful reads this request has handed to the audit log so far. */
  auditedReads: number;
}

const STRICTNESS: Record<Decision, number> = { allowed: 0, implicitDeny: 1, explicitDeny: 2 };

/** Notes an authorization decision on the request's record: a denial outranks an allow, an explicit deny an implicit one. */
export function noteDecision(record: RequestRecord, decision: Decision): void {
  if (record.decision === undefined || STRICTNESS[decision] > STRICTNESS[record.decision]) record.decision = decision;
}

/** The facts of the HTTP request behind a call that conditions read (aws:SourceIp, aws:SecureTransport, aws:CurrentTime). */
export function requestFacts(ctx: Context): { sourceIp: string; secureTransport: boolean; now: Date } {
  return { sourceIp: ctx.sourceIp, secureTransport: ctx.secureTransport, now: ctx.deps.clock.now() };
}

/** The caller, or the reason there is none (InvalidClientTokenId / ExpiredToken, or MissingAuthenticationToken without credentials). */
export function requirePrincipal(ctx: Context): Principal {
  if (ctx.principal) return ctx.principal;
  throw ctx.authError ?? missingToken();
}

function missingToken(): Error {
  return new MissingAuthenticationTokenError(
    'Sign in first: send Authorization: Bearer <sessionToken>, the token the signIn mutation answers (or sign AWS protocol requests with an access key). The operator token only creates accounts.',
  );
}
