// Two server processes on one database: this test's process runs one service,
// a child OS process runs the real entry point (dist/main.js, as `npm start`) as a second one.
// Changes made through either reach the other through Postgres LISTEN/NOTIFY.
// The writer's own process applies a change before answering the mutation, so
// its next request needs no wait; the other process learns it when the
// notification arrives, so those checks poll for at most PROPAGATION_MS.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeFeed } from '../src/auth/change-feed.js';
import { NOTIFICATIONS_APPLICATION, NotificationBus } from '../src/db/notifications.js';
import { loadConfig } from '../src/config.js';
import { createDb, type Db } from '../src/db/client.js';
import { createLogger } from '../src/log.js';
import { startService, type RunningService } from '../src/server.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { mainArgs } from './support/main.js';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  CreateAccountDocument,
  CreateLoginProfileDocument,
  CreateUserDocument,
  DeleteUserPolicyDocument,
  GenerateCredentialReportDocument,
  GenerateServiceLastAccessedDetailsDocument,
  GetCredentialReportDocument,
  GetServiceLastAccessedDetailsDocument,
  ListUserNamesDocument,
  PutUserPolicyDocument,
  SignInDocument,
  SignOutDocument,
  UpdateLoginProfileDocument,
} from './generated/graphql.js';
import { OPERATOR_TOKEN, ROOT_PASSWORD, textOf, type GraphQLResponse } from './support/server.js';

/** Longest wait for a change made in one process to reach the other (delivery is normally a few ms). */
const PROPAGATION_MS = 2_000;
const MASTER_KEY = randomBytes(32).toString('base64url');
const ISSUER = 'http://open-iam.test';
const USER_PASSWORD = 'Users-Passw0rd-Long!';

let database: TestDatabase;
let db: Db;
let one: RunningService;
let child: ChildProcess;
let twoUrl: string;
/** SQL sent by process one's Prisma client. */
const sqlSeen: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  const env = { HOST: '127.0.0.1', IAM_OPERATOR_TOKEN: OPERATOR_TOKEN, IAM_ISSUER: ISSUER, IAM_MASTER_KEY: MASTER_KEY, DATABASE_URL: database.url, LOG_LEVEL: 'silent' };
  const config = loadConfig({ ...env, PORT: '0' });
  db = createDb(database.url, { poolSize: 5, onQuery: (sql) => sqlSeen.push(sql) });
  one = await startService({ config, db, logger: createLogger(config.logLevel), masterKey: MASTER_KEY });
  const port = await freePort();
  child = spawn(process.execPath, mainArgs(), { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  twoUrl = `http://127.0.0.1:${port}/graphql`;
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status === 200, 60_000, () => `second process not ready: ${stderr}`);
});

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await one?.close();
  await db?.$disconnect();
  await database?.drop();
});

