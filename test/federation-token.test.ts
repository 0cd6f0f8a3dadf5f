// STS GetFederationToken end to end: a federated user's session may do what its
// user may do intersected with the session policies (nothing without them), knows
// who it is (aws:PrincipalType FederatedUser, aws:userid account:name), is bounded in
// time (root: one hour), and calls no IAM operation and no STS one but GetCallerIdentity.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AssumeRoleDetailsDocument,
  GetCallerIdentityDocument,
  GetFederationTokenDocument,
  GetSessionTokenDocument,
  ListUserNamesDocument,
  PutRolePolicyDocument,
  type GetFederationTokenInput,
} from './generated/graphql.js';
import { useTestServer } from './support/server.js';
import { ask, createRole, policy, signedInUser, trustPolicy } from './support/scenarios.js';

const server = useTestServer();
let root: { accountId: string; token: string };
beforeAll(async () => {
  root = await server.newAccount();
});

const allow = (action: string | string[], extra: object = {}) => ({ Effect: 'Allow', Action: action, Resource: '*', ...extra });
const federate = (token: string, input: GetFederationTokenInput) => server.ok(GetFederationTokenDocument, { input }, token).then((data) => data.getFederationToken);

/** A signed-in user allowed sts:GetFederationToken and `actions`. */
async function proxyUser(name: string, actions: string[], tags: Array<{ key: string; value: string }> = []) {
  return signedInUser(server, root, name, { inline: { proxy: policy(allow(['sts:GetFederationToken', ...actions])) }, tags });
}

