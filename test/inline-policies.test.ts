// Inline policies of users, groups and roles, over HTTP against a real server and database.
import { describe, expect, it } from 'vitest';
import {
  CreateGroupDocument,
  CreateRoleDocument,
  DeleteGroupPolicyDocument,
  DeleteRolePolicyDocument,
  DeleteUserPolicyDocument,
  GetGroupPolicyDocument,
  GetRoleInlinePoliciesDocument,
  GetRolePolicyDocument,
  GetUserPolicyDocument,
  ListGroupPoliciesDocument,
  ListRolePoliciesDocument,
  ListUserPoliciesDocument,
  PutGroupPolicyDocument,
  PutRolePolicyDocument,
  PutUserPolicyDocument,
  type ListUserPoliciesQuery,
} from './generated/graphql.js';
import { createUser } from './support/scenarios.js';
import { fieldOf, useTestServer, type GraphQLResponse } from './support/server.js';

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
const nameKey = { user: 'userName', group: 'groupName', role: 'roleName' } as const;
const quota = { user: 2048, group: 5120, role: 10240 } as const;

/** An inline policy as Get{User,Group,Role}Policy answers it: its entity's name under `userName`, `groupName` or `roleName`. */
type InlinePolicy = { [entityName: string]: string; policyName: string; policyDocument: string };
/** A page of inline policy names, the same for every kind of entity. */
type InlinePolicyNames = ListUserPoliciesQuery['listUserPolicies'];

/** The inline policy operations of one kind of entity, by the entity's name; each answers the raw response. */
interface InlinePolicies {
  create(token: string, name: string): Promise<unknown>;
  put(token: string, name: string, policyName: string, policyDocument: string): Promise<GraphQLResponse<unknown>>;
  get(token: string, name: string, policyName: string): Promise<GraphQLResponse<InlinePolicy>>;
  list(token: string, name: string, page?: { first?: number; after?: string | null }): Promise<GraphQLResponse<InlinePolicyNames>>;
  delete(token: string, name: string, policyName: string): Promise<GraphQLResponse<unknown>>;
}

const kinds: Record<Kind, InlinePolicies> = {
  user: {
    create: (token, userName) => createUser(server, token, userName),
    put: (token, userName, policyName, policyDocument) => server.gql(PutUserPolicyDocument, { input: { userName, policyName, policyDocument } }, token),
    get: (token, userName, policyName) => server.gql(GetUserPolicyDocument, { input: { userName, policyName } }, token).then(fieldOf('getUserPolicy')),
    list: (token, userName, page = {}) => server.gql(ListUserPoliciesDocument, { input: { userName }, ...page }, token).then(fieldOf('listUserPolicies')),
    delete: (token, userName, policyName) => server.gql(DeleteUserPolicyDocument, { input: { userName, policyName } }, token),
  },
  group: {
    create: (token, groupName) => server.ok(CreateGroupDocument, { input: { groupName } }, token),
    put: (token, groupName, policyName, policyDocument) => server.gql(PutGroupPolicyDocument, { input: { groupName, policyName, policyDocument } }, token),
    get: (token, groupName, policyName) => server.gql(GetGroupPolicyDocument, { input: { groupName, policyName } }, token).then(fieldOf('getGroupPolicy')),
    list: (token, groupName, page = {}) => server.gql(ListGroupPoliciesDocument, { input: { groupName }, ...page }, token).then(fieldOf('listGroupPolicies')),
    delete: (token, groupName, policyName) => server.gql(DeleteGroupPolicyDocument, { input: { groupName, policyName } }, token),
  },
  role: {
    create: (token, roleName) => server.ok(CreateRoleDocument, { input: { roleName, assumeRolePolicyDocument: TRUST } }, token),
    put: (token, roleName, policyName, policyDocument) => server.gql(PutRolePolicyDocument, { input: { roleName, policyName, policyDocument } }, token),
    get: (token, roleName, policyName) => server.gql(GetRolePolicyDocument, { input: { roleName, policyName } }, token).then(fieldOf('getRolePolicy')),
    list: (token, roleName, page = {}) => server.gql(ListRolePoliciesDocument, { input: { roleName }, ...page }, token).then(fieldOf('listRolePolicies')),
    delete: (token, roleName, policyName) => server.gql(DeleteRolePolicyDocument, { input: { roleName, policyName } }, token),
  },
};

