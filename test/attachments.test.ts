// Managed policies attached to users, groups and roles, and the entities of a
// policy, over HTTP against a real server and database.
import { describe, expect, it } from 'vitest';
import {
  AttachGroupPolicyDocument,
  AttachRolePolicyDocument,
  AttachUserPolicyDocument,
  CreateGroupDocument,
  CreatePolicyDocument,
  CreateRoleDocument,
  DeletePolicyDocument,
  DetachGroupPolicyDocument,
  DetachRolePolicyDocument,
  DetachUserPolicyDocument,
  GetPolicyAttachmentsDocument,
  GetUserAttachedPoliciesDocument,
  ListAttachedGroupPoliciesDocument,
  ListAttachedRolePoliciesDocument,
  ListAttachedUserPoliciesDocument,
  ListEntitiesForPolicyDocument,
  ListGroupsAttachedPoliciesDocument,
  ListPolicyUsageDocument,
  type ListAttachedUserPoliciesQuery,
} from './generated/graphql.js';
import { createUser, iamAdmin } from './support/scenarios.js';
import { useTestServer, type GraphQLResponse } from './support/server.js';

const server = useTestServer();

const S3_READ_ONLY = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
const LAMBDA_BASIC = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
const BUCKET_RW = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::example-bucket' },
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::example-bucket/*' },
  ],
});
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

type Kind = 'user' | 'group' | 'role';

/** What the tests do to an entity of each kind, named: create it, attach or detach a managed policy (the raw response), list what is attached. */
const kinds = {
  user: {
    create: (token: string, userName: string, path?: string) => createUser(server, token, userName, { path }),
    attach: (token: string, userName: string, policyArn: string) => server.gql(AttachUserPolicyDocument, { input: { userName, policyArn } }, token),
    detach: (token: string, userName: string, policyArn: string) => server.gql(DetachUserPolicyDocument, { input: { userName, policyArn } }, token),
    attached: async (token: string, userName: string, pathPrefix?: string) =>
      (await server.ok(ListAttachedUserPoliciesDocument, { input: { userName, pathPrefix } }, token)).listAttachedUserPolicies.nodes,
  },
  group: {
    create: (token: string, groupName: string, path?: string) => server.ok(CreateGroupDocument, { input: { groupName, path } }, token),
    attach: (token: string, groupName: string, policyArn: string) => server.gql(AttachGroupPolicyDocument, { input: { groupName, policyArn } }, token),
    detach: (token: string, groupName: string, policyArn: string) => server.gql(DetachGroupPolicyDocument, { input: { groupName, policyArn } }, token),
    attached: async (token: string, groupName: string, pathPrefix?: string) =>
      (await server.ok(ListAttachedGroupPoliciesDocument, { input: { groupName, pathPrefix } }, token)).listAttachedGroupPolicies.nodes,
  },
  role: {
    create: (token: string, roleName: string, path?: string) => server.ok(CreateRoleDocument, { input: { roleName, path, assumeRolePolicyDocument: TRUST } }, token),
    attach: (token: string, roleName: string, policyArn: string) => server.gql(AttachRolePolicyDocument, { input: { roleName, policyArn } }, token),
    detach: (token: string, roleName: string, policyArn: string) => server.gql(DetachRolePolicyDocument, { input: { roleName, policyArn } }, token),
    attached: async (token: string, roleName: string, pathPrefix?: string) =>
      (await server.ok(ListAttachedRolePoliciesDocument, { input: { roleName, pathPrefix } }, token)).listAttachedRolePolicies.nodes,
  },
} as const;

async function createEntity(token: string, kind: Kind, name: string, path?: string): Promise<void> {
  await kinds[kind].create(token, name, path);
}

/** The response of a call that must succeed; throws with its errors otherwise. */
async function succeeded(response: Promise<GraphQLResponse<unknown>>): Promise<void> {
  const result = await response;
  if (result.errors?.length) throw new Error(`GraphQL error: ${JSON.stringify(result.errors)}`);
}

async function createPolicies(token: string, count: number, prefix = 'p'): Promise<string[]> {
  const arns: string[] = [];
  for (let i = 0; i < count; i++) {
    const data = await server.ok(CreatePolicyDocument, { input: { policyName: `${prefix}${i}`, policyDocument: BUCKET_RW } }, token);
    arns.push(data.createPolicy.policy.arn);
  }
  return arns;
}

