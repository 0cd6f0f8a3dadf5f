// The server as a user runs it (`npm start`: dist/main.js, compiled from src/): with
// no DATABASE_URL it starts an embedded Postgres in its data folder, applies
// migrations, serves, stops cleanly on SIGTERM, and finds its data again after a restart.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateAccountDocument, CreateUserDocument, GetUserNameAndArnDocument, SignInDocument } from './generated/graphql.js';
import { mainArgs } from './support/main.js';
import { textOf, type GraphQLResponse } from './support/server.js';

const dataDir = mkdtempSync(join(tmpdir(), 'open-iam-restart-'));
const port = 41000 + Math.floor(Math.random() * 2000);
const pgPort = 43000 + Math.floor(Math.random() * 2000);
const url = `http://127.0.0.1:${port}/graphql`;
const operator = 'restart-operator-token-123456';
let child: ChildProcess | undefined;

afterAll(async () => {
  child?.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function start(): Promise<ChildProcess> {
  // As `npm start` runs it: without vitest's NODE_ENV=test, which changes how libraries
  // behave (Apollo installs its own SIGTERM handler unless NODE_ENV is test).
  const { NODE_ENV: _test, ...env } = process.env;
  const proc = spawn(process.execPath, mainArgs(), {
    env: { ...env, DATABASE_URL: '', PORT: String(port), EMBEDDED_PG_PORT: String(pgPort), IAM_DATA_DIR: dataDir, IAM_OPERATOR_TOKEN: operator, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('open-iam listening')) {
        clearTimeout(timer);
        resolve(proc);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

/** Sends SIGTERM; resolves with the exit code and what the server logged meanwhile (fails after 30 s). */
function stop(proc: ChildProcess): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`still running 30 s after SIGTERM:\n${log}`)), 30_000);
    proc.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    proc.removeAllListeners('exit');
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, log });
    });
    proc.kill('SIGTERM');
  });
}

async function gql<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token?: string): Promise<GraphQLResponse<TResult>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: textOf(document), variables }),
  });
  return (await response.json()) as GraphQLResponse<TResult>;
}

describe('a server started from the command line', () => {
  it('keeps its data across a restart and stops cleanly on SIGTERM', async () => {
    child = await start();
    const created = await gql(CreateAccountDocument, { input: { accountName: 'Keep', email: 'keep@example.com', password: 'Keep-Passw0rd-x!' } }, operator);
    expect(created.errors).toBeUndefined();
    const signIn = () => gql(SignInDocument, { input: { email: 'keep@example.com', password: 'Keep-Passw0rd-x!' } });
    const token = (await signIn()).data!.signIn.sessionToken;
    await gql(CreateUserDocument, { input: { userName: 'persistent' } }, token);
    // The server drains and then stops Postgres itself: nothing stops Postgres underneath it.
    const stopped = await stop(child);
    expect(stopped.code).toBe(0);
    expect(stopped.log).toContain('"msg":"stopped"');
    expect(stopped.log).not.toContain('change feed: connection failed');

    child = await start();
    // The token signed before the restart still verifies: the signing key lives in the database.
    const user = await gql(GetUserNameAndArnDocument, { input: { userName: 'persistent' } }, token);
    expect(user.data!.getUser.user.userName).toBe('persistent');
    const again = await signIn();
    expect(again.data!.signIn.sessionToken).toBeTruthy();
    expect((await stop(child)).code).toBe(0);
    child = undefined;
  }, 240_000);
});
