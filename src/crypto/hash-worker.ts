// A password-hashing thread (started by src/crypto/hash-threads.ts). It lowers its
// own CPU priority first, then computes argon2 synchronously, so the work runs on
// this thread and nowhere else: on Linux a nice value belongs to a thread, so while
// the CPU is idle a hash runs at full speed, and while the server has other work
// (requests, Postgres, the event loop) the scheduler gives that work the cores first.
// The `argon2` package could not do this: it hashes on libuv's threadpool, which fs
// and WebCrypto share, and which cannot be niced without slowing them too.
// No imports of our own: Node runs this file as it is (type stripping), in tests too.
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';

/** What the thread is told at start. */
export interface HashWorkerData {
  /** Nice value (0 to 19) the thread sets on itself; Linux only, where it is per thread. */
  nice: number;
}

/** argon2id parameters of a new hash (src/crypto/passwords.ts). */
export interface HashParameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export type HashRequest =
  | { id: number; op: 'hash'; password: string; parameters: HashParameters }
  | { id: number; op: 'verify'; hash: string; password: string };

export type HashReply = { id: number; value: string | boolean } | { id: number; error: string };

/** The thread's first message: where it runs and at which nice value, so the pool can check and report it. */
export interface HashWorkerReady {
  ready: true;
  /** The thread's id in the kernel (Linux: /proc/self/task/<tid>), when it could be read. */
  tid: number | undefined;
  nice: number | undefined;
  /** Why the nice value could not be set, when it could not. */
  problem: string | undefined;
}

/** argon2id in @node-rs/argon2's `Algorithm` (a const enum, which type stripping cannot read). */
const ARGON2ID = 2;

/** This thread's kernel id and nice value, from /proc/thread-self/stat (Linux). */
function ownThread(): { tid: number | undefined; nice: number | undefined } {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // pid (the thread's id here) is field 1 of proc(5), nice field 19.
    return { tid: Number(stat.slice(0, stat.indexOf(' '))), nice: Number(fields[16]) };
  } catch {
    return { tid: undefined, nice: undefined };
  }
}

function start(): void {
  const port = parentPort;
  if (!port) throw new Error('src/crypto/hash-worker.ts runs as a worker thread only');
  const { nice } = workerData as HashWorkerData;
  let problem: string | undefined;
  if (process.platform !== 'linux') {
    // Elsewhere (macOS, Windows) a priority belongs to the whole process: leave it alone.
    if (nice !== 0) problem = `a nice value per thread needs Linux (here: ${process.platform}); hashing runs at the server's priority`;
  } else if (nice !== 0) {
    try {
      // pid 0 is the calling thread on Linux (setpriority(2), NOTES).
      setPriority(0, nice);
    } catch (error) {
      problem = `could not set nice ${nice} on the hashing thread ${threadId}: ${(error as Error).message}`;
    }
  }
  const ready: HashWorkerReady = { ready: true, ...ownThread(), problem };
  port.postMessage(ready);
  port.on('message', (request: HashRequest) => {
    let reply: HashReply;
    try {
      if (request.op === 'hash') {
        const { memoryCost, timeCost, parallelism } = request.parameters;
        reply = { id: request.id, value: hashSync(request.password, { algorithm: ARGON2ID, memoryCost, timeCost, parallelism }) };
      } else {
        reply = { id: request.id, value: verifySync(request.hash, request.password) };
      }
    } catch (error) {
      reply = { id: request.id, error: (error as Error).message };
    }
    port.postMessage(reply);
  });
}

start();
