// The published keys of OpenID Providers, for AssumeRoleWithWebIdentity: each issuer's
// discovery document (`<iss>/.well-known/openid-configuration`) names its JWKS, which
// jose's remote key set fetches and caches. Every fetch has a timeout, a failed issuer is
// not asked again for a while, and an unknown `kid` refetches the set at most once per
// cooldown, so a token can never make this server hang on, or hammer, an identity provider.
// https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { type Clock, systemClock } from '../clock.js';
import { IdpCommunicationError } from '../errors.js';
import type { IdleCache } from '../metrics.js';
import { isLoopbackHost, type IssuerUrlPolicy } from '../iam/oidc-providers.js';

export interface OidcKeyStoreOptions extends IssuerUrlPolicy {
  /** Longest wait for one HTTP answer (discovery or JWKS), milliseconds. */
  timeoutMs: number;
  /** How long a discovery document and a fetched JWKS are trusted, milliseconds. */
  cacheMs: number;
  /** Shortest time between two fetches of a JWKS for an unknown `kid`, milliseconds. */
  cooldownMs: number;
  /** How long an issuer that failed is answered with IDPCommunicationError without asking it again, milliseconds. */
  failureMs: number;
  /** Most issuers remembered; the least recently used one is forgotten first. */
  maxIssuers: number;
}

export const defaultOidcKeyStoreOptions: Omit<OidcKeyStoreOptions, 'allowHttpLoopback' | 'timeoutMs'> = Object.freeze({
  cacheMs: 10 * 60_000,
  cooldownMs: 30_000,
  failureMs: 10_000,
  maxIssuers: 256,
});

/** The largest discovery document read, bytes (real ones are a few kilobytes). */
const MAX_DISCOVERY_BYTES = 64 * 1024;

interface IssuerEntry {
  /** The issuer's key set, or the failure to report until `until`. */
  keys: Promise<JWTVerifyGetKey>;
  until: number;
}

const communicationError = (detail: string, cause?: unknown) =>
  new IdpCommunicationError(`Couldn't retrieve verification key from your identity provider (${detail}); check that its OpenID Connect discovery document and JWKS are reachable over HTTPS.`, { cause });

/**
 * The key sets of the issuers tokens were presented from, per issuer URL. An issuer's
 * entry lives `cacheMs` (or `failureMs`) from its discovery, used or not: `sweep` releases it then.
 */
export class OidcKeyStore implements IdleCache {
  private readonly issuers = new Map<string, IssuerEntry>();
  /** Lookups answered from memory, and discoveries (for metrics). */
  hits = 0;
  misses = 0;
  private readonly clock: Clock;

  constructor(
    private readonly options: OidcKeyStoreOptions,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  /**
   * The key set of `issuer` (a token's `iss`, already checked against a registered
   * provider). IDPCommunicationError when the issuer cannot be reached or answers
   * something that is not a discovery document naming a JWKS.
   */
  async keysFor(issuer: string): Promise<JWTVerifyGetKey> {
    const now = this.clock.nowMs();
    const known = this.issuers.get(issuer);
    if (known && known.until > now) {
      // Least recently used first out: a hit moves the issuer to the end.
      this.hits++;
      this.issuers.delete(issuer);
      this.issuers.set(issuer, known);
      return known.keys;
    }
    this.misses++;
    const keys = this.discover(issuer);
    const entry: IssuerEntry = { keys, until: now + this.options.cacheMs };
    this.remember(issuer, entry);
    keys.catch(() => {
      // A failure is remembered briefly, so an unreachable issuer costs one timeout per `failureMs`, not one per request.
      if (this.issuers.get(issuer) === entry) entry.until = this.clock.nowMs() + this.options.failureMs;
    });
    return keys;
  }

  get size(): number {
    return this.issuers.size;
  }

  /** Releases the issuers whose discovery is no longer trusted at `now` (discovered again when a token names them). */
  sweep(now: number): number {
    const before = this.issuers.size;
    for (const [issuer, entry] of this.issuers) if (entry.until <= now) this.issuers.delete(issuer);
    return before - this.issuers.size;
  }

  private remember(issuer: string, entry: IssuerEntry): void {
    this.issuers.delete(issuer);
    if (this.issuers.size >= this.options.maxIssuers) this.issuers.delete(this.issuers.keys().next().value!);
    this.issuers.set(issuer, entry);
  }

  private async discover(issuer: string): Promise<JWTVerifyGetKey> {
    const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    let document: unknown;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs), redirect: 'error', headers: { accept: 'application/json' } });
      if (response.status !== 200) throw communicationError(`its discovery document answered HTTP ${response.status}`);
      document = JSON.parse(await readLimited(response, MAX_DISCOVERY_BYTES));
    } catch (error) {
      if (error instanceof IdpCommunicationError) throw error;
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw communicationError(timedOut ? `no answer within ${this.options.timeoutMs} ms` : 'its discovery document could not be read', error);
    }
    const config = document as { issuer?: unknown; jwks_uri?: unknown } | null;
    // Discovery §4.3: "The issuer value returned MUST be identical to the Issuer URL that was used as the prefix".
    if (!config || config.issuer !== issuer) throw communicationError('its discovery document names another issuer');
    if (typeof config.jwks_uri !== 'string') throw communicationError('its discovery document names no jwks_uri');
    const jwksUrl = URL.parse(config.jwks_uri);
    const secure = jwksUrl?.protocol === 'https:' || (jwksUrl?.protocol === 'http:' && this.options.allowHttpLoopback && isLoopbackHost(jwksUrl.hostname));
    if (!jwksUrl || !secure) throw communicationError('its jwks_uri is not an https:// URL');
    return createRemoteJWKSet(jwksUrl, {
      timeoutDuration: this.options.timeoutMs,
      cooldownDuration: this.options.cooldownMs,
      cacheMaxAge: this.options.cacheMs,
    });
  }
}

/** The body as text, refused past `limit` bytes (a discovery document is small; an endless one must not fill memory). */
async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > limit) throw communicationError('its discovery document is too large');
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw communicationError('its discovery document is too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