describe('getFederationToken', () => {
  it('answers a federated user whose session knows who it is', async () => {
    const user = await proxyUser('proxy1', ['s3:*']);
    const session = await federate(user.token, { name: 'Bob', policy: JSON.stringify(policy(allow('s3:GetObject'))) });
    expect(session.federatedUser).toEqual({ federatedUserId: `${root.accountId}:Bob`, arn: `arn:aws:sts::${root.accountId}:federated-user/Bob` });
    expect(session.credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(session.packedPolicySize).toBeGreaterThan(0);
    // Default: 12 hours.
    const lifetime = new Date(session.credentials.expiration).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(43_100_000);
    expect(lifetime).toBeLessThanOrEqual(43_200_000);
    const me = await server.ok(GetCallerIdentityDocument, {}, session.credentials.sessionToken);
    expect(me.getCallerIdentity).toEqual({ account: root.accountId, arn: `arn:aws:sts::${root.accountId}:federated-user/Bob`, userId: `${root.accountId}:Bob` });
  });

  it("gives the intersection of the user's policies and the session policy", async () => {
    const user = await proxyUser('proxy2', ['s3:*']);
    const session = await federate(user.token, { name: 'Carol', policy: JSON.stringify(policy(allow(['s3:GetObject', 'dynamodb:GetItem']))) });
    const token = session.credentials.sessionToken;
    expect(await ask(server, token, 's3:GetObject', 'arn:aws:s3:::bucket/key')).toBe('allowed');
    // The user may, the session policy does not allow it.
    expect(await ask(server, token, 's3:PutObject', 'arn:aws:s3:::bucket/key')).toBe('implicitDeny');
    // The session policy allows it, the user may not.
    expect(await ask(server, token, 'dynamodb:GetItem', `arn:aws:dynamodb:us-east-1:${root.accountId}:table/t`)).toBe('implicitDeny');
  });

  it('uses managed policies passed as session policies', async () => {
    const user = await proxyUser('proxy3', ['s3:*']);
    const session = await federate(user.token, { name: 'Dan', policyArns: [{ arn: 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess' }] });
    const token = session.credentials.sessionToken;
    expect(await ask(server, token, 's3:GetObject', 'arn:aws:s3:::bucket/key')).toBe('allowed');
    expect(await ask(server, token, 's3:PutObject', 'arn:aws:s3:::bucket/key')).toBe('implicitDeny');
    expect(await server.errorCode(GetFederationTokenDocument, { input: { name: 'Dan', policyArns: [{ arn: `arn:aws:iam::${root.accountId}:policy/Missing` }] } }, user.token)).toBe('ValidationError');
  });

  it('allows nothing without a session policy', async () => {
    const user = await proxyUser('proxy4', ['s3:*']);
    const session = await federate(user.token, { name: 'Eve' });
    expect(await ask(server, session.credentials.sessionToken, 's3:GetObject', 'arn:aws:s3:::bucket/key')).toBe('implicitDeny');
  });

  it('refuses IAM operations and STS operations but GetCallerIdentity, whatever the policies allow', async () => {
    const user = await proxyUser('proxy5', ['iam:*', 'sts:*']);
    const role = await createRole(server, root.token, 'FedTarget', trustPolicy({ AWS: `arn:aws:iam::${root.accountId}:root` }));
    const session = await federate(user.token, { name: 'Frank', policy: JSON.stringify(policy(allow(['iam:*', 'sts:*']))) });
    const token = session.credentials.sessionToken;
    expect(await server.errorCode(ListUserNamesDocument, {}, token)).toBe('AccessDenied');
    expect(await server.errorCode(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'x1' } }, token)).toBe('AccessDenied');
    expect(await server.errorCode(GetSessionTokenDocument, {}, token)).toBe('AccessDenied');
    expect(await server.errorCode(GetFederationTokenDocument, { input: { name: 'Again' } }, token)).toBe('AccessDenied');
    await server.ok(GetCallerIdentityDocument, {}, token);
    // The same policies let the user itself list users.
    await server.ok(ListUserNamesDocument, {}, user.token);
  });

  it('is refused to role sessions (session credentials)', async () => {
    const user = await proxyUser('proxy6', ['sts:AssumeRole']);
    const role = await createRole(server, root.token, 'FedRole', trustPolicy({ AWS: user.arn }));
    await server.ok(PutRolePolicyDocument, { input: { roleName: 'FedRole', policyName: 'p', policyDocument: JSON.stringify(policy(allow('sts:GetFederationToken'))) } }, root.token);
    const assumed = await server.ok(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'r1' } }, user.token);
    const response = await server.gql(GetFederationTokenDocument, { input: { name: 'Gina' } }, assumed.assumeRole.credentials.sessionToken);
    expect(response.errors?.[0]?.extensions?.code).toBe('AccessDenied');
    expect(response.errors?.[0]?.message).toBe('Cannot call GetFederationToken with session credentials');
  });

  it('needs sts:GetFederationToken on the federated user, and sts:TagSession for tags', async () => {
    const nobody = await signedInUser(server, root, 'proxy7', { inline: { p: policy(allow('s3:*')) } });
    expect(await server.errorCode(GetFederationTokenDocument, { input: { name: 'Hal' } }, nobody.token)).toBe('AccessDenied');
    const named = await signedInUser(server, root, 'proxy8', {
      inline: { p: policy({ Effect: 'Allow', Action: 'sts:GetFederationToken', Resource: `arn:aws:sts::${root.accountId}:federated-user/app-*` }) },
    });
    await federate(named.token, { name: 'app-1' });
    expect(await server.errorCode(GetFederationTokenDocument, { input: { name: 'other' } }, named.token)).toBe('AccessDenied');
    expect(await server.errorCode(GetFederationTokenDocument, { input: { name: 'app-2', tags: [{ key: 'team', value: 'red' }] } }, named.token)).toBe('AccessDenied');
  });

  it("fills aws:PrincipalType, aws:userid and the principal's tags (session tags over the user's), never aws:username", async () => {
    const user = await proxyUser('proxy9', ['s3:*', 'sts:TagSession'], [
      { key: 'team', value: 'blue' },
      { key: 'site', value: 'paris' },
    ]);
    const conditioned = (key: string, operator: string, value: unknown) => allow('s3:GetObject', { Resource: `arn:aws:s3:::${key.replace(/[:/]/g, '-')}/*`, Condition: { [operator]: { [key]: value } } });
    const sessionPolicy = policy(
      conditioned('aws:PrincipalType', 'StringEquals', 'FederatedUser'),
      conditioned('aws:userid', 'StringEquals', `${root.accountId}:Ivy`),
      conditioned('aws:PrincipalArn', 'StringEquals', `arn:aws:sts::${root.accountId}:federated-user/Ivy`),
      conditioned('aws:username', 'Null', 'true'),
      conditioned('aws:PrincipalTag/team', 'StringEquals', 'green'),
      conditioned('aws:PrincipalTag/site', 'StringEquals', 'paris'),
    );
    const session = await federate(user.token, { name: 'Ivy', policy: JSON.stringify(sessionPolicy), tags: [{ key: 'team', value: 'green' }] });
    const token = session.credentials.sessionToken;
    for (const key of ['aws:PrincipalType', 'aws:userid', 'aws:PrincipalArn', 'aws:username', 'aws:PrincipalTag/team', 'aws:PrincipalTag/site']) {
      expect([key, await ask(server, token, 's3:GetObject', `arn:aws:s3:::${key.replace(/[:/]/g, '-')}/k`)]).toEqual([key, 'allowed']);
    }
  });

  it("bounds durations: 900 to 129,600 seconds, the root user's sessions at one hour", async () => {
    const user = await proxyUser('proxy10', []);
    expect(await server.errorCode(GetFederationTokenDocument, { input: { name: 'Jo', durationSeconds: 899 } }, user.token)).toBe('ValidationError');
    expect(await server.errorCode(GetFederationTokenDocument, { input: { name: 'Jo', durationSeconds: 129_601 } }, user.token)).toBe('ValidationError');
    const long = await federate(user.token, { name: 'Jo', durationSeconds: 129_600 });
    expect(new Date(long.credentials.expiration).getTime() - Date.now()).toBeGreaterThan(129_500_000);
    const rooted = await federate(root.token, { name: 'Kim', durationSeconds: 7200, policy: JSON.stringify(policy(allow('s3:GetObject'))) });
    const lifetime = new Date(rooted.credentials.expiration).getTime() - Date.now();
    expect(lifetime).toBeGreaterThan(3500_000);
    expect(lifetime).toBeLessThanOrEqual(3600_000);
    // The root user's permissions intersected with the session policy.
    expect(await ask(server, rooted.credentials.sessionToken, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('allowed');
    expect(await ask(server, rooted.credentials.sessionToken, 's3:PutObject', 'arn:aws:s3:::b/k')).toBe('implicitDeny');
  });

  it('checks the name and the packed size of the session policies', async () => {
    const user = await proxyUser('proxy11', ['sts:TagSession']);
    expect(await server.errorCode(GetFederationTokenDocument, { input: { name: 'x' } }, user.token)).toBe('ValidationError');
    expect(await server.errorCode(GetFederationTokenDocument, { input: { name: 'a'.repeat(33) } }, user.token)).toBe('ValidationError');
    expect(await server.errorCode(GetFederationTokenDocument, { input: { name: 'bad name' } }, user.token)).toBe('ValidationError');
    // A session policy within its own 2,048 characters, whose tags take the packed size past 100%.
    const sessionPolicy = JSON.stringify(policy(...Array.from({ length: 20 }, (_, i) => allow('s3:GetObject', { Resource: `arn:aws:s3:::bucket-${i}/*` }))));
    const tags = ['a', 'b', 'c'].map((key) => ({ key: key.repeat(128), value: 'v'.repeat(256) }));
    const response = await server.gql(GetFederationTokenDocument, { input: { name: 'Lee', policy: sessionPolicy, tags } }, user.token);
    expect(response.errors?.[0]?.extensions?.code).toBe('PackedPolicyTooLarge');
    expect(response.errors?.[0]?.message).toMatch(/^Packed policy consumes \d+% of allotted space/);
    expect(await server.errorCode(GetFederationTokenDocument, { input: { name: 'Lee', policy: '{"Statement": 1}' } }, user.token)).toBe('MalformedPolicyDocument');
  });
});
