// Session tokens: short-lived ES256 JWTs naming the principal and the session.
// They carry what an outside verifier needs and no secret.
import { SignJWT, createLocalJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { type Clock, systemClock } from '../clock.js';
import { ExpiredTokenError, InvalidClientTokenIdError } from '../errors.js';
import { SIGNING_ALG, type SigningKeyStore } from './signing-keys.js';

/** Who a session is: the root user, an IAM user, a role session, or a federated user (GetFederationToken). */
export type SessionKind = 'root' | 'user' | 'assumed-role' | 'federated-user';

/** Claims of our session tokens beyond the registered ones. */
export interface SessionClaims {
  /** Principal ARN (also the `sub`). */
  sub: string;
  /** Session id (also the `jti`). */
  jti: string;
  account: string;
  principal_type: SessionKind;
  /** AWS's `aws:userid` value for this principal. */
  principal_id: string;
  /** Epoch seconds of MFA authentication, when the session was MFA-authenticated. */
  mfa_auth_time?: number;
  source_identity?: string;
  /** Present on a session that may only change its password. */
  password_reset_required?: true;
  iat: number;
  exp: number;
}

export interface TokenServiceOptions {
  issuer: string;
  audience: string;
  clockSkewSeconds: number;
  /** The time tokens are issued and verified at (default: the machine's clock). */
  clock?: Clock;
}

/** Signs and verifies session tokens with the key store's keys. */
export class TokenService {
  private readonly clock: Clock;

  constructor(
    private readonly keys: SigningKeyStore,
    private readonly options: TokenServiceOptions,
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async sign(claims: Omit<SessionClaims, 'iat'>, now = this.clock.now()): Promise<string> {
    // The key in force now signs, whatever instant the token says it was issued at.
    const key = this.keys.current(this.clock.now());
    const { sub, jti, exp, ...rest } = claims;
    return new SignJWT({ ...rest })
      .setProtectedHeader({ alg: SIGNING_ALG, kid: key.kid, typ: 'JWT' })
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setSubject(sub)
      .setJti(jti)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(exp)
      .sign(key.privateKey);
  }

  /**
   * Verifies signature, algorithm, issuer, audience and expiry. Answers
   * ExpiredToken for an expired token and InvalidClientTokenId for anything else.
   */
  async verify(token: string): Promise<SessionClaims> {
    try {
      return await this.verifyWithKnownKeys(token);
    } catch (error) {
      // A key rotated in by another process: reload once and try again.
      if (error instanceof InvalidClientTokenIdError && (await this.keys.reloadForUnknownKid(kidOf(token)))) return this.verifyWithKnownKeys(token);
      throw error;
    }
  }

  private jwks: { version: number; builtAt: number; set: ReturnType<typeof createLocalJWKSet> } | undefined;

  /** The verification key set, rebuilt when the keys reload and at least every minute (retirements age out). */
  private keySet(): ReturnType<typeof createLocalJWKSet> {
    const now = this.clock.nowMs();
    if (!this.jwks || this.jwks.version !== this.keys.version || now - this.jwks.builtAt > 60_000) {
      this.jwks = { version: this.keys.version, builtAt: now, set: createLocalJWKSet({ keys: this.keys.publicKeys(new Date(now)) }) };
    }
    return this.jwks.set;
  }

  private async verifyWithKnownKeys(token: string): Promise<SessionClaims> {
    const jwks = this.keySet();
    const now = this.clock.now();
    try {
      const { payload } = await jwtVerify(token, jwks, {
        algorithms: [SIGNING_ALG],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockSkewSeconds,
        currentDate: now,
        requiredClaims: ['sub', 'jti', 'exp', 'iat'],
      });
      assertIssuedInThePast(payload, now, this.options.clockSkewSeconds);
      return payload as JWTPayload & SessionClaims;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        throw new ExpiredTokenError('The security token included in the request is expired', { cause: error });
      }
      throw new InvalidClientTokenIdError('The security token included in the request is invalid.', { cause: error });
    }
  }
}

/**
 * Refuses a token issued later than now plus the tolerated skew. jose checks `iat`
 * only when given a maximum token age, and a token from the future would otherwise
 * live past its stated duration (its exp is reckoned from a time that has not come).
 * https://www.rfc-editor.org/rfc/rfc7519#section-4.1.6
 */
function assertIssuedInThePast(payload: JWTPayload, now: Date, clockSkewSeconds: number): void {
  if (typeof payload.iat !== 'number' || payload.iat > now.getTime() / 1000 + clockSkewSeconds) {
    throw new joseErrors.JWTClaimValidationFailed('"iat" claim timestamp check failed (it should be in the past)', payload, 'iat', 'check_failed');
  }
}

function kidOf(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}
