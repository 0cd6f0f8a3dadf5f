// Refusal of common and breached passwords, from a list shipped with the server
// (src/iam/data/common-passwords.txt: the 10,000 most common passwords, MIT,
// see src/iam/data/README.md). No network lookup is ever made.
// NIST SP 800-63B §5.1.1.2: verifiers compare new passwords against a list of
// commonly-used or compromised values. https://pages.nist.gov/800-63-3/sp800-63b.html
import { readFileSync } from 'node:fs';

let list: ReadonlySet<string> | undefined;

function commonPasswords(): ReadonlySet<string> {
  list ??= new Set(
    readFileSync(new URL('./data/common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line !== ''),
  );
  return list;
}

/**
 * True when the password is on the list, compared case-insensitively, also after
 * stripping trailing digits and symbols: "Dragon2024!" is "dragon" with the
 * decoration attackers try first.
 */
export function isCommonPassword(password: string): boolean {
  const words = commonPasswords();
  const lower = password.toLowerCase();
  if (words.has(lower)) return true;
  const base = lower.replace(/[\d\W_]+$/, '');
  return base !== lower && base.length >= 4 && words.has(base);
}
