// Dry runs of the policy-writing mutations (issue 22), over HTTP: `dryRun: true` writes
// nothing and answers DryRunOperation with the change's preview, or the very error the
// call would meet (the call is rehearsed in a transaction that is rolled back); the
// preview twins answer the same as data; and the laws hold through the mutations too.
import { buildSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddUserToGroupDocument,
  AttachGroupPolicyDocument,
  AttachUserPolicyDocument,
  CreateGroupDocument,
  CreatePolicyDocument,
  DryRunAddUserToGroupDocument,
  DryRunAttachUserPolicyDocument,
  DryRunCreatePolicyDocument,
  DryRunDeletePolicyDocument,
  DryRunPutUserPolicyDocument,
  DryRunRemoveUserFromGroupDocument,
  DryRunUpdateAssumeRolePolicyDocument,
  GetGroupMembersDocument,
  GetPolicyDocument,
  ListAttachedUserPoliciesDocument,
  ListUserPoliciesDocument,
  LookupEventOutcomesDocument,
  PreviewAddUserToGroupDocument,
  PreviewAttachUserPolicyDocument,
  PreviewPutUserPolicyDocument,
  PreviewRemoveUserFromGroupDocument,
  PutGroupPolicyDocument,
  type PreviewPutUserPolicyQuery,
} from './generated/graphql.js';
import { POLICY_CHANGES, previewFieldOf } from '../src/graphql/dry-run.js';
import { readSdl } from '../src/graphql/schema.js';
import { createRole, createUser, policy, signedInUser, trustPolicy } from './support/scenarios.js';
import { useTestServer, type GraphQLResponse } from './support/server.js';

const server = useTestServer();
let root: { accountId: string; token: string };
const arn = (kind: string, name: string) => `arn:aws:iam::${root.accountId}:${kind}/${name}`;
const doc = (...statements: object[]) => JSON.stringify(policy(...statements));
type AccessChangePreview = PreviewPutUserPolicyQuery['previewPutUserPolicy'];
const readReports = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' };

/** The preview a dry run answered, after checking it answered DryRunOperation and nothing else. */
function previewOf(answer: GraphQLResponse<unknown>): AccessChangePreview {
  expect(answer.data ?? null).toBeNull();
  expect(answer.errors).toHaveLength(1);
  const error = answer.errors![0]!;
  expect(error.extensions?.code).toBe('DryRunOperation');
  expect(error.message).toBe('Request would have succeeded, but DryRun flag is set.');
  return error.extensions!.accessPreview as AccessChangePreview;
}

async function policyEpoch(): Promise<number> {
  const account = await server.db.account.findUniqueOrThrow({ where: { id: root.accountId }, select: { policyEpoch: true } });
  return account.policyEpoch;
}

