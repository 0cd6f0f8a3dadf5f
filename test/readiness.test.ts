// Honest readiness: a server on its own embedded Postgres answers /readyz 200, turns
// 503 with the reason when Postgres stops (and stays up: requests answer errors, no
// unhandled 'error' event ends the process), logs the outage once, and is ready and
// serving again once Postgres is back on the same data folder and port.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createDb, type Db } from '../src/db/client.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { startService, type RunningService } from '../src/server.js';
import { CreateAccountDocument } from './generated/graphql.js';
import { textOf, type GraphQLResponse } from './support/server.js';

const OPERATOR_TOKEN = 'readiness-operator-token-0123456789';
const dataDir = mkdtempSync(join(tmpdir(), 'open-iam-readiness-'));
const pgPort = 45000 + Math.floor(Math.random() * 2000);
/** Every line the service logged, parsed. */
const logged: Array<{ level: number; msg: string }> = [];
const logger = pino(
  { level: 'info' },
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logged.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  }),
);

let postgres: EmbeddedPostgresHandle | undefined;
let db: Db;
let service: RunningService;
let base: string;

const startPostgres = () => startEmbeddedPostgres({ dir: dataDir, port: pgPort, database: 'iam' });

beforeAll(async () => {
  postgres = await startPostgres();
  await migrate(postgres.connectionString);
  db = createDb(postgres.connectionString, { poolSize: 5 });
  const config = loadConfig({ HOST: '127.0.0.1', PORT: '0', IAM_OPERATOR_TOKEN: OPERATOR_TOKEN, LOG_LEVEL: 'info' });
  service = await startService({ config, db, logger, masterKey: 'readiness-master-key-0123456789abcdef', databaseUrl: postgres.connectionString });
  base = service.url.replace(/\/graphql$/, '');
});

afterAll(async () => {
  await service?.close();
  await db?.$disconnect();
  await postgres?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function readyz(): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const response = await fetch(`${base}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
}

/** Polls /readyz until it answers `status`; fails after `ms`. */
async function readyzBecomes(status: number, ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await readyz();
    if (answer.status === status) return answer;
    if (Date.now() > deadline) throw new Error(`/readyz still answers ${answer.status} ${JSON.stringify(answer.body)} after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function gql<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>): Promise<GraphQLResponse<TResult>> {
  const response = await fetch(service.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${OPERATOR_TOKEN}` },
    body: JSON.stringify({ query: textOf(document), variables }),
  });
  return (await response.json()) as GraphQLResponse<TResult>;
}

const createAccount = (name: string) =>
  gql(CreateAccountDocument, { input: { accountName: name, email: `${name.toLowerCase()}@example.com`, password: 'Ready-Passw0rd-x!' } });
const count = (msg: string) => logged.filter((line) => line.msg === msg).length;

describe('/readyz while Postgres stops and comes back', () => {
  it('answers 200 ready while the database and the change feed are up', async () => {
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });
    expect((await createAccount('Before')).errors).toBeUndefined();
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
  });

  it('answers 503 with the reason within seconds of Postgres stopping, and requests answer errors', async () => {
    await postgres!.stop();
    postgres = undefined;
    const down = await readyzBecomes(503, 5_000);
    expect(down.body).toEqual({ status: 'unavailable', reason: 'database unreachable' });
    // The process is alive and answers: a request that needs the database fails, as an error.
    const during = await createAccount('During');
    expect(during.errors?.[0]?.extensions?.code).toBe('ServiceFailure');
    // Liveness is not readiness.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    // Many readiness calls in a row: still one outage in the log.
    await Promise.all(Array.from({ length: 20 }, () => readyz()));
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await readyz()).status).toBe(503);
    expect(count('database unreachable: /readyz answers 503 until it is back')).toBe(1);
    expect(count('change feed: not listening; authenticating from the database and reconnecting')).toBe(1);
    // A request that fails for want of the database is part of the outage, not an error of its own.
    await Promise.all(Array.from({ length: 5 }, (_, i) => createAccount(`During${i}`)));
    expect(logged.filter((line) => line.level >= 50)).toEqual([]);
  });

  it('answers 200 again once Postgres is back on the same data folder and port, and requests work', async () => {
    postgres = await startPostgres();
    // The change feed reconnects with backoff (at most 5 s between attempts).
    expect((await readyzBecomes(200, 15_000)).body).toEqual({ status: 'ready' });
    const after = await createAccount('After');
    expect(after.errors).toBeUndefined();
    expect(after.data?.createAccount.accountName).toBe('After');
    expect(count('database reachable again')).toBe(1);
    expect(count('change feed: listening again')).toBe(1);
    expect(count('database unreachable: /readyz answers 503 until it is back')).toBe(1);
  }, 30_000);
});