describe('two server processes on one database', () => {
  it('applies a policy change made through one process to the next request of both', async () => {
    const root = await newAccount(one.url);
    const alice = await userWithListUsers(one.url, root, 'alice');
    // Both processes have now cached alice's session and compiled policies.
    expect(await listUsersError(one.url, alice)).toBeUndefined();
    expect(await listUsersError(twoUrl, alice)).toBeUndefined();

    await ok(one.url, DeleteUserPolicyDocument, { input: { userName: 'alice', policyName: 'list' } }, root.token);
    expect(await listUsersError(one.url, alice)).toBe('AccessDenied');
    await eventually(async () => expect(await listUsersError(twoUrl, alice)).toBe('AccessDenied'));

    await putListPolicy(twoUrl, root.token, 'alice');
    expect(await listUsersError(twoUrl, alice)).toBeUndefined();
    await eventually(async () => expect(await listUsersError(one.url, alice)).toBeUndefined());
  });

  it('answers the access reports generated through the other process', async () => {
    const root = await newAccount(one.url);
    await ok(one.url, CreateUserDocument, { input: { userName: 'reported' } }, root.token);
    expect((await ok(one.url, GenerateCredentialReportDocument, {}, root.token)).generateCredentialReport.state).toBe('STARTED');
    const report = await ok(twoUrl, GetCredentialReportDocument, {}, root.token);
    expect(report.getCredentialReport.content).toMatch(/\nreported,/);
    expect((await ok(twoUrl, GenerateCredentialReportDocument, {}, root.token)).generateCredentialReport.state).toBe('COMPLETE');

    const arn = `arn:aws:iam::${root.accountId}:user/reported`;
    const { generateServiceLastAccessedDetails } = await ok(twoUrl, GenerateServiceLastAccessedDetailsDocument, { input: { arn } }, root.token);
    const job = await ok(one.url, GetServiceLastAccessedDetailsDocument, { input: { jobId: generateServiceLastAccessedDetails.jobId } }, root.token);
    expect(job.getServiceLastAccessedDetails).toMatchObject({ jobStatus: 'COMPLETED' });
    expect(new Date(job.getServiceLastAccessedDetails.jobCreationDate).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('shares one sign-in budget: wrong passwords sent to both processes add up', async () => {
    const root = await newAccount(one.url);
    await userWithListUsers(one.url, root, 'guessed');
    const attempt = (url: string, password: string) =>
      code(url, SignInDocument, { input: { accountId: root.accountId, userName: 'guessed', password } });
    // The per-user-and-client threshold is 5: three failures here, two there.
    for (let i = 0; i < 3; i++) expect(await attempt(one.url, 'Wrong-Passw0rd!')).toBe('InvalidClientTokenId');
    for (let i = 0; i < 2; i++) expect(await attempt(twoUrl, 'Wrong-Passw0rd!')).toBe('InvalidClientTokenId');
    await eventually(async () => expect(await attempt(one.url, 'Wrong-Passw0rd!')).toBe('Throttling'));
    // Locked out in both, even with the right password.
    expect(await attempt(twoUrl, USER_PASSWORD)).toBe('Throttling');
    expect(await attempt(one.url, USER_PASSWORD)).toBe('Throttling');
  });

  it('admits at most the threshold of a concurrent burst split over both processes', async () => {
    const root = await newAccount(one.url);
    await userWithListUsers(one.url, root, 'burst');
    const attempt = (url: string) =>
      code(url, SignInDocument, { input: { accountId: root.accountId, userName: 'burst', password: 'Wrong-Passw0rd!' } });
    // Twenty wrong passwords at once, ten at each process: each would let five through on its own counts.
    const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(i % 2 === 0 ? one.url : twoUrl)));
    expect(codes.filter((c) => c === 'InvalidClientTokenId').length).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c !== 'InvalidClientTokenId').every((c) => c === 'Throttling')).toBe(true);
    expect(await attempt(twoUrl)).toBe('Throttling');
  });

  it('keeps a sign-in\'s throttle to two statements, its claim and its outcome, and no transaction', async () => {
    const root = await newAccount(one.url);
    await userWithListUsers(one.url, root, 'counted');
    const attempt = (password: string) => code(one.url, SignInDocument, { input: { accountId: root.accountId, userName: 'counted', password } });
    for (const [password, outcome] of [[USER_PASSWORD, undefined], ['Wrong-Passw0rd!', 'InvalidClientTokenId']] as const) {
      sqlSeen.length = 0;
      expect(await attempt(password)).toBe(outcome);
      // (A prune of old rows, once a minute, may run beside them: it names no attempt.)
      const throttle = sqlSeen.filter((sql) => /iam_claim_sign_in|"attemptId"/.test(sql));
      expect(throttle).toHaveLength(2);
      expect(throttle[0]).toMatch(/iam_claim_sign_in/);
      expect(throttle[1]).toMatch(outcome ? /INSERT INTO "SignInFailure"/ : /DELETE FROM "SignInFailure"/);
      expect(sqlSeen.filter((sql) => /^\s*(BEGIN|COMMIT)\b/.test(sql))).toEqual([]);
    }
  });

  it('refuses a session revoked through the other process', async () => {
    const root = await newAccount(one.url);
    const alice = await userWithListUsers(one.url, root, 'alice');
    const other = await signIn(one.url, root.accountId, 'alice');
    expect(await listUsersError(twoUrl, alice)).toBeUndefined();
    expect(await listUsersError(one.url, other)).toBeUndefined();

    await ok(one.url, SignOutDocument, {}, alice);
    expect(await listUsersError(one.url, alice)).toBe('InvalidClientTokenId');
    await eventually(async () => expect(await listUsersError(twoUrl, alice)).toBe('InvalidClientTokenId'));
    expect(await listUsersError(twoUrl, other)).toBeUndefined();

    // A user-wide revocation (a password set by an administrator) updates many rows at once.
    const third = await signIn(one.url, root.accountId, 'alice');
    expect(await listUsersError(one.url, third)).toBeUndefined();
    await ok(twoUrl, UpdateLoginProfileDocument, { input: { userName: 'alice', password: 'Another-Passw0rd-Long!' } }, root.token);
    expect(await listUsersError(twoUrl, other)).toBe('InvalidClientTokenId');
    await eventually(async () => {
      expect(await listUsersError(one.url, other)).toBe('InvalidClientTokenId');
      expect(await listUsersError(one.url, third)).toBe('InvalidClientTokenId');
    });
  });

  it('stays correct while its listening connection is down, and listens again', async () => {
    const root = await newAccount(one.url);
    const alice = await userWithListUsers(one.url, root, 'alice');
    expect(await listUsersError(one.url, alice)).toBeUndefined();
    const feed = one.deps.changeFeed!;
    expect(feed.live).toBe(true);

    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      // Cut both processes' listening connections; each reconnects on its own.
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`, [NOTIFICATIONS_APPLICATION]);
      await waitFor(async () => !feed.live, PROPAGATION_MS, () => 'feed still live');
      // While down, process one reads the database on every request: a change elsewhere applies at once.
      await ok(twoUrl, DeleteUserPolicyDocument, { input: { userName: 'alice', policyName: 'list' } }, root.token);
      expect(await listUsersError(one.url, alice)).toBe('AccessDenied');
      await waitFor(async () => feed.live, 10_000, () => 'feed did not reconnect');
      await putListPolicy(twoUrl, root.token, 'alice');
      await eventually(async () => expect(await listUsersError(one.url, alice)).toBeUndefined());
      expect(await listUsersError(twoUrl, alice)).toBeUndefined();
    } finally {
      await admin.end();
    }
  });

  it('answers a known session from memory: no query reads its session row again', async () => {
    const root = await newAccount(one.url);
    const alice = await userWithListUsers(one.url, root, 'alice');
    await ok(one.url, ListUserNamesDocument, { first: 5 }, alice);
    sqlSeen.length = 0;
    for (let i = 0; i < 5; i++) await ok(one.url, ListUserNamesDocument, { first: 5 }, alice);
    expect(sqlSeen.filter((sql) => /"Session"|"Account"/.test(sql))).toEqual([]);
    expect(sqlSeen.length).toBeGreaterThan(0); // the listUsers queries themselves
  });
});

describe('the change feed', () => {
  it('keeps a revocation and a newer epoch that arrive while a session row is being read', async () => {
    const root = await newAccount(one.url);
    const bus = new NotificationBus(database.url, createLogger('silent'));
    const feed = new ChangeFeed(bus);
    await bus.start();
    try {
      const row = await db.session.findFirstOrThrow({ where: { accountId: root.accountId }, include: { account: { select: { policyEpoch: true } } } });
      const generation = feed.generation;
      // Committed after the read, before its result is remembered.
      await db.session.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
      await db.account.update({ where: { id: root.accountId }, data: { policyEpoch: { increment: 1 } } });
      await feed.sync();
      feed.remember(generation, row, false, row.account.policyEpoch);
      expect(feed.isRevoked(row.id)).toBe(true);
      expect(feed.epochOf(root.accountId)).toBe(row.account.policyEpoch + 1);
    } finally {
      await bus.stop();
    }
  });

  it('forgets what it knew when it listens again, and ignores reads begun before', async () => {
    const root = await newAccount(one.url);
    const bus = new NotificationBus(database.url, createLogger('silent'));
    const feed = new ChangeFeed(bus);
    await bus.start();
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const row = await db.session.findFirstOrThrow({ where: { accountId: root.accountId }, include: { account: { select: { policyEpoch: true } } } });
      feed.remember(feed.generation, row, false, row.account.policyEpoch);
      expect(feed.session(row.id)?.id).toBe(row.id);
      const before = feed.generation;
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`, [NOTIFICATIONS_APPLICATION]);
      await waitFor(async () => !feed.live, PROPAGATION_MS, () => 'feed still live');
      await waitFor(async () => feed.live, 10_000, () => 'feed did not reconnect');
      expect(feed.session(row.id)).toBeUndefined();
      expect(feed.epochOf(root.accountId)).toBeUndefined();
      feed.remember(before, row, false, row.account.policyEpoch);
      expect(feed.session(row.id)).toBeUndefined();
    } finally {
      await admin.end();
      await bus.stop();
    }
  });
});