/** The data of a call that must succeed; throws with its errors otherwise. */
async function ok<T>(response: Promise<GraphQLResponse<T>>): Promise<T> {
  const { data, errors } = await response;
  if (errors?.length || data == null) throw new Error(`GraphQL error: ${JSON.stringify(errors)}`);
  return data;
}

/** The first error's code of a call that must fail (undefined when it succeeded). */
async function codeOf(response: Promise<GraphQLResponse<unknown>>): Promise<string | undefined> {
  return (await response).errors?.[0]?.extensions?.code;
}

describe.each(['user', 'group', 'role'] as const)('inline policies of a %s', (kind) => {
  const entity = kinds[kind];

  it('puts, gets, lists, replaces and deletes an inline policy', async () => {
    const { token } = await server.newAccount();
    await entity.create(token, 'Owner');
    await ok(entity.put(token, 'owner', 'read', allow('s3:GetObject')));
    await ok(entity.put(token, 'owner', 'list', allow('s3:ListBucket')));
    expect(await ok(entity.get(token, 'owner', 'read'))).toEqual({
      [nameKey[kind]]: 'Owner',
      policyName: 'read',
      policyDocument: allow('s3:GetObject'),
    });
    expect(await ok(entity.list(token, 'owner'))).toMatchObject({ nodes: ['list', 'read'], policyNames: ['list', 'read'], isTruncated: false });
    await ok(entity.put(token, 'owner', 'read', allow('s3:GetObjectVersion')));
    expect((await ok(entity.get(token, 'owner', 'read'))).policyDocument).toBe(allow('s3:GetObjectVersion'));
    await ok(entity.delete(token, 'owner', 'read'));
    expect((await ok(entity.list(token, 'owner'))).nodes).toEqual(['list']);
    const missing = await entity.get(token, 'owner', 'read');
    expect(missing.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(missing.errors?.[0]?.message).toBe(`The ${kind} policy with name read cannot be found.`);
    expect(await codeOf(entity.delete(token, 'owner', 'read'))).toBe('NoSuchEntity');
  });

  it(`limits the aggregate size of its inline policies to ${quota[kind]} characters`, async () => {
    const { token } = await server.newAccount();
    await entity.create(token, 'big');
    const half = Math.floor(quota[kind] / 2);
    await ok(entity.put(token, 'big', 'a', policyOfSize(half)));
    await ok(entity.put(token, 'big', 'b', policyOfSize(quota[kind] - half)));
    const over = await entity.put(token, 'big', 'c', allow('s3:GetObject'));
    expect(over.errors?.[0]?.extensions?.code).toBe('LimitExceeded');
    expect(over.errors?.[0]?.message).toBe(`Maximum policy size of ${quota[kind]} bytes exceeded for ${kind} big`);
    // Replacing a policy counts its new size instead of its old one.
    await ok(entity.put(token, 'big', 'b', policyOfSize(quota[kind] - half)));
    expect((await ok(entity.list(token, 'big'))).nodes).toEqual(['a', 'b']);
    const single = await entity.put(token, 'big', 'huge', policyOfSize(quota[kind] + 1));
    expect(single.errors?.[0]?.extensions?.code).toBe('LimitExceeded');
  });

  it('refuses malformed documents, bad names and unknown entities, storing nothing', async () => {
    const { accountId, token } = await server.newAccount();
    await entity.create(token, 'e');
    const noEffect = JSON.stringify({ Version: '2012-10-17', Statement: [{ Action: 's3:*', Resource: '*' }] });
    const withPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] });
    for (const policyDocument of ['{not json', noEffect, withPrincipal]) {
      expect(await codeOf(entity.put(token, 'e', 'p', policyDocument))).toBe('MalformedPolicyDocument');
    }
    expect(await codeOf(entity.put(token, 'e', 'bad name', allow('s3:*')))).toBe('ValidationError');
    const noEntity = await entity.put(token, 'ghost', 'p', allow('s3:*'));
    expect(noEntity.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(noEntity.errors?.[0]?.message).toBe(`The ${kind} with name ghost cannot be found.`);
    expect(await codeOf(entity.list(token, 'ghost'))).toBe('NoSuchEntity');
    expect(await server.db.inlinePolicy.count({ where: { accountId } })).toBe(0);
  });
});

