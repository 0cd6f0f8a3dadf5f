// The Docker image as `docker build .` makes it, without a Docker engine (none runs
// here): the Dockerfile's COPY and RUN steps replayed in order in a scratch folder,
// from the files a fresh clone has (test/support/dockerfile.ts). Then its CMD starts
// against an empty Postgres database with the production secrets, as
// `docker compose up` runs it. Slow (a full `npm ci` and a build: minutes), so it runs
// in CI (CI=true) and when asked (DOCKERFILE_TEST=1), and skips otherwise.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CreateAccountDocument, CreateUserDocument, GetPolicyDocument, SignInDocument } from './generated/graphql.js';
import { makeBuildContext, replayDockerfile, type Stage } from './support/dockerfile.js';
import { startNodeFlags } from './support/main.js';
import { textOf, type GraphQLResponse } from './support/server.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let scratch = '';
const port = 46000 + Math.floor(Math.random() * 2000);
const origin = `http://127.0.0.1:${port}`;
const operatorToken = randomBytes(24).toString('hex');
const databaseName = `iam_test_${inject('templateDb').split('_').pop()}_docker_${randomBytes(4).toString('hex')}`;
/** What the base image brings: this machine's node (the one running the tests) and npm, npm's cache (offline first). */
const baseEnv: Record<string, string> = {
  PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}`,
  HOME: process.env.HOME ?? tmpdir(),
  npm_config_prefer_offline: 'true',
  npm_config_update_notifier: 'false',
};

let stages: Stage[] = [];
let image: Stage | undefined;
let app = '';
let server: ChildProcess | undefined;
let serverLog = '';
const timings: string[] = [];

function adminClient(): pg.Client {
  return new pg.Client({ connectionString: inject('adminUrl') });
}

describe.skipIf(!process.env.CI && !process.env.DOCKERFILE_TEST)('the Docker image', () => {
  // A test, not a hook, so that a step that fails counts as a failed test (the rest then skip).
  it('builds: every COPY and RUN step succeeds, in order', () => {
    scratch = mkdtempSync(path.join(tmpdir(), 'open-iam-docker-'));
    const context = path.join(scratch, 'context');
    mkdirSync(context);
    makeBuildContext(repo, context);
    let last = performance.now();
    let lastStep = 'context';
    stages = replayDockerfile(path.join(repo, 'Dockerfile'), {
      context,
      scratch,
      baseEnv,
      onStep: (stage, step) => {
        const now = performance.now();
        timings.push(`${lastStep}: ${Math.round(now - last)} ms`);
        last = now;
        lastStep = `[${stage.name}] ${step.slice(0, 60)}`;
      },
    });
    timings.push(`${lastStep}: ${Math.round(performance.now() - last)} ms`);
    image = stages.at(-1)!;
    app = path.join(image.root, image.workdir);
  }, 20 * 60_000);

  afterAll(async () => {
    server?.kill('SIGKILL');
    const admin = adminClient();
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`).catch(() => {});
    await admin.end();
    console.log(`Dockerfile replay:\n  ${timings.join('\n  ')}`);
    // Two stages' node_modules: a while on a busy machine.
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }, 10 * 60_000);

  it('is built in a stage of its own, from Node 24 LTS, and runs compiled JavaScript as a non-root user', ({ skip }) => {
    if (!image) return skip('the image was not built');
    expect(stages.map((s) => s.image)).toEqual([expect.stringMatching(/^node:24-/), expect.stringMatching(/^node:24-/)]);
    expect(image.env.NODE_ENV).toBe('production');
    expect(image.user).toBeDefined();
    expect(['root', '0']).not.toContain(image.user!.split(':')[0]);
    // node's flags as npm start gives them (issue 21: WebAssembly not tiered up, young generation at most 8 MiB a semi-space).
    expect(image.cmd).toEqual(['node', ...startNodeFlags(), 'dist/main.js']);
    expect(existsSync(path.join(app, 'dist/main.js'))).toBe(true);
    expect(existsSync(path.join(app, 'src'))).toBe(false);
  });

  it('holds the production dependencies only, and the AWS-managed policy index beside them', ({ skip }) => {
    if (!image) return skip('the image was not built');
    const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    for (const name of Object.keys(pkg.dependencies)) expect(existsSync(path.join(app, 'node_modules', name)), name).toBe(true);
    // The build's tools are not there (other devDependencies may be, as some dependency's dependency).
    // No tsx in particular: nothing runs TypeScript at run time.
    for (const name of ['typescript', 'tsx', 'vitest', 'prisma', '@graphql-codegen/cli']) {
      expect(pkg.devDependencies[name], name).toBeDefined();
      expect(existsSync(path.join(app, 'node_modules', name)), name).toBe(false);
    }
    // Built as root while the image was made: the server's user cannot write under node_modules.
    expect(readdirSync(path.join(app, 'node_modules/.cache/open-iam')).filter((f) => /^aws-managed-policies\..+\.json$/.test(f))).toHaveLength(1);
  });

  it('starts on an empty database, applies the migrations, serves GraphQL, the playground and AWS-managed policies, passes its HEALTHCHECK and stops on SIGTERM', async ({ skip }) => {
    if (!image) return skip('the image was not built');
    const admin = adminClient();
    await admin.connect();
    await admin.query(`CREATE DATABASE ${databaseName}`);
    await admin.end();
    const databaseUrl = new URL(inject('adminUrl'));
    databaseUrl.pathname = `/${databaseName}`;
    const env = {
      ...baseEnv,
      ...image.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl.toString(),
      IAM_OPERATOR_TOKEN: operatorToken,
      IAM_MASTER_KEY: randomBytes(32).toString('base64url'),
      IAM_ISSUER: origin,
    };
    const [command, ...args] = image.cmd!;
    const started = performance.now();
    server = spawn(command!, args, { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (serverLog += chunk.toString()));
    await waitForReady();
    timings.push(`start until /readyz answers 200: ${Math.round(performance.now() - started)} ms`);
    expect(serverLog).toContain('migrations applied');

    const healthcheck = spawnSync(image.healthcheck!.cmd[0]!, image.healthcheck!.cmd.slice(1), { cwd: app, env, timeout: 5000 });
    expect(healthcheck.status, String(healthcheck.stderr)).toBe(0);

    const email = 'docker@example.com';
    const password = 'Docker-Passw0rd-x!';
    const created = await gql(CreateAccountDocument, { input: { accountName: 'Docker', email, password } }, operatorToken);
    expect(created.errors).toBeUndefined();
    const token = (await gql(SignInDocument, { input: { email, password } })).data!.signIn.sessionToken;
    const user = await gql(CreateUserDocument, { input: { userName: 'from-the-image' } }, token);
    expect(user.errors).toBeUndefined();
    const managed = await gql(GetPolicyDocument, { input: { policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } }, token);
    expect(managed.data?.getPolicy.policy.policyName).toBe('ReadOnlyAccess');
    // The playground's own files, read from beside the compiled code.
    const asset = await fetch(`${origin}/playground/assets/playground.css`);
    expect(asset.status).toBe(200);

    const exited = new Promise<number | null>((resolve) => server!.on('exit', resolve));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
    server = undefined;
  }, 120_000);
});

