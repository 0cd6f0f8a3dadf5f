// Password hashing: argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1),
// stored as PHC strings so parameters can be raised later with a rehash at sign-in.
// At most `MAX_CONCURRENT_HASHES` hashes run at once, so a login flood cannot
// exhaust memory or starve other requests.
// https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
import argon2 from 'argon2';

export const passwordHashOptions = Object.freeze({
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

const MAX_CONCURRENT_HASHES = 4;
let running = 0;
const waiting: Array<() => void> = [];

async function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * Hashes a password into a PHC string, with the parameters in Argon2's reference
 * order (`m=…,t=…,p=…`): the `argon2` package writes them alphabetically, which
 * verifiers built on the reference library refuse.
 */
export async function hashPassword(password: string): Promise<string> {
  const hash = await bounded(() => argon2.hash(password, passwordHashOptions));
  return hash.replace(/\$m=(\d+),p=(\d+),t=(\d+)\$/, '$$m=$1,t=$3,p=$2$$');
}

/**
 * Verifies a password against a PHC string. Always does the work of one verify,
 * even without a hash (`undefined`), so unknown users cost the same as wrong passwords.
 */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  const target = hash ?? (await dummyHash());
  const ok = await bounded(() => argon2.verify(target, password).catch(() => false));
  return ok && hash !== undefined;
}

/** True when a stored hash uses weaker parameters than today's and should be replaced at sign-in. */
export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, passwordHashOptions);
}

let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= argon2.hash('not-a-password-dummy-for-timing', passwordHashOptions);
  return dummy;
}
