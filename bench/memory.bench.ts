// Memory benchmark of the server (npm run bench:memory): the resident set of a server
// process idle, and after sessions of many tenants (BENCH_TENANTS, 5,000 by default),
// against issue 21's targets. The server runs as deployed, alone in its own process
// (node dist/main.js with npm start's node flags, NODE_ENV=production, GLIBC_TUNABLES as npm start sets it, built
// first if stale), so what is measured
// is its own memory, not the benchmark's; the Postgres it talks to is an embedded one
// that this process starts, a process of its own not counted in the figures (as a
// deployment's database is not). RSS is read from /proc/<pid>/status (Linux only).
//
// The tenants are bulk-loaded as createAccount makes them (an account row with its
// root's argon2 hash, one hash made once and shared, as hashing 5,000 passwords would
// take minutes and measure nothing here), then each root signs in through the API
// (a client address each, as distinct tenants are) and makes a few requests. "After"
// is read once every tenant has made one more request (so that each one's entries are in
// the caches, whatever the idle time released during the run) and the server has been left
// idle for BENCH_IDLE_SECONDS (10 by default), so that V8 has collected in its idle time:
// what it keeps, not what it is still digesting. The server's caches let go of entries no
// request used for BENCH_CACHE_IDLE_SECONDS (IAM_CACHE_IDLE_SECONDS; 60 here, 600 by
// default); the last row is read once they have, a sweep and BENCH_IDLE_SECONDS later.
// BENCH_HEAP=1 also writes a heap snapshot of the server idle and after, and prints
// the biggest holders by constructor.
import './production-mode.js';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { passwordHashOptions } from '../src/crypto/passwords.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { newAccountId } from '../src/iam/ids.js';
import { startNodeFlags } from '../test/support/main.js';

const TENANTS = Number(process.env.BENCH_TENANTS ?? 5000);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const CACHE_IDLE_SECONDS = Number(process.env.BENCH_CACHE_IDLE_SECONDS ?? 60);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const HEAP = process.env.BENCH_HEAP === '1';
const OPERATOR_TOKEN = 'bench-operator-token-0123456789';
const PASSWORD = 'Load-Test-Passw0rd!9';
const MiB = 1024 * 1024;

/** Issue 21's targets, MiB of resident memory (the one after the tenants went idle too). */
const TARGETS = Object.freeze({ idle: 150, afterTenants: 300 });

const root = join(import.meta.dirname, '..');

/**
 * The malloc settings the server runs with as deployed: npm start's default (the Dockerfile
 * sets the same), or this process's GLIBC_TUNABLES when set (BENCH: GLIBC_TUNABLES= for glibc's own defaults).
 */
function glibcTunables(): string {
  if (process.env.GLIBC_TUNABLES !== undefined) return process.env.GLIBC_TUNABLES;
  const start = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start ?? '';
  const fallback = /GLIBC_TUNABLES=\$\{GLIBC_TUNABLES:-([^}]*)\}/.exec(start);
  if (!fallback) throw new Error('package.json\'s start script no longer sets GLIBC_TUNABLES: update bench/memory.bench.ts');
  return fallback[1]!;
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb[1]) * 1024;
}

async function waitForServer(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the server did not start within 2 minutes');
}

/** The resident set after `seconds` of idleness: what the server keeps, once V8's idle-time collection has run. */
async function settle(pid: number, seconds: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return rssBytes(pid);
}

interface HeapHolder {
  name: string;
  selfBytes: number;
  count: number;
}

/** The biggest constructors of a V8 heap snapshot by their objects' own sizes, then its biggest single objects (256 KiB and more). */
function summarizeHeap(file: string, top = 12): HeapHolder[] {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = snapshot.snapshot.meta.node_types[0];
  const byName = new Map<string, HeapHolder>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    const rawName = type === 'object' || type === 'closure' ? snapshot.strings[snapshot.nodes[i + nameAt]!]! : `(${type})`;
    const name = type === 'closure' ? `(closure)` : rawName;
    const holder = byName.get(name) ?? { name, selfBytes: 0, count: 0 };
    holder.selfBytes += snapshot.nodes[i + sizeAt]!;
    holder.count++;
    byName.set(name, holder);
  }
  const holders = [...byName.values()].sort((a, b) => b.selfBytes - a.selfBytes).slice(0, top);
  // The biggest single strings and arrays, named by their beginning: where the bulk of "(string)" comes from.
  const big: Array<{ bytes: number; what: string }> = [];
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]!]!;
    const bytes = snapshot.nodes[i + sizeAt]!;
    if (bytes < 256 * 1024) continue;
    big.push({ bytes, what: `(${type}) ${JSON.stringify(snapshot.strings[snapshot.nodes[i + nameAt]!]!.slice(0, 70))}` });
  }
  big.sort((a, b) => b.bytes - a.bytes);
  for (const item of big.slice(0, 12)) holders.push({ name: `  one: ${item.what}`, selfBytes: item.bytes, count: 1 });
  return holders;
}

