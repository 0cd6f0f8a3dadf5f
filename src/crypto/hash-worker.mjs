// A password-hashing thread (started by src/crypto/hash-threads.ts, which declares the
// messages' types). It lowers its own CPU priority first, then computes argon2
// synchronously, so the work runs on this thread and nowhere else. On Linux a
// scheduling policy and a nice value belong to a thread:
//  - `idle` puts the thread under SCHED_IDLE (with util-linux's `chrt`, as Node has no
//    call for sched_setscheduler): it runs only on a core that has nothing else to run,
//    and any other thread that wakes there takes the core from it at once, which nice 19
//    does not do (a thread at nice 19 keeps the core for its time slice, and a request's
//    every wake-up may wait behind it). Where it cannot be set, nice 19;
//  - a number is a nice value (0: the server's own priority).
// While the CPU is idle a hash runs at full speed either way. The `argon2` package could
// not do this: it hashes on libuv's threadpool, which fs and WebCrypto share, and which
// cannot be lowered without slowing them too.
// Plain JavaScript, copied to dist/ as it is: every Node runs it as written, from the
// sources (tests, tsx) and from dist/ alike, with no TypeScript loader in the thread.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { hashSync, verifySync } from '@node-rs/argon2';

/** argon2id in @node-rs/argon2's `Algorithm`. */
const ARGON2ID = 2;

/** SCHED_IDLE's number in sched(7), and the nice value used where it cannot be set. */
const SCHED_IDLE = 5;
const NICE_INSTEAD_OF_IDLE = 19;

/** This thread's kernel id, nice value and scheduling policy, from /proc/thread-self/stat (Linux); undefined elsewhere. */
function ownThread() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    // pid (here the thread's id) is field 1 of proc(5), nice field 19, policy field 41.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid: Number(stat.slice(0, stat.indexOf(' '))), nice: Number(fields[16]), idle: Number(fields[38]) === SCHED_IDLE };
  } catch {
    return { tid: undefined, nice: undefined, idle: undefined };
  }
}

/** Sets this thread's nice value; answers why it could not, if so. */
function setNice(nice) {
  try {
    // pid 0 is the calling thread on Linux (setpriority(2), NOTES).
    setPriority(0, nice);
    return undefined;
  } catch (error) {
    return `could not set nice ${nice} on the hashing thread ${threadId}: ${error.message}`;
  }
}

/** Puts this thread under SCHED_IDLE; answers why it could not, if so. Lowering one's own policy needs no privilege. */
function setIdle() {
  const { tid } = ownThread();
  if (tid === undefined) return 'the thread\'s kernel id could not be read from /proc';
  try {
    execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'pipe', timeout: 5_000 });
  } catch (error) {
    return `could not put the hashing thread ${threadId} under SCHED_IDLE with chrt (util-linux): ${error.code === 'ENOENT' ? 'chrt is not installed' : String(error.stderr || error.message).trim()}`;
  }
  return ownThread().idle ? undefined : `chrt ran, but the hashing thread ${threadId} is not under SCHED_IDLE`;
}

/** Lowers this thread's priority as configured; answers why it could not, if so. */
function lowerPriority(priority) {
  if (priority === 0) return undefined;
  // Elsewhere (macOS, Windows) a priority belongs to the whole process: leave it alone.
  if (process.platform !== 'linux') return `a priority per thread needs Linux (here: ${process.platform}); hashing runs at the server's priority`;
  if (priority !== 'idle') return setNice(priority);
  const problem = setIdle();
  if (problem === undefined) return undefined;
  return `${problem}; hashing at nice ${NICE_INSTEAD_OF_IDLE} instead${setNice(NICE_INSTEAD_OF_IDLE) ? ' (which failed too)' : ''}`;
}

const problem = lowerPriority(workerData.priority);
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
