// Verifies a web identity token (an OpenID Connect ID token) for AssumeRoleWithWebIdentity:
// its issuer is a provider registered in the role's account, its signature verifies with a
// key that issuer publishes, with an asymmetric algorithm only; its audience (or `azp`) is
// one of the provider's client ids; exp, nbf and iat hold within the tolerated skew.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { ExpiredTokenError, IdpCommunicationError, IdpRejectedClaimError, InvalidIdentityTokenError } from '../errors.js';
import type { OpenIdConnectProvider } from '../generated/prisma/client.js';
import { readIssuerUrl, type IssuerUrlPolicy } from '../iam/oidc-providers.js';

/**
 * The algorithms a token may be signed with: asymmetric ones only. Never `none`, and never
 * HS*: a shared secret would have to be the provider's public key, which anyone can read.
 * A key that declares its `alg` is used with that algorithm only (jose's key selection).
 */
export const WEB_IDENTITY_ALGORITHMS: readonly string[] = Object.freeze(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']);

/** A verified token: who the provider says the caller is, for whom, and the claims the trust policy reads. */
export interface WebIdentity {
  provider: OpenIdConnectProvider;
  /** The token's `iss`. */
  issuer: string;
  subject: string;
  /** The client id the token was issued to: `azp` when present, else the `aud` value among the provider's client ids. */
  audience: string;
  claims: JWTPayload;
}

export interface WebIdentityVerifier {
  /** The provider registered in the role's account for an issuer key (host/path), or null. */
  findProvider(providerKey: string): Promise<OpenIdConnectProvider | null>;
  /** The issuer's published keys (src/sts/oidc-keys.ts). */
  keysFor(issuer: string): Promise<JWTVerifyGetKey>;
  urlPolicy: IssuerUrlPolicy;
  clockSkewSeconds: number;
  now: Date;
}

const invalid = (message: string, cause?: unknown) => new InvalidIdentityTokenError(message, { cause });

/** Verifies `token`; InvalidIdentityToken, ExpiredToken, IDPRejectedClaim or IDPCommunicationError otherwise. */
export async function verifyWebIdentityToken(token: string, verifier: WebIdentityVerifier): Promise<WebIdentity> {
  let issuer: unknown;
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
    issuer = decodeJwt(token).iss;
  } catch (error) {
    throw invalid('The web identity token is not a signed JWT (header.payload.signature).', error);
  }
  if (typeof alg !== 'string' || !WEB_IDENTITY_ALGORITHMS.includes(alg)) {
    throw invalid(`The web identity token's algorithm ${String(alg)} is not accepted: it must be one of ${WEB_IDENTITY_ALGORITHMS.join(', ')}.`);
  }
  if (typeof issuer !== 'string') throw invalid('The web identity token has no iss claim.');
  const read = readIssuerUrl(issuer, verifier.urlPolicy);
  if ('problem' in read) throw invalid(`The web identity token's issuer ${issuer} is not acceptable: ${read.problem}.`);
  const provider = await verifier.findProvider(read.key);
  if (!provider) throw invalid(`No OpenIDConnect provider found in your account for ${issuer}`);

  const keys = await verifier.keysFor(issuer);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      algorithms: [...WEB_IDENTITY_ALGORITHMS],
      issuer,
      clockTolerance: verifier.clockSkewSeconds,
      currentDate: verifier.now,
      requiredClaims: ['sub', 'aud', 'exp', 'iat'],
    }));
  } catch (error) {
    throw translate(error);
  }
  if (typeof payload.iat !== 'number' || payload.iat > verifier.now.getTime() / 1000 + verifier.clockSkewSeconds) {
    throw new IdpRejectedClaimError('The web identity token was issued in the future (iat); check the identity provider\'s clock.');
  }
  const subject = payload.sub!;
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
  // "aud (or azp)": a token issued to one party for another names the party it was issued to in azp.
  const azp = typeof payload.azp === 'string' ? payload.azp : undefined;
  const audience = azp !== undefined ? (provider.clientIds.includes(azp) ? azp : undefined) : audiences.find((aud) => provider.clientIds.includes(aud));
  if (audience === undefined) throw invalid('Incorrect token audience');
  return { provider, issuer, subject, audience, claims: payload };
}

/** jose's refusals as AWS's codes; a message that says what failed, never the token. */
function translate(error: unknown): Error {
  if (error instanceof joseErrors.JWTExpired) return new ExpiredTokenError('Token expired: the web identity token\'s exp has passed.', { cause: error });
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return new IdpRejectedClaimError('The web identity token is not valid yet (nbf).', { cause: error });
    if (error.claim === 'iss') return invalid('The web identity token\'s issuer does not match the provider.', error);
    return invalid(`The web identity token's ${error.claim} claim is missing or invalid.`, error);
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return invalid('The web identity token\'s algorithm is not accepted.', error);
  if (error instanceof joseErrors.JWKSNoMatchingKey) return invalid('The web identity token is signed with a key its provider does not publish.', error);
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return invalid('The web identity token\'s signature does not verify.', error);
  if (error instanceof joseErrors.JWKSTimeout) return new IdpCommunicationError('Couldn\'t retrieve verification key from your identity provider (no answer in time).', { cause: error });
  if (error instanceof joseErrors.JWKSInvalid || (error instanceof joseErrors.JOSEError && error.code === 'ERR_JOSE_GENERIC')) {
    return new IdpCommunicationError('Couldn\'t retrieve verification key from your identity provider (its JWKS could not be read).', { cause: error });
  }
  if (error instanceof joseErrors.JOSEError) return invalid('The web identity token is not valid.', error);
  // A failed fetch of the JWKS (connection refused, reset) surfaces as the fetch's own TypeError.
  if (error instanceof TypeError || (error instanceof Error && /fetch|ECONN|socket/i.test(error.message))) {
    return new IdpCommunicationError('Couldn\'t retrieve verification key from your identity provider (it could not be reached).', { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}
