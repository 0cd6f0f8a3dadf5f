// Inline policies of users, groups and roles, over HTTP against a real server and database.
import { describe, expect, it } from 'vitest';
import { useTestServer } from './support/server.js';

const server = useTestServer();

const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const allow = (action: string, resource = '*') => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] });
/** A valid identity policy of exactly `size` characters, white space not counted. */
function policyOfSize(size: number): string {
  const base = allow('s3:GetObject', 'arn:aws:s3:::');
  const padding = size - base.length;
  if (padding < 0) throw new Error('too small');
  return allow('s3:GetObject', `arn:aws:s3:::${'x'.repeat(padding)}`);
}

type Kind = 'user' | 'group' | 'role';
const E = { user: 'User', group: 'Group', role: 'Role' } as const;
const nameKey = { user: 'userName', group: 'groupName', role: 'roleName' } as const;
const quota = { user: 2048, group: 5120, role: 10240 } as const;

const put = (kind: Kind) => `mutation($input: Put${E[kind]}PolicyInput!) { put${E[kind]}Policy(input: $input) }`;
const get = (kind: Kind) => `query($input: Get${E[kind]}PolicyInput!) { get${E[kind]}Policy(input: $input) { ${nameKey[kind]} policyName policyDocument } }`;
const list = (kind: Kind) => `query($input: List${E[kind]}PoliciesInput!, $first: Int, $after: String) { list${E[kind]}Policies(input: $input, first: $first, after: $after) { nodes policyNames isTruncated marker } }`;
const del = (kind: Kind) => `mutation($input: Delete${E[kind]}PolicyInput!) { delete${E[kind]}Policy(input: $input) }`;

async function createEntity(token: string, kind: Kind, name: string) {
  if (kind === 'user') return server.ok('mutation($input: CreateUserInput!) { createUser(input: $input) { user { arn } } }', { input: { userName: name } }, token);
  if (kind === 'group') return server.ok('mutation($input: CreateGroupInput!) { createGroup(input: $input) { group { arn } } }', { input: { groupName: name } }, token);
  return server.ok('mutation($input: CreateRoleInput!) { createRole(input: $input) { role { arn } } }', { input: { roleName: name, assumeRolePolicyDocument: TRUST } }, token);
}

const result = (data: Record<string, any>) => Object.values(data)[0];

describe.each(['user', 'group', 'role'] as const)('inline policies of a %s', (kind) => {
  it('puts, gets, lists, replaces and deletes an inline policy', async () => {
    const { token } = await server.newAccount();
    await createEntity(token, kind, 'Owner');
    const id = { [nameKey[kind]]: 'owner' };
    await server.ok(put(kind), { input: { ...id, policyName: 'read', policyDocument: allow('s3:GetObject') } }, token);
    await server.ok(put(kind), { input: { ...id, policyName: 'list', policyDocument: allow('s3:ListBucket') } }, token);
    expect(result(await server.ok(get(kind), { input: { ...id, policyName: 'read' } }, token))).toEqual({
      [nameKey[kind]]: 'Owner',
      policyName: 'read',
      policyDocument: allow('s3:GetObject'),
    });
    expect(result(await server.ok(list(kind), { input: id }, token))).toMatchObject({ nodes: ['list', 'read'], policyNames: ['list', 'read'], isTruncated: false });
    await server.ok(put(kind), { input: { ...id, policyName: 'read', policyDocument: allow('s3:GetObjectVersion') } }, token);
    expect(result(await server.ok(get(kind), { input: { ...id, policyName: 'read' } }, token)).policyDocument).toBe(allow('s3:GetObjectVersion'));
    await server.ok(del(kind), { input: { ...id, policyName: 'read' } }, token);
    expect(result(await server.ok(list(kind), { input: id }, token)).nodes).toEqual(['list']);
    const missing = await server.gql(get(kind), { input: { ...id, policyName: 'read' } }, token);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(missing.errors?.[0]?.message).toBe(`The ${kind} policy with name read cannot be found.`);
    expect(await server.errorCode(del(kind), { input: { ...id, policyName: 'read' } }, token)).toBe('NoSuchEntity');
  });

  it(`limits the aggregate size of its inline policies to ${quota[kind]} characters`, async () => {
    const { token } = await server.newAccount();
    await createEntity(token, kind, 'big');
    const id = { [nameKey[kind]]: 'big' };
    const half = Math.floor(quota[kind] / 2);
    await server.ok(put(kind), { input: { ...id, policyName: 'a', policyDocument: policyOfSize(half) } }, token);
    await server.ok(put(kind), { input: { ...id, policyName: 'b', policyDocument: policyOfSize(quota[kind] - half) } }, token);
    const over = await server.gql(put(kind), { input: { ...id, policyName: 'c', policyDocument: allow('s3:GetObject') } }, token);
    expect(over.errors?.[0]?.extensions?.code).toBe('LimitExceeded');
    expect(over.errors?.[0]?.message).toBe(`Maximum policy size of ${quota[kind]} bytes exceeded for ${kind} big`);
    // Replacing a policy counts its new size instead of its old one.
    await server.ok(put(kind), { input: { ...id, policyName: 'b', policyDocument: policyOfSize(quota[kind] - half) } }, token);
    expect(result(await server.ok(list(kind), { input: id }, token)).nodes).toEqual(['a', 'b']);
    const single = await server.gql(put(kind), { input: { ...id, policyName: 'huge', policyDocument: policyOfSize(quota[kind] + 1) } }, token);
    expect(single.errors?.[0]?.extensions?.code).toBe('LimitExceeded');
  });

  it('refuses malformed documents, bad names and unknown entities, storing nothing', async () => {
    const { accountId, token } = await server.newAccount();
    await createEntity(token, kind, 'e');
    const id = { [nameKey[kind]]: 'e' };
    const noEffect = JSON.stringify({ Version: '2012-10-17', Statement: [{ Action: 's3:*', Resource: '*' }] });
    const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] });
    for (const policyDocument of ['{not json', noEffect, withPrincipal]) {
      expect(await server.errorCode(put(kind), { input: { ...id, policyName: 'p', policyDocument } }, token)).toBe('MalformedPolicyDocument');
    }
    expect(await server.errorCode(put(kind), { input: { ...id, policyName: 'bad name', policyDocument: allow('s3:*') } }, token)).toBe('ValidationError');
    const noEntity = await server.gql(put(kind), { input: { [nameKey[kind]]: 'ghost', policyName: 'p', policyDocument: allow('s3:*') } }, token);
    expect(noEntity.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(noEntity.errors?.[0]?.message).toBe(`The ${kind} with name ghost cannot be found.`);
    expect(await server.errorCode(list(kind), { input: { [nameKey[kind]]: 'ghost' } }, token)).toBe('NoSuchEntity');
    expect(await server.db.inlinePolicy.count({ where: { accountId } })).toBe(0);
  });
});

