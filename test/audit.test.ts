// The audit trail: every call, allowed or denied, is one CloudTrail-shaped event,
// secrets never appear in it, and lookupEvents filters and stays within the account.
import { describe, expect, it } from 'vitest';
import { stampOf, uuidV7 } from '../src/audit/uuid7.js';
import { HIDDEN } from '../src/audit/redact.js';
import type { Principal } from '../src/sessions/principal.js';
import {
  CreateAccessKeyIdAndSecretDocument,
  CreateLoginProfileCreateDateDocument,
  CreateLoginProfileUserNameDocument,
  CreatePolicyArnDocument,
  CreateUserArnDocument,
  CreateUserIdAndArnDocument,
  CreateUserIdDocument,
  CreateVirtualMFADeviceSerialDocument,
  DeleteUserDocument,
  GetCallerIdentityArnDocument,
  GetCallerIdentityTwiceDocument,
  GetUserArnDocument,
  ListUserNamesDocument,
  LookupEventsDocument,
  SignInArnDocument,
  TagUserDocument,
  type LookupEventsInput,
  type LookupEventsQuery,
} from './generated/graphql.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

/** An event as lookupEvents answers it. */
type TrailEvent = LookupEventsQuery['lookupEvents']['nodes'][number];

async function events(token: string, input: LookupEventsInput = {}, { first = 50, flush = true } = {}): Promise<TrailEvent[]> {
  if (flush) await server.service.deps.audit.flush();
  const data = await server.ok(LookupEventsDocument, { input, first }, token);
  return data.lookupEvents.nodes;
}

