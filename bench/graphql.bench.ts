// HTTP benchmark of the GraphQL service (npm run bench:graphql): autocannon on
// loopback against an embedded Postgres, every case side by side with its
// baseline, all servers in one process, run as deployed (NODE_ENV=production).
// Cases take turns: ROUNDS rounds, each running every case for CASE_SECONDS
// with CONNECTIONS connections (after one warm-up second per case in the first
// round), each round in a new random order, and each figure is the median of its
// rounds, so a slow spell of a shared machine, or a slow place in the order (such
// as after a case that leaves Postgres work behind), lands on every case alike
// instead of on one. A ratio is the median over the rounds of the ratio within
// each round: the two cases of a round ran seconds apart, under the same
// neighbours, whereas two medians may come from rounds minutes apart (this
// machine's speed moves by 10% and more from one minute to the next). The load
// runs in a worker thread so it does not share the servers' event loop.
// The fairness pair runs getCallerIdentity on one server alone and while sign-ins
// flood it (bench/sign-in-flood.ts), and prints what the flood costs it.
// Run with --expose-gc (as npm run bench:graphql does) so that each case starts
// from a collected heap. BENCH_SECONDS=n and BENCH_ROUNDS=n change the durations; BENCH_ONLY=<regexp>
// runs only the matching cases.
import './production-mode.js';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { compilePolicySet } from '../src/policy/index.js';
import type { Authorizer } from '../src/auth/authorize.js';
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/client.js';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { createLogger } from '../src/log.js';
import { startService, type RunningService } from '../src/server.js';
import { startApolloList, startBareApollo, startRawPgList } from './graphql-baselines.js';
import { PASSWORD, seed } from './graphql-seed.js';
import { FLOOD_LEAD_MS, FLOOD_RATE, signInFlood, type FloodRound } from './sign-in-flood.js';
import { median, medianInterval, shuffled } from './rounds.js';

// Many short rounds rather than a few long ones: a round's ratio moves by 10% and more
// with this machine's neighbours whatever its length, so the median is steadied by the
// number of rounds, not by their length.
const CASE_SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const WARMUP_SECONDS = 1;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const OPERATOR_TOKEN = 'bench-operator-token-0123456789';

const TRIVIAL = '{ getCallerIdentity { account arn userId } }';
const GET_USER = '{ getUser(input: { userName: "user-07" }) { user { userName userId arn path createDate } } }';
const LIST = '{ listUsers(first: 20) { nodes { userName userId arn path createDate } isTruncated marker } }';

/**
 * The fairness pair: the same request to the same server, alone and during a sign-in flood
 * (bench/sign-in-flood.ts); and for reference, during the same flood of a server with the
 * password-hash pool of before issue 21 (4 hashes at once, no bound on those waiting), and of
 * ones whose hashing threads run at nice 19 instead of SCHED_IDLE (IAM_HASH_PRIORITY=19) and at
 * the server's own priority (IAM_HASH_PRIORITY=0).
 */
const FLOOD_PAIR = Object.freeze({
  alone: 'open-iam: getCallerIdentity alone',
  flooded: 'open-iam: getCallerIdentity during a sign-in flood',
  before: 'open-iam: getCallerIdentity during a sign-in flood, hash pool of before (4, unbounded)',
  nice19: 'open-iam: getCallerIdentity during a sign-in flood, hashing at nice 19',
  notNiced: 'open-iam: getCallerIdentity during a sign-in flood, hashing at nice 0',
});

/** What a flood may cost other requests at most: half their throughput, three times their p99. */
const FLOOD_TARGETS = Object.freeze({ throughput: 0.5, p99: 3 });

/** No policies, compiled once. */
const NO_POLICIES = { policies: compilePolicySet({ identityPolicies: [] }), principalTags: {}, readsResourceFacts: false };

