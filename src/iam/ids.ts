// Identifiers as AWS forms them: unique ids with AWS's prefixes, access key ids,
// secrets and account ids, all from the CSPRNG.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
import { randomBytes, randomInt } from 'node:crypto';

/** Prefixes of unique ids by entity kind. */
export const uniqueIdPrefixes = Object.freeze({
  user: 'AIDA',
  group: 'AGPA',
  role: 'AROA',
  policy: 'ANPA',
  instanceProfile: 'AIPA',
  accessKey: 'AKIA',
  temporaryAccessKey: 'ASIA',
} as const);

export type UniqueIdKind = keyof typeof uniqueIdPrefixes;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[bytes[i]! & 31];
  return out;
}

/** A unique id such as `AIDAJQABLZS4A3QDU576Q` (21 characters) or an access key id (20). */
export function newUniqueId(kind: UniqueIdKind): string {
  const isKey = kind === 'accessKey' || kind === 'temporaryAccessKey';
  return uniqueIdPrefixes[kind] + randomBase32(isKey ? 16 : 17);
}

/** A 40-character secret access key. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'z');
}

/** A 12-digit account id that does not start with 0. */
export function newAccountId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 11; i++) id += String(randomInt(0, 10));
  return id;
}
