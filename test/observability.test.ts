// Metrics and the request log, through HTTP: /metrics in Prometheus's format for the
// operator's token only (or on its own address), its counters moving with the requests
// sent (by protocol, operation and outcome; authorization decisions; sign-ins; caches;
// pool; audit queue; the process's event-loop lag and heap), and one log line per
// request that names the caller and the decision but never a secret.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CreateAccessKeyIdAndSecretDocument, GetCallerIdentityDocument, GetUserNameAndArnDocument, SignInDocument } from './generated/graphql.js';
import { sendQuery, type KeyPair } from './support/aws.js';
import { createLoginProfile, createUser, policy, signedInUser, USER_PASSWORD } from './support/scenarios.js';
import { OPERATOR_TOKEN, ROOT_PASSWORD, startTestServer, useTestServer, type TestServer } from './support/server.js';

/** Log lines as the server wrote them. */
class Capture extends Writable {
  readonly text: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text.push(chunk.toString());
    done();
  }
  lines(): Array<Record<string, unknown>> {
    return this.text.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

const logs = new Capture();
const server = useTestServer({ LOG_LEVEL: 'debug' }, { logs });

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of a Prometheus text exposition. */
function parseMetrics(text: string): Sample[] {
  return text.split('\n').flatMap((line) => {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) return [];
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key!] = value!;
    return [{ name: match[1]!, labels, value: Number(match[3]) }];
  });
}

async function scrape(target: TestServer = server): Promise<Sample[]> {
  const response = await fetch(`${target.origin}/metrics`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(await response.text());
}

/** The value of the sample named `name` whose labels include `labels` (0 when there is none). */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return found?.value ?? 0;
}

const requestCount = (samples: Sample[], protocol: string, operation: string, outcome: string) =>
  valueOf(samples, 'iam_request_duration_seconds_count', { protocol, operation, outcome });