/** Enforcement "off": every request allowed, nothing evaluated. */
const allowAll: Authorizer = {
  decide: async () => ({ decision: 'allowed', matchedStatements: [], missingContextValues: [] }),
  authorize: async () => {},
  effective: async () => NO_POLICIES,
};

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time of the servers' thread per request, in µs (Linux only): steadier than req/s on a shared machine. */
  cpuPerRequest: number | undefined;
  /** CPU time of the embedded Postgres, all its processes, per request, in µs (Linux only). */
  pgCpuPerRequest: number | undefined;
}

/**
 * CPU seconds used so far by this process's main thread, where every server runs
 * (autocannon runs in a worker thread): from /proc on Linux, undefined elsewhere.
 */
function serverThreadCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime, fields 14 and 15 of proc(5), in clock ticks (USER_HZ, 100 on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds used so far by the embedded Postgres whose postmaster is `pid`: its
 * own, its live processes' (backends, WAL writer, checkpointer...), and those of
 * processes that have exited (cutime, cstime). From /proc on Linux, undefined elsewhere.
 */
function postgresCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fieldsOf = (stat: string) => stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime: fields 14 to 17 of proc(5); ppid is field 4.
    const own = fieldsOf(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === pid) continue;
      try {
        const fields = fieldsOf(readFileSync(`/proc/${entry}/stat`, 'utf8'));
        if (Number(fields[1]) === pid) ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // The process has exited since the listing: its time is in the postmaster's cutime now.
      }
    }
    return ticks / 100;
  } catch {
    return undefined;
  }
}

