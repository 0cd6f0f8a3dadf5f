// Request limits and production hardening: each limit answers a clear error and
// none of these rejections reaches the database.
import { getIntrospectionQuery, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestLimits } from '../src/graphql/limits.js';
import {
  CreateUserDocument,
  GetRoleLastUsedDocument,
  GetUserNameAndArnDocument,
  type CreateUserMutationVariables,
  type GetRoleLastUsedQueryVariables,
} from './generated/graphql.js';
import { startTestServer, textOf, type GraphQLResponse, type TestServer } from './support/server.js';

let server: TestServer;
let production: TestServer;
let token: string;
beforeAll(async () => {
  [server, production] = await Promise.all([startTestServer(), startTestServer({ NODE_ENV: 'production', IAM_MASTER_KEY: 'hardening-production-master-key-0123456789' })]);
  token = (await server.newAccount()).token;
});
afterAll(async () => {
  await Promise.all([server?.close(), production?.close()]);
});

/** Posts a raw body; the answer is GraphQL's response shape, or Apollo's for a request refused over HTTP. */
async function post<TData = unknown>(target: TestServer, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, json: (await response.json()) as GraphQLResponse<TData> };
}

/** Counts the session lookups authentication makes, to show a rejection touched no table. */
async function sessionReads(): Promise<number> {
  const rows = await server.db.$queryRaw<Array<{ n: bigint }>>`SELECT COALESCE(SUM(idx_scan + seq_scan), 0)::bigint AS n FROM pg_stat_user_tables WHERE relname = 'Session'`;
  return Number(rows[0]!.n);
}

describe('request limits', () => {
  it('refuses a query deeper than the depth limit', async () => {
    const deep = 'a { '.repeat(requestLimits.maxDepth + 1) + 'b' + ' }'.repeat(requestLimits.maxDepth + 1);
    const { json } = await post(server, JSON.stringify({ query: `{ ${deep} }` }));
    expect(json.errors?.some((e) => /Query depth \d+ exceeds the limit/.test(e.message))).toBe(true);
  });

  it("accepts GraphiQL's standard introspection query but not a recursive one", async () => {
    const { json } = await post<IntrospectionQuery>(server, JSON.stringify({ query: getIntrospectionQuery() }));
    expect(json.errors).toBeUndefined();
    expect(json.data?.__schema.queryType.name).toBe('Query');
    const recursive = '{ __schema { types { ' + 'fields { type { '.repeat(10) + 'name' + ' } }'.repeat(10) + ' } } }';
    const refused = await post(server, JSON.stringify({ query: recursive }));
    expect(refused.json.errors?.[0]?.message).toMatch(/Introspection depth \d+ exceeds the limit of 20/);
  });

  it('refuses more aliases than the alias limit', async () => {
    const fields = Array.from({ length: requestLimits.maxAliases + 1 }, (_, i) => `a${i}: getCallerIdentity { arn }`).join(' ');
    const { json } = await post(server, JSON.stringify({ query: `{ ${fields} }` }), { authorization: `Bearer ${token}` });
    expect(json.errors?.[0]?.message).toMatch(/more than 30 aliases/);
    expect(json.data).toBeUndefined();
  });

  it('refuses a document with more tokens than the parser limit', async () => {
    const fields = Array.from({ length: requestLimits.maxTokens }, () => '__typename').join(' ');
    const { json } = await post(server, JSON.stringify({ query: `{ ${fields} }` }));
    expect(json.errors?.[0]?.message).toMatch(/more that? 5000 tokens/);
  });

  it('refuses a body larger than the size limit with 413', async () => {
    const { status, json } = await post(server, JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(300_000) }));
    expect(status).toBe(413);
    expect(json.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses batched operations', async () => {
    const { status, json } = await post(server, JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(status).toBe(400);
    expect(json.errors?.[0]?.message).toMatch(/Batched/);
  });

  it('refuses a cross-site simple request (CSRF prevention)', async () => {
    const response = await fetch(`${server.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(response.status).toBe(400);
  });

  it('does not read the database when a request is refused by a limit', async () => {
    const before = await sessionReads();
    const fields = Array.from({ length: requestLimits.maxAliases + 1 }, (_, i) => `a${i}: getCallerIdentity { arn }`).join(' ');
    for (let i = 0; i < 5; i++) await post(server, JSON.stringify({ query: `{ ${fields} }` }), { authorization: `Bearer ${token}` });
    // Statistics are flushed asynchronously; a real lookup would add at least 5 scans.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await sessionReads()) - before).toBeLessThan(5);
  });
});

describe('NUL characters', () => {
  it('refuses one in a variable or a literal with ValidationError (400), before anything runs', async () => {
    const nul = 'a\u0000b';
    const cases = [
      { query: textOf(GetRoleLastUsedDocument), variables: { input: { roleName: nul } } satisfies GetRoleLastUsedQueryVariables },
      { query: textOf(CreateUserDocument), variables: { input: { userName: 'ok', tags: [{ key: 'k', value: nul }] } } satisfies CreateUserMutationVariables },
      { query: `{ lookupEvents(input: { eventName: "a\\u0000b" }) { nodes { eventName } } }` },
    ];
    for (const body of cases) {
      const { status, json } = await post(server, JSON.stringify(body), { authorization: `Bearer ${token}` });
      expect(status).toBe(400);
      expect(json.errors?.[0]?.extensions?.code).toBe('ValidationError');
    }
    // The create above did not run.
    expect(await server.errorCode(GetUserNameAndArnDocument, { input: { userName: 'ok' } }, token)).toBe('NoSuchEntity');
  });
});

describe('production mode', () => {
  it('turns introspection off for anonymous callers, and says to sign in', async () => {
    const { status, json } = await post(production, JSON.stringify({ query: '{ __schema { types { name } } }' }));
    expect(status).toBe(400);
    expect(json.errors?.[0]?.message).toMatch(/introspection is for signed-in callers/i);
    expect(json.errors?.[0]?.extensions?.code).toBe('MissingAuthenticationToken');
    const hidden = await post(production, JSON.stringify({ query: '{ a: __typename ... on Query { t: __type(name: "User") { name } } }' }));
    expect(hidden.json.errors?.[0]?.extensions?.code).toBe('MissingAuthenticationToken');
  });

  it('answers introspection to a signed-in caller (the playground\'s Docs panel), not to a forged token', async () => {
    const { token } = await production.newAccount();
    const query = JSON.stringify({ query: '{ __type(name: "User") { name } }' });
    expect((await post(production, query, { authorization: `Bearer ${token}` })).json).toEqual({ data: { __type: { name: 'User' } } });
    expect((await post(production, query, { authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.e30.c2ln' })).json.errors?.[0]?.extensions?.code).toBe('InvalidClientTokenId');
  });

  it('does not suggest field names', async () => {
    const { json } = await post(production, JSON.stringify({ query: '{ getCallerIdentit { arn } }' }));
    expect(json.errors?.[0]?.message).not.toMatch(/Did you mean/);
  });

  it('suggests field names in development', async () => {
    const { json } = await post(server, JSON.stringify({ query: '{ getCallerIdentit { arn } }' }));
    expect(json.errors?.[0]?.message).toMatch(/Did you mean/);
  });
});
