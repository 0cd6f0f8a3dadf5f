// Password hashing on its own threads: hashes made by the `argon2` package (what every
// stored hash before @node-rs/argon2 was made with, in both parameter orders it has been
// stored in) still verify, new ones verify there too, needsRehash reads what it did, and
// each hashing thread runs at the configured priority (SCHED_IDLE or a nice value) while
// the rest of the process keeps its own (Linux, where both belong to a thread).
import { readFileSync, readdirSync } from 'node:fs';
import argon2 from 'argon2';
import { afterAll, describe, expect, it } from 'vitest';
import { HashPool } from './hash-pool.js';
import { HashThreadError, HashThreads, type HashPriority } from './hash-threads.js';
import { DUMMY_HASH, needsRehash, PasswordHasher, passwordHashOptions } from './passwords.js';

const PASSWORD = 'Correct-Horse-Battery-9';
const hashers: PasswordHasher[] = [];
function hasher(priority: HashPriority = 10, concurrency = 1): PasswordHasher {
  const made = new PasswordHasher(new HashPool({ concurrency, queueLimit: 8 }), new HashThreads({ threads: concurrency, priority }));
  hashers.push(made);
  return made;
}
afterAll(async () => {
  for (const made of hashers) await made.close();
});

/** The `argon2` package's hash at today's parameters: as it wrote it (m,p,t) and as we stored it (m,t,p). */
async function oldHashes(password: string): Promise<{ asWritten: string; asStored: string }> {
  const asWritten = await argon2.hash(password, { ...passwordHashOptions, type: argon2.argon2id });
  return { asWritten, asStored: asWritten.replace(/\$m=(\d+),p=(\d+),t=(\d+)\$/, '$$m=$1,t=$3,p=$2$$') };
}

/** A field of a thread's /proc stat, by its number in proc(5). */
function statField(tid: number, field: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[field - 3]);
}
/** A thread's nice value (field 19). */
const niceOf = (tid: number) => statField(tid, 19);
/** A thread's scheduling policy (field 41): 0 SCHED_OTHER, 5 SCHED_IDLE (sched(7)). */
const policyOf = (tid: number) => statField(tid, 41);
const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

describe('PasswordHasher', () => {
  it('verifies hashes made by the argon2 package, in either parameter order, and refuses a wrong password', async () => {
    const passwords = hasher();
    const { asWritten, asStored } = await oldHashes(PASSWORD);
    expect(asWritten).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(asStored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    for (const hash of [asWritten, asStored]) {
      expect(await passwords.verify(hash, PASSWORD)).toBe(true);
      expect(await passwords.verify(hash, `${PASSWORD}x`)).toBe(false);
    }
  });

  it('makes argon2id hashes at today\'s parameters, in the reference order, that the argon2 package verifies', async () => {
    const passwords = hasher();
    const hash = await passwords.hash(PASSWORD);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await argon2.verify(hash, PASSWORD)).toBe(true);
    expect(await argon2.verify(hash, `${PASSWORD}x`)).toBe(false);
    expect(await passwords.verify(hash, PASSWORD)).toBe(true);
    // A new salt each time.
    expect(await passwords.hash(PASSWORD)).not.toBe(hash);
  });

  it('does one verify for no hash at all (an unknown user), against a dummy hash at today\'s parameters, and never says yes', async () => {
    const passwords = hasher();
    expect(needsRehash(DUMMY_HASH)).toBe(false);
    const started = passwords.pool.stats().started;
    expect(await passwords.verify(undefined, PASSWORD)).toBe(false);
    expect(passwords.pool.stats().started).toBe(started + 1);
    // A hash that cannot be read is a failed verify, not an error.
    expect(await passwords.verify('not-a-hash', PASSWORD)).toBe(false);
  });

  it.each([
    { name: "today's parameters, reference order", hash: '$argon2id$v=19$m=19456,t=2,p=1$gGOqbirwW+xETo5+8/+y4Q$4ScLhBu2SJj+539hvSzBrw+nmhymjWsoa7BbhF8S+qU', expected: false },
    { name: "today's parameters, the argon2 package's order", hash: '$argon2id$v=19$m=19456,p=1,t=2$gGOqbirwW+xETo5+8/+y4Q$4ScLhBu2SJj+539hvSzBrw+nmhymjWsoa7BbhF8S+qU', expected: false },
    { name: 'less memory', hash: '$argon2id$v=19$m=8192,t=2,p=1$gGOqbirwW+xETo5+8/+y4Q$4ScLhBu2SJj+539hvSzBrw+nmhymjWsoa7BbhF8S+qU', expected: true },
    { name: 'fewer passes', hash: '$argon2id$v=19$m=19456,t=1,p=1$gGOqbirwW+xETo5+8/+y4Q$4ScLhBu2SJj+539hvSzBrw+nmhymjWsoa7BbhF8S+qU', expected: true },
    { name: 'other parallelism', hash: '$argon2id$v=19$m=19456,t=2,p=2$gGOqbirwW+xETo5+8/+y4Q$4ScLhBu2SJj+539hvSzBrw+nmhymjWsoa7BbhF8S+qU', expected: true },
    { name: 'argon2i', hash: '$argon2i$v=19$m=19456,t=2,p=1$gGOqbirwW+xETo5+8/+y4Q$4ScLhBu2SJj+539hvSzBrw+nmhymjWsoa7BbhF8S+qU', expected: true },
    { name: 'version 1.0', hash: '$argon2id$v=16$m=19456,t=2,p=1$gGOqbirwW+xETo5+8/+y4Q$4ScLhBu2SJj+539hvSzBrw+nmhymjWsoa7BbhF8S+qU', expected: true },
    { name: 'not a PHC string', hash: 'plain', expected: true },
  ])('needsRehash: $name → $expected', ({ hash, expected }) => {
    expect(needsRehash(hash)).toBe(expected);
  });

  it('needsRehash agrees with the argon2 package on its own hashes', async () => {
    const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 8192, timeCost: 1, parallelism: 1 });
    const { asWritten } = await oldHashes(PASSWORD);
    for (const hash of [weak, asWritten]) expect(needsRehash(hash)).toBe(argon2.needsRehash(hash, passwordHashOptions));
  });
});

