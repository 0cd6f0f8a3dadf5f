// Machine-generated secrets (secret access keys): 240 random bits each, so a
// SHA-256 digest is a safe one-way store (no salt or slow hash needed, unlike
// passwords); comparison is constant-time.
import { createHash, timingSafeEqual } from 'node:crypto';

/** The stored form of a secret access key. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time check of a presented secret against its stored hash. */
export function verifySecret(storedHash: string, presented: string): boolean {
  const expected = Buffer.from(storedHash, 'hex');
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
