// The suite-wide check that no secret reaches a log: every test server writes its log
// lines to a file of this run (test/artifacts/logs/<run>/), every secret a test sends or
// receives through the test server (passwords, secret access keys, session tokens, MFA
// seeds, the bearer tokens it sends) is noted beside them, and the run's teardown
// (test/global-setup.ts) looks for each noted secret in every log line.
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Keys whose string values are secrets, wherever they appear in variables or answers (the
 * schema's names: `passwordLastUsed` is a date, `tokenCode` six digits, and neither is here).
 */
const SECRET_KEYS = new Set(['password', 'newPassword', 'oldPassword', 'secretAccessKey', 'sessionToken', 'token', 'webIdentityToken', 'samlAssertion', 'base32StringSeed']);

/** Shorter values are left out: they would be found by chance (and no secret of ours is that short). */
const MIN_LENGTH = 8;

const noted = new Set<string>();

/** Notes `secret` for the check at the end of the run (`dir` is the run's folder). */
export function noteSecret(dir: string, secret: string): void {
  if (secret.length < MIN_LENGTH || noted.has(secret)) return;
  noted.add(secret);
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `secrets-${process.pid}.jsonl`), JSON.stringify(secret) + '\n');
}

/** Notes every secret-named string value in `value` (variables sent, an answer received). */
export function noteSecretsIn(dir: string, value: unknown, key = ''): void {
  if (typeof value === 'string') {
    if (SECRET_KEYS.has(key)) noteSecret(dir, value);
  } else if (Array.isArray(value)) {
    for (const item of value) noteSecretsIn(dir, item, key);
  } else if (value !== null && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) noteSecretsIn(dir, item, name);
  }
}

/** What the check found: each leaked secret (its first characters only) and the log file it is in. */
export interface Leak {
  secret: string;
  file: string;
}

/**
 * Every noted secret found in a log file of `dir`, as written or JSON-escaped. One pass
 * over each file: each position's first `MIN_LENGTH` characters are looked up among the
 * secrets' own, so thousands of secrets cost no more than a few.
 */
export function findLeaks(dir: string): { secrets: number; files: number; leaks: Leak[] } {
  const names = readdirSync(dir);
  const secrets = new Set<string>();
  for (const name of names.filter((n) => n.startsWith('secrets-'))) {
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean)) {
      const secret = JSON.parse(line) as string;
      secrets.add(secret);
      secrets.add(JSON.stringify(secret).slice(1, -1));
    }
  }
  const byPrefix = new Map<string, string[]>();
  for (const secret of secrets) {
    const prefix = secret.slice(0, MIN_LENGTH);
    byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), secret]);
  }
  const logs = names.filter((n) => n.endsWith('.ndjson'));
  const leaks: Leak[] = [];
  for (const name of logs) {
    const text = readFileSync(join(dir, name), 'utf8');
    for (let i = 0; i + MIN_LENGTH <= text.length; i++) {
      const candidates = byPrefix.get(text.slice(i, i + MIN_LENGTH));
      const found = candidates?.find((secret) => text.startsWith(secret, i));
      if (found) leaks.push({ secret: `${found.slice(0, 4)}…`, file: name });
    }
  }
  return { secrets: secrets.size, files: logs.length, leaks };
}