/** The embedded Postgres's postmaster, from the first line of its postmaster.pid. */
function postmasterPid(dir: string): number | undefined {
  try {
    return Number(readFileSync(join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return undefined;
  }
}

let postmaster: number | undefined;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'open-iam-bench-'));
  const port = 56000 + Math.floor(Math.random() * 4000);
  const pg = await startEmbeddedPostgres({ dir, port, database: 'iam', ephemeral: true });
  const services: RunningService[] = [];
  const closers: Array<() => Promise<void>> = [];
  try {
    await migrate(pg.connectionString);
    postmaster = postmasterPid(dir);
    const masterKey = randomBytes(32).toString('base64url');
    const env = { NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', IAM_OPERATOR_TOKEN: OPERATOR_TOKEN, IAM_MASTER_KEY: masterKey, IAM_ISSUER: 'http://bench.local', LOG_LEVEL: 'silent', DATABASE_URL: pg.connectionString };
    const config = loadConfig(env);
    const start = async (authorizer?: Authorizer, serviceConfig = config) => {
      const db = createDb(pg.connectionString);
      const service = await startService({ config: serviceConfig, db, logger: createLogger('silent'), masterKey, ...(authorizer ? { authorizer } : {}) });
      services.push(service);
      closers.push(async () => (await service.close(), await db.$disconnect()));
      return service;
    };
    const on = await start();
    const off = await start(allowAll);
    // The sign-in flood's target (and the same server alone, its baseline): it takes the client's
    // address from X-Forwarded-For, so that each sign-in of the flood is its own client.
    const flooded = await start(undefined, loadConfig({ ...env, IAM_TRUST_PROXY: 'true' }));
    const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY, 'i') : null;
    const floodedBefore = !only || only.test(FLOOD_PAIR.before)
      ? await start(undefined, loadConfig({ ...env, IAM_TRUST_PROXY: 'true', IAM_HASH_CONCURRENCY: '4', IAM_HASH_QUEUE: '100000' }))
      : undefined;
    const floodedNice19 = !only || only.test(FLOOD_PAIR.nice19)
      ? await start(undefined, loadConfig({ ...env, IAM_TRUST_PROXY: 'true', IAM_HASH_PRIORITY: '19' }))
      : undefined;
    const floodedNotNiced = !only || only.test(FLOOD_PAIR.notNiced)
      ? await start(undefined, loadConfig({ ...env, IAM_TRUST_PROXY: 'true', IAM_HASH_PRIORITY: '0' }))
      : undefined;
    const bare = await startBareApollo();
    closers.push(bare.close);
    const fixture = await seed(on.url, OPERATOR_TOKEN);
    const raw = await startRawPgList(pg.connectionString, fixture.accountId);
    closers.push(raw.close);
    const apolloPg = await startApolloList(pg.connectionString, fixture.accountId, 'pg');
    closers.push(apolloPg.close);
    const apolloPrisma = await startApolloList(pg.connectionString, fixture.accountId, 'prisma');
    closers.push(apolloPrisma.close);

    const isAuthorized = `{ isAuthorized(input: { action: "iam:GetUser", resource: "arn:aws:iam::${fixture.accountId}:user/user-07" }) { allowed decision } }`;
    const awsUrl = on.url.replace(/\/graphql$/, '/');
    const cases: Array<{ name: string; url: string; query: string; token?: string; auditOff?: RunningService; aws?: AwsCall; flood?: RunningService }> = [
      // The same request as this server's trivial case, bearer token included, which bare Apollo
      // ignores: the ratio then compares what the servers do, not the bytes they are sent.
      { name: 'bare Apollo: getCallerIdentity (constant)', url: bare.url, query: TRIVIAL, token: fixture.userToken },
      { name: 'bare Apollo: getCallerIdentity, no Authorization header', url: bare.url, query: TRIVIAL },
      { name: 'open-iam: { __typename } anonymous', url: on.url, query: '{ __typename }' },
      { name: 'open-iam: getCallerIdentity, user (needs no permission)', url: on.url, query: TRIVIAL, token: fixture.userToken },
      // The enforcement pair: getUser's action (iam:GetUser on the user) is evaluated against the
      // user's 5 policies when enforcement is on; getCallerIdentity needs no permission, so it
      // evaluates nothing either way and cannot show what enforcement costs.
      { name: 'open-iam: getUser, user, 5 policies, on', url: on.url, query: GET_USER, token: fixture.userToken },
      { name: 'open-iam: getUser, user, enforcement off', url: off.url, query: GET_USER, token: fixture.userToken },
      { name: 'open-iam: getCallerIdentity, on, audit off', url: on.url, query: TRIVIAL, token: fixture.userToken, auditOff: on },
      { name: 'open-iam: isAuthorized (bearer)', url: on.url, query: isAuthorized, token: fixture.userToken },
      { name: 'raw pg: 20 users over node:http', url: raw.url, query: LIST },
      { name: 'bare Apollo + pg: listUsers(20)', url: apolloPg.url, query: LIST },
      { name: 'bare Apollo + Prisma: listUsers(20)', url: apolloPrisma.url, query: LIST },
      { name: 'open-iam: listUsers(20), user, 5 policies, on', url: on.url, query: LIST, token: fixture.userToken },
      { name: 'open-iam: listUsers(20), user, enforcement off', url: off.url, query: LIST, token: fixture.userToken },
      { name: 'open-iam: listUsers(20), root (no evaluation)', url: on.url, query: LIST, token: fixture.rootToken },
      { name: 'open-iam: listUsers(20), user, on, audit off', url: on.url, query: LIST, token: fixture.userToken, auditOff: on },
      // The AWS Query protocol (SigV4 with the same user's long-term key), beside its GraphQL twins above.
      { name: 'open-iam AWS protocol: GetCallerIdentity', url: awsUrl, query: '', aws: { service: 'sts', body: 'Action=GetCallerIdentity&Version=2011-06-15', key: fixture.userKey } },
      { name: 'open-iam AWS protocol: ListUsers(20), user, 5 policies', url: awsUrl, query: '', aws: { service: 'iam', body: 'Action=ListUsers&Version=2010-05-08&MaxItems=20', key: fixture.userKey } },
      // Fairness: the same request alone and while sign-ins flood the same server (bench/sign-in-flood.ts).
      { name: FLOOD_PAIR.alone, url: flooded.url, query: TRIVIAL, token: fixture.userToken },
      { name: FLOOD_PAIR.flooded, url: flooded.url, query: TRIVIAL, token: fixture.userToken, flood: flooded },
      ...(floodedBefore ? [{ name: FLOOD_PAIR.before, url: floodedBefore.url, query: TRIVIAL, token: fixture.userToken, flood: floodedBefore }] : []),
      ...(floodedNice19 ? [{ name: FLOOD_PAIR.nice19, url: floodedNice19.url, query: TRIVIAL, token: fixture.userToken, flood: floodedNice19 }] : []),
      ...(floodedNotNiced ? [{ name: FLOOD_PAIR.notNiced, url: floodedNotNiced.url, query: TRIVIAL, token: fixture.userToken, flood: floodedNotNiced }] : []),
    ];
    const chosen = cases.filter((c) => !only || only.test(c.name));
    for (const c of chosen) await expectSuccess(c.url, c.query, c.token, c.aws);
    // The enforcing server's /metrics, as its operator scrapes it: before the runs and after.
    const countersBefore = await requestCounters(on);
    const rounds = new Map<string, Array<Omit<Result, 'name'>>>(chosen.map((c) => [c.name, []]));
    const floods = new Map<string, FloodRound[]>();
    for (let round = 0; round < ROUNDS; round++) {
      // A new order each round, so that over the rounds every case runs in every position and
      // after every other case alike. (Starting each round one case further on, as this did
      // before, kept each case after the same one: bare Apollo always ran in the wake of the
      // last listUsers case's Postgres work.)
      for (const c of shuffled(chosen)) {
        const restore = c.auditOff ? muteAudit(c.auditOff) : () => {};
        try {
          if (round === 0) await load(c.url, c.query, c.token, WARMUP_SECONDS, c.aws);
          // Every case starts from a collected heap: all servers share this process,
          // and one case's promoted garbage would otherwise slow the next one's collections.
          globalThis.gc?.();
          const flood = c.flood ? signInFlood(c.flood, fixture.accountId, PASSWORD, CASE_SECONDS) : undefined;
          if (flood) await new Promise((resolve) => setTimeout(resolve, FLOOD_LEAD_MS));
          const r = await load(c.url, c.query, c.token, CASE_SECONDS, c.aws);
          if (flood) floods.set(c.name, [...(floods.get(c.name) ?? []), await flood]);
          rounds.get(c.name)!.push(r);
          process.stderr.write(`round ${round + 1}/${ROUNDS} ${c.name}: ${Math.round(r.rps)} req/s\n`);
        } finally {
          restore();
        }
      }
    }
    const results = new Map<string, Result>();
    for (const [name, runs] of rounds) {
      const cpu = runs.map((r) => r.cpuPerRequest).filter((v): v is number => v !== undefined);
      const pgCpu = runs.map((r) => r.pgCpuPerRequest).filter((v): v is number => v !== undefined);
      results.set(name, {
        name,
        rps: median(runs.map((r) => r.rps)),
        p50: median(runs.map((r) => r.p50)),
        p99: median(runs.map((r) => r.p99)),
        errors: runs.reduce((n, r) => n + r.errors, 0),
        cpuPerRequest: cpu.length > 0 ? median(cpu) : undefined,
        pgCpuPerRequest: pgCpu.length > 0 ? median(pgCpu) : undefined,
      });
    }
    printTable(results, rounds, floods, { ...flooded.deps.passwords.pool.stats(), priority: flooded.deps.config.hashPriority });
    printCounters(countersBefore, await requestCounters(on));
  } finally {
    for (const close of closers.reverse()) await close().catch(() => {});
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An AWS Query-protocol request: its form body, signed for `service` with `key` (SigV4 allows a signed request to be sent again within 15 minutes). */
interface AwsCall {
  service: 'iam' | 'sts';
  body: string;
  key: { accessKeyId: string; secretAccessKey: string };
}

/** The headers of `call`, signed now (each load signs afresh, so a long run never outlives a signature). */
async function signedHeaders(url: string, call: AwsCall): Promise<Record<string, string>> {
  const { hostname, port, host } = new URL(url);
  const signer = new SignatureV4({ service: call.service, region: 'us-east-1', credentials: call.key, sha256: Hash.bind(null, 'sha256') });
  const signed = await signer.sign({
    method: 'POST',
    protocol: 'http:',
    hostname,
    port: Number(port),
    path: '/',
    query: {},
    headers: { host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: call.body,
  });
  return signed.headers as Record<string, string>;
}

async function load(url: string, query: string, token: string | undefined, seconds: number, aws?: AwsCall): Promise<Omit<Result, 'name'>> {
  const request = aws
    ? { headers: await signedHeaders(url, aws), body: aws.body }
    : { headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query }) };
  const cpuBefore = serverThreadCpuSeconds();
  const pgBefore = postgresCpuSeconds(postmaster);
  const result = await autocannon({
    url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    workers: 1,
    headers: request.headers,
    body: request.body,
  });
  const cpuAfter = serverThreadCpuSeconds();
  const pgAfter = postgresCpuSeconds(postmaster);
  const perRequest = (before: number | undefined, after: number | undefined) =>
    before === undefined || after === undefined ? undefined : ((after - before) / result.requests.total) * 1e6;
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    cpuPerRequest: perRequest(cpuBefore, cpuAfter),
    pgCpuPerRequest: perRequest(pgBefore, pgAfter),
  };
}