async function heapSnapshot(child: ChildProcess, dir: string, label: string): Promise<void> {
  const before = new Set(readdirSync(dir));
  child.kill('SIGUSR2');
  const deadline = Date.now() + 120_000;
  let file: string | undefined;
  while (!file && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const candidate = readdirSync(dir).find((name) => name.endsWith('.heapsnapshot') && !before.has(name));
    // Written as it is taken: complete once it parses.
    if (candidate) {
      try {
        JSON.parse(readFileSync(join(dir, candidate), 'utf8'));
        file = join(dir, candidate);
      } catch {
        // not yet
      }
    }
  }
  if (!file) throw new Error('no heap snapshot written');
  const holders = summarizeHeap(file);
  console.log(`\nHeap holders ${label} (self size by constructor, top ${holders.length}):`);
  for (const holder of holders) console.log(`  ${(holder.selfBytes / MiB).toFixed(1).padStart(7)} MiB  ${String(holder.count).padStart(8)}  ${holder.name.slice(0, 80)}`);
}

/** Accounts as createAccount writes them, with their root's hash of PASSWORD, COPYed in. */
async function bulkAccounts(connectionString: string, count: number): Promise<string[]> {
  const hash = (await argon2.hash(PASSWORD, passwordHashOptions)).replace(/\$m=(\d+),p=(\d+),t=(\d+)\$/, '$$m=$1,t=$3,p=$2$$');
  const ids = new Set<string>();
  while (ids.size < count) ids.add(newAccountId());
  const emails = [...ids].map((id) => `root-${id}@tenants.example`);
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    const rows = [...ids].map((id, i) => `${id}\tTenant ${i}\t${emails[i]}\t${hash}\n`);
    await pipeline(Readable.from(rows), client.query(copyFrom('COPY "Account" (id, name, email, "rootPasswordHash") FROM STDIN')));
  } finally {
    await client.end();
  }
  return emails;
}

