// README's "First run", pasted as written: its first block's operator token starts a server
// (dist/main.js, as npm start runs it), and its second block runs in bash against
// it, unchanged but for the address. Each answer must have the shape of the one the README shows.
import { execFile, type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mainArgs } from './support/main.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('### First run'), readme.indexOf('\n## ', readme.indexOf('### First run')));
const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);

const dataDir = mkdtempSync(join(tmpdir(), 'open-iam-readme-'));
chmodSync(dataDir, 0o755);
const port = 47000 + Math.floor(Math.random() * 2000);
let child: ChildProcess | undefined;

// Builds dist/ first when src/ changed (slow on a busy machine), outside the tests' own time limits.
beforeAll(() => void mainArgs(), 600_000);

afterAll(() => {
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Keys of every object in `value`, nested (`data.signIn.sessionToken`), to compare shapes, not values. */
function shape(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => shape(inner, prefix ? `${prefix}.${key}` : key));
}

it("README's first run pastes end to end: the operator creates an account, TOKEN holds root's session, getCallerIdentity answers root", async () => {
  expect(blocks).toHaveLength(2);
  const start = /^IAM_OPERATOR_TOKEN=(\S+) npm start$/m.exec(blocks[0]!);
  expect(start, blocks[0]).not.toBeNull();
  const { NODE_ENV: _test, ...env } = process.env;
  child = spawn(process.execPath, mainArgs(), {
    env: { ...env, DATABASE_URL: '', PORT: String(port), EMBEDDED_PG_PORT: String(port + 1), IAM_DATA_DIR: dataDir, IAM_OPERATOR_TOKEN: start![1]!, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  // The reader's shell: bash, curl and node on PATH; errors stop it.
  const script = blocks[1]!.replaceAll('localhost:4000', `127.0.0.1:${port}`);
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], {
    env: { ...env, PATH: `${dirname(process.execPath)}:${process.env.PATH}` },
    timeout: 60_000,
  });
  const answers = stdout.trim().split('\n').map((line) => JSON.parse(line) as { data: Record<string, Record<string, string>> });
  const shown = [...blocks[1]!.matchAll(/^# (\{.*\})$/gm)].map((match) => JSON.parse(match[1]!) as unknown);
  expect(answers).toHaveLength(shown.length);
  answers.forEach((answer, i) => expect(shape(answer)).toEqual(shape(shown[i])));
  const created = answers[0]!.data.createAccount!;
  expect(answers[1]!.data.getCallerIdentity).toEqual({ account: created.accountId, arn: created.rootArn, userId: created.accountId });
  // The account is not the tour's: both run on one server (docs/tour.md creates root@acme.example).
  expect(blocks[1]).not.toContain('root@acme.example');
  expect(readFileSync(new URL('../docs/tour.md', import.meta.url), 'utf8')).not.toContain('root@first-run.example');
}, 180_000);