/** Refuses to measure a case whose answer is an error (an AccessDenied is fast, and meaningless). */
async function expectSuccess(url: string, query: string, token?: string, aws?: AwsCall): Promise<void> {
  if (aws) {
    const answer = await fetch(url, { method: 'POST', headers: await signedHeaders(url, aws), body: aws.body });
    if (!answer.ok) throw new Error(`${url} ${aws.body}: ${answer.status} ${await answer.text()}`);
    return;
  }
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (!response.ok || body.errors?.length) throw new Error(`${url} ${query}: ${JSON.stringify(body)}`);
}

/** Replaces the audit trail's record calls with no-ops, for measuring what it costs. */
function muteAudit(service: RunningService): () => void {
  const audit = service.deps.audit;
  const { record, recordRead } = audit;
  audit.record = async () => {};
  audit.recordRead = () => {};
  return () => {
    audit.record = record;
    audit.recordRead = recordRead;
  };
}

function printTable(
  results: Map<string, Result>,
  rounds: Map<string, Array<Omit<Result, 'name'>>>,
  floods: Map<string, FloodRound[]>,
  floodPool: { concurrency: number; queueLimit: number; priority: 'idle' | number },
): void {
  /** Case a's figure over case b's within each round (b's over a's for costs, so that higher is better). */
  const perRound = (a: string, b: string, figure: (r: Omit<Result, 'name'>) => number | undefined, cost = false) => {
    const base = rounds.get(b)!;
    return rounds.get(a)!.flatMap((r, i) => {
      const [ours, theirs] = [figure(r), figure(base[i]!)];
      return ours === undefined || theirs === undefined ? [] : [cost ? theirs / ours : ours / theirs];
    });
  };
  // Its spread over the rounds shows how much of a difference this shared machine's noise alone
  // makes to one round; the interval, how much it makes to the median of them all.
  const spread = (each: number[]) => `${Math.min(...each).toFixed(2)}–${Math.max(...each).toFixed(2)}×`;
  const interval = (each: number[]) => medianInterval(each).map((v) => v.toFixed(2)).join('–') + '×';
  // The same comparison in CPU per request: the baseline's cost over ours (higher is better, like req/s).
  const cpuRatio = (a: string, b: string) => {
    const each = perRound(a, b, (r) => r.cpuPerRequest, true);
    return each.length === 0 ? undefined : median(each);
  };
  const micros = (value: number | undefined) => (value === undefined ? 'n/a' : Math.round(value).toString());
  console.log(`\nGraphQL HTTP benchmark: median of ${ROUNDS} rounds of ${CASE_SECONDS} s per case, ${CONNECTIONS} connections, loopback, NODE_ENV=production, Node ${process.version}\n`);
  console.log('| case | req/s | p50 ms | p99 ms | errors | server CPU µs/req | Postgres CPU µs/req |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results.values()) console.log(`| ${r.name} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.errors} | ${micros(r.cpuPerRequest)} | ${micros(r.pgCpuPerRequest)} |`);
  const checks: Array<[string, string, string, number]> = [
    ['this server / bare Apollo (getCallerIdentity)', 'open-iam: getCallerIdentity, user (needs no permission)', 'bare Apollo: getCallerIdentity (constant)', 0.9],
    ['enforcement on / off (getUser, 5 policies)', 'open-iam: getUser, user, 5 policies, on', 'open-iam: getUser, user, enforcement off', 0.9],
    ['enforcement on / off (listUsers, 5 policies)', 'open-iam: listUsers(20), user, 5 policies, on', 'open-iam: listUsers(20), user, enforcement off', 0.9],
    ['isAuthorized / bare Apollo', 'open-iam: isAuthorized (bearer)', 'bare Apollo: getCallerIdentity (constant)', 0.8],
    ['listUsers user (5 policies) / bare Apollo + pg', 'open-iam: listUsers(20), user, 5 policies, on', 'bare Apollo + pg: listUsers(20)', 0.6],
    ['listUsers root / bare Apollo + pg', 'open-iam: listUsers(20), root (no evaluation)', 'bare Apollo + pg: listUsers(20)', 0.6],
    ['(reference) bare Apollo + Prisma / bare Apollo + pg', 'bare Apollo + Prisma: listUsers(20)', 'bare Apollo + pg: listUsers(20)', NaN],
    ['(reference) listUsers user / bare Apollo + Prisma', 'open-iam: listUsers(20), user, 5 policies, on', 'bare Apollo + Prisma: listUsers(20)', NaN],
    ['(reference) listUsers user / node:http + pg, no GraphQL', 'open-iam: listUsers(20), user, 5 policies, on', 'raw pg: 20 users over node:http', NaN],
    ['(reference) bare Apollo + pg / node:http + pg', 'bare Apollo + pg: listUsers(20)', 'raw pg: 20 users over node:http', NaN],
    ['listUsers user / root', 'open-iam: listUsers(20), user, 5 policies, on', 'open-iam: listUsers(20), root (no evaluation)', NaN],
    ['audit cost: getCallerIdentity on / audit off', 'open-iam: getCallerIdentity, user (needs no permission)', 'open-iam: getCallerIdentity, on, audit off', NaN],
    ['audit cost: listUsers on / audit off', 'open-iam: listUsers(20), user, 5 policies, on', 'open-iam: listUsers(20), user, on, audit off', NaN],
    ['(reference) this server / bare Apollo sent no Authorization header', 'open-iam: getCallerIdentity, user (needs no permission)', 'bare Apollo: getCallerIdentity, no Authorization header', NaN],
    ['AWS protocol / GraphQL (GetCallerIdentity)', 'open-iam AWS protocol: GetCallerIdentity', 'open-iam: getCallerIdentity, user (needs no permission)', 0.8],
    ['AWS protocol / GraphQL (ListUsers 20, 5 policies)', 'open-iam AWS protocol: ListUsers(20), user, 5 policies', 'open-iam: listUsers(20), user, 5 policies, on', 0.8],
    ['anonymous __typename / bare Apollo', 'open-iam: { __typename } anonymous', 'bare Apollo: getCallerIdentity, no Authorization header', NaN],
  ];
  console.log('\nEach ratio is the median over the rounds of the ratio within a round, with its 90% interval (bootstrap).\n');
  console.log('| ratio | req/s | 90% interval | target | | by CPU per request | req/s, each round |');
  console.log('| --- | ---: | ---: | ---: | --- | ---: | ---: |');
  for (const [label, a, b, target] of checks) {
    if (!results.has(a) || !results.has(b)) continue;
    const each = perRound(a, b, (r) => r.rps);
    const value = median(each);
    const verdict = Number.isNaN(target) ? '' : value >= target ? 'met' : 'MISSED';
    const byCpu = cpuRatio(a, b);
    console.log(`| ${label} | ${value.toFixed(2)}× | ${interval(each)} | ${Number.isNaN(target) ? '' : `≥ ${target}×`} | ${verdict} | ${byCpu === undefined ? 'n/a' : `${byCpu.toFixed(2)}×`} | ${spread(each)} |`);
  }
  if (results.has(FLOOD_PAIR.alone)) {
    const { concurrency, queueLimit, priority } = floodPool;
    console.log(`\nFairness: getCallerIdentity during a flood of ${FLOOD_RATE} sign-ins a second (right password, a client address each) / alone, on one server (${concurrency} hash(es) at once, ${queueLimit} waiting at most, hashing ${priority === 'idle' ? 'under SCHED_IDLE' : `at nice ${priority}`}).\n`);
    console.log('| ratio | median | 90% interval | target | | each round |');
    console.log('| --- | ---: | ---: | ---: | --- | ---: |');
    for (const [flooded, label] of [
      [FLOOD_PAIR.flooded, 'this server'],
      [FLOOD_PAIR.nice19, 'hashing at nice 19, for reference'],
      [FLOOD_PAIR.before, 'hash pool of before (4, unbounded), for reference'],
      [FLOOD_PAIR.notNiced, 'hashing at nice 0, for reference'],
    ] as const) {
      if (!results.has(flooded)) continue;
      // Each round's flooded figure over its quiet one. A round in which no request was answered has no p99 (autocannon says 0):
      // it counts as endless; a round in which neither case was answered says nothing and is left out.
      const throughput = perRound(flooded, FLOOD_PAIR.alone, (r) => r.rps).filter((ratio) => !Number.isNaN(ratio));
      const p99 = perRound(flooded, FLOOD_PAIR.alone, (r) => (r.rps > 0 ? r.p99 : Infinity)).filter((ratio) => !Number.isNaN(ratio));
      const row = (figure: string, each: number[], target: string, met: boolean) =>
        console.log(`| ${figure}, flood / alone: ${label} | ${median(each).toFixed(2)}× | ${interval(each)} | ${target} | ${met ? 'met' : 'MISSED'} | ${spread(each)} |`);
      row('req/s', throughput, `≥ ${FLOOD_TARGETS.throughput}×`, median(throughput) >= FLOOD_TARGETS.throughput);
      row('p99', p99, `≤ ${FLOOD_TARGETS.p99}×`, median(p99) <= FLOOD_TARGETS.p99);
    }
    for (const [flooded, each] of floods) {
      const perSecond = (figure: (f: FloodRound) => number) => {
        const values = each.map(figure);
        return `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
      };
      console.log(
        `\n${flooded}: the flood, per second (median, range over the rounds): ${perSecond((f) => f.answered)} sign-ins answered within its time, ` +
          `${perSecond((f) => f.served)} served (password checked: signed in), ${perSecond((f) => f.refusedByPool)} refused with Throttling by the full hash queue; ` +
          `the rest refused by the sign-in throttle (attempts under way for one user) or answered after the flood stopped. Sign-ins served: ${median(each.map((f) => f.served)) > 0 ? 'yes' : 'NONE'}.`,
      );
    }
  }
}

/** The series of `service`'s /metrics (scraped with the operator token) that requests move, by their full name. */
async function requestCounters(service: RunningService): Promise<Map<string, number>> {
  const response = await fetch(service.url.replace(/\/graphql$/, '/metrics'), { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  const counters = new Map<string, number>();
  for (const line of (await response.text()).split('\n')) {
    const match = /^((?:iam_request_duration_seconds_count|iam_authorization_decisions_total|iam_cache_(?:hits|misses)_total|iam_audit_flush_lag_seconds_count)(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) counters.set(match[1]!, Number(match[2]));
  }
  return counters;
}

/** Prints the series that moved during the runs. */
function printCounters(before: Map<string, number>, after: Map<string, number>): void {
  console.log('\n/metrics of the enforcing server (operator token), the series the runs moved:\n');
  console.log('| series | before | after |');
  console.log('| --- | ---: | ---: |');
  for (const [series, value] of after) {
    const was = before.get(series) ?? 0;
    if (value !== was) console.log(`| \`${series}\` | ${was} | ${value} |`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
