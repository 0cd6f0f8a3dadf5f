// A real server on a real (fresh) database, reached over HTTP, for end-to-end tests.
import { randomBytes } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { createDb, type Db } from '../../src/db/client.js';
import { createLogger, type DestinationStream } from '../../src/log.js';
import { startService, type RunningService } from '../../src/server.js';
import { CreateAccountDocument, SignInDocument } from '../generated/graphql.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { noteSecret, noteSecretsIn } from './secrets.js';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789';
export const ROOT_PASSWORD = 'Root-Passw0rd!x';

export interface GraphQLResponse<T = unknown> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string; [detail: string]: unknown } }>;
}

/**
 * An operation the tests send: a typed document from test/operations/ (its variables and
 * result types come with it), or raw text for what no document describes (a malformed or
 * schema-generated query, a variable of the wrong type).
 */
export type Operation<TResult, TVariables> = TypedDocumentNode<TResult, TVariables> | string;

export interface TestServer {
  url: string;
  origin: string;
  db: Db;
  service: RunningService;
  /**
   * Sends one GraphQL operation; `token` goes into `Authorization: Bearer`. A typed document's
   * result has its generated type; raw text's is `unknown` (a test of raw text reads its errors).
   */
  gql<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token?: string): Promise<GraphQLResponse<TResult>>;
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<unknown>>;
  /** Like gql but throws on errors and returns `data`. */
  ok<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token?: string): Promise<TResult>;
  ok(query: string, variables?: Record<string, unknown>, token?: string): Promise<unknown>;
  /** Sends an operation and returns the first error's code (throws if it succeeded). */
  errorCode<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token?: string): Promise<string | undefined>;
  errorCode(query: string, variables?: Record<string, unknown>, token?: string): Promise<string | undefined>;
  /** The SQL statements sent so far, when started with `countQueries` (clear it with `.length = 0`). */
  queries: string[];
  /** Creates an account and signs its root user in. */
  newAccount(name?: string): Promise<{ accountId: string; email: string; token: string }>;
  close(): Promise<void>;
}

/**
 * One server for the calling test file: started before its first test, closed
 * after its last. The returned handle forwards to that server (use it inside
 * tests and hooks, not at the top level of the file). `clock`: the time the service
 * reads (a ManualClock lets a test move it instead of sleeping).
 */
export function useTestServer(env: Record<string, string> = {}, { clock, logs }: { clock?: Clock; logs?: DestinationStream } = {}): TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await startTestServer(env, { clock, logs });
  });
  afterAll(async () => {
    await server?.close();
  });
  return new Proxy({} as TestServer, {
    get(_target, property) {
      if (!server) throw new Error('the test server is used before beforeAll started it');
      const value = Reflect.get(server, property, server);
      return typeof value === 'function' ? value.bind(server) : value;
    },
  });
}

/**
 * Starts the service on a fresh database and a free port; `countQueries` records every SQL
 * statement its client sends; `clock` is the time it reads; `logs` receives its log lines.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  { countQueries = false, clock, logs }: { countQueries?: boolean; clock?: Clock; logs?: DestinationStream } = {},
): Promise<TestServer> {
  const database: TestDatabase = await createTestDatabase();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    IAM_OPERATOR_TOKEN: OPERATOR_TOKEN,
    // Logged to a file of the run, where the run's teardown looks for every secret the tests used (./secrets.ts).
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'debug',
    DATABASE_URL: database.url,
    ...env,
  });
  const logDir = inject('logDir');
  noteSecret(logDir, OPERATOR_TOKEN);
  const logFile = logs ? undefined : pino.destination({ dest: join(logDir, `server-${process.pid}-${++servers}.ndjson`), sync: true, mkdir: true });
  const logger = createLogger(config.logLevel, logs ?? logFile);
  const queries: string[] = [];
  const db = createDb(database.url, { poolSize: 5, ...(countQueries ? { onQuery: (sql: string) => queries.push(sql) } : {}) });
  const service = await startService({ config, db, logger, masterKey: randomBytes(32).toString('base64url'), clock });
  const origin = service.url.replace(/\/graphql$/, '');

  const gql = async (query: string | DocumentNode, variables?: unknown, token?: string): Promise<GraphQLResponse<unknown>> => {
    noteSecretsIn(logDir, variables);
    if (token) noteSecret(logDir, token);
    const response = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: textOf(query), variables }),
    });
    const answer = (await response.json()) as GraphQLResponse<unknown>;
    noteSecretsIn(logDir, answer);
    return answer;
  };
  const ok = async (query: string | DocumentNode, variables?: unknown, token?: string): Promise<unknown> => {
    const result = await gql(query, variables, token);
    if (result.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
  const errorCode = async (query: string | DocumentNode, variables?: unknown, token?: string): Promise<string | undefined> => {
    const result = await gql(query, variables, token);
    if (!result.errors?.length) throw new Error(`Expected an error, got ${JSON.stringify(result.data)}`);
    return result.errors[0]!.extensions?.code;
  };
  const typedOk = ok as TestServer['ok'];
  const newAccount: TestServer['newAccount'] = async (name = 'Test') => {
    const email = `root-${randomBytes(4).toString('hex')}@example.com`;
    const created = await typedOk(CreateAccountDocument, { input: { accountName: name, email, password: ROOT_PASSWORD } }, OPERATOR_TOKEN);
    const signedIn = await typedOk(SignInDocument, { input: { email, password: ROOT_PASSWORD } });
    return { accountId: created.createAccount.accountId, email, token: signedIn.signIn.sessionToken };
  };
  return {
    url: service.url,
    origin,
    db,
    service,
    gql: gql as TestServer['gql'],
    ok: typedOk,
    errorCode: errorCode as TestServer['errorCode'],
    queries,
    newAccount,
    async close() {
      await service.close();
      await db.$disconnect();
      await database.drop();
      logFile?.end();
    },
  };
}

/** Test servers started by this worker, numbering their log files. */
let servers = 0;

const printed = new WeakMap<DocumentNode, string>();

/** The text sent for an operation (a document is printed once), for tests that post their own requests. */
export function textOf(query: string | DocumentNode): string {
  if (typeof query === 'string') return query;
  let text = printed.get(query);
  if (text === undefined) {
    text = print(query);
    printed.set(query, text);
  }
  return text;
}

/**
 * The same document with its variables unchecked by the compiler: for a test that sends
 * what the schema refuses (an unknown enum value, a wrong type) to see the server refuse it.
 */
export function unchecked<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>): TypedDocumentNode<TResult, Record<string, unknown>> {
  return document as TypedDocumentNode<TResult, unknown> as TypedDocumentNode<TResult, Record<string, unknown>>;
}

/**
 * The response with `data` narrowed to one of its fields: lets a table treat alike operations
 * whose results differ only in their top-level field (`getUserPolicy`, `getGroupPolicy`, ...).
 */
export function fieldOf<T, K extends keyof T>(key: K): (response: GraphQLResponse<T>) => GraphQLResponse<T[K]> {
  return (response) => ({ errors: response.errors, data: response.data?.[key] });
}