/** A JSON text of an event (userIdentity, requestParameters, responseElements) as its value; null stays null. */
function json(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

/** The type of the identity that made a call: Root, IAMUser, Anonymous... */
function identityType(event: TrailEvent): string {
  return (JSON.parse(event.userIdentity) as { type: string }).type;
}

describe('audit events', () => {
  it('records a mutation with its resource and the caller identity', async () => {
    const { accountId, token } = await server.newAccount();
    await server.ok(CreateUserArnDocument, { input: { userName: 'alice', path: '/dev/' } }, token);
    const [event] = await events(token, { eventName: 'CreateUser' });
    expect(event).toMatchObject({ eventName: 'CreateUser', eventSource: 'iam.amazonaws.com', errorCode: null, readOnly: false });
    expect(event!.resources).toEqual([`arn:aws:iam::${accountId}:user/dev/alice`]);
    expect(JSON.parse(event!.userIdentity)).toMatchObject({ type: 'Root', arn: `arn:aws:iam::${accountId}:root`, accountId });
    expect(json(event!.requestParameters)).toEqual({ userName: 'alice', path: '/dev/' });
  });

  it('records a failed call with its AWS error code and message', async () => {
    const { token } = await server.newAccount();
    await server.gql(DeleteUserDocument, { input: { userName: 'nobody' } }, token);
    const [event] = await events(token, { errorCode: 'NoSuchEntity' });
    expect(event).toMatchObject({ eventName: 'DeleteUser', errorCode: 'NoSuchEntity' });
    expect(event!.errorMessage).toMatch(/nobody/);
  });

  it('records a failed read at once, still as a read-only event', async () => {
    const { token } = await server.newAccount();
    await server.gql(GetUserArnDocument, { input: { userName: 'ghost' } }, token);
    // No flush: a failure is written before the answer leaves.
    const [event] = await events(token, { errorCode: 'NoSuchEntity' }, { flush: false });
    expect(event).toMatchObject({ eventName: 'GetUser', errorCode: 'NoSuchEntity', readOnly: true });
  });

  it('hides passwords and secret keys in parameters and responses', async () => {
    const { token } = await server.newAccount();
    await server.ok(CreateUserArnDocument, { input: { userName: 'bob' } }, token);
    await server.ok(CreateLoginProfileUserNameDocument, { input: { userName: 'bob', password: 'Plenty-Long-Passw0rd!' } }, token);
    const key = await server.ok(CreateAccessKeyIdAndSecretDocument, { input: { userName: 'bob' } }, token);
    const trail = JSON.stringify(await events(token));
    expect(trail).not.toContain('Plenty-Long-Passw0rd!');
    expect(trail).not.toContain(key.createAccessKey.accessKey.secretAccessKey);
    expect(trail).toContain(key.createAccessKey.accessKey.accessKeyId);
    expect(trail).toContain('HIDDEN_DUE_TO_SECURITY_REASONS');
  });

  it('records reads as read-only events, written in batches', async () => {
    const { token, accountId } = await server.newAccount();
    await server.ok(CreateUserArnDocument, { input: { userName: 'reader' } }, token);
    await server.ok(GetUserArnDocument, { input: { userName: 'reader' } }, token);
    await server.ok(ListUserNamesDocument, {}, token);
    const reads = await events(token, { readOnly: true });
    const byName = Object.fromEntries(reads.map((e) => [e.eventName, e]));
    expect(byName.GetUser).toMatchObject({ readOnly: true, errorCode: null, resources: [`arn:aws:iam::${accountId}:user/reader`] });
    expect(json(byName.GetUser!.requestParameters)).toEqual({ userName: 'reader' });
    expect(JSON.parse(byName.GetUser!.userIdentity)).toMatchObject({ type: 'Root', accountId });
    expect(byName.ListUsers).toMatchObject({ readOnly: true, resources: [], requestParameters: null });
    // CloudTrail leaves out what a read answered: no element at all, not a JSON null.
    expect(byName.GetUser!.responseElements).toBeNull();
  });

  it('keeps tabs, line breaks, backslashes, quotes and non-ASCII text of a read intact in its batch', async () => {
    const { token, accountId } = await server.newAccount();
    const odd = 'tab\there\nline\r\nback\\slash \\N "quoted" {a,b} caf\u00e9 \u4e2d \ud83d\ude00';
    await events(token, { userName: odd, resourceName: `arn:aws:docs:::doc/${odd}` });
    const trail = await events(token, { eventName: 'LookupEvents' });
    const parameters = trail.map((event) => json(event.requestParameters));
    expect(parameters).toContainEqual({ userName: odd, resourceName: `arn:aws:docs:::doc/${odd}` });
    // Resources become a Postgres array inside the COPY text: quotes, commas and braces in its elements.
    const resources = [`arn:aws:docs:::doc/${odd}`, 'a,b', '{c}', 'NULL', ''];
    // The server's own request ids are written as they are; any other is escaped.
    const oddId = `req-odd ${odd}`;
    server.service.deps.audit.recordRead({
      accountId, eventName: 'OddRead', eventSource: 'docs.example.com',
      principal: null, sourceIp: '127.0.0.1', userAgent: odd, requestId: oddId, requestParameters: { odd }, responseElements: null, resources, readOnly: true,
    });
    // A NUL character (which Postgres refuses) is dropped, and does not cost its batch.
    server.service.deps.audit.recordRead({
      accountId, eventName: 'NulRead', eventSource: 'docs.example.com', principal: null, sourceIp: '127.0.0.1', userAgent: 'agent\u0000x',
      requestId: 'req-nul', requestParameters: { nul: 'a\u0000b' }, responseElements: null, resources: ['arn:aws:docs:::doc/a\u0000b'], readOnly: true,
    });
    // A failed read is written at once, on its own: a NUL in its error message is dropped there too.
    const failedRead = {
      accountId, eventName: 'NulFailedRead', eventSource: 'docs.example.com', principal: null, sourceIp: '127.0.0.1', userAgent: undefined,
      requestId: 'req-nul-failed', requestParameters: null, responseElements: null, resources: [], errorCode: 'AccessDenied', errorMessage: 'bad\u0000input', readOnly: true,
    };
    await server.service.deps.audit.record(failedRead);
    // A batch has no place for an error: handing one to recordRead is a mistake, not a silent loss.
    expect(() => server.service.deps.audit.recordRead(failedRead)).toThrow(/successful reads only/);
    const [oddRead] = await events(token, { eventName: 'OddRead' });
    expect(oddRead).toMatchObject({ resources, requestID: oddId, userAgent: odd, readOnly: true });
    // The batch's own list of resources, which a resource filter reads first, holds them intact too.
    for (const resourceName of resources) expect((await events(token, { resourceName })).map((event) => event.requestID)).toContain(oddId);
    expect(json(oddRead!.requestParameters)).toEqual({ odd });
    const [nulRead] = await events(token, { eventName: 'NulRead' });
    expect(nulRead).toMatchObject({ resources: ['arn:aws:docs:::doc/ab'], userAgent: 'agentx', errorMessage: null });
    expect(json(nulRead!.requestParameters)).toEqual({ nul: 'ab' });
    const [failed] = await events(token, { eventName: 'NulFailedRead' });
    expect(failed).toMatchObject({ errorCode: 'AccessDenied', errorMessage: 'badinput', requestID: 'req-nul-failed' });
  });

  it('records sign-in as ConsoleLogin, naming whose credentials were tried, as CloudTrail does', async () => {
    const { token, accountId } = await server.newAccount();
    const [root] = await events(token, { eventName: 'ConsoleLogin' });
    expect(root).toMatchObject({ eventName: 'ConsoleLogin', eventSource: 'signin.amazonaws.com', errorCode: null, requestParameters: null });
    expect(JSON.parse(root!.userIdentity)).toEqual({ type: 'Root', accountId, principalId: accountId, arn: `arn:aws:iam::${accountId}:root` });
    expect(json(root!.responseElements)).toEqual({ ConsoleLogin: 'Success' });

    await server.ok(CreateUserIdDocument, { input: { userName: 'carol' } }, token);
    const { createUser } = await server.ok(CreateUserIdAndArnDocument, { input: { userName: 'dave' } }, token);
    await server.ok(CreateLoginProfileUserNameDocument, { input: { userName: 'dave', password: 'Plenty-Long-Passw0rd!' } }, token);
    await server.ok(SignInArnDocument, { input: { accountId, userName: 'dave', password: 'Plenty-Long-Passw0rd!' } });
    expect(await server.errorCode(SignInArnDocument, { input: { accountId, userName: 'dave', password: 'wrong-Passw0rd!' } })).toBe('InvalidClientTokenId');
    expect(await server.errorCode(SignInArnDocument, { input: { accountId, userName: 'Secret-Passw0rd', password: 'x' } })).toBe('InvalidClientTokenId');

    const [unknown, failed, succeeded] = (await events(token, { eventName: 'ConsoleLogin' })).filter((event) => identityType(event) === 'IAMUser');
    const dave = { type: 'IAMUser', accountId, principalId: createUser.user.userId, arn: createUser.user.arn, userName: 'dave' };
    expect(JSON.parse(succeeded!.userIdentity)).toEqual(dave);
    expect(json(succeeded!.responseElements)).toEqual({ ConsoleLogin: 'Success' });
    // A failure is in the account's trail too, for the reviews that look for guessing.
    expect(failed).toMatchObject({ errorCode: 'InvalidClientTokenId', requestParameters: null });
    expect(JSON.parse(failed!.userIdentity)).toEqual(dave);
    expect(json(failed!.responseElements)).toEqual({ ConsoleLogin: 'Failure' });
    // A name that is no user's may be a password typed in the wrong box: hidden, and nowhere else in the event.
    expect(JSON.parse(unknown!.userIdentity)).toEqual({ type: 'IAMUser', accountId, userName: 'HIDDEN_DUE_TO_SECURITY_REASONS' });
    expect(JSON.stringify(unknown)).not.toContain('Secret-Passw0rd');
    expect(JSON.stringify(await events(token))).not.toMatch(/eyJ/);
  });

  it('lists events newest first by the time of the call, though a read is stored with its later batch', async () => {
    const { token } = await server.newAccount();
    await server.ok(GetCallerIdentityArnDocument, {}, token);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await server.ok(CreateUserArnDocument, { input: { userName: 'later' } }, token);
    // Up to now: the lookups below are calls too, and come later.
    const input = { endTime: new Date().toISOString() };
    const names = (await events(token, input)).map((event) => event.eventName);
    expect(names).toEqual(['CreateUser', 'GetCallerIdentity', 'ConsoleLogin', 'CreateAccount']);
    // Pages follow the same order.
    const first = await server.ok(LookupEventsDocument, { input, first: 1 }, token);
    const second = await server.ok(LookupEventsDocument, { input, first: 1, after: first.lookupEvents.pageInfo.endCursor }, token);
    expect([first.lookupEvents.nodes[0]?.eventName, second.lookupEvents.nodes[0]?.eventName]).toEqual(['CreateUser', 'GetCallerIdentity']);
  });

  it('paginates and never shows another account its events', async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    for (const name of ['u1', 'u2', 'u3']) await server.ok(CreateUserArnDocument, { input: { userName: name } }, a.token);
    await server.service.deps.audit.flush();
    const first = await server.ok(LookupEventsDocument, { input: { eventName: 'CreateUser' }, first: 2 }, a.token);
    expect(first.lookupEvents.nodes).toHaveLength(2);
    expect(first.lookupEvents.pageInfo.hasNextPage).toBe(true);
    const rest = await server.ok(LookupEventsDocument, { input: { eventName: 'CreateUser' }, first: 2, after: first.lookupEvents.pageInfo.endCursor }, a.token);
    expect(rest.lookupEvents.nodes).toHaveLength(1);
    expect(await events(b.token, { eventName: 'CreateUser' })).toEqual([]);
    expect(await server.errorCode(LookupEventsDocument, { input: { eventName: 'CreateUser' }, first: 2, after: first.lookupEvents.pageInfo.endCursor }, b.token)).toBe('InvalidInput');
  });
});