describe('inline policies across accounts and requests', () => {
  it("cannot read or change another account's inline policies by entity name", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    await createUser(server, a.token, 'alice');
    await server.ok(PutUserPolicyDocument, { input: { userName: 'alice', policyName: 'p', policyDocument: allow('s3:*') } }, a.token);
    expect(await server.errorCode(GetUserPolicyDocument, { input: { userName: 'alice', policyName: 'p' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteUserPolicyDocument, { input: { userName: 'alice', policyName: 'p' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(PutUserPolicyDocument, { input: { userName: 'alice', policyName: 'p', policyDocument: allow('iam:*') } }, b.token)).toBe('NoSuchEntity');
    expect((await server.ok(GetUserPolicyDocument, { input: { userName: 'alice', policyName: 'p' } }, a.token)).getUserPolicy.policyDocument).toBe(allow('s3:*'));
  });

  it('bumps the policy epoch on put and delete', async () => {
    const { accountId, token } = await server.newAccount();
    await server.ok(CreateGroupDocument, { input: { groupName: 'g' } }, token);
    const epoch = async () => (await server.db.account.findUniqueOrThrow({ where: { id: accountId } })).policyEpoch;
    const e0 = await epoch();
    await server.ok(PutGroupPolicyDocument, { input: { groupName: 'g', policyName: 'p', policyDocument: allow('s3:*') } }, token);
    expect(await epoch()).toBe(e0 + 1);
    await server.ok(DeleteGroupPolicyDocument, { input: { groupName: 'g', policyName: 'p' } }, token);
    expect(await epoch()).toBe(e0 + 2);
  });

  it('keeps the aggregate size quota when puts race', async () => {
    const { accountId, token } = await server.newAccount();
    await createUser(server, token, 'racer');
    const results = await Promise.all(
      ['a', 'b', 'c'].map((policyName) => server.gql(PutUserPolicyDocument, { input: { userName: 'racer', policyName, policyDocument: policyOfSize(900) } }, token)),
    );
    expect(results.filter((r) => !r.errors).length).toBe(2);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'LimitExceeded').length).toBe(1);
    expect(await server.db.inlinePolicy.count({ where: { accountId } })).toBe(2);
  });

  it('paginates inline policy names and serves the nested inlinePolicies field', async () => {
    const { token } = await server.newAccount();
    await kinds.role.create(token, 'r');
    for (const name of ['p3', 'p1', 'p2']) await server.ok(PutRolePolicyDocument, { input: { roleName: 'r', policyName: name, policyDocument: allow('s3:GetObject') } }, token);
    const page1 = (await server.ok(ListRolePoliciesDocument, { input: { roleName: 'r' }, first: 2 }, token)).listRolePolicies;
    expect(page1).toMatchObject({ nodes: ['p1', 'p2'], isTruncated: true });
    const page2 = (await server.ok(ListRolePoliciesDocument, { input: { roleName: 'r' }, first: 2, after: page1.marker }, token)).listRolePolicies;
    expect(page2).toMatchObject({ nodes: ['p3'], isTruncated: false });
    const nested = await server.ok(GetRoleInlinePoliciesDocument, { input: { roleName: 'r' } }, token);
    expect(nested.getRole.role.inlinePolicies.map((p) => p.policyName)).toEqual(['p1', 'p2', 'p3']);
    expect(nested.getRole.role.inlinePolicies[0]?.policyDocument).toBe(allow('s3:GetObject'));
  });
});
