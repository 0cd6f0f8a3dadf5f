// The SigV4 signing key, kSigning = HMAC chain of "AWS4" + secret over the
// date, region, service and "aws4_request", and a small bounded cache of it,
// whose keys no request used for the idle time are released (`sweep`).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html#derive-signing-key
import { createHmac } from 'node:crypto';
import { releaseIdle, type IdleCache } from '../metrics.js';

/** What a signing key is derived for: the credential scope of one request, and its key id. */
export interface SigningScope {
  accessKeyId: string;
  /** YYYYMMDD, the request's own date. */
  date: string;
  region: string;
  service: string;
}

/** Most signing keys remembered at once. */
const DEFAULT_LIMIT = 1_000;

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** kSigning for `secretAccessKey` in `scope`: four HMACs, AWS's derivation verbatim. */
export function deriveSigningKey(secretAccessKey: string, scope: SigningScope): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, scope.date);
  const kRegion = hmac(kDate, scope.region);
  const kService = hmac(kRegion, scope.service);
  return hmac(kService, 'aws4_request');
}

/**
 * Remembers derived signing keys per (access key id, secret, date, region, service),
 * least recently used first out. A key only ever saves the four HMACs of its
 * derivation.
 *
 * INVARIANT: the cache is consulted only after the caller has looked the access key
 * up and has its current secret in hand, and an entry answers only the secret it was
 * derived from (kept beside it and compared, not put in the map key): a deleted,
 * deactivated or rotated key never verifies from a stale entry.
 */
export class SigningKeyCache implements IdleCache {
  private readonly entries = new Map<string, { secretAccessKey: string; key: Buffer; usedAt: number }>();
  /** Lookups answered from the cache, and lookups that derived a key. */
  readonly stats = { hits: 0, misses: 0 };

  constructor(private readonly limit = DEFAULT_LIMIT) {}

  /** The signing key for `secretAccessKey` in `scope`, derived at most once while it stays cached; `now`: the request's time, epoch ms. */
  signingKey(secretAccessKey: string, scope: SigningScope, now = Date.now()): Buffer {
    const id = `${scope.accessKeyId}/${scope.date}/${scope.region}/${scope.service}`;
    const cached = this.entries.get(id);
    // Both secrets are the server's own (the stored one and the one just looked up): no caller input is compared here.
    if (cached && cached.secretAccessKey === secretAccessKey) {
      this.stats.hits++;
      cached.usedAt = now;
      // Re-inserting moves the entry to the end: Map iterates in insertion order.
      this.entries.delete(id);
      this.entries.set(id, cached);
      return cached.key;
    }
    this.stats.misses++;
    const key = deriveSigningKey(secretAccessKey, scope);
    this.entries.delete(id);
    this.entries.set(id, { secretAccessKey, key, usedAt: now });
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    return key;
  }

  /** How many keys are cached now. */
  get size(): number {
    return this.entries.size;
  }

  get hits(): number {
    return this.stats.hits;
  }

  get misses(): number {
    return this.stats.misses;
  }

  /** Releases the keys no request used since `now - idleMs` (derived again if asked for). */
  sweep(now: number, idleMs: number): number {
    return releaseIdle(this.entries, now, idleMs);
  }
}