describe('inline policies across accounts and requests', () => {
  it("cannot read or change another account's inline policies by entity name", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    await createEntity(a.token, 'user', 'alice');
    await server.ok(put('user'), { input: { userName: 'alice', policyName: 'p', policyDocument: allow('s3:*') } }, a.token);
    expect(await server.errorCode(get('user'), { input: { userName: 'alice', policyName: 'p' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(del('user'), { input: { userName: 'alice', policyName: 'p' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(put('user'), { input: { userName: 'alice', policyName: 'p', policyDocument: allow('iam:*') } }, b.token)).toBe('NoSuchEntity');
    expect(result(await server.ok(get('user'), { input: { userName: 'alice', policyName: 'p' } }, a.token)).policyDocument).toBe(allow('s3:*'));
  });

  it('bumps the policy epoch on put and delete', async () => {
    const { accountId, token } = await server.newAccount();
    await createEntity(token, 'group', 'g');
    const epoch = async () => (await server.db.account.findUniqueOrThrow({ where: { id: accountId } })).policyEpoch;
    const e0 = await epoch();
    await server.ok(put('group'), { input: { groupName: 'g', policyName: 'p', policyDocument: allow('s3:*') } }, token);
    expect(await epoch()).toBe(e0 + 1);
    await server.ok(del('group'), { input: { groupName: 'g', policyName: 'p' } }, token);
    expect(await epoch()).toBe(e0 + 2);
  });

  it('keeps the aggregate size quota when puts race', async () => {
    const { accountId, token } = await server.newAccount();
    await createEntity(token, 'user', 'racer');
    const results = await Promise.all(['a', 'b', 'c'].map((policyName) => server.gql(put('user'), { input: { userName: 'racer', policyName, policyDocument: policyOfSize(900) } }, token)));
    expect(results.filter((r) => !r.errors).length).toBe(2);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'LimitExceeded').length).toBe(1);
    expect(await server.db.inlinePolicy.count({ where: { accountId } })).toBe(2);
  });

  it('paginates inline policy names and serves the nested inlinePolicies field', async () => {
    const { token } = await server.newAccount();
    await createEntity(token, 'role', 'r');
    for (const name of ['p3', 'p1', 'p2']) await server.ok(put('role'), { input: { roleName: 'r', policyName: name, policyDocument: allow('s3:GetObject') } }, token);
    const page1 = result(await server.ok(list('role'), { input: { roleName: 'r' }, first: 2 }, token));
    expect(page1).toMatchObject({ nodes: ['p1', 'p2'], isTruncated: true });
    const page2 = result(await server.ok(list('role'), { input: { roleName: 'r' }, first: 2, after: page1.marker }, token));
    expect(page2).toMatchObject({ nodes: ['p3'], isTruncated: false });
    const nested = await server.ok('query { getRole(input: { roleName: "r" }) { role { inlinePolicies { policyName policyDocument } } } }', {}, token);
    expect(nested.getRole.role.inlinePolicies.map((p: any) => p.policyName)).toEqual(['p1', 'p2', 'p3']);
    expect(nested.getRole.role.inlinePolicies[0].policyDocument).toBe(allow('s3:GetObject'));
  });
});
