// The AWS IAM tutorials' workflow, step by step, through HTTP against a real
// server and Postgres: an administrator sets up alice, her group, policies, a
// role with an instance profile and an access key; alice signs in, must change
// her password, uses a key and assumes a role. Each step also checks the AWS
// error its bad input must give.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddRoleToInstanceProfileDocument,
  AddUserToGroupDocument,
  AssumeRoleDocument,
  AttachGroupPolicyDocument,
  AttachRolePolicyDocument,
  AttachUserPolicyDocument,
  ChangePasswordDocument,
  CreateAccessKeyDocument,
  CreateGroupDocument,
  CreateInstanceProfileArnDocument,
  CreateLoginProfileDocument,
  CreateLoginProfileResetFlagDocument,
  CreatePolicyDetailsDocument,
  CreatePolicyDocument,
  CreateRoleDetailsDocument,
  CreateRoleDocument,
  CreateUserDetailsDocument,
  CreateUserDocument,
  DeletePolicyDocument,
  DeleteRoleDocument,
  DeleteUserDocument,
  GetCallerIdentityDocument,
  GetGroupDocument,
  GetSessionTokenDocument,
  ListAccessKeysDocument,
  ListAttachedGroupPoliciesDocument,
  ListInstanceProfileNamesForRoleDocument,
  ListUserNamesDocument,
  LookupEventOutcomesDocument,
  SignInDocument,
  UpdateAccessKeyDocument,
} from './generated/graphql.js';
import { ask } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();
let root: { accountId: string; token: string };
beforeAll(async () => {
  root = await server.newAccount('Tutorial');
});