describe.runIf(process.platform === 'linux')('the hashing threads (Linux)', () => {
  it('run at the configured nice value, each on a thread of its own, leaving the rest of the process at its own', async () => {
    const niceBefore = new Map(readdirSync('/proc/self/task').map((tid) => [Number(tid), niceOf(Number(tid))]));
    const passwords = hasher(7, 2);
    // Two at once: two threads.
    await Promise.all([passwords.hash(PASSWORD), passwords.verify(DUMMY_HASH, PASSWORD)]);
    const threads = await passwords.threads.started();
    expect(threads).toHaveLength(2);
    for (const thread of threads) {
      expect(thread.problem).toBeUndefined();
      expect(thread.nice).toBe(7);
      // Read from outside the thread too: the kernel's own figure for that thread.
      expect(niceOf(thread.tid!)).toBe(7);
      expect(niceBefore.has(thread.tid!)).toBe(false);
    }
    // Every thread that was there before keeps its nice value (the main thread, libuv's, V8's).
    for (const [tid, nice] of niceBefore) {
      try {
        expect(niceOf(tid), `thread ${tid}`).toBe(nice);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    expect(niceOf(process.pid)).toBe(niceBefore.get(process.pid));
  });

  it('under idle, run under SCHED_IDLE, each on a thread of its own, leaving the rest of the process under its own policy', async () => {
    const before = new Map(readdirSync('/proc/self/task').map((tid) => [Number(tid), policyOf(Number(tid))]));
    const passwords = hasher('idle', 2);
    await Promise.all([passwords.hash(PASSWORD), passwords.verify(DUMMY_HASH, PASSWORD)]);
    const threads = await passwords.threads.started();
    expect(threads).toHaveLength(2);
    for (const thread of threads) {
      expect(thread.problem).toBeUndefined();
      expect(thread.idle).toBe(true);
      expect(policyOf(thread.tid!)).toBe(SCHED_IDLE);
    }
    for (const [tid, policy] of before) {
      try {
        expect(policyOf(tid), `thread ${tid}`).toBe(policy);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    expect(policyOf(process.pid)).toBe(SCHED_OTHER);
    // And it hashes as any thread does.
    expect(await passwords.verify(await passwords.hash(PASSWORD), PASSWORD)).toBe(true);
  });

  it('under idle, where chrt cannot be found, run at nice 19 and say why', async () => {
    const path = process.env.PATH;
    // A worker thread's environment is a copy of the process's when it starts.
    process.env.PATH = '/nonexistent';
    try {
      const passwords = hasher('idle');
      await passwords.hash(PASSWORD);
      const [thread] = await passwords.threads.started();
      expect(thread!.problem).toMatch(/chrt is not installed; hashing at nice 19 instead$/);
      expect(thread!.idle).toBe(false);
      expect(niceOf(thread!.tid!)).toBe(19);
      expect(policyOf(thread!.tid!)).toBe(SCHED_OTHER);
    } finally {
      process.env.PATH = path;
    }
  });

  it('at nice 0, run at the process\'s own priority', async () => {
    const passwords = hasher(0);
    await passwords.hash(PASSWORD);
    const [thread] = await passwords.threads.started();
    expect(niceOf(thread!.tid!)).toBe(niceOf(process.pid));
  });

  it('stop when the hasher is closed, refusing what is asked afterwards', async () => {
    const passwords = hasher();
    await passwords.hash(PASSWORD);
    const [thread] = await passwords.threads.started();
    await passwords.close();
    expect(readdirSync('/proc/self/task')).not.toContain(String(thread!.tid));
    await expect(passwords.hash(PASSWORD)).rejects.toThrow(/closed/);
  });
});

describe('a hashing thread that stops', () => {
  it('fails the verify under way with an error, not as a wrong password, and the next thread verifies', async () => {
    const threads = new HashThreads({ threads: 1, priority: 0 });
    const passwords = new PasswordHasher(new HashPool({ concurrency: 1, queueLimit: 8 }), threads);
    hashers.push(passwords);
    const hash = await passwords.hash(PASSWORD);
    const under = passwords.verify(hash, PASSWORD);
    // What a crash or a missing binary looks like to the pool: the thread exits mid-verify.
    const [worker] = (threads as unknown as { threads: Set<{ worker: { terminate(): Promise<number> } }> }).threads;
    await worker!.worker.terminate();
    await expect(under).rejects.toThrow(HashThreadError);
    // A new thread takes the next one.
    expect(await passwords.verify(hash, PASSWORD)).toBe(true);
  });
});