describe('read batches', () => {
  /** A successful read as the audit wrapper queues it. */
  const read = (accountId: string, requestId: string, userAgent = 'batch-test') => ({
    accountId, eventName: 'GetCallerIdentity', eventSource: 'sts.amazonaws.com', principal: null, sourceIp: '127.0.0.1', userAgent,
    requestId, requestParameters: null, responseElements: null, resources: [], readOnly: true,
  });

  it("stores one caller's reads of one batch in one row, each still an event of its own", async () => {
    const { token, accountId } = await server.newAccount();
    const audit = server.service.deps.audit;
    await audit.flush();
    // Queued in one go, so no timer flushes between them.
    for (const id of ['r1', 'r2', 'r3']) audit.recordRead(read(accountId, id));
    audit.recordRead(read(accountId, 'r4', 'another agent'));
    // Two sessions of one user: two callers, two rows, each with its own userIdentity.
    const session = (sessionId: string): Principal => ({
      kind: 'user', accountId, arn: `arn:aws:iam::${accountId}:user/bo`, principalId: 'AIDABO', userName: 'bo', sessionId,
      passwordResetOnly: false, policyEpoch: 0, issuedAt: new Date(), expiresAt: new Date(Date.now() + 3_600_000),
    });
    for (const sessionId of ['s1', 's2']) audit.recordRead({ ...read(accountId, `bo-${sessionId}`, 'bo'), principal: session(sessionId) });
    await audit.flush();
    const rows = await server.db.auditReadBatch.findMany({ where: { accountId }, orderBy: [{ userAgent: 'asc' }, { batchId: 'asc' }] });
    expect(rows.map((row) => [row.userAgent, (row.events as unknown[]).length])).toEqual([['another agent', 1], ['batch-test', 3], ['bo', 1], ['bo', 1]]);
    expect(rows.slice(2).map((row) => (row.userIdentity as { type: string; userName: string }).userName)).toEqual(['bo', 'bo']);
    // A call without parameters or resources stores neither key; the trail reads them as null and [] (below).
    expect((rows[1]!.events as unknown[])[0]).toEqual({ eventId: expect.any(String), eventTime: expect.any(String), requestId: 'r1' });
    const trail = (await events(token, { eventName: 'GetCallerIdentity' })).filter((event) => event.requestID.startsWith('r'));
    expect(trail.map((event) => event.requestID).sort()).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(new Set(trail.map((event) => event.eventId)).size).toBe(4);
    expect((await events(token, { userName: 'bo' })).map((event) => event.requestID).sort()).toEqual(['bo-s1', 'bo-s2']);
    expect(trail[0]).toMatchObject({ readOnly: true, errorCode: null, responseElements: null, requestParameters: null, resources: [], sourceIPAddress: '127.0.0.1' });
  });

  it("stores a read with nothing of its own but its request id as that id and a time offset; the trail makes it a whole event", async () => {
    const { token, accountId } = await server.newAccount();
    const audit = server.service.deps.audit;
    await audit.flush();
    const before = Date.now();
    const [first, second] = [uuidV7(), uuidV7()];
    audit.recordRead({ ...read(accountId, first), firstReadOfRequest: true });
    const firstBy = Date.now();
    while (Date.now() < firstBy + 5) await new Promise((resolve) => setTimeout(resolve, 5));
    const secondFrom = Date.now();
    audit.recordRead({ ...read(accountId, second), firstReadOfRequest: true });
    // A request's second read, an id the server did not make, a read with parameters: JSON, as before.
    audit.recordRead({ ...read(accountId, first), firstReadOfRequest: false });
    audit.recordRead({ ...read(accountId, 'not-a-uuid'), firstReadOfRequest: true });
    audit.recordRead({ ...read(accountId, uuidV7().toUpperCase()), firstReadOfRequest: true });
    audit.recordRead({ ...read(accountId, uuidV7()), firstReadOfRequest: true, requestParameters: { userName: 'x' } });
    await audit.flush();
    const after = Date.now();
    const [row] = await server.db.auditReadBatch.findMany({ where: { accountId, userAgent: 'batch-test' } });
    expect(row!.requestIds).toEqual([first, second]);
    expect(row!.offsets).toHaveLength(2);
    expect(row!.offsets[0]).toBe(0);
    expect(row!.offsets[1]).toBeGreaterThanOrEqual(secondFrom - firstBy);
    expect((row!.events as unknown[]).length).toBe(4);

    const trail = (await events(token, { eventName: 'GetCallerIdentity' })).filter((event) => identityType(event) === 'Anonymous');
    expect(trail).toHaveLength(6);
    expect(new Set(trail.map((event) => event.eventId)).size).toBe(6);
    const stored = trail.filter((event) => event.eventId.charAt(14) === '8');
    // Newest first: the second read, then the first.
    expect(stored.map((event) => event.requestID)).toEqual([second, first]);
    for (const event of stored) {
      // Its event id is its request id with version 8 for 7, so no event written otherwise (all version 7) has it.
      expect(event.eventId).toBe(`${event.requestID.slice(0, 14)}8${event.requestID.slice(15)}`);
      expect(event).toMatchObject({ readOnly: true, errorCode: null, responseElements: null, requestParameters: null, resources: [], userAgent: 'batch-test' });
      const time = Date.parse(event.eventTime);
      expect(time).toBeGreaterThanOrEqual(before);
      expect(time).toBeLessThanOrEqual(after);
    }
    expect(Date.parse(stored[0]!.eventTime) - Date.parse(stored[1]!.eventTime)).toBe(row!.offsets[1]);
    // The request's second read keeps an event id of its own.
    expect(trail.filter((event) => event.requestID === first).map((event) => event.eventId.charAt(14)).sort()).toEqual(['7', '8']);
  });

  it('gives each getCallerIdentity of one request an event: the first stored as its request id, the others in full', async () => {
    const { token } = await server.newAccount();
    await server.ok(GetCallerIdentityArnDocument, {}, token);
    await server.ok(GetCallerIdentityTwiceDocument, {}, token);
    const trail = await events(token, { eventName: 'GetCallerIdentity' });
    expect(trail).toHaveLength(3);
    const byRequest = new Map<string, string[]>();
    for (const event of trail) byRequest.set(event.requestID, [...(byRequest.get(event.requestID) ?? []), event.eventId]);
    expect([...byRequest.values()].map((eventIds) => eventIds.length).sort()).toEqual([1, 2]);
    expect(new Set(trail.map((event) => event.eventId)).size).toBe(3);
    // In each request, one event id is made from the request id (version 8), and any other is its own (version 7).
    for (const eventIds of byRequest.values()) expect(eventIds.filter((id) => id.charAt(14) === '8')).toHaveLength(1);
  });

  it('pages and filters reads stored as request ids like any other: by time, across a window edge, and never under a resource', async () => {
    const { token, accountId } = await server.newAccount();
    const now = Date.now();
    // Calls 9.7, 9.1 and 8.4 s back: either side of the edge between the second and third windows (9 s back).
    const ids = [uuidV7(now - 9_700), uuidV7(now - 9_100), uuidV7(now - 8_400)];
    await server.db.$executeRaw`INSERT INTO "AuditReadBatch" ("batchId", "accountId", "eventName", "eventSource", "userIdentity", "firstTime", "lastTime", "events", "requestIds", "offsets")
      VALUES (${uuidV7(now - 9_700)}::uuid, ${accountId}, 'Ids', 'docs.amazonaws.com', '{"type":"IAMUser","userName":"ids"}'::json, ${new Date(now - 9_700)}, ${new Date(now - 8_400)}, '[]'::json, ${ids}::uuid[], ${[0, 600, 1_300]}::int[])`;
    const input = { endTime: new Date(now).toISOString(), userName: 'ids' };
    const seen: TrailEvent[] = [];
    let after: string | undefined;
    do {
      const page = await server.ok(LookupEventsDocument, { input, first: 1, ...(after ? { after } : {}) }, token);
      seen.push(...page.lookupEvents.nodes);
      after = page.lookupEvents.pageInfo.hasNextPage ? (page.lookupEvents.pageInfo.endCursor ?? undefined) : undefined;
    } while (after);
    expect(seen.map((event) => event.requestID)).toEqual([...ids].reverse());
    expect(seen.map((event) => Date.parse(event.eventTime))).toEqual([now - 8_400, now - 9_100, now - 9_700]);
    const range = await events(token, { startTime: new Date(now - 9_500).toISOString(), endTime: new Date(now - 9_000).toISOString() });
    expect(range.map((event) => event.requestID)).toEqual([ids[1]]);
    expect(await events(token, { resourceName: '*' })).toEqual([]);
    expect((await events(token, { readOnly: true, userName: 'ids' })).map((event) => event.eventName)).toEqual(['Ids', 'Ids', 'Ids']);
  });

  it('survives a batch that Postgres refuses: the flush ends and the next batch is written', async () => {
    const { token, accountId } = await server.newAccount();
    const audit = server.service.deps.audit;
    await audit.flush();
    audit.recordRead(read(accountId, 'lost'));
    await server.db.$executeRawUnsafe('ALTER TABLE "AuditReadBatch" RENAME TO "AuditReadBatchAway"');
    try {
      await audit.flush();
    } finally {
      await server.db.$executeRawUnsafe('ALTER TABLE "AuditReadBatchAway" RENAME TO "AuditReadBatch"');
    }
    audit.recordRead(read(accountId, 'kept'));
    const trail = await events(token, { eventName: 'GetCallerIdentity' });
    expect(trail.map((event) => event.requestID)).toContain('kept');
    expect(trail.map((event) => event.requestID)).not.toContain('lost');
  });

  it('pages back through a long trail newest first: both tables, old events, and a batch across a window edge', async () => {
    const { token, accountId } = await server.newAccount();
    const now = Date.now();
    const at = (msAgo: number) => new Date(now - msAgo);
    const identity = JSON.stringify({ type: 'IAMUser', userName: 'paged' });
    const single = async (name: string, msAgo: number) =>
      server.db.$executeRaw`INSERT INTO "AuditEvent" ("eventId", "accountId", "eventTime", "eventName", "eventSource", "userIdentity", "requestId", "readOnly", "resources")
        VALUES (${uuidV7(now - msAgo)}::uuid, ${accountId}, ${at(msAgo)}, ${name}, 'iam.amazonaws.com', ${identity}::json, ${name}, false, '{}')`;
    const batch = async (name: string, msAgo: number[]) => {
      const calls = msAgo.map((ago, i) => ({ eventId: uuidV7(now - ago), eventTime: at(ago).toISOString(), requestId: `${name}-${i}`, requestParameters: null, resources: [`arn:aws:docs:::doc/${name}-${i}`] }));
      await server.db.$executeRaw`INSERT INTO "AuditReadBatch" ("batchId", "accountId", "eventName", "eventSource", "userIdentity", "firstTime", "lastTime", "events", "resources")
        VALUES (${uuidV7(now - Math.max(...msAgo))}::uuid, ${accountId}, ${name}, 'docs.amazonaws.com', ${identity}::json, ${at(Math.max(...msAgo))}, ${at(Math.min(...msAgo))}, ${JSON.stringify(calls)}::json, ${calls.flatMap((call) => call.resources)})`;
    };
    const DAY = 86_400_000;
    await single('Old', 3 * DAY);
    await batch('OldRead', [2 * DAY + 1000, 2 * DAY]);
    await single('Hour', 3_600_000);
    // Its calls lie either side of the edge between the second and third windows (9 s back).
    await batch('Edge', [9_700, 9_500, 8_400]);
    await single('Recent', 300);
    const expected = ['Recent', 'Edge-2', 'Edge-1', 'Edge-0', 'Hour', 'OldRead-1', 'OldRead-0', 'Old'];
    const label = (event: TrailEvent) => (event.eventName === 'Edge' || event.eventName === 'OldRead' ? event.requestID : event.eventName);
    const input = { endTime: new Date(now).toISOString(), userName: 'paged' };
    const seen: string[] = [];
    let after: string | undefined;
    do {
      const page = await server.ok(LookupEventsDocument, { input, first: 3, ...(after ? { after } : {}) }, token);
      seen.push(...page.lookupEvents.nodes.map(label));
      after = page.lookupEvents.pageInfo.hasNextPage ? (page.lookupEvents.pageInfo.endCursor ?? undefined) : undefined;
    } while (after);
    expect(seen).toEqual(expected);
    // A time range reads only its own time, batches cut at its edges; a resource names one call of a batch.
    const range = await events(token, { startTime: at(9_600).toISOString(), endTime: at(9_000).toISOString() });
    expect(range.map(label)).toEqual(['Edge-1']);
    const one = await events(token, { resourceName: 'arn:aws:docs:::doc/OldRead-0' });
    expect(one.map(label)).toEqual(['OldRead-0']);
    expect((await events(token, { readOnly: false, userName: 'paged' })).map(label)).toEqual(['Recent', 'Hour', 'Old']);
  });

  it('reads on past a window edge when all that is older is the rest of a batch across it', async () => {
    const { token, accountId } = await server.newAccount();
    const now = Date.now();
    const calls = [9_700, 8_400].map((ago, i) => ({ eventId: uuidV7(now - ago), eventTime: new Date(now - ago).toISOString(), requestId: `edge-${i}`, requestParameters: null, resources: [] }));
    await server.db.$executeRaw`INSERT INTO "AuditReadBatch" ("batchId", "accountId", "eventName", "eventSource", "userIdentity", "firstTime", "lastTime", "events")
      VALUES (${uuidV7(now - 9_700)}::uuid, ${accountId}, 'Edge', 'docs.amazonaws.com', '{"type":"IAMUser","userName":"edge"}'::json, ${new Date(now - 9_700)}, ${new Date(now - 8_400)}, ${JSON.stringify(calls)}::json)`;
    expect((await events(token, { userName: 'edge' })).map((event) => event.requestID)).toEqual(['edge-1', 'edge-0']);
  });
});