describe('replaying a Dockerfile', () => {
  it('fails at a RUN that needs what a later COPY brings, naming its line, and passes in the right order', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'open-iam-dockerfile-'));
    try {
      mkdirSync(path.join(dir, 'context'));
      writeFileSync(path.join(dir, 'context/hello.mjs'), 'process.stdout.write(process.env.GREETING);');
      const dockerfile = (steps: string) => {
        writeFileSync(path.join(dir, 'Dockerfile'), `FROM node:24-bookworm-slim AS build\nWORKDIR /app\nENV GREETING=hello\n${steps}\nCMD ["node", "hello.mjs"]\n`);
        return path.join(dir, 'Dockerfile');
      };
      const options = (name: string) => ({ context: path.join(dir, 'context'), scratch: path.join(dir, name), baseEnv });
      expect(() => replayDockerfile(dockerfile('RUN node hello.mjs > said.txt\nCOPY hello.mjs ./'), options('wrong'))).toThrow(/^Dockerfile line 4 \(RUN node hello\.mjs > said\.txt\) failed/);
      const [stage] = replayDockerfile(dockerfile('COPY hello.mjs ./\nRUN node hello.mjs > said.txt'), options('right'));
      expect(readFileSync(path.join(stage!.root, 'app/said.txt'), 'utf8')).toBe('hello');
      expect(stage!.cmd).toEqual(['node', 'hello.mjs']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function waitForReady(): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server?.exitCode !== null) throw new Error(`the server exited with ${server?.exitCode}:\n${serverLog}`);
    const status = await fetch(`${origin}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`/readyz did not answer 200 within 60 s (last ${status}):\n${serverLog}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function gql<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token?: string): Promise<GraphQLResponse<TResult>> {
  const response = await fetch(`${origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: textOf(document), variables }),
  });
  return (await response.json()) as GraphQLResponse<TResult>;
}
