// Backup and restore as an operator runs them: `npm run backup` while the server serves,
// `npm run restore` into a new data folder (or a new database), and a server started there
// that serves the old accounts: their passwords, their session tokens and their access keys.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrate, readMigrations } from '../src/db/migrate.js';
import {
  AttachUserPolicyDocument,
  CreateAccessKeyIdAndSecretDocument,
  CreateAccountDocument,
  CreateLoginProfileDocument,
  CreateUserDocument,
  GetUserNameAndArnDocument,
  SignInDocument,
} from './generated/graphql.js';
import { textOf, type GraphQLResponse } from './support/server.js';

const scratch = mkdtempSync(join(tmpdir(), 'open-iam-backup-'));
// The embedded clusters' folders are handed to the `postgres` user when tests run as root: it must reach them.
chmodSync(scratch, 0o755);
const operator = 'backup-operator-token-123456';
// Tokens name their issuer: a restored server keeps the old one's IAM_ISSUER, as a moved server would.
const issuer = 'http://iam.backup.test';
const running = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

/** The environment of a command run as an operator would, without vitest's NODE_ENV=test. */
function operatorEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const { NODE_ENV: _test, ...env } = process.env;
  return { ...env, DATABASE_URL: '', IAM_MASTER_KEY: '', IAM_OPERATOR_TOKEN: operator, IAM_ISSUER: issuer, LOG_LEVEL: 'warn', ...vars };
}

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run <script> -- <args>` and waits for it. */
function npmRun(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Ran> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npm', ['run', script, '--', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

/** A port nothing listens on now, as the system hands one out. */
function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePromise(port));
    });
  });
}

/** Starts `src/main.ts` as `npm start` does, on its own data folder and ports. */
async function startServer(dataDir: string): Promise<{ url: string; origin: string; child: ChildProcess }> {
  const [port, pgPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], {
    env: operatorEnv({ PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), IAM_DATA_DIR: dataDir, LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('open-iam listening')) {
        clearTimeout(timer);
        resolvePromise({ url: `http://127.0.0.1:${port}/graphql`, origin: `http://127.0.0.1:${port}`, child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise) => {
    child.removeAllListeners('exit');
    child.on('exit', () => {
      running.delete(child);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}

async function gql<TResult, TVariables>(url: string, document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token?: string): Promise<GraphQLResponse<TResult>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: textOf(document), variables }),
  });
  return (await response.json()) as GraphQLResponse<TResult>;
}

async function ok<TResult, TVariables>(url: string, document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token?: string): Promise<TResult> {
  const answer = await gql(url, document, variables, token);
  if (answer.errors) throw new Error(JSON.stringify(answer.errors));
  return answer.data!;
}

const awsConfig = (origin: string, credentials: { accessKeyId: string; secretAccessKey: string }) => ({ endpoint: origin, region: 'us-east-1', credentials, maxAttempts: 1 });

const mode = (path: string) => statSync(path).mode & 0o777;