const LIST_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:ListUsers'], Resource: '*' }] });

/** Sends one operation to the process at `url`. */
async function gql<TResult, TVariables>(url: string, document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token?: string): Promise<GraphQLResponse<TResult>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: textOf(document), variables }),
  });
  return (await response.json()) as GraphQLResponse<TResult>;
}

/** Like gql but throws on errors and returns `data`. */
async function ok<TResult, TVariables>(url: string, document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token?: string): Promise<TResult> {
  const result = await gql(url, document, variables, token);
  if (result.errors?.length || !result.data) throw new Error(`GraphQL error: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** The first error code, or undefined when the operation succeeded. */
async function code<TResult, TVariables>(url: string, document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token?: string): Promise<string | undefined> {
  return (await gql(url, document, variables, token)).errors?.[0]?.extensions?.code;
}

/** The first error code of listing users as `token`, or undefined when allowed. */
function listUsersError(url: string, token: string): Promise<string | undefined> {
  return code(url, ListUserNamesDocument, { first: 5 }, token);
}

/** Gives `userName` the inline policy "list", which allows iam:ListUsers. */
async function putListPolicy(url: string, token: string, userName: string): Promise<void> {
  await ok(url, PutUserPolicyDocument, { input: { userName, policyName: 'list', policyDocument: LIST_POLICY } }, token);
}

async function newAccount(url: string): Promise<{ accountId: string; token: string }> {
  const email = `root-${randomBytes(4).toString('hex')}@example.com`;
  const created = await ok(url, CreateAccountDocument, { input: { accountName: 'Two', email, password: ROOT_PASSWORD } }, OPERATOR_TOKEN);
  const signedIn = await ok(url, SignInDocument, { input: { email, password: ROOT_PASSWORD } });
  return { accountId: created.createAccount.accountId, token: signedIn.signIn.sessionToken };
}

/** A user allowed iam:ListUsers by an inline policy "list", signed in. */
async function userWithListUsers(url: string, root: { accountId: string; token: string }, userName: string): Promise<string> {
  await ok(url, CreateUserDocument, { input: { userName } }, root.token);
  await ok(url, CreateLoginProfileDocument, { input: { userName, password: USER_PASSWORD } }, root.token);
  await putListPolicy(url, root.token, userName);
  return signIn(url, root.accountId, userName);
}

async function signIn(url: string, accountId: string, userName: string): Promise<string> {
  const data = await ok(url, SignInDocument, { input: { accountId, userName, password: USER_PASSWORD } });
  return data.signIn.sessionToken;
}

/** Retries `assertion` until it passes or PROPAGATION_MS have passed (then rethrows its error). */
async function eventually(assertion: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + PROPAGATION_MS;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, message: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