describe('the IAM tutorial', () => {
  it('attaches AmazonS3ReadOnlyAccess to group Developers and lists it', async () => {
    const { token } = await server.newAccount();
    await createEntity(token, 'group', 'Developers');
    expect((await server.ok(AttachGroupPolicyDocument, { input: { groupName: 'Developers', policyArn: S3_READ_ONLY } }, token)).attachGroupPolicy).toBe(true);
    const list = await server.ok(ListAttachedGroupPoliciesDocument, { input: { groupName: 'developers' } }, token);
    expect(list.listAttachedGroupPolicies.nodes).toEqual([{ policyName: 'AmazonS3ReadOnlyAccess', policyArn: S3_READ_ONLY }]);
    expect(list.listAttachedGroupPolicies.attachedPolicies).toEqual([{ policyName: 'AmazonS3ReadOnlyAccess' }]);
  });

  it("writes the one-bucket read/write policy and attaches it to alice", async () => {
    const { accountId, token } = await server.newAccount();
    await createEntity(token, 'user', 'alice');
    const created = await server.ok(CreatePolicyDocument, { input: { policyName: 'example-bucket-rw', policyDocument: BUCKET_RW } }, token);
    const arn = created.createPolicy.policy.arn;
    expect(arn).toBe(`arn:aws:iam::${accountId}:policy/example-bucket-rw`);
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'alice', policyArn: arn } }, token);
    const user = await server.ok(GetUserAttachedPoliciesDocument, { input: { userName: 'alice' } }, token);
    expect(user.getUser.user.attachedPolicies).toEqual([{ policyName: 'example-bucket-rw', policyArn: arn }]);
    const policy = await server.ok(GetPolicyAttachmentsDocument, { input: { policyArn: arn } }, token);
    expect(policy.getPolicy.policy).toEqual({ attachmentCount: 1, entities: { policyUsers: [{ userName: 'alice' }] } });
  });
});

