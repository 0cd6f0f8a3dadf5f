// Password hashing: argon2id at OWASP's parameters (m = 19 MiB, t = 2, p = 1),
// stored as PHC strings so parameters can be raised later with a rehash at sign-in.
// Every hash runs through a bounded pool, so a login flood cannot exhaust memory
// or starve other requests, on threads of its own at a lowered CPU priority
// (src/crypto/hash-threads.ts), so that other requests come first for the cores.
// https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id
import type { HashPool } from './hash-pool.js';
import { HashThreadError, type HashThreads } from './hash-threads.js';

export const passwordHashOptions = Object.freeze({
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

/** Argon2's version 1.3 (0x13), the one every hash is made with. */
const ARGON2_VERSION = 19;

/**
 * Hashes and verifies passwords, every argon2 computation through one bounded pool
 * (src/crypto/hash-pool.ts): sign-in, ChangePassword, login profiles, the password
 * history and new accounts share it, so together they never take more than its
 * turns, and a flood of them is answered with `Throttling` rather than a backlog.
 */
export class PasswordHasher {
  constructor(
    readonly pool: HashPool,
    readonly threads: HashThreads,
  ) {}

  /**
   * Hashes a password into a PHC string, with the parameters in Argon2's reference
   * order (`m=…,t=…,p=…`, as verifiers built on the reference library want them).
   */
  hash(password: string): Promise<string> {
    return this.pool.run(() => this.threads.hash(password, passwordHashOptions));
  }

  /**
   * Verifies a password against a PHC string. Always does the work of one verify,
   * even without a hash (`undefined`), so unknown users cost the same as wrong passwords.
   * A stored hash that cannot be read is a failed verify; a hashing thread that could not
   * verify at all (HashThreadError) is an error, never a wrong password.
   */
  async verify(hash: string | undefined, password: string): Promise<boolean> {
    const target = hash ?? DUMMY_HASH;
    const ok = await this.pool.run(() =>
      this.threads.verify(target, password).catch((error: unknown) => {
        if (error instanceof HashThreadError) throw error;
        return false;
      }),
    );
    return ok && hash !== undefined;
  }

  /** Throws Throttling at once when a hash asked for now would be refused (before a caller does other work). */
  checkCapacity(): void {
    this.pool.checkCapacity();
  }

  /** Stops the hashing threads (the service's close). */
  close(): Promise<void> {
    return this.threads.close();
  }
}

/** A stored hash's algorithm and parameters, read from its PHC string; undefined when it is not one. */
export function hashParameters(hash: string): { algorithm: string; version: number; memoryCost: number; timeCost: number; parallelism: number } | undefined {
  // $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>: parameters in any order (older hashes had m,p,t).
  const match = /^\$(argon2(?:id|i|d))\$v=(\d+)\$([^$]+)\$[^$]+\$[^$]+$/.exec(hash);
  if (!match) return undefined;
  const params = new Map(match[3]!.split(',').map((pair) => pair.split('=') as [string, string]));
  const [m, t, p] = ['m', 't', 'p'].map((name) => Number(params.get(name)));
  if (![m, t, p].every((n) => Number.isInteger(n))) return undefined;
  return { algorithm: match[1]!, version: Number(match[2]), memoryCost: m!, timeCost: t!, parallelism: p! };
}

/** True when a stored hash uses another algorithm or weaker parameters than today's and should be replaced at sign-in. */
export function needsRehash(hash: string): boolean {
  const stored = hashParameters(hash);
  return (
    !stored ||
    stored.algorithm !== 'argon2id' ||
    stored.version !== ARGON2_VERSION ||
    stored.memoryCost !== passwordHashOptions.memoryCost ||
    stored.timeCost !== passwordHashOptions.timeCost ||
    stored.parallelism !== passwordHashOptions.parallelism
  );
}

/**
 * The hash verified when there is none (an unknown user, a user without a login profile),
 * so that such a sign-in does the same work as a wrong password: argon2id at today's
 * parameters of a random password nobody knows (and a match would not count: see verify).
 * src/crypto/passwords.test.ts checks that its parameters are today's.
 */
export const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$gGOqbirwW+xETo5+8/+y4Q$4ScLhBu2SJj+539hvSzBrw+nmhymjWsoa7BbhF8S+qU';
