// The threads that compute password hashes (src/crypto/hash-worker.mjs): each a
// worker thread of its own at a lowered CPU priority (IAM_HASH_PRIORITY), started when
// the first hash is asked for and kept, one hash at a time each. How many run at
// once is the password-hash pool's affair (src/crypto/hash-pool.ts): a hash waits
// here only if more are asked for than there are threads.
import { Worker } from 'node:worker_threads';

// The messages to and from a thread (src/crypto/hash-worker.mjs, plain JavaScript).

/**
 * A hashing thread's CPU priority (Linux only, where it is per thread): `idle`, the
 * SCHED_IDLE policy (the thread runs only on a core with nothing else to run), or a
 * nice value from 0 (the server's own priority) to 19.
 */
export type HashPriority = 'idle' | number;

/** What the thread is told at start. */
interface HashWorkerData {
  priority: HashPriority;
}

/** argon2id parameters of a new hash (src/crypto/passwords.ts). */
export interface HashParameters {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

type HashRequest = { id: number; op: 'hash'; password: string; parameters: HashParameters } | { id: number; op: 'verify'; hash: string; password: string };

type HashReply = { id: number; value: string | boolean } | { id: number; error: string };

/** A thread's first message: where it runs and at which priority, so the pool can check and report it. */
export interface HashWorkerReady {
  ready: true;
  /** The thread's id in the kernel (Linux: /proc/self/task/<tid>), when it could be read. */
  tid: number | undefined;
  nice: number | undefined;
  /** Whether it runs under SCHED_IDLE. */
  idle: boolean | undefined;
  /** Why the priority could not be set, when it could not. */
  problem: string | undefined;
}

export interface HashThreadsOptions {
  /** Threads at most (the pool's concurrency). */
  threads: number;
  /** The priority each thread sets on itself. */
  priority: HashPriority;
  /** Told once per thread started: its kernel id, its priority, and why it could not be set, if so. */
  onStarted?: (thread: HashWorkerReady) => void;
}

/** A request as the caller makes it: its id is the thread's affair. */
type Job = { op: 'hash'; password: string; parameters: HashParameters } | { op: 'verify'; hash: string; password: string };

interface Pending {
  job: Job;
  resolve: (value: string | boolean) => void;
  reject: (error: Error) => void;
}

/**
 * A hash that no thread could compute: the thread stopped (its binary could not be loaded, it
 * crashed, or the hasher was closed). Unlike a hash that cannot be read, never a wrong password.
 */
export class HashThreadError extends Error {}

/** The worker's file beside this one, in src/ and in dist/ (scripts/build.mjs copies it). */
const WORKER_URL = new URL('./hash-worker.mjs', import.meta.url);

class HashThread {
  readonly worker: Worker;
  readonly started: Promise<HashWorkerReady>;
  /** The job under way, if any. */
  private current: (Pending & { id: number }) | undefined;
  private nextId = 0;
  private gone = false;

  constructor(priority: HashPriority, onGone: (thread: HashThread) => void) {
    const workerData: HashWorkerData = { priority };
    this.worker = new Worker(WORKER_URL, { workerData, stdout: false, stderr: false });
    // Idle threads do not keep the process alive; a thread at work does (see run).
    this.worker.unref();
    let onReady!: (ready: HashWorkerReady) => void;
    this.started = new Promise((resolve) => (onReady = resolve));
    this.worker.on('message', (message: HashReply | HashWorkerReady) => {
      if ('ready' in message) return onReady(message);
      const current = this.current;
      if (!current || current.id !== message.id) return;
      this.current = undefined;
      this.worker.unref();
      if ('error' in message) current.reject(new Error(message.error));
      else current.resolve(message.value);
    });
    const end = (error: Error) => {
      if (this.gone) return;
      this.gone = true;
      this.current?.reject(error);
      this.current = undefined;
      onGone(this);
    };
    this.worker.on('error', (error) => end(new HashThreadError(`the password-hashing thread failed: ${error.message}`, { cause: error })));
    this.worker.on('exit', (code) => end(new HashThreadError(`the password-hashing thread stopped (exit code ${code})`)));
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  run(pending: Pending): void {
    const id = ++this.nextId;
    this.current = { ...pending, id };
    this.worker.ref();
    const request: HashRequest = { id, ...pending.job };
    this.worker.postMessage(request);
  }
}

export class HashThreads {
  private readonly threads = new Set<HashThread>();
  private readonly waiting: Pending[] = [];
  private closed = false;

  constructor(private readonly options: HashThreadsOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`threads must be a positive integer, got ${options.threads}`);
    const { priority } = options;
    if (priority !== 'idle' && (!Number.isInteger(priority) || priority < 0 || priority > 19)) throw new RangeError(`priority must be idle or a nice value from 0 to 19, got ${priority}`);
  }

  /** An argon2id hash of `password` as a PHC string, parameters in the reference order (`m=…,t=…,p=…`). */
  async hash(password: string, parameters: HashParameters): Promise<string> {
    return (await this.submit({ op: 'hash', password, parameters })) as string;
  }

  /** Whether `password` matches the PHC string `hash`; rejects when `hash` cannot be read, or with HashThreadError when no thread could check it. */
  async verify(hash: string, password: string): Promise<boolean> {
    return (await this.submit({ op: 'verify', hash, password })) as boolean;
  }

  /** What each running thread reported at start (kernel id, priority, a problem), waiting for those still starting. */
  async started(): Promise<HashWorkerReady[]> {
    return Promise.all([...this.threads].map((thread) => thread.started));
  }

  /** Stops every thread; hashes under way or waiting are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.waiting.splice(0)) pending.reject(new HashThreadError('the password hasher is closed'));
    await Promise.all([...this.threads].map((thread) => thread.worker.terminate()));
  }

  private submit(job: Job): Promise<string | boolean> {
    if (this.closed) return Promise.reject(new HashThreadError('the password hasher is closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  /** Hands waiting jobs to idle threads, starting threads up to the limit. */
  private dispatch(): void {
    while (this.waiting.length > 0) {
      let thread = [...this.threads].find((t) => !t.busy);
      if (!thread && this.threads.size < this.options.threads) thread = this.startThread();
      if (!thread) return;
      const pending = this.waiting.shift()!;
      thread.run({
        job: pending.job,
        resolve: (value) => (pending.resolve(value), this.dispatch()),
        reject: (error) => (pending.reject(error), this.dispatch()),
      });
    }
  }

  private startThread(): HashThread {
    const thread = new HashThread(this.options.priority, (gone) => {
      // A thread that stopped (it never should) is replaced by the next job's.
      this.threads.delete(gone);
      if (!this.closed) this.dispatch();
    });
    this.threads.add(thread);
    const { onStarted } = this.options;
    if (onStarted) void thread.started.then(onStarted);
    return thread;
  }
}
