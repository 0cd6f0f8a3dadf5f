// Secret access keys at rest. SigV4 needs the secret itself (its first HMAC is keyed
// with "AWS4" + secret), so secrets are sealed, bound to the account and the key id
// they belong to; comparison is constant-time. Digests remain only for keys made
// before secrets were sealed: they verify GetSessionToken, nothing else.
// Temporary secrets (`ASIA…`) are random and sealed on their session row the same way,
// rather than derived from the session with a key from the master key: a derived
// secret is a function of the master key and ids the server hands out and logs, so the
// master key alone would yield every live one; a sealed one also needs the database.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Sealer } from './seal.js';

/** Whose secret a sealed value is: the account and the access key id (`AKIA…` or `ASIA…`). */
export interface SecretOwner {
  accountId: string;
  accessKeyId: string;
}

/**
 * The associated data a secret is sealed with. INVARIANT: it names the row the value is
 * stored in (access key ids are unique, sessions' `ASIA…` ids too), so a sealed secret
 * copied to another key, session or account does not open.
 */
function bindingOf(owner: SecretOwner): string {
  return `open-iam/access-key-secret/v1:${owner.accountId}:${owner.accessKeyId}`;
}

/** The stored form of a secret access key, long-term or temporary. */
export function sealAccessKeySecret(sealer: Sealer, owner: SecretOwner, secret: string): string {
  return sealer.seal(secret, bindingOf(owner));
}

/**
 * The secret sealed by `sealAccessKeySecret` for the same owner. Throws when it does not
 * open (altered, moved from another row, or sealed under another master key); the
 * error names the key, never the secret.
 */
export function openAccessKeySecret(sealer: Sealer, owner: SecretOwner, sealed: string): string {
  try {
    return sealer.open(sealed, bindingOf(owner));
  } catch (cause) {
    throw new Error(`The sealed secret of access key ${owner.accessKeyId} does not open: was IAM_MASTER_KEY changed?`, { cause });
  }
}

/** Constant-time equality of two secrets, whatever their lengths (both are hashed first). */
export function secretsEqual(expected: string, presented: string): boolean {
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(presented, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The digest form of a secret access key: what keys made before sealing store. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time check of a presented secret against its stored digest (keys made before sealing). */
export function verifySecret(storedHash: string, presented: string): boolean {
  const expected = Buffer.from(storedHash, 'hex');
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