describe('attach and detach', () => {
  it.each(['user', 'group', 'role'] as const)('attaches ReadOnlyAccess and service-role/AWSLambdaBasicExecutionRole to a %s, and detaches them', async (kind) => {
    const { token } = await server.newAccount();
    await createEntity(token, kind, 'target');
    for (const policyArn of [READ_ONLY, LAMBDA_BASIC]) await succeeded(kinds[kind].attach(token, 'target', policyArn));
    expect(await kinds[kind].attached(token, 'target')).toEqual([
      { policyName: 'AWSLambdaBasicExecutionRole', policyArn: LAMBDA_BASIC },
      { policyName: 'ReadOnlyAccess', policyArn: READ_ONLY },
    ]);
    expect(await kinds[kind].attached(token, 'target', '/service-role/')).toEqual([{ policyName: 'AWSLambdaBasicExecutionRole', policyArn: LAMBDA_BASIC }]);
    await succeeded(kinds[kind].detach(token, 'target', READ_ONLY));
    expect(await kinds[kind].attached(token, 'target')).toEqual([{ policyName: 'AWSLambdaBasicExecutionRole', policyArn: LAMBDA_BASIC }]);
    expect((await kinds[kind].detach(token, 'target', READ_ONLY)).errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
  });

  it('treats attaching an attached policy again as a successful no-op', async () => {
    const { accountId, token } = await server.newAccount();
    await createEntity(token, 'user', 'twice');
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'twice', policyArn: READ_ONLY } }, token);
    const epoch = (await server.db.account.findUniqueOrThrow({ where: { id: accountId } })).policyEpoch;
    expect((await server.ok(AttachUserPolicyDocument, { input: { userName: 'twice', policyArn: READ_ONLY } }, token)).attachUserPolicy).toBe(true);
    expect(await server.db.policyAttachment.count({ where: { accountId } })).toBe(1);
    expect((await server.db.account.findUniqueOrThrow({ where: { id: accountId } })).policyEpoch).toBe(epoch);
  });

  it('bumps the policy epoch on attach and detach', async () => {
    const { accountId, token } = await server.newAccount();
    await createEntity(token, 'role', 'r');
    const epoch = async () => (await server.db.account.findUniqueOrThrow({ where: { id: accountId } })).policyEpoch;
    const e0 = await epoch();
    await server.ok(AttachRolePolicyDocument, { input: { roleName: 'r', policyArn: READ_ONLY } }, token);
    expect(await epoch()).toBe(e0 + 1);
    await server.ok(DetachRolePolicyDocument, { input: { roleName: 'r', policyArn: READ_ONLY } }, token);
    expect(await epoch()).toBe(e0 + 2);
  });

  it('answers NoSuchEntity for an unknown entity or policy, with AWS messages', async () => {
    const { accountId, token } = await server.newAccount();
    await createEntity(token, 'user', 'u');
    const noUser = await server.gql(AttachUserPolicyDocument, { input: { userName: 'nobody', policyArn: READ_ONLY } }, token);
    expect(noUser.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(noUser.errors?.[0]?.message).toBe('The user with name nobody cannot be found.');
    expect(await server.errorCode(AttachGroupPolicyDocument, { input: { groupName: 'nogroup', policyArn: READ_ONLY } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(AttachRolePolicyDocument, { input: { roleName: 'norole', policyArn: READ_ONLY } }, token)).toBe('NoSuchEntity');
    const missing = `arn:aws:iam::${accountId}:policy/missing`;
    const noPolicy = await server.gql(AttachUserPolicyDocument, { input: { userName: 'u', policyArn: missing } }, token);
    expect(noPolicy.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(noPolicy.errors?.[0]?.message).toBe(`Policy ${missing} does not exist or is not attachable.`);
    expect(await server.errorCode(AttachUserPolicyDocument, { input: { userName: 'u', policyArn: 'arn:aws:iam::aws:policy/NotAnAwsPolicy' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(ListAttachedUserPoliciesDocument, { input: { userName: 'nobody' } }, token)).toBe('NoSuchEntity');
  });

  it('refuses AWS service-linked role policies with PolicyNotAttachable', async () => {
    const { token } = await server.newAccount();
    await createEntity(token, 'role', 'r');
    const arn = 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy';
    expect(await server.errorCode(AttachRolePolicyDocument, { input: { roleName: 'r', policyArn: arn } }, token)).toBe('PolicyNotAttachable');
  });

  it("cannot attach another account's policy, even to its own user", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    const foreign = (await createPolicies(a.token, 1, 'foreign'))[0]!;
    await createEntity(b.token, 'user', 'bob');
    expect(await server.errorCode(AttachUserPolicyDocument, { input: { userName: 'bob', policyArn: foreign } }, b.token)).toBe('NoSuchEntity');
    expect(await server.db.policyAttachment.count({ where: { accountId: b.accountId } })).toBe(0);
  });

  it("cannot see or change another account's entities by name", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    await createEntity(a.token, 'user', 'alice');
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'alice', policyArn: READ_ONLY } }, a.token);
    expect(await server.errorCode(ListAttachedUserPoliciesDocument, { input: { userName: 'alice' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DetachUserPolicyDocument, { input: { userName: 'alice', policyArn: READ_ONLY } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(AttachUserPolicyDocument, { input: { userName: 'alice', policyArn: READ_ONLY } }, b.token)).toBe('NoSuchEntity');
    expect(await server.db.policyAttachment.count({ where: { accountId: a.accountId } })).toBe(1);
  });
});

describe('the quota of 10 managed policies per entity', () => {
  it.each([
    ['user', 'PoliciesPerUser'],
    ['group', 'PoliciesPerGroup'],
    ['role', 'PoliciesPerRole'],
  ] as const)('refuses an 11th policy on a %s with LimitExceeded', async (kind, quota) => {
    const { token } = await server.newAccount();
    await createEntity(token, kind, 'full');
    const arns = await createPolicies(token, 11);
    for (const policyArn of arns.slice(0, 10)) await succeeded(kinds[kind].attach(token, 'full', policyArn));
    const result = await kinds[kind].attach(token, 'full', arns[10]!);
    expect(result.errors?.[0]?.extensions?.code).toBe('LimitExceeded');
    expect(result.errors?.[0]?.message).toBe(`Cannot exceed quota for ${quota}: 10`);
    // Re-attaching one of the ten is still a no-op success.
    await succeeded(kinds[kind].attach(token, 'full', arns[0]!));
  });

  it('holds when attachments race', async () => {
    const { accountId, token } = await server.newAccount();
    await createEntity(token, 'user', 'racer');
    const arns = await createPolicies(token, 14);
    for (const policyArn of arns.slice(0, 8)) await server.ok(AttachUserPolicyDocument, { input: { userName: 'racer', policyArn } }, token);
    const results = await Promise.all(arns.slice(8).map((policyArn) => server.gql(AttachUserPolicyDocument, { input: { userName: 'racer', policyArn } }, token)));
    expect(results.filter((r) => !r.errors).length).toBe(2);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'LimitExceeded').length).toBe(4);
    expect(await server.db.policyAttachment.count({ where: { accountId } })).toBe(10);
  });
});

describe('listAttached*Policies pagination', () => {
  it('pages by name and refuses a cursor from another entity', async () => {
    const { token } = await server.newAccount();
    await createEntity(token, 'user', 'pager');
    await createEntity(token, 'user', 'other');
    const arns = await createPolicies(token, 5);
    for (const policyArn of arns) await server.ok(AttachUserPolicyDocument, { input: { userName: 'pager', policyArn } }, token);
    const names: string[] = [];
    let after: string | null = null;
    do {
      const page: ListAttachedUserPoliciesQuery['listAttachedUserPolicies'] = (await server.ok(ListAttachedUserPoliciesDocument, { input: { userName: 'pager' }, first: 2, after }, token)).listAttachedUserPolicies;
      names.push(...page.nodes.map((p) => p.policyName));
      after = page.marker;
    } while (after);
    expect(names).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    const first = (await server.ok(ListAttachedUserPoliciesDocument, { input: { userName: 'pager' }, first: 2 }, token)).listAttachedUserPolicies;
    expect(await server.errorCode(ListAttachedUserPoliciesDocument, { input: { userName: 'other' }, first: 2, after: first.marker }, token)).toBe('InvalidInput');
  });
});

describe('listEntitiesForPolicy', () => {
  it('lists groups, users and roles, filtered by kind and path, paginated', async () => {
    const { token } = await server.newAccount();
    const policyArn = (await createPolicies(token, 1, 'shared'))[0]!;
    await createEntity(token, 'user', 'u1', '/team/');
    await createEntity(token, 'user', 'u2');
    await createEntity(token, 'group', 'g1');
    await createEntity(token, 'role', 'r1', '/team/');
    await createEntity(token, 'user', 'unrelated');
    for (const [kind, name] of [['user', 'u1'], ['user', 'u2'], ['group', 'g1'], ['role', 'r1']] as const) {
      await succeeded(kinds[kind].attach(token, name, policyArn));
    }
    const all = (await server.ok(ListEntitiesForPolicyDocument, { input: { policyArn } }, token)).listEntitiesForPolicy;
    expect(all.nodes).toEqual([
      { entityType: 'Group', name: 'g1' },
      { entityType: 'User', name: 'u1' },
      { entityType: 'User', name: 'u2' },
      { entityType: 'Role', name: 'r1' },
    ]);
    expect(all.policyGroups.map((g) => g.groupName)).toEqual(['g1']);
    expect(all.policyUsers.map((u) => u.userName)).toEqual(['u1', 'u2']);
    expect(all.policyRoles[0]?.roleId).toMatch(/^AROA/);
    const users = (await server.ok(ListEntitiesForPolicyDocument, { input: { policyArn, entityFilter: 'User' } }, token)).listEntitiesForPolicy;
    expect(users.nodes.map((n) => n.name)).toEqual(['u1', 'u2']);
    const team = (await server.ok(ListEntitiesForPolicyDocument, { input: { policyArn, pathPrefix: '/team/' } }, token)).listEntitiesForPolicy;
    expect(team.nodes.map((n) => n.name)).toEqual(['u1', 'r1']);
    const page1 = (await server.ok(ListEntitiesForPolicyDocument, { input: { policyArn }, first: 3 }, token)).listEntitiesForPolicy;
    expect(page1.isTruncated).toBe(true);
    const page2 = (await server.ok(ListEntitiesForPolicyDocument, { input: { policyArn }, first: 3, after: page1.marker }, token)).listEntitiesForPolicy;
    expect(page2.nodes).toEqual([{ entityType: 'Role', name: 'r1' }]);
    expect(page2.policyRoles.map((r) => r.roleName)).toEqual(['r1']);
    const none = (await server.ok(ListEntitiesForPolicyDocument, { input: { policyArn, entityFilter: 'LocalManagedPolicy' } }, token)).listEntitiesForPolicy;
    expect(none.nodes).toEqual([]);
    await server.ok(DetachGroupPolicyDocument, { input: { groupName: 'g1', policyArn } }, token);
    const afterDetach = (await server.ok(ListEntitiesForPolicyDocument, { input: { policyArn, entityFilter: 'Group' } }, token)).listEntitiesForPolicy;
    expect(afterDetach.nodes).toEqual([]);
  });

  it("shows only this account's entities of an AWS-managed policy", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    await createEntity(a.token, 'user', 'alice');
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'alice', policyArn: READ_ONLY } }, a.token);
    const aSees = (await server.ok(ListEntitiesForPolicyDocument, { input: { policyArn: READ_ONLY } }, await iamAdmin(server, a))).listEntitiesForPolicy;
    expect(aSees.nodes).toEqual([{ entityType: 'User', name: 'alice' }]);
    const bSees = (await server.ok(ListEntitiesForPolicyDocument, { input: { policyArn: READ_ONLY } }, await iamAdmin(server, b))).listEntitiesForPolicy;
    expect(bSees.nodes).toEqual([]);
  });
});