beforeAll(async () => {
  root = await server.newAccount();
  for (const name of ['alice', 'bob']) await createUser(server, root.token, name);
  const s3All = await server.ok(CreatePolicyDocument, { input: { policyName: 's3-all', policyDocument: doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' }) } }, root.token);
  await server.ok(CreateGroupDocument, { input: { groupName: 'analysts' } }, root.token);
  await server.ok(AttachGroupPolicyDocument, { input: { groupName: 'analysts', policyArn: s3All.createPolicy.policy.arn } }, root.token);
  await server.ok(PutGroupPolicyDocument, { input: { groupName: 'analysts', policyName: 'iam-read', policyDocument: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }) } }, root.token);
  // bob is in the group and holds s3-all himself too.
  await server.ok(AddUserToGroupDocument, { input: { groupName: 'analysts', userName: 'bob' } }, root.token);
  await server.ok(AttachUserPolicyDocument, { input: { userName: 'bob', policyArn: s3All.createPolicy.policy.arn } }, root.token);
});

describe('dryRun on the mutations', () => {
  it('every policy-writing mutation takes dryRun, and each listed one has it in the schema', () => {
    const schema = buildSchema(readSdl());
    const withDryRun = Object.values(schema.getMutationType()!.getFields()).filter((field) => field.args.some((arg) => arg.name === 'dryRun')).map((field) => field.name);
    expect(withDryRun.sort()).toEqual(Object.keys(POLICY_CHANGES).sort());
    // Every preview query is the twin of one of them.
    const previews = Object.keys(schema.getQueryType()!.getFields()).filter((name) => name.startsWith('preview'));
    expect(previews.length).toBeGreaterThanOrEqual(21);
    for (const name of previews) expect(Object.keys(POLICY_CHANGES).map(previewFieldOf)).toContain(name);
  });

  it('putUserPolicy: answers the preview, writes nothing, moves no epoch, and is audited as DryRunOperation', async () => {
    const epoch = await policyEpoch();
    const input = { userName: 'alice', policyName: 'read', policyDocument: doc(readReports) };
    const preview = previewOf(await server.gql(DryRunPutUserPolicyDocument, { input, dryRun: true }, root.token));
    expect(preview.principals).toHaveLength(1);
    expect(preview.principals[0]!.principalArn).toBe(arn('user', 'alice'));
    expect(preview.principals[0]!.newlyAllowed).toContainEqual({ action: 's3:GetObject', resource: 'arn:aws:s3:::reports/*' });
    expect(preview.principals[0]!.newlyDenied).toEqual([]);
    // The typed twin answers the same.
    const twin = await server.ok(PreviewPutUserPolicyDocument, { input }, root.token);
    expect(twin.previewPutUserPolicy).toEqual(preview);
    // Nothing was written.
    expect((await server.ok(ListUserPoliciesDocument, { input: { userName: 'alice' } }, root.token)).listUserPolicies.policyNames).toEqual([]);
    expect(await policyEpoch()).toEqual(epoch);
    const events = await server.ok(LookupEventOutcomesDocument, { input: { eventName: 'PutUserPolicy' }, first: 5 }, root.token);
    expect(events.lookupEvents.nodes[0]).toEqual({ eventName: 'PutUserPolicy', errorCode: 'DryRunOperation' });
    // dryRun: false (or absent) writes as before.
    expect(await server.ok(DryRunPutUserPolicyDocument, { input, dryRun: false }, root.token)).toEqual({ putUserPolicy: true });
    expect((await server.ok(ListUserPoliciesDocument, { input: { userName: 'alice' } }, root.token)).listUserPolicies.policyNames).toEqual(['read']);
  });

  it('answers the error the call would meet, even one only the write itself checks (the quota of ten policies)', async () => {
    await createUser(server, root.token, 'full');
    const arns: string[] = [];
    for (let i = 0; i < 11; i++) {
      const created = await server.ok(CreatePolicyDocument, { input: { policyName: `p${i}`, policyDocument: doc({ Effect: 'Allow', Action: `sqs:Get${i}`, Resource: '*' }) } }, root.token);
      arns.push(created.createPolicy.policy.arn);
    }
    for (const policyArn of arns.slice(0, 10)) await server.ok(AttachUserPolicyDocument, { input: { userName: 'full', policyArn } }, root.token);
    const eleventh = { userName: 'full', policyArn: arns[10]! };
    expect(await server.errorCode(DryRunAttachUserPolicyDocument, { input: eleventh, dryRun: true }, root.token)).toBe('LimitExceeded');
    expect(await server.errorCode(PreviewAttachUserPolicyDocument, { input: eleventh }, root.token)).toBe('LimitExceeded');
    expect(await server.errorCode(DryRunAttachUserPolicyDocument, { input: { userName: 'nobody', policyArn: arns[10]! }, dryRun: true }, root.token)).toBe('NoSuchEntity');
    const malformed = await server.gql(DryRunPutUserPolicyDocument, { input: { userName: 'alice', policyName: 'bad', policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}' }, dryRun: true }, root.token);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('MalformedPolicyDocument');
    const attached = await server.ok(ListAttachedUserPoliciesDocument, { input: { userName: 'full' } }, root.token);
    expect(attached.listAttachedUserPolicies.attachedPolicies).toHaveLength(10);
  });

  it('needs the permission the call needs: a caller without it gets AccessDenied, not a preview', async () => {
    const reader = await signedInUser(server, root, 'reader', { inline: { read: policy({ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }) } });
    const input = { userName: 'alice', policyName: 'x', policyDocument: doc(readReports) };
    expect(await server.errorCode(DryRunPutUserPolicyDocument, { input, dryRun: true }, reader.token)).toBe('AccessDenied');
    expect(await server.errorCode(PreviewPutUserPolicyDocument, { input }, reader.token)).toBe('AccessDenied');
  });

  it('createPolicy and deletePolicy reach no principal; each still fails as the call would', async () => {
    const create = { policyName: 'fresh', policyDocument: doc(readReports) };
    expect(previewOf(await server.gql(DryRunCreatePolicyDocument, { input: create, dryRun: true }, root.token))).toEqual({ principals: [], actionCount: 0, resourceCount: 0, truncated: false });
    expect(await server.errorCode(GetPolicyDocument, { input: { policyArn: arn('policy', 'fresh') } }, root.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DryRunCreatePolicyDocument, { input: { ...create, policyName: 's3-all' }, dryRun: true }, root.token)).toBe('EntityAlreadyExists');
    // s3-all is attached: DeletePolicy would meet DeleteConflict.
    expect(await server.errorCode(DryRunDeletePolicyDocument, { input: { policyArn: arn('policy', 's3-all') }, dryRun: true }, root.token)).toBe('DeleteConflict');
    const lone = await server.ok(CreatePolicyDocument, { input: { policyName: 'lone', policyDocument: doc(readReports) } }, root.token);
    expect(previewOf(await server.gql(DryRunDeletePolicyDocument, { input: { policyArn: lone.createPolicy.policy.arn }, dryRun: true }, root.token)).principals).toEqual([]);
    expect((await server.ok(GetPolicyDocument, { input: { policyArn: lone.createPolicy.policy.arn } }, root.token)).getPolicy.policy.policyName).toBe('lone');
  });

  it('updateAssumeRolePolicy: who of the account could newly assume the role', async () => {
    await createRole(server, root.token, 'deployer', trustPolicy({ Service: 'lambda.amazonaws.com' }));
    const trust = JSON.stringify(trustPolicy({ AWS: arn('user', 'alice') }));
    const preview = previewOf(await server.gql(DryRunUpdateAssumeRolePolicyDocument, { input: { roleName: 'deployer', policyDocument: trust }, dryRun: true }, root.token));
    expect(preview.principals.map((p) => p.principalArn)).toEqual([arn('user', 'alice')]);
    expect(preview.principals[0]!.newlyAllowed).toContainEqual({ action: 'sts:AssumeRole', resource: arn('role', 'deployer') });
  });
});

describe('group membership previews', () => {
  it('addUserToGroup: the user gains the group\'s inline and managed policies; nothing is written', async () => {
    const input = { groupName: 'analysts', userName: 'alice' };
    const preview = previewOf(await server.gql(DryRunAddUserToGroupDocument, { input, dryRun: true }, root.token));
    const twin = (await server.ok(PreviewAddUserToGroupDocument, { input }, root.token)).previewAddUserToGroup;
    expect(twin).toEqual(preview);
    const alice = preview.principals.find((p) => p.principalArn === arn('user', 'alice'))!;
    expect(alice.newlyAllowed).toContainEqual({ action: 's3:PutObject', resource: '*' });
    expect(alice.newlyAllowed).toContainEqual({ action: 'iam:GetUser', resource: arn('user', 'bob') });
    expect(alice.newlyDenied).toEqual([]);
    const members = await server.ok(GetGroupMembersDocument, { input: { groupName: 'analysts' } }, root.token);
    expect(members.getGroup.users.nodes.map((u) => u.userName)).toEqual(['bob']);
    // Joining a group one is in changes nothing.
    const again = (await server.ok(PreviewAddUserToGroupDocument, { input: { groupName: 'analysts', userName: 'bob' } }, root.token)).previewAddUserToGroup;
    expect(again.principals.flatMap((p) => [...p.newlyAllowed, ...p.newlyDenied])).toEqual([]);
  });

  it('removeUserFromGroup: the group\'s inline policy goes; a managed policy the user holds itself stays', async () => {
    const input = { groupName: 'analysts', userName: 'bob' };
    const preview = previewOf(await server.gql(DryRunRemoveUserFromGroupDocument, { input, dryRun: true }, root.token));
    expect((await server.ok(PreviewRemoveUserFromGroupDocument, { input }, root.token)).previewRemoveUserFromGroup).toEqual(preview);
    const bob = preview.principals.find((p) => p.principalArn === arn('user', 'bob'))!;
    expect(bob.newlyDenied).toContainEqual({ action: 'iam:GetUser', resource: arn('user', 'alice') });
    expect(bob.newlyDenied.filter((r) => r.action.startsWith('s3:'))).toEqual([]);
    expect(bob.newlyAllowed).toEqual([]);
    const members = await server.ok(GetGroupMembersDocument, { input: { groupName: 'analysts' } }, root.token);
    expect(members.getGroup.users.nodes.map((u) => u.userName)).toEqual(['bob']);
  });
});

describe('the laws, through the mutations', () => {
  it('adding a Deny never grants; an identical document changes nothing; a superset never removes', async () => {
    await createUser(server, root.token, 'lawful');
    const dry = async (policyName: string, document: string) =>
      previewOf(await server.gql(DryRunPutUserPolicyDocument, { input: { userName: 'lawful', policyName, policyDocument: document }, dryRun: true }, root.token)).principals[0]!;
    await server.ok(DryRunPutUserPolicyDocument, { input: { userName: 'lawful', policyName: 'base', policyDocument: doc(readReports) } }, root.token);
    const deny = await dry('deny', doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' }));
    expect(deny.newlyAllowed).toEqual([]);
    expect(deny.newlyDenied).toContainEqual({ action: 's3:GetObject', resource: 'arn:aws:s3:::reports/*' });
    const same = await dry('base', doc(readReports));
    expect([...same.newlyAllowed, ...same.newlyDenied]).toEqual([]);
    const superset = await dry('base', doc(readReports, { Effect: 'Allow', Action: 's3:PutObject', Resource: '*' }));
    expect(superset.newlyDenied).toEqual([]);
    expect(superset.newlyAllowed.length).toBeGreaterThan(0);
  });
});
