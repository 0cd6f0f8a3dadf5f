// Customer-managed policies, their versions and tags, and reading AWS-managed
// policies, over HTTP against a real server and database.
import { describe, expect, it } from 'vitest';
import { findPolicy } from '../src/iam/managed-policies.js';
import {
  AttachUserPolicyDocument,
  CreatePolicyDetailsDocument,
  CreatePolicyVersionDocument,
  DeletePolicyDocument,
  DeletePolicyVersionDocument,
  DetachUserPolicyDocument,
  GetPolicyDocument,
  GetPolicyVersionDocument,
  ListLocalPoliciesNestedDocument,
  ListPoliciesDocument,
  ListPolicyTagsDocument,
  ListPolicyVersionsDocument,
  SetDefaultPolicyVersionDocument,
  TagPolicyDocument,
  UntagPolicyDocument,
  type CreatePolicyInput,
  type ListPoliciesQuery,
} from './generated/graphql.js';
import { createUser, iamAdmin } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const BUCKET_RW = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::example-bucket' },
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::example-bucket/*' },
  ],
});
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

async function newPolicy(token: string, name: string, extra: Omit<CreatePolicyInput, 'policyName' | 'policyDocument'> = {}) {
  const data = await server.ok(CreatePolicyDetailsDocument, { input: { policyName: name, policyDocument: BUCKET_RW, ...extra } }, token);
  return data.createPolicy.policy;
}

describe('createPolicy', () => {
  it('creates a customer-managed policy with version v1 as the default', async () => {
    const { accountId, token } = await server.newAccount();
    const policy = await newPolicy(token, 'example-bucket-rw', { path: '/s3/', description: 'RW on one bucket', tags: [{ key: 'team', value: 'data' }] });
    expect(policy).toMatchObject({
      policyName: 'example-bucket-rw',
      arn: `arn:aws:iam::${accountId}:policy/s3/example-bucket-rw`,
      path: '/s3/',
      defaultVersionId: 'v1',
      attachmentCount: 0,
      permissionsBoundaryUsageCount: 0,
      isAttachable: true,
      description: 'RW on one bucket',
      tags: [{ key: 'team', value: 'data' }],
    });
    expect(policy.policyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    const got = await server.ok(GetPolicyDocument, { input: { policyArn: policy.arn } }, token);
    expect(got.getPolicy.policy.defaultVersion).toEqual({ versionId: 'v1', isDefaultVersion: true, document: BUCKET_RW });
    expect(got.getPolicy.policy.versions.nodes).toEqual([{ versionId: 'v1', isDefaultVersion: true }]);
  });

  it('refuses a duplicate name, case-insensitively, and leaves the first policy alone', async () => {
    const { token } = await server.newAccount();
    await newPolicy(token, 'Dup');
    const result = await server.gql(CreatePolicyDetailsDocument, { input: { policyName: 'dUP', path: '/other/', policyDocument: BUCKET_RW } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
    expect(result.errors?.[0]?.message).toBe('A policy called dUP already exists. Duplicate names are not allowed.');
  });

  it('lets exactly one of two concurrent creates of the same name succeed', async () => {
    const { token } = await server.newAccount();
    const results = await Promise.all([1, 2, 3].map(() => server.gql(CreatePolicyDetailsDocument, { input: { policyName: 'race', policyDocument: BUCKET_RW } }, token)));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'EntityAlreadyExists').length).toBe(2);
  });

  it.each([
    ['bad JSON', '{"Version": "2012-10-17", "Statement": ['],
    ['a statement without Effect', doc({ Action: 's3:GetObject', Resource: '*' })],
    ['a Principal in an identity policy', doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' })],
  ])('refuses %s with MalformedPolicyDocument and stores nothing', async (_name, policyDocument) => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(CreatePolicyDetailsDocument, { input: { policyName: 'bad', policyDocument } }, token)).toBe('MalformedPolicyDocument');
    const list = await server.ok(ListPoliciesDocument, { input: { scope: 'Local' } }, token);
    expect(list.listPolicies.nodes).toEqual([]);
  });

  it('refuses a document over 6,144 characters with LimitExceeded', async () => {
    const { token } = await server.newAccount();
    const big = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'x'.repeat(6200)}` });
    expect(await server.errorCode(CreatePolicyDetailsDocument, { input: { policyName: 'big', policyDocument: big } }, token)).toBe('LimitExceeded');
  });

  it.each([
    ['an empty name', { policyName: '' }],
    ['a name with a space', { policyName: 'a b' }],
    ['a name of 129 characters', { policyName: 'p'.repeat(129) }],
    ['a path without trailing slash', { policyName: 'ok', path: '/x' }],
    ['a description of 1,001 characters', { policyName: 'ok', description: 'd'.repeat(1001) }],
  ])('refuses %s with ValidationError', async (_name, input) => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(CreatePolicyDetailsDocument, { input: { policyDocument: BUCKET_RW, ...input } }, token)).toBe('ValidationError');
  });
});

describe('getPolicy', () => {
  it('answers AWS-managed policies, including service-role ones, with their path', async () => {
    const token = await iamAdmin(server, await server.newAccount());
    const ro = await server.ok(GetPolicyDocument, { input: { policyArn: READ_ONLY } }, token);
    expect(ro.getPolicy.policy).toMatchObject({ policyName: 'ReadOnlyAccess', path: '/', isAttachable: true });
    expect(JSON.parse(ro.getPolicy.policy.defaultVersion.document).Statement.length).toBeGreaterThan(0);
    const lambda = await server.ok(GetPolicyDocument, { input: { policyArn: 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole' } }, token);
    expect(lambda.getPolicy.policy).toMatchObject({ policyName: 'AWSLambdaBasicExecutionRole', path: '/service-role/' });
  });

  it("never shows another account's policy: it answers as a missing one does", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    const policy = await newPolicy(a.token, 'mine');
    expect(await server.errorCode(GetPolicyDocument, { input: { policyArn: policy.arn } }, b.token)).toBe('NoSuchEntity');
    const bAdmin = await iamAdmin(server, b);
    const result = await server.gql(GetPolicyDocument, { input: { policyArn: policy.arn } }, bAdmin);
    expect(result.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(result.errors?.[0]?.message).toBe(`Policy ${policy.arn} was not found.`);
    expect(await findPolicy(server.db, b.accountId, policy.arn)).toBeUndefined();
    expect(await findPolicy(server.db, a.accountId, policy.arn)).toMatchObject({ name: 'mine' });
  });

  it('answers NoSuchEntity for an unknown policy and ValidationError for a malformed ARN', async () => {
    const account = await server.newAccount();
    expect(await server.errorCode(GetPolicyDocument, { input: { policyArn: `arn:aws:iam::${account.accountId}:policy/nothing` } }, account.token)).toBe('NoSuchEntity');
    const token = await iamAdmin(server, account);
    expect(await server.errorCode(GetPolicyDocument, { input: { policyArn: 'arn:aws:iam::aws:policy/NoSuchPolicyAtAll' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(GetPolicyDocument, { input: { policyArn: 'arn:aws:iam::aws:nothing' } }, token)).toBe('InvalidInput');
    expect(await server.errorCode(GetPolicyDocument, { input: { policyArn: 'not-an-arn' } }, token)).toBe('ValidationError');
  });
});

describe('deletePolicy', () => {
  it('deletes an unattached policy with one version', async () => {
    const { token } = await server.newAccount();
    const policy = await newPolicy(token, 'gone', { tags: [{ key: 'k', value: 'v' }] });
    expect((await server.ok(DeletePolicyDocument, { input: { policyArn: policy.arn } }, token)).deletePolicy).toBe(true);
    expect(await server.errorCode(GetPolicyDocument, { input: { policyArn: policy.arn } }, token)).toBe('NoSuchEntity');
    expect(await server.db.tag.count({ where: { resourceType: 'policy', resourceId: policy.policyId } })).toBe(0);
  });

  it('refuses while the policy is attached, and while it has non-default versions', async () => {
    const { token } = await server.newAccount();
    const policy = await newPolicy(token, 'busy');
    await createUser(server, token, 'alice');
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'alice', policyArn: policy.arn } }, token);
    const attached = await server.gql(DeletePolicyDocument, { input: { policyArn: policy.arn } }, token);
    expect(attached.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
    expect(attached.errors?.[0]?.message).toBe('Cannot delete a policy attached to entities.');
    await server.ok(DetachUserPolicyDocument, { input: { userName: 'alice', policyArn: policy.arn } }, token);
    await server.ok(CreatePolicyVersionDocument, { input: { policyArn: policy.arn, policyDocument: BUCKET_RW } }, token);
    const versions = await server.gql(DeletePolicyDocument, { input: { policyArn: policy.arn } }, token);
    expect(versions.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
    expect(versions.errors?.[0]?.message).toMatch(/more than one version/);
    await server.ok(DeletePolicyVersionDocument, { input: { policyArn: policy.arn, versionId: 'v2' } }, token);
    await server.ok(DeletePolicyDocument, { input: { policyArn: policy.arn } }, token);
  });

  it('refuses to delete an AWS-managed policy with UnmodifiableEntity', async () => {
    const token = await iamAdmin(server, await server.newAccount());
    expect(await server.errorCode(DeletePolicyDocument, { input: { policyArn: READ_ONLY } }, token)).toBe('UnmodifiableEntity');
  });

  it("cannot delete another account's policy", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    const policy = await newPolicy(a.token, 'keep');
    expect(await server.errorCode(DeletePolicyDocument, { input: { policyArn: policy.arn } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeletePolicyDocument, { input: { policyArn: policy.arn } }, await iamAdmin(server, b))).toBe('NoSuchEntity');
    await server.ok(GetPolicyDocument, { input: { policyArn: policy.arn } }, a.token);
  });
});

describe('policy versions', () => {
  it('creates versions, sets the default, and never reuses a version id', async () => {
    const { token } = await server.newAccount();
    const policy = await newPolicy(token, 'versioned');
    const v2doc = doc({ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' });
    const v2 = await server.ok(CreatePolicyVersionDocument, { input: { policyArn: policy.arn, policyDocument: v2doc, setAsDefault: true } }, token);
    expect(v2.createPolicyVersion.policyVersion).toMatchObject({ versionId: 'v2', isDefaultVersion: true, document: v2doc });
    const got = await server.ok(GetPolicyDocument, { input: { policyArn: policy.arn } }, token);
    expect(got.getPolicy.policy.defaultVersionId).toBe('v2');
    expect(got.getPolicy.policy.defaultVersion.document).toBe(v2doc);
    await server.ok(SetDefaultPolicyVersionDocument, { input: { policyArn: policy.arn, versionId: 'v1' } }, token);
    await server.ok(DeletePolicyVersionDocument, { input: { policyArn: policy.arn, versionId: 'v2' } }, token);
    const v3 = await server.ok(CreatePolicyVersionDocument, { input: { policyArn: policy.arn, policyDocument: v2doc } }, token);
    expect(v3.createPolicyVersion.policyVersion).toMatchObject({ versionId: 'v3', isDefaultVersion: false });
    const list = await server.ok(ListPolicyVersionsDocument, { input: { policyArn: policy.arn } }, token);
    expect(list.listPolicyVersions.nodes).toEqual([
      { versionId: 'v3', isDefaultVersion: false },
      { versionId: 'v1', isDefaultVersion: true },
    ]);
    const v1 = await server.ok(GetPolicyVersionDocument, { input: { policyArn: policy.arn, versionId: 'v1' } }, token);
    expect(v1.getPolicyVersion.policyVersion).toEqual({ versionId: 'v1', isDefaultVersion: true, document: BUCKET_RW });
  });

  it('refuses a sixth version with LimitExceeded, also when racing', async () => {
    const { token } = await server.newAccount();
    const policy = await newPolicy(token, 'five');
    for (let i = 0; i < 3; i++) await server.ok(CreatePolicyVersionDocument, { input: { policyArn: policy.arn, policyDocument: BUCKET_RW } }, token);
    const results = await Promise.all([1, 2, 3].map(() => server.gql(CreatePolicyVersionDocument, { input: { policyArn: policy.arn, policyDocument: BUCKET_RW } }, token)));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    const refused = results.filter((r) => r.errors);
    expect(refused.map((r) => r.errors![0]!.extensions?.code)).toEqual(['LimitExceeded', 'LimitExceeded']);
    expect(refused[0]!.errors![0]!.message).toBe('A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
    expect(await server.db.policyVersion.count({ where: { policyId: policy.policyId } })).toBe(5);
  });

  it('refuses to delete the default version, and answers NoSuchEntity for unknown versions', async () => {
    const { token } = await server.newAccount();
    const policy = await newPolicy(token, 'defaults');
    const result = await server.gql(DeletePolicyVersionDocument, { input: { policyArn: policy.arn, versionId: 'v1' } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
    expect(result.errors?.[0]?.message).toBe('Cannot delete the default version of a policy.');
    expect(await server.errorCode(DeletePolicyVersionDocument, { input: { policyArn: policy.arn, versionId: 'v7' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(SetDefaultPolicyVersionDocument, { input: { policyArn: policy.arn, versionId: 'v7' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(GetPolicyVersionDocument, { input: { policyArn: policy.arn, versionId: 'v7' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(GetPolicyVersionDocument, { input: { policyArn: policy.arn, versionId: 'version1' } }, token)).toBe('ValidationError');
  });

  it('refuses a malformed new version and keeps the policy unchanged', async () => {
    const { token } = await server.newAccount();
    const policy = await newPolicy(token, 'strict');
    expect(await server.errorCode(CreatePolicyVersionDocument, { input: { policyArn: policy.arn, policyDocument: '{', setAsDefault: true } }, token)).toBe('MalformedPolicyDocument');
    const list = await server.ok(ListPolicyVersionsDocument, { input: { policyArn: policy.arn } }, token);
    expect(list.listPolicyVersions.nodes).toEqual([{ versionId: 'v1', isDefaultVersion: true }]);
  });

  it('refuses to change AWS-managed policies with UnmodifiableEntity', async () => {
    const token = await iamAdmin(server, await server.newAccount());
    expect(await server.errorCode(CreatePolicyVersionDocument, { input: { policyArn: READ_ONLY, policyDocument: BUCKET_RW } }, token)).toBe('UnmodifiableEntity');
    expect(await server.errorCode(SetDefaultPolicyVersionDocument, { input: { policyArn: READ_ONLY, versionId: 'v1' } }, token)).toBe('UnmodifiableEntity');
    expect(await server.errorCode(DeletePolicyVersionDocument, { input: { policyArn: READ_ONLY, versionId: 'v1' } }, token)).toBe('UnmodifiableEntity');
    expect(await server.errorCode(TagPolicyDocument, { input: { policyArn: READ_ONLY, tags: [{ key: 'a', value: 'b' }] } }, token)).toBe('UnmodifiableEntity');
  });

  it('bumps the policy epoch when the default version changes, not when a non-default version is created', async () => {
    const { accountId, token } = await server.newAccount();
    const policy = await newPolicy(token, 'epoch');
    const epoch = async () => (await server.db.account.findUniqueOrThrow({ where: { id: accountId } })).policyEpoch;
    const e0 = await epoch();
    await server.ok(CreatePolicyVersionDocument, { input: { policyArn: policy.arn, policyDocument: BUCKET_RW } }, token);
    expect(await epoch()).toBe(e0);
    await server.ok(SetDefaultPolicyVersionDocument, { input: { policyArn: policy.arn, versionId: 'v2' } }, token);
    expect(await epoch()).toBe(e0 + 1);
    await server.ok(CreatePolicyVersionDocument, { input: { policyArn: policy.arn, policyDocument: BUCKET_RW, setAsDefault: true } }, token);
    expect(await epoch()).toBe(e0 + 2);
  });
});

describe('listPolicies', () => {
  it('lists the account\'s own policies with scope Local, paginated, and refuses cursors of another account or query', async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    for (const name of ['p3', 'P1', 'p2', 'p4', 'p5']) await newPolicy(a.token, name);
    await newPolicy(b.token, 'other');
    const names: string[] = [];
    let after: string | null = null;
    do {
      const page: ListPoliciesQuery['listPolicies'] = (await server.ok(ListPoliciesDocument, { input: { scope: 'Local' }, first: 2, after }, a.token)).listPolicies;
      names.push(...page.nodes.map((p) => p.policyName));
      after = page.marker;
      expect(page.isTruncated).toBe(after !== null);
    } while (after);
    expect(names).toEqual(['P1', 'p2', 'p3', 'p4', 'p5']);
    const first = (await server.ok(ListPoliciesDocument, { input: { scope: 'Local' }, first: 2 }, a.token)).listPolicies;
    expect(await server.errorCode(ListPoliciesDocument, { input: { scope: 'Local' }, first: 2, after: first.marker }, b.token)).toBe('InvalidInput');
    expect(await server.errorCode(ListPoliciesDocument, { input: { scope: 'AWS' }, first: 2, after: first.marker }, a.token)).toBe('InvalidInput');
  });

  it('lists AWS-managed policies with scope AWS and both with All, filtered by path prefix', async () => {
    const { token } = await server.newAccount();
    const mine = await newPolicy(token, 'ReadOnlyAccess');
    const aws = (await server.ok(ListPoliciesDocument, { input: { scope: 'AWS' }, first: 1000 }, token)).listPolicies;
    expect(aws.nodes.length).toBe(1000);
    expect(aws.isTruncated).toBe(true);
    const rest = (await server.ok(ListPoliciesDocument, { input: { scope: 'AWS' }, first: 1000, after: aws.marker }, token)).listPolicies;
    expect(rest.isTruncated).toBe(false);
    const allAws = [...aws.nodes, ...rest.nodes];
    expect(new Set(allAws.map((p) => p.arn)).size).toBe(allAws.length);
    expect(allAws.length).toBeGreaterThan(1500);
    const page1 = (await server.ok(ListPoliciesDocument, { input: { pathPrefix: '/' }, first: 1000 }, token)).listPolicies;
    const page2 = (await server.ok(ListPoliciesDocument, { input: { pathPrefix: '/' }, first: 1000, after: page1.marker }, token)).listPolicies;
    const all = { nodes: [...page1.nodes, ...page2.nodes] };
    expect(all.nodes.length).toBe(allAws.length + 1);
    expect(all.nodes.filter((p) => p.policyName === 'ReadOnlyAccess').map((p) => p.arn).sort()).toEqual([READ_ONLY, mine.arn].sort());
    const serviceRole = (await server.ok(ListPoliciesDocument, { input: { scope: 'AWS', pathPrefix: '/service-role/' }, first: 1000 }, token)).listPolicies;
    expect(serviceRole.nodes.some((p) => p.arn === 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole')).toBe(true);
    expect(serviceRole.nodes.every((p) => p.arn.startsWith('arn:aws:iam::aws:policy/service-role/'))).toBe(true);
  });

  it('with onlyAttached, lists only policies attached in this account, with their attachment counts', async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    const mine = await newPolicy(a.token, 'attached');
    await newPolicy(a.token, 'unattached');
    for (const { token } of [a, b]) await createUser(server, token, 'bob');
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'bob', policyArn: mine.arn } }, a.token);
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'bob', policyArn: READ_ONLY } }, a.token);
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'bob', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }, b.token);
    const list = (await server.ok(ListPoliciesDocument, { input: { onlyAttached: true } }, a.token)).listPolicies;
    expect(list.nodes).toEqual([
      { policyName: 'attached', arn: mine.arn, attachmentCount: 1 },
      { policyName: 'ReadOnlyAccess', arn: READ_ONLY, attachmentCount: 1 },
    ]);
    const bList = (await server.ok(ListPoliciesDocument, { input: { onlyAttached: true, scope: 'AWS' } }, b.token)).listPolicies;
    expect(bList.nodes.map((p) => p.policyName)).toEqual(['AdministratorAccess']);
  });
});

describe('nested fields of listed policies', () => {
  it('serves versions, default versions and tags of every policy in a list', async () => {
    const { token } = await server.newAccount();
    const a = await newPolicy(token, 'nested-a', { tags: [{ key: 'k', value: 'a' }] });
    await newPolicy(token, 'nested-b');
    await server.ok(CreatePolicyVersionDocument, { input: { policyArn: a.arn, policyDocument: BUCKET_RW, setAsDefault: true } }, token);
    const data = await server.ok(ListLocalPoliciesNestedDocument, {}, token);
    expect(data.listPolicies.nodes).toEqual([
      { policyName: 'nested-a', tags: [{ key: 'k', value: 'a' }], defaultVersion: { versionId: 'v2' }, versions: { nodes: [{ versionId: 'v2', isDefaultVersion: true }, { versionId: 'v1', isDefaultVersion: false }] } },
      { policyName: 'nested-b', tags: [], defaultVersion: { versionId: 'v1' }, versions: { nodes: [{ versionId: 'v1', isDefaultVersion: true }] } },
    ]);
  });
});

describe('policy tags', () => {
  it('tags, lists and untags a policy; another account cannot see its tags', async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    const policy = await newPolicy(a.token, 'tagged');
    await server.ok(TagPolicyDocument, { input: { policyArn: policy.arn, tags: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }] } }, a.token);
    expect((await server.ok(ListPolicyTagsDocument, { input: { policyArn: policy.arn } }, a.token)).listPolicyTags.nodes).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    await server.ok(UntagPolicyDocument, { input: { policyArn: policy.arn, tagKeys: ['A'] } }, a.token);
    expect((await server.ok(ListPolicyTagsDocument, { input: { policyArn: policy.arn } }, a.token)).listPolicyTags.nodes).toEqual([{ key: 'b', value: '2' }]);
    expect(await server.errorCode(ListPolicyTagsDocument, { input: { policyArn: policy.arn } }, b.token)).toBe('NoSuchEntity');
    const bAdmin = await iamAdmin(server, b);
    expect(await server.errorCode(ListPolicyTagsDocument, { input: { policyArn: policy.arn } }, bAdmin)).toBe('NoSuchEntity');
    expect(await server.errorCode(TagPolicyDocument, { input: { policyArn: policy.arn, tags: [{ key: 'x', value: 'y' }] } }, bAdmin)).toBe('NoSuchEntity');
    expect(await server.errorCode(UntagPolicyDocument, { input: { policyArn: policy.arn, tagKeys: ['b'] } }, bAdmin)).toBe('NoSuchEntity');
    expect((await server.ok(ListPolicyTagsDocument, { input: { policyArn: policy.arn } }, a.token)).listPolicyTags.nodes).toEqual([{ key: 'b', value: '2' }]);
  });
});
