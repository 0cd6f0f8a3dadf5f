// Policy size quotas by policy type, and how IAM measures a policy's size.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length

import type { PolicyType } from './types.js';

/**
 * Maximum policy size in characters, white space not counted, per policy type.
 * - managed: 6,144; inline user: 2,048; inline group: 5,120; inline role: 10,240
 *   (the inline quotas are per identity in AWS, summed over its inline policies;
 *   a single document can never exceed them either);
 * - trust (role trust policy): 2,048 by default;
 * - session: 2,048 plaintext characters
 *   (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html, `Policy`);
 * - resource: no IAM quota; each service sets its own (S3 bucket policies 20 KB,
 *   SQS 8 KB, ...), so none is enforced here.
 */
export const policySizeQuotas: Readonly<Record<PolicyType, number | undefined>> = Object.freeze({
  managed: 6144,
  user: 2048,
  group: 5120,
  role: 10240,
  trust: 2048,
  session: 2048,
  resource: undefined,
});

/**
 * Counts a policy's characters the way IAM does for its quotas: every Unicode
 * character except white space (space, tab, CR, LF), wherever it appears.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html ("IAM doesn't count white space")
 */
export function measurePolicySize(text: string): number {
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) continue;
    // A surrogate pair is one character.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    size++;
  }
  return size;
}

/** AWS's message when a document is over its size quota. */
export function policySizeMessage(quota: number): string {
  return `Cannot exceed quota for PolicySize: ${quota}`;
}

/**
 * The offset of the first character IAM does not allow in a policy document,
 * or -1. Allowed: tab, line feed, carriage return and U+0020 to U+00FF.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-names
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html (Policy: "\u0020 through \u00FF")
 */
export function findDisallowedCharacter(text: string): number {
  return text.search(DISALLOWED);
}

const DISALLOWED = /[^\t\n\r\u0020-\u00ff]/;