async function main(): Promise<void> {
  if (process.platform !== 'linux') throw new Error('bench:memory reads /proc: Linux only');
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs'), '--if-stale', '--allow-type-errors'], { stdio: 'inherit', cwd: root });
  if (build.status !== 0) throw new Error('the build failed');
  const dir = mkdtempSync(join(tmpdir(), 'open-iam-bench-memory-'));
  const pgPort = 56000 + Math.floor(Math.random() * 4000);
  const database = await startEmbeddedPostgres({ dir, port: pgPort, database: 'iam', ephemeral: true });
  let child: ChildProcess | undefined;
  try {
    await migrate(database.connectionString);
    const port = 52000 + Math.floor(Math.random() * 4000);
    const url = `http://127.0.0.1:${port}/graphql`;
    child = spawn(process.execPath, [...startNodeFlags(), ...(HEAP ? [`--heapsnapshot-signal=SIGUSR2`, `--diagnostic-dir=${dir}`] : []), join(root, 'dist/main.js')], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env.PATH,
        GLIBC_TUNABLES: glibcTunables(),
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: database.connectionString,
        IAM_DATA_DIR: join(dir, 'data'),
        IAM_MASTER_KEY: randomBytes(32).toString('base64url'),
        IAM_OPERATOR_TOKEN: OPERATOR_TOKEN,
        IAM_ISSUER: 'http://bench.local',
        IAM_TRUST_PROXY: 'true',
        LOG_LEVEL: 'warn',
        IAM_CACHE_IDLE_SECONDS: String(CACHE_IDLE_SECONDS),
      },
    });
    const pid = child.pid!;
    await waitForServer(url, child);
    const metricsUrl = url.replace(/\/graphql$/, '/metrics');
    const scrape = async () => (await fetch(metricsUrl, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } })).text();
    const heapUsed = (text: string) => `heap used ${(Number(/^nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1]) / MiB).toFixed(0)} MiB`;
    const started = rssBytes(pid);
    const idle = await settle(pid, IDLE_SECONDS);
    console.log(`server pid ${pid}: RSS ${(started / MiB).toFixed(0)} MiB once listening, ${(idle / MiB).toFixed(0)} MiB after ${IDLE_SECONDS} s idle (${heapUsed(await scrape())})`);
    if (HEAP) await heapSnapshot(child, dir, 'idle');

    const emails = await bulkAccounts(database.connectionString, TENANTS);
    const began = performance.now();
    let peak = 0;
    let next = 0;
    let failures = 0;
    const call = async (query: string, variables: Record<string, unknown>, headers: Record<string, string>) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
      if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
      return body.data!;
    };
    const tokens: Array<string | undefined> = [];
    const addressOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const worker = async () => {
      while (next < emails.length) {
        const i = next++;
        const address = addressOf(i);
        try {
          const signIn = await call('mutation($i: SignInInput!) { signIn(input: $i) { sessionToken } }', { i: { email: emails[i], password: PASSWORD } }, { 'x-forwarded-for': address });
          tokens[i] = signIn.signIn.sessionToken as string;
          const auth = { authorization: `Bearer ${tokens[i]}`, 'x-forwarded-for': address };
          await call('{ getCallerIdentity { account arn } }', {}, auth);
          await call('{ listUsers(first: 20) { nodes { userName } isTruncated } }', {}, auth);
          await call('{ getAccountSummary { summaryMap { key value } } }', {}, auth).catch(() => undefined);
          await call('{ getCallerIdentity { account arn } }', {}, auth);
        } catch (error) {
          failures++;
          if (failures <= 3) console.error(`tenant ${i}: ${String(error).slice(0, 300)}`);
        }
        if (i % 100 === 0) {
          peak = Math.max(peak, rssBytes(pid));
          if (i % 500 === 0) console.log(`  ${i} tenants signed in, RSS ${(rssBytes(pid) / MiB).toFixed(0)} MiB, ${((performance.now() - began) / 1000).toFixed(0)} s`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (performance.now() - began) / 1000;
    // One more request per tenant: every tenant's entries are cached again, whatever the idle time released meanwhile.
    const touchBegan = performance.now();
    let touched = 0;
    const toucher = async () => {
      while (touched < tokens.length) {
        const i = touched++;
        if (tokens[i]) await call('{ getCallerIdentity { account arn } }', {}, { authorization: `Bearer ${tokens[i]}`, 'x-forwarded-for': addressOf(i) }).catch(() => undefined);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, toucher));
    const touchSeconds = (performance.now() - touchBegan) / 1000;
    peak = Math.max(peak, rssBytes(pid));
    const after = await settle(pid, IDLE_SECONDS);
    const metrics = await scrape();
    console.log(`  every tenant's entries cached, ${IDLE_SECONDS} s idle: RSS ${(after / MiB).toFixed(0)} MiB (${heapUsed(metrics)})`);
    if (HEAP) await heapSnapshot(child, dir, `after ${TENANTS} tenants`);
    // The caches' sweep runs every min(idle / 2, 60 s): past the idle time and one sweep, every tenant's entries are gone.
    const releasedWait = CACHE_IDLE_SECONDS + Math.min(CACHE_IDLE_SECONDS / 2, 60) + 1;
    await new Promise((resolve) => setTimeout(resolve, releasedWait * 1000));
    const released = await settle(pid, IDLE_SECONDS);
    const releasedMetrics = await scrape();
    if (HEAP) await heapSnapshot(child, dir, `after ${TENANTS} tenants, their entries released`);

    console.log(`\n${TENANTS} tenants signed in and made 4 requests each in ${seconds.toFixed(0)} s (${failures} failed), and one more each in ${touchSeconds.toFixed(0)} s; peak RSS ${(peak / MiB).toFixed(0)} MiB`);
    const cacheLines = (text: string) => text.split('\n').filter((line) => /^(iam_cache_entries|iam_sign_in_throttle_keys|nodejs_heap_size_used_bytes|nodejs_external_memory_bytes)\b/.test(line));
    console.log(`\nCache sizes after (from /metrics), then ${releasedWait + IDLE_SECONDS} s later (IAM_CACHE_IDLE_SECONDS=${CACHE_IDLE_SECONDS}):`);
    const later = cacheLines(releasedMetrics);
    cacheLines(metrics).forEach((line, i) => console.log(`  ${line.padEnd(56)} → ${later[i]?.split(' ').pop() ?? '?'}`));
    const row = (name: string, bytes: number, target: number) =>
      console.log(`${name.padEnd(50)} ${(bytes / MiB).toFixed(0).padStart(6)} MiB   target ≤ ${target} MiB   ${bytes / MiB <= target ? 'met' : 'MISSED'}`);
    console.log(`\nServer resident memory (VmRSS of node ${startNodeFlags().join(' ')} dist/main.js, GLIBC_TUNABLES=${glibcTunables()}; the embedded Postgres is another process, not counted):`);
    row('idle', idle, TARGETS.idle);
    row(`after ${TENANTS} tenants' sessions, ${IDLE_SECONDS} s idle`, after, TARGETS.afterTenants);
    row(`after ${TENANTS} tenants, once their entries went idle`, released, TARGETS.afterTenants);
    if (TENANTS !== 5000) console.log(`(the target is for 5,000 tenants; this run had ${TENANTS}: BENCH_TENANTS)`);
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    await database.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
