// What a new user meets on a first `npm start` (issue 21): a server without an operator
// token says createAccount is off and how to turn it on; a request without a token is told
// to sign in (MissingAuthenticationToken), not that its token is invalid; a second server on
// the same data folder or Postgres port fails with Postgres's own reason and what to do; and
// Ctrl-C (SIGINT to the whole process group, the embedded Postgres too) stops it cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCallerIdentityArnDocument } from './generated/graphql.js';
import { mainArgs } from './support/main.js';
import { textOf, type GraphQLResponse } from './support/server.js';

const scratch = mkdtempSync(join(tmpdir(), 'open-iam-first-run-'));
// Traversable by the `postgres` user that runs the embedded Postgres when tests run as root.
chmodSync(scratch, 0o755);
const base = 45000 + Math.floor(Math.random() * 2000);
const children: ChildProcess[] = [];

// Builds dist/ first when src/ changed (slow on a busy machine), outside the tests' own time limits.
beforeAll(() => void mainArgs(), 600_000);

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

interface Server {
  proc: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

/** The compiled server (dist/main.js) as `npm start` runs it, with no operator token, in a process group of its own (a terminal's). */
function launch(dataDir: string, port: number, pgPort: number): Server {
  const { NODE_ENV: _test, IAM_OPERATOR_TOKEN: _operator, ...env } = process.env;
  const proc = spawn(process.execPath, mainArgs(), {
    env: { ...env, DATABASE_URL: '', PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), IAM_DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.push(proc);
  let output = '';
  proc.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  proc.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, output: () => output, exited };
}

async function listening(server: Server): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!server.output().includes('open-iam listening')) {
    if (server.proc.exitCode !== null) throw new Error(`server exited with ${server.proc.exitCode}:\n${server.output()}`);
    if (Date.now() > deadline) throw new Error(`server did not start:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves with the exit code, or fails after `ms`. */
function exitWithin(server: Server, ms: number): Promise<number | null> {
  return Promise.race([
    server.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running after ${ms} ms:\n${server.output()}`)), ms)),
  ]);
}

const STACK_FRAME = /\n\s+at |"stack":/;

describe('a first run from the command line', () => {
  const dataDir = join(scratch, 'first');
  const first = { port: base, pgPort: base + 1 };
  let server: Server;

  it('says at start-up that createAccount is disabled without an operator token, and how to enable it', async () => {
    server = launch(dataDir, first.port, first.pgPort);
    await listening(server);
    const said = () => server.output().split('\n').find((l) => l.includes('createAccount is disabled'));
    await expect.poll(said, { timeout: 10_000 }).toBeDefined();
    const line = said();
    expect(JSON.parse(line!)).toMatchObject({ level: 40 });
    expect(line).toContain('no one can sign in');
    expect(line).toContain('IAM_OPERATOR_TOKEN=');
    expect(line).toContain('Authorization: Bearer');
  }, 120_000);

  it('tells a request without a token to sign in (MissingAuthenticationToken), and a forged one that it is invalid', async () => {
    const ask = async (headers: Record<string, string>) => {
      const response = await fetch(`http://127.0.0.1:${first.port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: textOf(GetCallerIdentityArnDocument) }),
      });
      return ((await response.json()) as GraphQLResponse<unknown>).errors?.[0];
    };
    const missing = await ask({});
    expect(missing?.extensions?.code).toBe('MissingAuthenticationToken');
    expect(missing?.message).toMatch(/^Sign in first: send Authorization: Bearer <sessionToken>/);
    const forged = await ask({ authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln' });
    expect(forged).toMatchObject({ extensions: { code: 'InvalidClientTokenId' }, message: 'The security token included in the request is invalid.' });
  });

  it('refuses a second server on the same data folder with the reason Postgres gives', async () => {
    const second = launch(dataDir, base + 2, base + 3);
    expect(await exitWithin(second, 90_000)).toBe(1);
    const output = second.output();
    expect(output).toContain('embedded Postgres did not start');
    expect(output).toContain('lock file "postmaster.pid" already exists');
    expect(output).toContain('give this one its own IAM_DATA_DIR');
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toMatch(/^undefined$/m);
  }, 120_000);

  it('refuses a second server on the same Postgres port with the reason Postgres gives', async () => {
    const second = launch(join(scratch, 'second'), base + 4, first.pgPort);
    expect(await exitWithin(second, 90_000)).toBe(1);
    const output = second.output();
    expect(output).toContain('embedded Postgres did not start');
    expect(output).toMatch(/could not create any TCP\/IP sockets|Address already in use/);
    expect(output).toContain('EMBEDDED_PG_PORT');
    expect(output).not.toMatch(STACK_FRAME);
  }, 120_000);

  it('stops cleanly on Ctrl-C: SIGINT to its process group (Postgres included) exits 0 with no stack trace', async () => {
    const before = server.output().length;
    process.kill(-server.proc.pid!, 'SIGINT');
    expect(await exitWithin(server, 30_000)).toBe(0);
    const log = server.output().slice(before);
    expect(log).toContain('"msg":"stopped"');
    expect(log).not.toMatch(STACK_FRAME);
  }, 60_000);

  it('stops cleanly on Ctrl-C when Postgres got it first and is already gone (no wait for an exit already past)', async () => {
    server = launch(dataDir, first.port, first.pgPort);
    await listening(server);
    const before = server.output().length;
    // The postmaster's pid is line 1 of postmaster.pid; Postgres's fast shutdown drops the change feed's connection.
    const postmaster = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(postmaster, 'SIGINT');
    await expect.poll(() => existsSync(join(dataDir, 'pg', 'postmaster.pid')), { timeout: 15_000 }).toBe(false);
    process.kill(-server.proc.pid!, 'SIGINT');
    expect(await exitWithin(server, 30_000)).toBe(0);
    const log = server.output().slice(before);
    expect(log).toContain('"msg":"stopped"');
    expect(log).not.toMatch(STACK_FRAME);
  }, 150_000);
});