describe('a backup of the embedded Postgres restored into a new data folder', () => {
  it('serves the old accounts: passwords, session tokens and access keys', async () => {
    const oldDir = join(scratch, 'old');
    const source = await startServer(oldDir);
    const email = 'backup@example.com';
    const rootPassword = 'Backup-Root-Passw0rd!';
    const alicePassword = 'Kept-Passw0rd-Long!';
    const { accountId } = (await ok(source.url, CreateAccountDocument, { input: { accountName: 'Kept', email, password: rootPassword } }, operator)).createAccount;
    const rootToken = (await ok(source.url, SignInDocument, { input: { email, password: rootPassword } })).signIn.sessionToken;
    await ok(source.url, CreateUserDocument, { input: { userName: 'alice' } }, rootToken);
    await ok(source.url, CreateLoginProfileDocument, { input: { userName: 'alice', password: alicePassword } }, rootToken);
    await ok(source.url, AttachUserPolicyDocument, { input: { userName: 'alice', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }, rootToken);
    const key = (await ok(source.url, CreateAccessKeyIdAndSecretDocument, { input: { userName: 'alice' } }, rootToken)).createAccessKey.accessKey;
    const aliceToken = (await ok(source.url, SignInDocument, { input: { accountId, userName: 'alice', password: alicePassword } })).signIn.sessionToken;

    // While the server serves: the backup reaches the cluster that server runs.
    const backupDir = join(scratch, 'backup');
    const started = Date.now();
    const backup = await npmRun('backup', ['--out', backupDir], operatorEnv({ IAM_DATA_DIR: oldDir }));
    const backupMs = Date.now() - started;
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toContain(`Backup written to ${backupDir}`);
    expect(backup.stderr).toContain('MASTER KEY');
    expect(mode(backupDir)).toBe(0o700);
    expect(mode(join(backupDir, 'master.key'))).toBe(0o600);
    expect(readFileSync(join(backupDir, 'master.key'), 'utf8')).toBe(readFileSync(join(oldDir, 'master.key'), 'utf8'));
    await stopServer(source.child);
    // Nothing of the old server is left: its cluster and its generated master key go.
    rmSync(oldDir, { recursive: true, force: true });

    const newDir = join(scratch, 'new');
    const restoreStarted = Date.now();
    const restore = await npmRun('restore', [backupDir], operatorEnv({ IAM_DATA_DIR: newDir, EMBEDDED_PG_PORT: String(await freePort()) }));
    const restoreMs = Date.now() - restoreStarted;
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`into the embedded Postgres in ${newDir}`);
    expect(mode(join(newDir, 'master.key'))).toBe(0o600);
    console.log(`backup ${backupMs} ms, restore ${restoreMs} ms (each through npm run)`);

    const restored = await startServer(newDir);
    // The passwords: a new sign-in of the root user and of alice.
    expect((await gql(restored.url, SignInDocument, { input: { email, password: rootPassword } })).data?.signIn.sessionToken).toBeTruthy();
    expect((await gql(restored.url, SignInDocument, { input: { accountId, userName: 'alice', password: alicePassword } })).data?.signIn.sessionToken).toBeTruthy();
    // The session tokens signed before the backup: their sessions and signing keys came back.
    const asAlice = await gql(restored.url, GetUserNameAndArnDocument, {}, aliceToken);
    expect(asAlice.errors).toBeUndefined();
    expect(asAlice.data!.getUser.user.arn).toBe(`arn:aws:iam::${accountId}:user/alice`);
    expect((await gql(restored.url, GetUserNameAndArnDocument, { input: { userName: 'alice' } }, rootToken)).errors).toBeUndefined();
    // The access key, through the AWS SDK: its sealed secret opens under the restored master key.
    const identity = await new STSClient(awsConfig(restored.origin, key)).send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:iam::${accountId}:user/alice`);
    const users = await new IAMClient(awsConfig(restored.origin, key)).send(new ListUsersCommand({}));
    expect(users.Users?.map((user) => user.UserName)).toEqual(['alice']);
    await stopServer(restored.child);
  }, 300_000);
});

describe('a backup of the database at DATABASE_URL', () => {
  const adminUrl = () => inject('adminUrl');
  const databases: string[] = [];

  async function admin<T>(work: (client: pg.Client) => Promise<T>, database = 'postgres'): Promise<T> {
    const url = new URL(adminUrl());
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  /** A new, empty database; its URL. */
  async function createDatabase(): Promise<string> {
    const name = `iam_backup_${randomBytes(4).toString('hex')}`;
    await admin((client) => client.query(`CREATE DATABASE ${name}`));
    databases.push(name);
    const url = new URL(adminUrl());
    url.pathname = `/${name}`;
    return url.toString();
  }

  afterAll(async () => {
    for (const name of databases) await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => {});
  });

  const masterKey = randomBytes(32).toString('base64url');
  const otherKey = randomBytes(32).toString('base64url');
  const dbEnv = (url: string, vars: Record<string, string> = {}) => operatorEnv({ DATABASE_URL: url, IAM_MASTER_KEY: masterKey, IAM_DATA_DIR: join(scratch, 'unused'), ...vars });

  it('restores a backup made before the latest migration and then applies it; refuses what it cannot restore, changing nothing', async () => {
    // A source at the previous migration, as a server of the previous version left it.
    const migrations = readMigrations();
    const previous = join(scratch, 'previous-migrations');
    mkdirSync(previous);
    for (const { name } of migrations.slice(0, -1)) cpSync(resolve('prisma/migrations', name), join(previous, name), { recursive: true });
    const sourceUrl = await createDatabase();
    await migrate(sourceUrl, previous);
    await admin(
      (client) => client.query(`INSERT INTO "Account" (id, name, email, "rootPasswordHash") VALUES ('123456789012', 'Old', 'old@example.com', 'hash')`),
      new URL(sourceUrl).pathname.slice(1),
    );

    const backupDir = join(scratch, 'url-backup');
    const backup = await npmRun('backup', ['--out', backupDir, '--without-master-key'], dbEnv(sourceUrl));
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stderr).toContain('holds NO master key');
    expect(existsSync(join(backupDir, 'master.key'))).toBe(false);

    const targetUrl = await createDatabase();
    const damaged = join(scratch, 'damaged-backup');
    cpSync(backupDir, damaged, { recursive: true });
    writeFileSync(join(damaged, 'data', 'Account.copy.gz'), gzipSync('999999999999\tEvil\t\\N\tevil@example.com\thash\t0\t2026-01-01 00:00:00\t\\N\n'));
    const [withoutKey, wrongKey, tampered, intoSource] = await Promise.all([
      // Without the key the backup's secrets cannot be opened: refused before the database is touched.
      npmRun('restore', [backupDir], dbEnv(targetUrl, { IAM_MASTER_KEY: '' })),
      npmRun('restore', [backupDir], dbEnv(targetUrl, { IAM_MASTER_KEY: otherKey })),
      // A damaged file is found before anything is written.
      npmRun('restore', [damaged], dbEnv(targetUrl)),
      // A database that is not empty is left alone.
      npmRun('restore', [backupDir], dbEnv(sourceUrl)),
    ]);
    expect([withoutKey.code, wrongKey.code, tampered.code, intoSource.code]).toEqual([1, 1, 1, 1]);
    expect(withoutKey.stderr).toContain('holds no master key');
    expect(wrongKey.stderr).toContain("IAM_MASTER_KEY is not the key this backup's secrets are sealed with");
    expect(tampered.stderr).toContain('does not match its checksum');
    expect(intoSource.stderr).toContain('The target database is not empty');
    const tablesOf = (url: string) =>
      admin(async (client) => (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`)).rows[0]!.n, new URL(url).pathname.slice(1));
    expect(await tablesOf(targetUrl)).toBe(0);

    const restore = await npmRun('restore', [backupDir], dbEnv(targetUrl));
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stdout).toContain(`Applied the migrations newer than the backup: ${migrations.at(-1)!.name}.`);
    const restored = await admin(async (client) => {
      const applied = await client.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY 1');
      const accounts = await client.query<{ id: string; email: string }>('SELECT id, email FROM "Account"');
      return { applied: applied.rows.map((row) => row.migration_name), accounts: accounts.rows };
    }, new URL(targetUrl).pathname.slice(1));
    expect(restored.applied).toEqual(migrations.map((migration) => migration.name));
    expect(restored.accounts).toEqual([{ id: '123456789012', email: 'old@example.com' }]);
  }, 120_000);
});
