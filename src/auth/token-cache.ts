// Verified session tokens, remembered per token string: a token seen before
// costs a Map lookup instead of an ECDSA verification. Bounded (the oldest
// entry not used since it was last passed over goes first: the "second chance"
// approximation of least-recently-used, which costs a hit no reordering),
// each entry lives no longer than the token would verify, and `sweep` releases
// entries no request used for the idle time (src/service-metrics.ts runs it).
import { releaseIdle, type IdleCache } from '../metrics.js';
import type { SessionClaims } from '../sessions/tokens.js';

/** Most tokens remembered at once. */
const DEFAULT_LIMIT = 10_000;

interface Entry {
  /** The whole token that verified. */
  token: string;
  claims: SessionClaims;
  /** Epoch ms after which the token no longer verifies (exp plus the tolerated clock skew). */
  validUntil: number;
  /** Hit since eviction last passed over it. */
  used: boolean;
  /** Epoch ms of its last verification or hit (`sweep` releases it once idle). */
  usedAt: number;
}

/**
 * Caches the claims of tokens that verified. Only successes are cached: a
 * refused token is verified again each time (and refused again).
 *
 * INVARIANT: an entry is only returned while `now < exp + clockSkew`, exactly
 * the window in which jose would accept the same token; after that the caller
 * verifies again and gets jose's ExpiredToken answer (the other time check, iat no
 * later than now plus the skew, once true stays true as time moves on). A hit is the very string
 * that verified: entries are found by the token's signature (hashing a whole JWT,
 * hundreds of characters arriving as a new string on every request, costs more
 * than the rest of the lookup) and then compared whole.
 */
export class VerifiedTokenCache implements IdleCache {
  private readonly entries = new Map<string, Entry>();
  /** Lookups answered from the cache, and tokens verified because they were not (for metrics). */
  private hitCount = 0;
  private missCount = 0;

  constructor(
    private readonly clockSkewSeconds: number,
    private readonly limit = DEFAULT_LIMIT,
  ) {}

  /** The claims of `token`, verified by `verify` unless an entry lives at `now` (epoch ms). */
  async verify(token: string, verify: (token: string) => Promise<SessionClaims>, now: number): Promise<SessionClaims> {
    const known = this.lookup(token, now);
    if (known) return known;
    this.missCount++;
    const claims = await verify(token);
    this.entries.set(keyOf(token), { token, claims, validUntil: (claims.exp + this.clockSkewSeconds) * 1000, used: false, usedAt: now });
    if (this.entries.size > this.limit) this.evictOne();
    return claims;
  }

  /** The claims of `token` if an entry lives at `now` (epoch ms; the very string that verified), else undefined. */
  lookup(token: string, now: number): SessionClaims | undefined {
    const key = keyOf(token);
    const hit = this.entries.get(key);
    if (!hit || hit.token !== token) return undefined;
    if (now >= hit.validUntil) {
      this.entries.delete(key);
      return undefined;
    }
    hit.used = true;
    hit.usedAt = now;
    this.hitCount++;
    return hit.claims;
  }

  /**
   * Drops the oldest entry that was not used since eviction last looked at it;
   * used ones go back to the newest end with their mark cleared (Map keeps insertion order).
   */
  private evictOne(): void {
    for (const [key, entry] of this.entries) {
      this.entries.delete(key);
      if (!entry.used) return;
      entry.used = false;
      this.entries.set(key, entry);
    }
  }

  /**
   * Releases the entries not used since `now - idleMs` and those that no longer verify
   * (both would miss anyway: a later request verifies its token again). Answers how many went.
   */
  sweep(now: number, idleMs: number): number {
    return releaseIdle(this.entries, now, idleMs, (entry) => now >= entry.validUntil);
  }

  get size(): number {
    return this.entries.size;
  }

  get hits(): number {
    return this.hitCount;
  }

  get misses(): number {
    return this.missCount;
  }

  clear(): void {
    this.entries.clear();
  }
}

/** A JWT's signature segment (the whole string when it has none). */
function keyOf(token: string): string {
  return token.slice(token.lastIndexOf('.') + 1);
}