describe('permissions boundaries', () => {
  it('count as usage: listed with PermissionsBoundary, counted, and blocking deletePolicy', async () => {
    const { token } = await server.newAccount();
    const [boundary, attached] = (await createPolicies(token, 2, 'b')) as [string, string];
    await createUser(server, token, 'bounded', { permissionsBoundary: boundary });
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'bounded', policyArn: attached } }, token);
    const asBoundary = (await server.ok(ListPolicyUsageDocument, { input: { scope: 'Local', onlyAttached: true, policyUsageFilter: 'PermissionsBoundary' } }, token)).listPolicies.nodes;
    expect(asBoundary).toEqual([{ arn: boundary, attachmentCount: 0, permissionsBoundaryUsageCount: 1 }]);
    const asPolicy = (await server.ok(ListPolicyUsageDocument, { input: { scope: 'Local', onlyAttached: true, policyUsageFilter: 'PermissionsPolicy' } }, token)).listPolicies.nodes;
    expect(asPolicy).toEqual([{ arn: attached, attachmentCount: 1, permissionsBoundaryUsageCount: 0 }]);
    const either = (await server.ok(ListPolicyUsageDocument, { input: { scope: 'Local', onlyAttached: true } }, token)).listPolicies.nodes;
    expect(either.map((p) => p.arn)).toEqual([boundary, attached]);
    const entities = (await server.ok(ListEntitiesForPolicyDocument, { input: { policyArn: boundary, policyUsageFilter: 'PermissionsBoundary' } }, token)).listEntitiesForPolicy;
    expect(entities.policyUsers.map((u) => u.userName)).toEqual(['bounded']);
    const asAttachment = (await server.ok(ListEntitiesForPolicyDocument, { input: { policyArn: boundary, policyUsageFilter: 'PermissionsPolicy' } }, token)).listEntitiesForPolicy;
    expect(asAttachment.nodes).toEqual([]);
    expect(await server.errorCode(DeletePolicyDocument, { input: { policyArn: boundary } }, token)).toBe('DeleteConflict');
  });
});

describe('nested attachedPolicies', () => {
  it('batches the attached policies of every group in a list', async () => {
    const { token } = await server.newAccount();
    for (const name of ['ga', 'gb']) await createEntity(token, 'group', name);
    await server.ok(AttachGroupPolicyDocument, { input: { groupName: 'ga', policyArn: READ_ONLY } }, token);
    await server.ok(AttachGroupPolicyDocument, { input: { groupName: 'gb', policyArn: S3_READ_ONLY } }, token);
    const data = await server.ok(ListGroupsAttachedPoliciesDocument, {}, token);
    expect(data.listGroups.nodes).toEqual([
      { groupName: 'ga', attachedPolicies: [{ policyName: 'ReadOnlyAccess' }] },
      { groupName: 'gb', attachedPolicies: [{ policyName: 'AmazonS3ReadOnlyAccess' }] },
    ]);
  });
});
