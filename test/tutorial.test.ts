// The AWS IAM tutorials' workflow, step by step, through HTTP against a real
// server and Postgres: an administrator sets up alice, her group, policies, a
// role with an instance profile and an access key; alice signs in, must change
// her password, uses a key and assumes a role. Each step also checks the AWS
// error its bad input must give.
import { beforeAll, describe, expect, it } from 'vitest';
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
const state: Record<string, string> = {};
const asRoot = <T = any>(query: string, variables: Record<string, unknown> = {}) => server.ok<T>(query, variables, root.token);
const rootError = (query: string, variables: Record<string, unknown> = {}) => server.errorCode(query, variables, root.token);

describe('the IAM tutorial, end to end', () => {
  it('1. creates the user alice under /engineering/', async () => {
    const data = await asRoot('mutation { createUser(input: { userName: "alice", path: "/engineering/", tags: [{ key: "team", value: "blue" }] }) { user { userName userId arn path } } }');
    expect(data.createUser.user).toMatchObject({ userName: 'alice', path: '/engineering/', arn: `arn:aws:iam::${root.accountId}:user/engineering/alice` });
    expect(data.createUser.user.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(await rootError('mutation { createUser(input: { userName: "ALICE" }) { user { arn } } }')).toBe('EntityAlreadyExists');
    expect(await rootError('mutation { createUser(input: { userName: "bad name" }) { user { arn } } }')).toBe('ValidationError');
    expect(await rootError('mutation { createUser(input: { userName: "carl", path: "no-slashes" }) { user { arn } } }')).toBe('ValidationError');
  });

  it('2. gives alice a console password that must be reset', async () => {
    const data = await asRoot('mutation { createLoginProfile(input: { userName: "alice", password: "Initial-Passw0rd!", passwordResetRequired: true }) { loginProfile { userName passwordResetRequired } } }');
    expect(data.createLoginProfile.loginProfile).toEqual({ userName: 'alice', passwordResetRequired: true });
    expect(await rootError('mutation { createLoginProfile(input: { userName: "alice", password: "Another-Passw0rd!" }) { loginProfile { userName } } }')).toBe('EntityAlreadyExists');
    expect(await rootError('mutation { createLoginProfile(input: { userName: "nobody", password: "Another-Passw0rd!" }) { loginProfile { userName } } }')).toBe('NoSuchEntity');
    const stored = await server.db.loginProfile.findFirstOrThrow({ where: { user: { name: 'alice' } } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    // As the console does with "must create a new password at next sign-in": let her change it.
    await asRoot('mutation { attachUserPolicy(input: { userName: "alice", policyArn: "arn:aws:iam::aws:policy/IAMUserChangePassword" }) }');
  });

  it('3. creates the Developers group and adds alice', async () => {
    await asRoot('mutation { createGroup(input: { groupName: "Developers" }) { group { arn } } }');
    await asRoot('mutation { addUserToGroup(input: { groupName: "Developers", userName: "alice" }) }');
    const group = await asRoot('{ getGroup(input: { groupName: "Developers" }) { group { groupName } users { nodes { userName } } } }');
    expect(group.getGroup.users.nodes).toEqual([{ userName: 'alice' }]);
    expect(await rootError('mutation { createGroup(input: { groupName: "developers" }) { group { arn } } }')).toBe('EntityAlreadyExists');
    expect(await rootError('mutation { addUserToGroup(input: { groupName: "Nope", userName: "alice" }) }')).toBe('NoSuchEntity');
  });

  it('4. attaches AmazonS3ReadOnlyAccess to the group and lists its attached policies', async () => {
    await asRoot('mutation { attachGroupPolicy(input: { groupName: "Developers", policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }) }');
    const data = await asRoot('{ listAttachedGroupPolicies(input: { groupName: "Developers" }) { nodes { policyName policyArn } } }');
    expect(data.listAttachedGroupPolicies.nodes).toEqual([{ policyName: 'AmazonS3ReadOnlyAccess', policyArn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }]);
    expect(await rootError('mutation { attachGroupPolicy(input: { groupName: "Developers", policyArn: "arn:aws:iam::aws:policy/NoSuchPolicy" }) }')).toBe('NoSuchEntity');
  });

  it('5. writes the one-bucket read/write policy and attaches it to alice', async () => {
    const data = await asRoot(
      'mutation($doc: String!) { createPolicy(input: { policyName: "ExampleBucketReadWrite", policyDocument: $doc, description: "Read/write example-bucket" }) { policy { arn defaultVersionId } } }',
      { doc: bucketPolicy },
    );
    state.policyArn = data.createPolicy.policy.arn;
    expect(state.policyArn).toBe(`arn:aws:iam::${root.accountId}:policy/ExampleBucketReadWrite`);
    expect(data.createPolicy.policy.defaultVersionId).toBe('v1');
    await asRoot('mutation($arn: String!) { attachUserPolicy(input: { userName: "alice", policyArn: $arn }) }', { arn: state.policyArn });
    expect(await rootError('mutation { createPolicy(input: { policyName: "Broken", policyDocument: "{\\"Statement\\": [{\\"Action\\": \\"s3:*\\"}]}" }) { policy { arn } } }')).toBe('MalformedPolicyDocument');
    expect(await rootError('mutation($arn: String!) { deletePolicy(input: { policyArn: $arn }) }', { arn: state.policyArn })).toBe('DeleteConflict');
    expect(await rootError('mutation { deletePolicy(input: { policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }) }')).toBe('UnmodifiableEntity');
  });

  it('6. creates AppServerRole trusted by EC2 and attaches a policy to it', async () => {
    const data = await asRoot(
      'mutation($trust: String!) { createRole(input: { roleName: "AppServerRole", assumeRolePolicyDocument: $trust, description: "App servers" }) { role { arn roleId maxSessionDuration } } }',
      { trust: ec2Trust },
    );
    expect(data.createRole.role.roleId).toMatch(/^AROA/);
    expect(data.createRole.role.maxSessionDuration).toBe(3600);
    await asRoot('mutation($arn: String!) { attachRolePolicy(input: { roleName: "AppServerRole", policyArn: $arn }) }', { arn: state.policyArn });
    const noPrincipal = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] });
    expect(await rootError('mutation($trust: String!) { createRole(input: { roleName: "Broken", assumeRolePolicyDocument: $trust }) { role { arn } } }', { trust: noPrincipal })).toBe('MalformedPolicyDocument');
    expect(await rootError('mutation($trust: String!) { createRole(input: { roleName: "TooLong", assumeRolePolicyDocument: $trust, maxSessionDuration: 50000 }) { role { arn } } }', { trust: ec2Trust })).toBe('ValidationError');
  });

  it('7. wraps the role in the instance profile AppServerProfile', async () => {
    await asRoot('mutation { createInstanceProfile(input: { instanceProfileName: "AppServerProfile" }) { instanceProfile { arn } } }');
    await asRoot('mutation { addRoleToInstanceProfile(input: { instanceProfileName: "AppServerProfile", roleName: "AppServerRole" }) }');
    const data = await asRoot('{ listInstanceProfilesForRole(input: { roleName: "AppServerRole" }) { nodes { instanceProfileName roles { roleName } } } }');
    expect(data.listInstanceProfilesForRole.nodes).toEqual([{ instanceProfileName: 'AppServerProfile', roles: [{ roleName: 'AppServerRole' }] }]);
    await asRoot('mutation($trust: String!) { createRole(input: { roleName: "SecondRole", assumeRolePolicyDocument: $trust }) { role { arn } } }', { trust: ec2Trust });
    expect(await rootError('mutation { addRoleToInstanceProfile(input: { instanceProfileName: "AppServerProfile", roleName: "SecondRole" }) }')).toBe('LimitExceeded');
    expect(await rootError('mutation { deleteRole(input: { roleName: "AppServerRole" }) }')).toBe('DeleteConflict');
  });

  it('8. creates an access key for alice, whose secret is shown once', async () => {
    const data = await asRoot('mutation { createAccessKey(input: { userName: "alice" }) { accessKey { accessKeyId secretAccessKey status } } }');
    const key = data.createAccessKey.accessKey;
    expect(key.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(key.status).toBe('Active');
    state.accessKeyId = key.accessKeyId;
    state.secretAccessKey = key.secretAccessKey;
    const listed = await asRoot('{ listAccessKeys(input: { userName: "alice" }) { nodes { accessKeyId status } } }');
    expect(JSON.stringify(listed)).not.toContain(key.secretAccessKey);
    const row = await server.db.accessKey.findUniqueOrThrow({ where: { id: key.accessKeyId } });
    expect(JSON.stringify(row)).not.toContain(key.secretAccessKey);
    expect(await rootError('mutation { deleteUser(input: { userName: "alice" }) }')).toBe('DeleteConflict');
  });

  it('9. alice signs in, must change her password, then works normally', async () => {
    const signIn = (password: string) =>
      server.gql('mutation($input: SignInInput!) { signIn(input: $input) { sessionToken passwordResetRequired } }', {
        input: { accountId: root.accountId, userName: 'alice', password },
      });
    const first = await signIn('Initial-Passw0rd!');
    expect(first.data?.signIn.passwordResetRequired).toBe(true);
    const resetToken = first.data!.signIn.sessionToken;
    expect(await server.errorCode('{ listUsers { nodes { userName } } }', {}, resetToken)).toBe('AccessDenied');
    expect(
      await server.errorCode('mutation { changePassword(input: { oldPassword: "Initial-Passw0rd!", newPassword: "password" }) }', {}, resetToken),
    ).toBe('PasswordPolicyViolation');
    await server.ok('mutation { changePassword(input: { oldPassword: "Initial-Passw0rd!", newPassword: "Brand-New-Passw0rd!9" }) }', {}, resetToken);
    expect((await signIn('Initial-Passw0rd!')).errors?.[0]?.extensions?.code).toBe('InvalidClientTokenId');
    const second = await signIn('Brand-New-Passw0rd!9');
    expect(second.data?.signIn.passwordResetRequired).toBe(false);
    state.aliceToken = second.data!.signIn.sessionToken;
    const me = await server.ok('{ getCallerIdentity { arn } }', {}, state.aliceToken);
    expect(me.getCallerIdentity.arn).toBe(`arn:aws:iam::${root.accountId}:user/engineering/alice`);
  });

  it('10. alice may read and write the bucket, and nothing else', async () => {
    const ask = async (action: string, resource: string) =>
      (await server.ok('query($input: IsAuthorizedInput!) { isAuthorized(input: $input) { decision } }', { input: { action, resource } }, state.aliceToken)).isAuthorized.decision;
    expect(await ask('s3:GetObject', 'arn:aws:s3:::example-bucket/reports/q1.csv')).toBe('allowed');
    expect(await ask('s3:DeleteObject', 'arn:aws:s3:::example-bucket/reports/q1.csv')).toBe('allowed');
    expect(await ask('s3:DeleteObject', 'arn:aws:s3:::other-bucket/x')).toBe('implicitDeny');
    expect(await ask('s3:GetObject', 'arn:aws:s3:::other-bucket/x')).toBe('allowed'); // AmazonS3ReadOnlyAccess via Developers
    expect(await server.errorCode('mutation { createUser(input: { userName: "eve" }) { user { arn } } }', {}, state.aliceToken)).toBe('AccessDenied');
  });

  it('11. alice turns her access key into a session, and a deactivated key no longer works', async () => {
    const data = await server.ok(
      'mutation($input: GetSessionTokenInput) { getSessionToken(input: $input) { credentials { accessKeyId sessionToken expiration } } }',
      { input: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey, durationSeconds: 900 } },
    );
    expect(data.getSessionToken.credentials.accessKeyId).toMatch(/^ASIA/);
    const me = await server.ok('{ getCallerIdentity { arn } }', {}, data.getSessionToken.credentials.sessionToken);
    expect(me.getCallerIdentity.arn).toBe(`arn:aws:iam::${root.accountId}:user/engineering/alice`);
    await asRoot('mutation($id: String!) { updateAccessKey(input: { userName: "alice", accessKeyId: $id, status: Inactive }) }', { id: state.accessKeyId });
    // Switching the key off also ends the sessions it made.
    expect(await server.errorCode('{ getCallerIdentity { arn } }', {}, data.getSessionToken.credentials.sessionToken)).toBe('InvalidClientTokenId');
    const refused = await server.gql('mutation($input: GetSessionTokenInput) { getSessionToken(input: $input) { credentials { accessKeyId } } }', {
      input: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
    });
    expect(refused.errors?.[0]?.extensions?.code).toBe('InvalidClientTokenId');
  });

  it('12. alice assumes a role she is trusted by and sees the assumed-role identity', async () => {
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${root.accountId}:user/engineering/alice` }, Action: 'sts:AssumeRole' }],
    });
    const role = await asRoot('mutation($trust: String!) { createRole(input: { roleName: "Auditor", assumeRolePolicyDocument: $trust }) { role { arn } } }', { trust });
    const data = await server.ok(
      'mutation($arn: String!) { assumeRole(input: { roleArn: $arn, roleSessionName: "alice-audit" }) { credentials { sessionToken } assumedRoleUser { arn } } }',
      { arn: role.createRole.role.arn },
      state.aliceToken,
    );
    const me = await server.ok('{ getCallerIdentity { arn } }', {}, data.assumeRole.credentials.sessionToken);
    expect(me.getCallerIdentity.arn).toBe(`arn:aws:sts::${root.accountId}:assumed-role/Auditor/alice-audit`);
  });

  it('13. the audit trail shows who did what', async () => {
    await server.service.deps.audit.flush();
    const data = await asRoot('{ lookupEvents(input: { userName: "alice" }, first: 100) { nodes { eventName errorCode } } }');
    const names = data.lookupEvents.nodes.map((e: { eventName: string }) => e.eventName);
    expect(names).toEqual(expect.arrayContaining(['ChangePassword', 'CreateUser', 'AssumeRole']));
    expect(data.lookupEvents.nodes).toEqual(expect.arrayContaining([{ eventName: 'CreateUser', errorCode: 'AccessDenied' }]));
  });
});

describe('concurrency', () => {
  it('two concurrent creates of the same name cannot both succeed', async () => {
    const attempts = await Promise.all(
      ['racer', 'RACER', 'Racer'].map((userName) => server.gql('mutation($n: String!) { createUser(input: { userName: $n }) { user { arn } } }', { n: userName }, root.token)),
    );
    const codes = attempts.map((a) => a.errors?.[0]?.extensions?.code ?? 'ok');
    expect(codes.filter((c) => c === 'ok')).toHaveLength(1);
    expect(codes.filter((c) => c === 'EntityAlreadyExists')).toHaveLength(2);
  });

  it('the access-key quota cannot be passed by concurrent requests', async () => {
    await asRoot('mutation { createUser(input: { userName: "keyrace" }) { user { arn } } }');
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () => server.gql('mutation { createAccessKey(input: { userName: "keyrace" }) { accessKey { accessKeyId } } }', {}, root.token)),
    );
    const codes = attempts.map((a) => a.errors?.[0]?.extensions?.code ?? 'ok');
    expect(codes.filter((c) => c === 'ok')).toHaveLength(2);
    expect(codes.filter((c) => c === 'LimitExceeded')).toHaveLength(3);
  });
});