const bucketPolicy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'ListBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::example-bucket' },
    { Sid: 'ReadWriteObjects', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::example-bucket/*' },
  ],
});
const ec2Trust = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

// Steps share state in order, as the tutorial does.
const state = { policyArn: '', accessKeyId: '', secretAccessKey: '', aliceToken: '' };
const asRoot = <TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>) => server.ok(document, variables, root.token);
const rootError = <TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>) => server.errorCode(document, variables, root.token);
const S3_READ_ONLY = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';

describe('the IAM tutorial, end to end', () => {
  it('1. creates the user alice under /engineering/', async () => {
    const data = await asRoot(CreateUserDetailsDocument, { input: { userName: 'alice', path: '/engineering/', tags: [{ key: 'team', value: 'blue' }] } });
    expect(data.createUser.user).toMatchObject({ userName: 'alice', path: '/engineering/', arn: `arn:aws:iam::${root.accountId}:user/engineering/alice` });
    expect(data.createUser.user.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(await rootError(CreateUserDocument, { input: { userName: 'ALICE' } })).toBe('EntityAlreadyExists');
    expect(await rootError(CreateUserDocument, { input: { userName: 'bad name' } })).toBe('ValidationError');
    expect(await rootError(CreateUserDocument, { input: { userName: 'carl', path: 'no-slashes' } })).toBe('ValidationError');
  });

  it('2. gives alice a console password that must be reset', async () => {
    const data = await asRoot(CreateLoginProfileResetFlagDocument, { input: { userName: 'alice', password: 'Initial-Passw0rd!', passwordResetRequired: true } });
    expect(data.createLoginProfile.loginProfile).toEqual({ userName: 'alice', passwordResetRequired: true });
    expect(await rootError(CreateLoginProfileDocument, { input: { userName: 'alice', password: 'Another-Passw0rd!' } })).toBe('EntityAlreadyExists');
    expect(await rootError(CreateLoginProfileDocument, { input: { userName: 'nobody', password: 'Another-Passw0rd!' } })).toBe('NoSuchEntity');
    const stored = await server.db.loginProfile.findFirstOrThrow({ where: { user: { name: 'alice' } } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // As the console does with "must create a new password at next sign-in": let her change it.
    await asRoot(AttachUserPolicyDocument, { input: { userName: 'alice', policyArn: 'arn:aws:iam::aws:policy/IAMUserChangePassword' } });
  });

  it('3. creates the Developers group and adds alice', async () => {
    await asRoot(CreateGroupDocument, { input: { groupName: 'Developers' } });
    await asRoot(AddUserToGroupDocument, { input: { groupName: 'Developers', userName: 'alice' } });
    const group = await asRoot(GetGroupDocument, { input: { groupName: 'Developers' } });
    expect(group.getGroup.users.nodes).toEqual([{ userName: 'alice' }]);
    expect(await rootError(CreateGroupDocument, { input: { groupName: 'developers' } })).toBe('EntityAlreadyExists');
    expect(await rootError(AddUserToGroupDocument, { input: { groupName: 'Nope', userName: 'alice' } })).toBe('NoSuchEntity');
  });

  it('4. attaches AmazonS3ReadOnlyAccess to the group and lists its attached policies', async () => {
    await asRoot(AttachGroupPolicyDocument, { input: { groupName: 'Developers', policyArn: S3_READ_ONLY } });
    const data = await asRoot(ListAttachedGroupPoliciesDocument, { input: { groupName: 'Developers' } });
    expect(data.listAttachedGroupPolicies.nodes).toEqual([{ policyName: 'AmazonS3ReadOnlyAccess', policyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }]);
    expect(await rootError(AttachGroupPolicyDocument, { input: { groupName: 'Developers', policyArn: 'arn:aws:iam::aws:policy/NoSuchPolicy' } })).toBe('NoSuchEntity');
  });

  it('5. writes the one-bucket read/write policy and attaches it to alice', async () => {
    const data = await asRoot(CreatePolicyDetailsDocument, {
      input: { policyName: 'ExampleBucketReadWrite', policyDocument: bucketPolicy, description: 'Read/write example-bucket' },
    });
    state.policyArn = data.createPolicy.policy.arn;
    expect(state.policyArn).toBe(`arn:aws:iam::${root.accountId}:policy/ExampleBucketReadWrite`);
    expect(data.createPolicy.policy.defaultVersionId).toBe('v1');
    await asRoot(AttachUserPolicyDocument, { input: { userName: 'alice', policyArn: state.policyArn } });
    expect(await rootError(CreatePolicyDocument, { input: { policyName: 'Broken', policyDocument: '{"Statement": [{"Action": "s3:*"}]}' } })).toBe('MalformedPolicyDocument');
    expect(await rootError(DeletePolicyDocument, { input: { policyArn: state.policyArn } })).toBe('DeleteConflict');
    expect(await rootError(DeletePolicyDocument, { input: { policyArn: S3_READ_ONLY } })).toBe('UnmodifiableEntity');
  });

  it('6. creates AppServerRole trusted by EC2 and attaches a policy to it', async () => {
    const data = await asRoot(CreateRoleDetailsDocument, { input: { roleName: 'AppServerRole', assumeRolePolicyDocument: ec2Trust, description: 'App servers' } });
    expect(data.createRole.role.roleId).toMatch(/^AROA/);
    expect(data.createRole.role.maxSessionDuration).toBe(3600);
    await asRoot(AttachRolePolicyDocument, { input: { roleName: 'AppServerRole', policyArn: state.policyArn } });
    const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] });
    expect(await rootError(CreateRoleDocument, { input: { roleName: 'Broken', assumeRolePolicyDocument: noPrincipal } })).toBe('MalformedPolicyDocument');
    expect(await rootError(CreateRoleDocument, { input: { roleName: 'TooLong', assumeRolePolicyDocument: ec2Trust, maxSessionDuration: 50000 } })).toBe('ValidationError');
  });

  it('7. wraps the role in the instance profile AppServerProfile', async () => {
    await asRoot(CreateInstanceProfileArnDocument, { input: { instanceProfileName: 'AppServerProfile' } });
    await asRoot(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: 'AppServerProfile', roleName: 'AppServerRole' } });
    const data = await asRoot(ListInstanceProfileNamesForRoleDocument, { input: { roleName: 'AppServerRole' } });
    expect(data.listInstanceProfilesForRole.nodes).toEqual([{ instanceProfileName: 'AppServerProfile', roles: [{ roleName: 'AppServerRole' }] }]);
    await asRoot(CreateRoleDocument, { input: { roleName: 'SecondRole', assumeRolePolicyDocument: ec2Trust } });
    expect(await rootError(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: 'AppServerProfile', roleName: 'SecondRole' } })).toBe('LimitExceeded');
    expect(await rootError(DeleteRoleDocument, { input: { roleName: 'AppServerRole' } })).toBe('DeleteConflict');
  });

  it('8. creates an access key for alice, whose secret is shown once', async () => {
    const data = await asRoot(CreateAccessKeyDocument, { input: { userName: 'alice' } });
    const key = data.createAccessKey.accessKey;
    expect(key.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(key.status).toBe('Active');
    state.accessKeyId = key.accessKeyId;
    state.secretAccessKey = key.secretAccessKey;
    const listed = await asRoot(ListAccessKeysDocument, { input: { userName: 'alice' } });
    expect(JSON.stringify(listed)).not.toContain(key.secretAccessKey);
    const row = await server.db.accessKey.findUniqueOrThrow({ where: { id: key.accessKeyId } });
    expect(JSON.stringify(row)).not.toContain(key.secretAccessKey);
    expect(await rootError(DeleteUserDocument, { input: { userName: 'alice' } })).toBe('DeleteConflict');
  });

  it('9. alice signs in, must change her password, then works normally', async () => {
    const signIn = (password: string) =>
      server.gql(SignInDocument, { input: { accountId: root.accountId, userName: 'alice', password } });
    const first = await signIn('Initial-Passw0rd!');
    expect(first.data?.signIn.passwordResetRequired).toBe(true);
    const resetToken = first.data!.signIn.sessionToken;
    expect(await server.errorCode(ListUserNamesDocument, {}, resetToken)).toBe('AccessDenied');
    expect(
      await server.errorCode(ChangePasswordDocument, { input: { oldPassword: 'Initial-Passw0rd!', newPassword: 'password' } }, resetToken),
    ).toBe('PasswordPolicyViolation');
    await server.ok(ChangePasswordDocument, { input: { oldPassword: 'Initial-Passw0rd!', newPassword: 'Brand-New-Passw0rd!9' } }, resetToken);
    expect((await signIn('Initial-Passw0rd!')).errors?.[0]?.extensions?.code).toBe('InvalidClientTokenId');
    const second = await signIn('Brand-New-Passw0rd!9');
    expect(second.data?.signIn.passwordResetRequired).toBe(false);
    state.aliceToken = second.data!.signIn.sessionToken;
    const me = await server.ok(GetCallerIdentityDocument, {}, state.aliceToken);
    expect(me.getCallerIdentity.arn).toBe(`arn:aws:iam::${root.accountId}:user/engineering/alice`);
  });

  it('10. alice may read and write the bucket, and nothing else', async () => {
    const asAlice = (action: string, resource: string) => ask(server, state.aliceToken, action, resource);
    expect(await asAlice('s3:GetObject', 'arn:aws:s3:::example-bucket/reports/q1.csv')).toBe('allowed');
    expect(await asAlice('s3:DeleteObject', 'arn:aws:s3:::example-bucket/reports/q1.csv')).toBe('allowed');
    expect(await asAlice('s3:DeleteObject', 'arn:aws:s3:::other-bucket/x')).toBe('implicitDeny');
    expect(await asAlice('s3:GetObject', 'arn:aws:s3:::other-bucket/x')).toBe('allowed'); // AmazonS3ReadOnlyAccess via Developers
    expect(await server.errorCode(CreateUserDocument, { input: { userName: 'eve' } }, state.aliceToken)).toBe('AccessDenied');
  });

  it('11. alice turns her access key into a session, and a deactivated key no longer works', async () => {
    const data = await server.ok(GetSessionTokenDocument, { input: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey, durationSeconds: 900 } });
    expect(data.getSessionToken.credentials.accessKeyId).toMatch(/^ASIA/);
    const me = await server.ok(GetCallerIdentityDocument, {}, data.getSessionToken.credentials.sessionToken);
    expect(me.getCallerIdentity.arn).toBe(`arn:aws:iam::${root.accountId}:user/engineering/alice`);
    await asRoot(UpdateAccessKeyDocument, { input: { userName: 'alice', accessKeyId: state.accessKeyId, status: 'Inactive' } });
    // Switching the key off also ends the sessions it made.
    expect(await server.errorCode(GetCallerIdentityDocument, {}, data.getSessionToken.credentials.sessionToken)).toBe('InvalidClientTokenId');
    const refused = await server.gql(GetSessionTokenDocument, { input: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('InvalidClientTokenId');
  });

  it('12. alice assumes a role she is trusted by and sees the assumed-role identity', async () => {
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${root.accountId}:user/engineering/alice` }, Action: 'sts:AssumeRole' }],
    });
    const role = await asRoot(CreateRoleDocument, { input: { roleName: 'Auditor', assumeRolePolicyDocument: trust } });
    const data = await server.ok(AssumeRoleDocument, { input: { roleArn: role.createRole.role.arn, roleSessionName: 'alice-audit' } }, state.aliceToken);
    const me = await server.ok(GetCallerIdentityDocument, {}, data.assumeRole.credentials.sessionToken);
    expect(me.getCallerIdentity.arn).toBe(`arn:aws:sts::${root.accountId}:assumed-role/Auditor/alice-audit`);
  });

  it('13. the audit trail shows who did what', async () => {
    await server.service.deps.audit.flush();
    const data = await asRoot(LookupEventOutcomesDocument, { input: { userName: 'alice' }, first: 100 });
    const names = data.lookupEvents.nodes.map((e) => e.eventName);
    expect(names).toEqual(expect.arrayContaining(['ChangePassword', 'CreateUser', 'AssumeRole']));
    expect(data.lookupEvents.nodes).toEqual(expect.arrayContaining([{ eventName: 'CreateUser', errorCode: 'AccessDenied' }]));
  });
});

describe('concurrency', () => {
  it('two concurrent creates of the same name cannot both succeed', async () => {
    const attempts = await Promise.all(
      ['racer', 'RACER', 'Racer'].map((userName) => server.gql(CreateUserDocument, { input: { userName } }, root.token)),
    );
    const codes = attempts.map((a) => a.errors?.[0]?.extensions?.code ?? 'ok');
    expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
    expect(codes.filter((c) => c === 'EntityAlreadyExists')).toHaveLength(2);
  });

  it('the access-key quota cannot be passed by concurrent requests', async () => {
    await asRoot(CreateUserDocument, { input: { userName: 'keyrace' } });
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () => server.gql(CreateAccessKeyDocument, { input: { userName: 'keyrace' } }, root.token)),
    );
    const codes = attempts.map((a) => a.errors?.[0]?.extensions?.code ?? 'ok');
    expect(codes.filter((c) => c === 'ok')).toHaveLength(2);
    expect(codes.filter((c) => c === 'LimitExceeded')).toHaveLength(3);
  });
});