describe('event ids', () => {
  const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('are RFC 9562 UUIDv7s carrying their millisecond, so they sort by time', () => {
    const at = Date.UTC(2026, 10, 24, 15, 0, 0, 123);
    const ids = [uuidV7(at), uuidV7(at + 1), uuidV7(at + 1000)];
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(parseInt(ids[0]!.replace('-', '').slice(0, 12), 16)).toBe(at);
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('count up within a millisecond, and stay unique past the 4,096 the counter numbers', () => {
    const at = Date.UTC(2025, 0, 1, 0, 0, 0, 7);
    const ids = Array.from({ length: 5000 }, () => uuidV7(at));
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect(new Set(ids).size).toBe(5000);
    const counted = ids.slice(0, 4096);
    expect([...counted].sort()).toEqual(counted);
    // Each second draws its own random bits: ids do not tell the process that made them.
    expect(uuidV7(at + 1000).slice(18)).not.toBe(ids[0]!.slice(18));
  });

  it('stamp each millisecond with its ISO 8601 time, across seconds, days and years', () => {
    const starts = [Date.UTC(2026, 11, 31, 23, 59, 59, 990), Date.UTC(2027, 1, 28, 23, 59, 59, 995), 0];
    for (const start of starts) {
      for (let ms = start; ms < start + 20; ms++) expect(stampOf(ms).iso).toBe(new Date(ms).toISOString());
    }
  });
});

describe('audit events and transactions', () => {
  it('writes a mutation event in the same transaction as its effect', async () => {
    const { token, accountId } = await server.newAccount();
    await server.ok(CreateUserIdDocument, { input: { userName: 'txuser' } }, token);
    await server.ok(TagUserDocument, { input: { userName: 'txuser', tags: [{ key: 'team', value: 'blue' }] } }, token);
    const event = await server.db.auditEvent.findFirstOrThrow({ where: { eventName: 'TagUser', accountId } });
    // Same transaction: Postgres stamps both rows with the id of the transaction that wrote them (xmin).
    const [tag] = await server.db.$queryRaw<Array<{ xmin: string }>>`SELECT xmin::text FROM "Tag" WHERE "accountId" = ${accountId} AND key = 'team'`;
    const [row] = await server.db.$queryRaw<Array<{ xmin: string }>>`SELECT xmin::text FROM "AuditEvent" WHERE "eventId" = ${event.eventId}`;
    expect(row!.xmin).toBe(tag!.xmin);
    const created = await server.db.auditEvent.findFirstOrThrow({ where: { eventName: 'CreateUser', accountId } });
    expect(created.responseElements).toMatchObject({ user: { arn: `arn:aws:iam::${accountId}:user/txuser` } });
  });

  it("writes a mutation's response with its effect, and nothing of a row its transaction resolved with but the call did not answer", async () => {
    const { token, accountId } = await server.newAccount();
    const xminOf = async (table: string, column: string, value: string) =>
      (await server.db.$queryRawUnsafe<Array<{ xmin: string }>>(`SELECT xmin::text FROM "${table}" WHERE "accountId" = $1 AND "${column}" = $2`, accountId, value))[0]!.xmin;
    const eventOf = async (eventName: string) => {
      const event = await server.db.auditEvent.findFirstOrThrow({ where: { accountId, eventName } });
      const [row] = await server.db.$queryRaw<Array<{ xmin: string }>>`SELECT xmin::text FROM "AuditEvent" WHERE "eventId" = ${event.eventId}::uuid`;
      return { ...event, xmin: row!.xmin };
    };
    await server.ok(CreateUserIdDocument, { input: { userName: 'resp' } }, token);
    // One write: an event updated after its transaction would carry a later transaction id.
    const created = await eventOf('CreateUser');
    expect(created.xmin).toBe(await xminOf('User', 'name', 'resp'));
    // Shaped as AWS answers (CloudTrail's responseElements), not as the row behind it.
    const user = (created.responseElements as { user: Record<string, unknown> }).user;
    expect(Object.keys(user).sort()).toEqual(['arn', 'createDate', 'passwordLastUsed', 'path', 'permissionsBoundary', 'userId', 'userName']);
    expect(user).toMatchObject({ userName: 'resp', path: '/', arn: `arn:aws:iam::${accountId}:user/resp`, permissionsBoundary: null });
    expect(user.userId).toMatch(/^AIDA/);
    expect(new Date(user.createDate as string).toISOString()).toBe(user.createDate);

    // A call answering true records no response, whatever its transaction resolved with.
    await server.ok(DeleteUserDocument, { input: { userName: 'resp' } }, token);
    expect((await eventOf('DeleteUser')).responseElements).toBeNull();

    // A resolver that reshapes its transaction's result: the event holds the answer, its secrets hidden.
    await server.ok(CreateVirtualMFADeviceSerialDocument, { input: { virtualMFADeviceName: 'phone' } }, token);
    const mfa = await eventOf('CreateVirtualMFADevice');
    const device = (mfa.responseElements as { virtualMFADevice: Record<string, unknown> }).virtualMFADevice;
    expect(device).toEqual({ serialNumber: `arn:aws:iam::${accountId}:mfa/phone`, base32StringSeed: HIDDEN, otpauthUri: HIDDEN, enableDate: null, user: null });
    expect(JSON.stringify(mfa.responseElements)).not.toMatch(/sealedSeed|accountId/);

    // Fields the request's loaders answer (a login profile's user name, a policy's counts) are read once the transaction has committed.
    await server.ok(CreateUserIdDocument, { input: { userName: 'pat' } }, token);
    await server.ok(CreateLoginProfileCreateDateDocument, { input: { userName: 'pat', password: 'Initial-Secret-42' } }, token);
    expect((await eventOf('CreateLoginProfile')).responseElements).toEqual({ loginProfile: { userName: 'pat', createDate: expect.any(String), passwordResetRequired: false } });
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] });
    await server.ok(CreatePolicyArnDocument, { input: { policyName: 'reader', policyDocument: document } }, token);
    expect((await eventOf('CreatePolicy')).responseElements).toMatchObject({ policy: { policyName: 'reader', attachmentCount: 0, permissionsBoundaryUsageCount: 0 } });
    // What is authorized apart (a user's tags: iam:ListUserTags) is not part of an answer's shape.
    await server.ok(CreateUserIdDocument, { input: { userName: 'tagged', tags: [{ key: 'team', value: 'blue' }] } }, token);
    const tagged = (await server.db.auditEvent.findFirstOrThrow({ where: { accountId, eventName: 'CreateUser', requestParameters: { path: ['userName'], equals: 'tagged' } } })).responseElements;
    expect(Object.keys((tagged as { user: object }).user)).not.toContain('tags');
  });

  it('writes exactly one event for a mutation that failed inside its transaction', async () => {
    const { token, accountId } = await server.newAccount();
    await server.ok(CreateUserIdDocument, { input: { userName: 'once' } }, token);
    await server.gql(CreateUserIdDocument, { input: { userName: 'ONCE' } }, token);
    const events = await server.db.auditEvent.findMany({ where: { accountId, eventName: 'CreateUser' }, orderBy: [{ eventTime: 'asc' }, { eventId: 'asc' }] });
    expect(events.map((e) => e.errorCode)).toEqual([null, 'EntityAlreadyExists']);
  });
});
