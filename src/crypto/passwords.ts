// Password hashing: argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1),
// stored as PHC strings so parameters can be raised later with a rehash at sign-in.
// Every hash runs through a bounded pool, so a login flood cannot exhaust memory
// or starve other requests.
// https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
import argon2 from 'argon2';
import type { HashPool } from './hash-pool.js';

export const passwordHashOptions = Object.freeze({
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

/**
 * Hashes and verifies passwords, every argon2 computation through one bounded pool
 * (src/crypto/hash-pool.ts): sign-in, ChangePassword, login profiles, the password
 * history and new accounts share it, so together they never take more than its
 * turns, and a flood of them is answered with `Throttling` rather than a backlog.
 */
export class PasswordHasher {
  constructor(readonly pool: HashPool) {}

  /**
   * Hashes a password into a PHC string, with the parameters in Argon2's reference
   * order (`m=…,t=…,p=…`): the `argon2` package writes them alphabetically, which
   * verifiers built on the reference library refuse.
   */
  async hash(password: string): Promise<string> {
    const hash = await this.pool.run(() => argon2.hash(password, passwordHashOptions));
    return hash.replace(/\$m=(\d+),p=(\d+),t=(\d+)\$/, '$$m=$1,t=$3,p=$2$$');
  }

  /**
   * Verifies a password against a PHC string. Always does the work of one verify,
   * even without a hash (`undefined`), so unknown users cost the same as wrong passwords.
   */
  async verify(hash: string | undefined, password: string): Promise<boolean> {
    const target = hash ?? (await dummyHash());
    const ok = await this.pool.run(() => argon2.verify(target, password).catch(() => false));
    return ok && hash !== undefined;
  }

  /** Throws Throttling at once when a hash asked for now would be refused (before a caller does other work). */
  checkCapacity(): void {
    this.pool.checkCapacity();
  }
}

/** True when a stored hash uses weaker parameters than today's and should be replaced at sign-in. */
export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, passwordHashOptions);
}

/** A hash to verify against when there is none: made once per process (outside the pool), kept only once made. */
let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  dummy ??= argon2.hash('not-a-password-dummy-for-timing', passwordHashOptions).catch((error: unknown) => {
    dummy = undefined;
    throw error;
  });
  return dummy;
}