describe('/metrics', () => {
  it('answers only the operator token on the service address', async () => {
    expect((await fetch(`${server.origin}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.origin}/metrics`, { headers: { authorization: 'Bearer not-the-operator-token-at-all' } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    const root = await server.newAccount();
    expect((await fetch(`${server.origin}/metrics`, { headers: { authorization: `Bearer ${root.token}` } })).status).toBe(401);
    const samples = await scrape();
    // Well formed: every line a comment, a sample or blank, and each family typed once. prom-client writes
    // NaN (an event-loop histogram with no sample yet) as `Nan`, which Prometheus reads (case-insensitively).
    const text = await (await fetch(`${server.origin}/metrics`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } })).text();
    const lines = text.split('\n');
    expect(lines.filter((line) => line !== '' && !line.startsWith('# ') && !/^[a-zA-Z_:][\w:]*(\{(\w+="(?:[^"\\]|\\.)*",?)*\})? (?:-?[\d.e+-]+|NaN|Nan|[+-]Inf)$/.test(line))).toEqual([]);
    const types = lines.filter((line) => line.startsWith('# TYPE ')).map((line) => line.split(' ')[2]);
    expect(types.length).toBe(new Set(types).size);
    expect(types).toEqual(expect.arrayContaining(['iam_request_duration_seconds', 'iam_authorization_decisions_total', 'iam_sign_ins_total', 'iam_cache_entries', 'iam_db_pool_connections', 'iam_audit_queue_events', 'iam_password_hashes']));
    expect(samples.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    expect(samples.some((s) => s.name === 'nodejs_heap_size_used_bytes')).toBe(true);
  });

  it('counts requests by protocol, operation and outcome, with their latency', async () => {
    const { token } = await server.newAccount();
    const before = await scrape();
    for (let i = 0; i < 3; i++) await server.ok(GetCallerIdentityDocument, {}, token);
    expect(await server.errorCode(GetUserNameAndArnDocument, { input: { userName: 'nobody' } }, token)).toBe('NoSuchEntity');
    await server.gql('{ getCallerIdentity { arn } __typename }', {}, token);
    await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    const after = await scrape();
    expect(requestCount(after, 'graphql', 'getCallerIdentity', 'ok') - requestCount(before, 'graphql', 'getCallerIdentity', 'ok')).toBe(3);
    expect(requestCount(after, 'graphql', 'getUser', 'NoSuchEntity') - requestCount(before, 'graphql', 'getUser', 'NoSuchEntity')).toBe(1);
    expect(requestCount(after, 'graphql', '(multiple)', 'ok') - requestCount(before, 'graphql', '(multiple)', 'ok')).toBe(1);
    expect(requestCount(after, 'graphql', '(none)', 'BAD_REQUEST') - requestCount(before, 'graphql', '(none)', 'BAD_REQUEST')).toBe(1);
    // The buckets are cumulative and end with every request.
    const labels = { protocol: 'graphql', operation: 'getCallerIdentity', outcome: 'ok' };
    const buckets = after.filter((s) => s.name === 'iam_request_duration_seconds_bucket' && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    expect(buckets.at(-1)!.labels.le).toBe('+Inf');
    expect(buckets.at(-1)!.value).toBe(requestCount(after, 'graphql', 'getCallerIdentity', 'ok'));
    expect(buckets.map((b) => b.value)).toEqual([...buckets.map((b) => b.value)].sort((a, b) => a - b));
    expect(valueOf(after, 'iam_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
  });

  it('counts authorization decisions: allowed, explicit deny and implicit deny', async () => {
    const root = await server.newAccount();
    const denied = await signedInUser(server, root, 'denied', { inline: { deny: policy({ Effect: 'Deny', Action: 'iam:GetUser', Resource: '*' }, { Effect: 'Allow', Action: 'iam:*', Resource: '*' }) } });
    const nobody = await signedInUser(server, root, 'nobody');
    const before = await scrape();
    await server.ok(GetUserNameAndArnDocument, { input: { userName: 'nobody' } }, root.token);
    expect(await server.errorCode(GetUserNameAndArnDocument, { input: { userName: 'nobody' } }, denied.token)).toBe('AccessDenied');
    expect(await server.errorCode(GetUserNameAndArnDocument, { input: { userName: 'denied' } }, nobody.token)).toBe('AccessDenied');
    const after = await scrape();
    const delta = (decision: string) => valueOf(after, 'iam_authorization_decisions_total', { decision }) - valueOf(before, 'iam_authorization_decisions_total', { decision });
    expect({ allowed: delta('allowed'), explicitDeny: delta('explicitDeny'), implicitDeny: delta('implicitDeny') }).toEqual({ allowed: 1, explicitDeny: 1, implicitDeny: 1 });
    expect(requestCount(after, 'graphql', 'getUser', 'AccessDenied') - requestCount(before, 'graphql', 'getUser', 'AccessDenied')).toBe(2);
  });

  it('counts sign-ins by outcome: success, failure, throttled', async () => {
    const root = await server.newAccount();
    await createUser(server, root.token, 'carol');
    await createLoginProfile(server, root.token, 'carol', USER_PASSWORD, false);
    const before = await scrape();
    await server.ok(SignInDocument, { input: { accountId: root.accountId, userName: 'carol', password: USER_PASSWORD } });
    const wrong = { input: { accountId: root.accountId, userName: 'carol', password: 'Wrong-Passw0rd-Long!' } };
    // Five failures from one client reach the user+client threshold: the sixth attempt is refused before any password is checked.
    for (let i = 0; i < 5; i++) expect(await server.errorCode(SignInDocument, wrong)).toBe('InvalidClientTokenId');
    expect(await server.errorCode(SignInDocument, wrong)).toBe('Throttling');
    const after = await scrape();
    const delta = (outcome: string) => valueOf(after, 'iam_sign_ins_total', { outcome }) - valueOf(before, 'iam_sign_ins_total', { outcome });
    expect({ success: delta('success'), failure: delta('failure'), throttled: delta('throttled') }).toEqual({ success: 1, failure: 5, throttled: 1 });
    expect(requestCount(after, 'graphql', 'signIn', 'Throttling') - requestCount(before, 'graphql', 'signIn', 'Throttling')).toBe(1);
    // Each sign-in let through verified its password in the hash pool, which is idle again.
    expect(valueOf(after, 'iam_password_hashes_started_total') - valueOf(before, 'iam_password_hashes_started_total')).toBe(6);
    expect(valueOf(after, 'iam_password_hash_wait_seconds_count') - valueOf(before, 'iam_password_hash_wait_seconds_count')).toBe(6);
    expect(valueOf(after, 'iam_password_hashes', { state: 'running' }) + valueOf(after, 'iam_password_hashes', { state: 'queued' })).toBe(0);
    expect(valueOf(after, 'iam_password_hash_concurrency')).toBeGreaterThanOrEqual(1);
    expect(after.some((s) => s.name === 'iam_password_hashes_throttled_total')).toBe(true);
  });

  it('counts AWS Query-protocol requests by action, and the caches they use', async () => {
    const root = await server.newAccount();
    await createUser(server, root.token, 'keyholder');
    const key: KeyPair = (await server.ok(CreateAccessKeyIdAndSecretDocument, { input: { userName: 'keyholder' } }, root.token)).createAccessKey.accessKey;
    const before = await scrape();
    for (let i = 0; i < 2; i++) expect((await sendQuery(server, key, { Action: 'GetCallerIdentity', Version: '2011-06-15' }, { service: 'sts' })).status).toBe(200);
    expect((await sendQuery(server, key, { Action: 'ListUsers', Version: '2010-05-08' })).status).toBe(403);
    const after = await scrape();
    expect(requestCount(after, 'aws', 'GetCallerIdentity', 'ok') - requestCount(before, 'aws', 'GetCallerIdentity', 'ok')).toBe(2);
    expect(requestCount(after, 'aws', 'ListUsers', 'AccessDenied') - requestCount(before, 'aws', 'ListUsers', 'AccessDenied')).toBe(1);
    // The second signed request found its key and its signing key in memory.
    expect(valueOf(after, 'iam_cache_hits_total', { cache: 'access_keys' })).toBeGreaterThan(valueOf(before, 'iam_cache_hits_total', { cache: 'access_keys' }));
    expect(valueOf(after, 'iam_cache_hits_total', { cache: 'signing_keys' })).toBeGreaterThan(valueOf(before, 'iam_cache_hits_total', { cache: 'signing_keys' }));
    for (const cache of ['tokens', 'policies', 'epochs', 'sessions', 'access_keys', 'signing_keys']) {
      expect(after.some((s) => s.name === 'iam_cache_entries' && s.labels.cache === cache), cache).toBe(true);
    }
    expect(valueOf(after, 'iam_cache_entries', { cache: 'tokens' })).toBeGreaterThan(0);
    expect(valueOf(after, 'iam_cache_hits_total', { cache: 'tokens' })).toBeGreaterThan(0);
  });

  it('reports the database pool and the audit queue, and how late batches of reads are written', async () => {
    const { token } = await server.newAccount();
    const before = await scrape();
    for (let i = 0; i < 3; i++) await server.ok(GetCallerIdentityDocument, {}, token);
    await server.service.deps.audit.flush();
    const after = await scrape();
    expect(valueOf(after, 'iam_db_pool_max_connections')).toBe(5);
    expect(valueOf(after, 'iam_db_pool_connections', { state: 'idle' }) + valueOf(after, 'iam_db_pool_connections', { state: 'busy' })).toBeGreaterThan(0);
    expect(after.some((s) => s.name === 'iam_db_pool_waiting_requests')).toBe(true);
    expect(valueOf(after, 'iam_audit_queue_events')).toBe(0);
    expect(valueOf(after, 'iam_audit_flush_lag_seconds_count')).toBeGreaterThan(valueOf(before, 'iam_audit_flush_lag_seconds_count'));
  });

  it('is served on its own address, without a token, when METRICS_ADDRESS is set (and not on the service address)', async () => {
    const separate = await startTestServer({ METRICS_ADDRESS: '127.0.0.1:0' });
    try {
      expect(separate.service.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      await separate.ok(GetCallerIdentityDocument, {}, (await separate.newAccount()).token);
      const response = await fetch(separate.service.metricsUrl!);
      expect(response.status).toBe(200);
      expect(requestCount(parseMetrics(await response.text()), 'graphql', 'getCallerIdentity', 'ok')).toBe(1);
      expect((await fetch(`${separate.origin}/metrics`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } })).status).toBe(404);
      expect((await fetch(separate.service.metricsUrl!.replace('/metrics', '/graphql'))).status).toBe(404);
    } finally {
      await separate.close();
    }
  });
});

describe('the request log', () => {
  it('writes one line per request with its id, operations, caller, account, decision, status and duration, and no secret', async () => {
    logs.text.length = 0;
    const root = await server.newAccount();
    const user = await signedInUser(server, root, 'logged', { inline: { read: policy({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }) } });
    const key: KeyPair = (await server.ok(CreateAccessKeyIdAndSecretDocument, { input: { userName: 'logged' } }, root.token)).createAccessKey.accessKey;
    await server.ok(GetUserNameAndArnDocument, { input: { userName: 'logged' } }, user.token);
    expect(await server.errorCode(GetCallerIdentityDocument, {}, 'not-a-token')).toBe('InvalidClientTokenId');
    expect((await sendQuery(server, key, { Action: 'ListUsers', Version: '2010-05-08' })).status).toBe(403);
    expect(await server.errorCode(SignInDocument, { input: { accountId: root.accountId, userName: 'logged', password: 'Not-The-Passw0rd-x!' } })).toBe('InvalidClientTokenId');

    const requests = logs.lines().filter((line) => line.msg === 'request');
    const getUser = requests.find((line) => line.principal === user.arn && (line.operations as string[])[0] === 'getUser')!;
    expect(getUser).toMatchObject({ level: 30, protocol: 'graphql', operations: ['getUser'], account: root.accountId, decision: 'allowed', outcome: 'ok', status: 200, operator: false });
    expect(getUser.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(getUser.durationMs).toBeGreaterThan(0);
    const aws = requests.find((line) => line.protocol === 'aws')!;
    expect(aws).toMatchObject({ operations: ['ListUsers'], principal: `arn:aws:iam::${root.accountId}:user/logged`, decision: 'implicitDeny', outcome: 'AccessDenied', status: 403 });
    expect(requests.find((line) => line.operator === true)).toMatchObject({ operations: ['createAccount'], outcome: 'ok' });
    // One line per request: every request id once.
    expect(new Set(requests.map((line) => line.requestId)).size).toBe(requests.length);
    expect(requests.filter((line) => (line.operations as string[])[0] === 'signIn').map((line) => line.outcome)).toEqual(['ok', 'ok', 'InvalidClientTokenId']);

    const everything = logs.text.join('');
    for (const secret of [ROOT_PASSWORD, USER_PASSWORD, 'Not-The-Passw0rd-x!', OPERATOR_TOKEN, root.token, user.token, key.secretAccessKey]) {
      expect(everything.includes(secret), `a secret reached the log: ${secret.slice(0, 4)}…`).toBe(false);
    }
  });
});
