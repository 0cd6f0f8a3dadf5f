// A password-hashing thread (started by src/crypto/hash-threads.ts, which declares the
// messages' types). It lowers its own CPU priority first, then computes argon2
// synchronously, so the work runs on this thread and nowhere else: on Linux a nice
// value belongs to a thread, so while the CPU is idle a hash runs at full speed, and
// while the server has other work (requests, Postgres, the event loop) the scheduler
// gives that work the cores first. The `argon2` package could not do this: it hashes
// on libuv's threadpool, which fs and WebCrypto share, and which cannot be niced
// without slowing them too.
// Plain JavaScript, copied to dist/ as it is: every Node runs it as written, from the
// sources (tests, tsx) and from dist/ alike, with no TypeScript loader in the thread.
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';

/** argon2id in @node-rs/argon2's `Algorithm`. */
const ARGON2ID = 2;

/** This thread's kernel id and nice value, from /proc/thread-self/stat (Linux); undefined elsewhere. */
function ownThread() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // pid (here the thread's id) is field 1 of proc(5), nice field 19.
    return { tid: Number(stat.slice(0, stat.indexOf(' '))), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
  } catch {
    return { tid: undefined, nice: undefined };
  }
}

/** Sets this thread's nice value; answers why it could not, if so. */
function lowerPriority(nice) {
  if (nice === 0) return undefined;
  // Elsewhere (macOS, Windows) a priority belongs to the whole process: leave it alone.
  if (process.platform !== 'linux') return `a nice value per thread needs Linux (here: ${process.platform}); hashing runs at the server's priority`;
  try {
    // pid 0 is the calling thread on Linux (setpriority(2), NOTES).
    setPriority(0, nice);
    return undefined;
  } catch (error) {
    return `could not set nice ${nice} on the hashing thread ${threadId}: ${error.message}`;
  }
}

const problem = lowerPriority(workerData.nice);
parentPort.postMessage({ ready: true, ...ownThread(), problem });
parentPort.on('message', (request) => {
  let reply;
  try {
    if (request.op === 'hash') {
      const { memoryCost, timeCost, parallelism } = request.parameters;
      reply = { id: request.id, value: hashSync(request.password, { algorithm: ARGON2ID, memoryCost, timeCost, parallelism }) };
    } else {
      reply = { id: request.id, value: verifySync(request.hash, request.password) };
    }
  } catch (error) {
    reply = { id: request.id, error: error.message };
  }
  parentPort.postMessage(reply);
});
