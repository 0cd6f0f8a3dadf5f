// STS AssumeRole end to end: trust policies decide who may assume, durations are
// bounded, session policies narrow the role, and the session says who it is.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
import { beforeAll, describe, expect, it } from 'vitest';
import { AssumeRoleDetailsDocument, GetCallerIdentityDocument, PutRolePolicyDocument } from './generated/graphql.js';
import { useTestServer } from './support/server.js';
import { ask, createRole, policy, signedInUser, trustPolicy } from './support/scenarios.js';

const server = useTestServer();
let root: { accountId: string; token: string };
beforeAll(async () => {
  root = await server.newAccount();
});

describe('assumeRole', () => {
  it('lets a user named by the trust policy assume the role, and the session knows who it is', async () => {
    const alice = await signedInUser(server, root, 'alice');
    const role = await createRole(server, root.token, 'AppRole', trustPolicy({ AWS: alice.arn }));
    const data = await server.ok(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'alice-session' } }, alice.token);
    const session = data.assumeRole;
    expect(session.credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(session.credentials.secretAccessKey).toHaveLength(40);
    expect(session.assumedRoleUser).toEqual({
      assumedRoleId: `${role.roleId}:alice-session`,
      arn: `arn:aws:sts::${root.accountId}:assumed-role/AppRole/alice-session`,
    });
    const lifetime = new Date(session.credentials.expiration).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(3500_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    const me = await server.ok(GetCallerIdentityDocument, {}, session.credentials.sessionToken);
    expect(me.getCallerIdentity).toEqual({
      account: root.accountId,
      arn: `arn:aws:sts::${root.accountId}:assumed-role/AppRole/alice-session`,
      userId: `${role.roleId}:alice-session`,
    });
  });

  it('refuses a caller the trust policy does not name', async () => {
    const bob = await signedInUser(server, root, 'bob', { managed: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    const role = await createRole(server, root.token, 'OnlyEc2', trustPolicy({ Service: 'ec2.amazonaws.com' }));
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 's1' } }, bob.token)).toBe('AccessDenied');
  });

  it('needs an identity policy too when the trust policy names only the account', async () => {
    const role = await createRole(server, root.token, 'AccountTrust', trustPolicy({ AWS: `arn:aws:iam::${root.accountId}:root` }));
    const without = await signedInUser(server, root, 'noperm');
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 's1' } }, without.token)).toBe('AccessDenied');
    const withPolicy = await signedInUser(server, root, 'withperm', {
      inline: { assume: policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role.arn }) },
    });
    await server.ok(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 's1' } }, withPolicy.token);
  });

  it('refuses the root user and an unknown role alike with AccessDenied', async () => {
    const role = await createRole(server, root.token, 'RootTry', trustPolicy({ AWS: `arn:aws:iam::${root.accountId}:root` }));
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 's1' } }, root.token)).toBe('AccessDenied');
    const user = await signedInUser(server, root, 'unknownrole');
    const missing = `arn:aws:iam::${root.accountId}:role/DoesNotExist`;
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: missing, roleSessionName: 's1' } }, user.token)).toBe('AccessDenied');
  });

  it('honours the role maximum session duration and the role-chaining hour', async () => {
    const user = await signedInUser(server, root, 'durations');
    const short = await createRole(server, root.token, 'ShortRole', trustPolicy({ AWS: user.arn }));
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: short.arn, roleSessionName: 'ss', durationSeconds: 7200 } }, user.token)).toBe('ValidationError');
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: short.arn, roleSessionName: 'ss', durationSeconds: 899 } }, user.token)).toBe('ValidationError');
    const long = await createRole(server, root.token, 'LongRole', trustPolicy({ AWS: user.arn }), { maxSessionDuration: 14400 });
    const data = await server.ok(AssumeRoleDetailsDocument, { input: { roleArn: long.arn, roleSessionName: 'ss', durationSeconds: 7200 } }, user.token);
    expect(new Date(data.assumeRole.credentials.expiration).getTime() - Date.now()).toBeGreaterThan(7100_000);
    // Chaining: a session of LongRole assuming ChainedRole is capped at one hour.
    const chained = await createRole(server, root.token, 'ChainedRole', trustPolicy({ AWS: long.arn }), { maxSessionDuration: 14400 });
    const token = data.assumeRole.credentials.sessionToken;
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: chained.arn, roleSessionName: 'cc', durationSeconds: 7200 } }, token)).toBe('ValidationError');
    const hop = await server.ok(AssumeRoleDetailsDocument, { input: { roleArn: chained.arn, roleSessionName: 'cc' } }, token);
    expect(hop.assumeRole.assumedRoleUser.arn).toBe(`arn:aws:sts::${root.accountId}:assumed-role/ChainedRole/cc`);
  });

  it('narrows the role to the session policy', async () => {
    const user = await signedInUser(server, root, 'narrow');
    const role = await createRole(server, root.token, 'S3Role', trustPolicy({ AWS: user.arn }));
    await server.ok(
      PutRolePolicyDocument,
      { input: { roleName: 'S3Role', policyName: 's3', policyDocument: JSON.stringify(policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' })) } },
      root.token,
    );
    const full = await server.ok(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'full' } }, user.token);
    const narrow = await server.ok(
      AssumeRoleDetailsDocument,
      { input: { roleArn: role.arn, roleSessionName: 'narrow', policy: JSON.stringify(policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })) } },
      user.token,
    );
    expect(narrow.assumeRole.packedPolicySize).toBeGreaterThan(0);
    // A session policy within its own limit, and ten policy ARNs: together past the packed limit.
    const big = JSON.stringify(policy(...Array.from({ length: 20 }, (_, i) => ({ Sid: `S${i}`, Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::bucket-${i}/*` }))));
    const policyArns = Array.from({ length: 10 }, () => ({ arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const packed = await server.gql(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'packed', policy: big, policyArns } }, user.token);
    expect(packed.errors?.[0]?.extensions?.code).toBe('PackedPolicyTooLarge');
    expect(packed.errors?.[0]?.message).toMatch(/^Packed policy consumes \d+% of allotted space/);
    const fullToken = full.assumeRole.credentials.sessionToken;
    const narrowToken = narrow.assumeRole.credentials.sessionToken;
    expect(await ask(server, fullToken, 's3:PutObject', 'arn:aws:s3:::b/k')).toBe('allowed');
    expect(await ask(server, narrowToken, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('allowed');
    expect(await ask(server, narrowToken, 's3:PutObject', 'arn:aws:s3:::b/k')).toBe('implicitDeny');
    // A session policy never adds what the role lacks.
    expect(await ask(server, narrowToken, 'iam:ListUsers', '*')).toBe('implicitDeny');
  });

  it('checks sts:ExternalId and requires sts:TagSession for session tags', async () => {
    const user = await signedInUser(server, root, 'partner');
    const role = await createRole(server, root.token, 'PartnerRole', trustPolicy({ AWS: user.arn }, { Condition: { StringEquals: { 'sts:ExternalId': 'secret-42' } } }));
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'pp' } }, user.token)).toBe('AccessDenied');
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'pp', externalId: 'wrong-1' } }, user.token)).toBe('AccessDenied');
    await server.ok(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'pp', externalId: 'secret-42' } }, user.token);
    const tags = [{ key: 'project', value: 'apollo' }];
    expect(
      await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'pp', externalId: 'secret-42', tags } }, user.token),
    ).toBe('AccessDenied');
  });

  it('works across accounts only when both accounts allow it', async () => {
    const other = await server.newAccount('Other');
    const user = await signedInUser(server, root, 'traveller');
    const role = await createRole(server, other.token, 'CrossRole', trustPolicy({ AWS: `arn:aws:iam::${root.accountId}:root` }));
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'xx' } }, user.token)).toBe('AccessDenied');
    const allowed = await signedInUser(server, root, 'traveller2', {
      inline: { cross: policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role.arn }) },
    });
    const data = await server.ok(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'xx' } }, allowed.token);
    const { account, arn } = (await server.ok(GetCallerIdentityDocument, {}, data.assumeRole.credentials.sessionToken)).getCallerIdentity;
    expect({ account, arn }).toEqual({ account: other.accountId, arn: `arn:aws:sts::${other.accountId}:assumed-role/CrossRole/xx` });
    // The other account's trust policy must allow it too.
    const closed = await createRole(server, other.token, 'ClosedRole', trustPolicy({ AWS: `arn:aws:iam::${other.accountId}:root` }));
    const both = await signedInUser(server, root, 'traveller3', {
      inline: { cross: policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }) },
    });
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: closed.arn, roleSessionName: 'xx' } }, both.token)).toBe('AccessDenied');
  });

  it('validates the session name like AWS', async () => {
    const user = await signedInUser(server, root, 'namer');
    const role = await createRole(server, root.token, 'NameRole', trustPolicy({ AWS: user.arn }));
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'a' } }, user.token)).toBe('ValidationError');
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'bad name' } }, user.token)).toBe('ValidationError');
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'xx'.repeat(65) } }, user.token)).toBe('ValidationError');
  });
});
