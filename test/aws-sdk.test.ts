// The AWS JS SDK v3 against the server, as the IAM tutorials' path runs it: who am
// I, users and login profiles, groups, AWS-managed and customer policies with
// versions, roles with trust policies, instance profiles, access keys, tags,
// paginators, typed errors, AssumeRole and calls made with its credentials, a call
// denied by policy, GetSessionToken; and the Query protocol's bad input.
import {
  AddRoleToInstanceProfileCommand, AddUserToGroupCommand, AttachGroupPolicyCommand, AttachRolePolicyCommand, CreateAccessKeyCommand,
  CreateGroupCommand, CreateInstanceProfileCommand, CreateLoginProfileCommand, CreatePolicyCommand, CreatePolicyVersionCommand, CreateRoleCommand,
  CreateUserCommand, EntityAlreadyExistsException, GetGroupCommand, GetLoginProfileCommand, GetPolicyVersionCommand, GetRoleCommand, GetUserCommand,
  IAMServiceException, ListAccessKeysCommand, ListAttachedGroupPoliciesCommand, ListGroupsForUserCommand, ListInstanceProfilesForRoleCommand,
  ListUserTagsCommand, NoSuchEntityException, TagUserCommand, UntagUserCommand, UpdateAccessKeyCommand, paginateListUsers,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSServiceException } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../src/crypto/secrets.js';
import { newSecretAccessKey, newUniqueId } from '../src/iam/ids.js';
import { GetUserIdAndArnDocument, LookupEventsDocument } from './generated/graphql.js';
import { type KeyPair, accountWithAdminKey, iamClient, sendQuery, stsClient, xmlText } from './support/aws.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

/** The code of the error a call fails with. */
async function failure(call: Promise<unknown>): Promise<{ name: string; status: number | undefined; error: unknown }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode, error };
  }
  throw new Error('expected the call to fail');
}

describe('the AWS SDK for JavaScript v3', () => {
  let accountId: string;
  let rootToken: string;
  let admin: KeyPair;
  beforeAll(async () => {
    ({ accountId, rootToken, admin } = await accountWithAdminKey(server));
  });

  it('answers GetCallerIdentity with the signing user, the same entity GraphQL knows', async () => {
    const me = await stsClient(server, admin).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: accountId, Arn: `arn:aws:iam::${accountId}:user/admin` });
    const viaGraphQL = await server.ok(GetUserIdAndArnDocument, { input: { userName: 'admin' } }, rootToken);
    expect(me.UserId).toBe(viaGraphQL.getUser.user.userId);
  });

  it('creates a user with tags and a console password, and reads them back', async () => {
    const iam = iamClient(server, admin);
    const created = await iam.send(new CreateUserCommand({ UserName: 'alice', Path: '/staff/', Tags: [{ Key: 'team', Value: 'blue' }] }));
    expect(created.User).toMatchObject({ UserName: 'alice', Path: '/staff/', Arn: `arn:aws:iam::${accountId}:user/staff/alice` });
    expect(created.User!.CreateDate).toBeInstanceOf(Date);
    const user = await iam.send(new GetUserCommand({ UserName: 'alice' }));
    expect(user.User!.UserId).toBe(created.User!.UserId);
    await iam.send(new CreateLoginProfileCommand({ UserName: 'alice', Password: 'Corr3ct-Horse-Battery!', PasswordResetRequired: true }));
    expect((await iam.send(new GetLoginProfileCommand({ UserName: 'alice' }))).LoginProfile).toMatchObject({ UserName: 'alice', PasswordResetRequired: true });
    expect((await iam.send(new ListUserTagsCommand({ UserName: 'alice' }))).Tags).toEqual([{ Key: 'team', Value: 'blue' }]);
    await iam.send(new TagUserCommand({ UserName: 'alice', Tags: [{ Key: 'cost-center', Value: '42' }] }));
    await iam.send(new UntagUserCommand({ UserName: 'alice', TagKeys: ['team'] }));
    expect((await iam.send(new ListUserTagsCommand({ UserName: 'alice' }))).Tags).toEqual([{ Key: 'cost-center', Value: '42' }]);
  });

  it('pages through users with the SDK paginator, MaxItems and Marker mapped onto the cursors', async () => {
    const iam = iamClient(server, admin);
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) await iam.send(new CreateUserCommand({ UserName: name, Path: '/paged/' }));
    const pages: string[][] = [];
    for await (const page of paginateListUsers({ client: iam, pageSize: 2 }, { PathPrefix: '/paged/' })) {
      pages.push((page.Users ?? []).map((user) => user.UserName!));
      expect(page.IsTruncated).toBe(pages.length < 3);
    }
    expect(pages).toEqual([['p1', 'p2'], ['p3', 'p4'], ['p5']]);
  });

  it('manages groups, membership and AWS-managed policies', async () => {
    const iam = iamClient(server, admin);
    await iam.send(new CreateGroupCommand({ GroupName: 'devs' }));
    await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'alice' }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: 'devs', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const group = await iam.send(new GetGroupCommand({ GroupName: 'devs' }));
    expect(group.Group!.GroupName).toBe('devs');
    expect(group.Users!.map((user) => user.UserName)).toEqual(['alice']);
    expect((await iam.send(new ListGroupsForUserCommand({ UserName: 'alice' }))).Groups!.map((g) => g.GroupName)).toEqual(['devs']);
    expect((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'devs' }))).AttachedPolicies).toEqual([
      { PolicyName: 'ReadOnlyAccess', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
    ]);
  });

  it('creates a customer managed policy with a second version, whose document comes back URL-encoded as AWS sends it', async () => {
    const iam = iamClient(server, admin);
    const v1 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'docs:ReadDocument', Resource: 'arn:aws:docs:::doc/*' }] };
    const v2 = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['docs:ReadDocument', 'docs:EditDocument'], Resource: 'arn:aws:docs:::doc/*' }] };
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: 'docs-editor', PolicyDocument: JSON.stringify(v1) }));
    expect(created.Policy).toMatchObject({ PolicyName: 'docs-editor', DefaultVersionId: 'v1', Arn: `arn:aws:iam::${accountId}:policy/docs-editor` });
    await iam.send(new CreatePolicyVersionCommand({ PolicyArn: created.Policy!.Arn, PolicyDocument: JSON.stringify(v2), SetAsDefault: true }));
    const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: created.Policy!.Arn, VersionId: 'v2' }));
    expect(version.PolicyVersion!.IsDefaultVersion).toBe(true);
    expect(JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!))).toEqual(v2);
  });

  it('creates a role with a trust policy, puts it in an instance profile, assumes it and acts with its credentials', async () => {
    const iam = iamClient(server, admin);
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' }] };
    await iam.send(new CreateRoleCommand({ RoleName: 'reader', AssumeRolePolicyDocument: JSON.stringify(trust), MaxSessionDuration: 7200 }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: 'reader', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const role = await iam.send(new GetRoleCommand({ RoleName: 'reader' }));
    expect(JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!))).toEqual(trust);
    expect(role.Role!.MaxSessionDuration).toBe(7200);
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'web' }));
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'web', RoleName: 'reader' }));
    const profiles = await iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'reader' }));
    expect(profiles.InstanceProfiles!.map((p) => [p.InstanceProfileName, p.Roles!.map((r) => r.RoleName)])).toEqual([['web', ['reader']]]);

    const assumed = await stsClient(server, admin).send(new AssumeRoleCommand({ RoleArn: role.Role!.Arn, RoleSessionName: 'audit', DurationSeconds: 900 }));
    expect(assumed.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${accountId}:assumed-role/reader/audit`);
    expect(assumed.Credentials!.AccessKeyId).toMatch(/^ASIA/);
    const session: KeyPair = {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    };
    expect((await stsClient(server, session).send(new GetCallerIdentityCommand({}))).Arn).toBe(assumed.AssumedRoleUser!.Arn);
    expect((await iamClient(server, session).send(new GetUserCommand({ UserName: 'alice' }))).User!.UserName).toBe('alice');
    // ReadOnlyAccess allows no write: the role session is denied by policy.
    const denied = await failure(iamClient(server, session).send(new CreateUserCommand({ UserName: 'mallory' })));
    expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(denied.error).toBeInstanceOf(IAMServiceException);
    // Without its session token the temporary key is refused.
    const { sessionToken: _omitted, ...withoutToken } = session;
    expect(await failure(stsClient(server, withoutToken).send(new GetCallerIdentityCommand({})))).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
  });

  it('throws the typed exceptions of AWS errors', async () => {
    const iam = iamClient(server, admin);
    const missing = await failure(iam.send(new GetUserCommand({ UserName: 'nobody' })));
    expect(missing.error).toBeInstanceOf(NoSuchEntityException);
    expect(missing.status).toBe(404);
    expect((missing.error as Error).message).toBe('The user with name nobody cannot be found.');
    expect((await failure(iam.send(new CreateUserCommand({ UserName: 'alice' })))).error).toBeInstanceOf(EntityAlreadyExistsException);
  });

  it('manages access keys: a deactivated key, and the sessions it made, stop working at once', async () => {
    const iam = iamClient(server, admin);
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    const alice: KeyPair = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    expect((await iam.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata!.map((k) => [k.AccessKeyId, k.Status])).toEqual([[alice.accessKeyId, 'Active']]);
    expect((await stsClient(server, alice).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${accountId}:user/staff/alice`);
    const token = await stsClient(server, alice).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const session: KeyPair = { accessKeyId: token.Credentials!.AccessKeyId!, secretAccessKey: token.Credentials!.SecretAccessKey!, sessionToken: token.Credentials!.SessionToken! };
    expect((await stsClient(server, session).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${accountId}:user/staff/alice`);
    await iam.send(new UpdateAccessKeyCommand({ UserName: 'alice', AccessKeyId: alice.accessKeyId, Status: 'Inactive' }));
    expect(await failure(stsClient(server, alice).send(new GetCallerIdentityCommand({})))).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
    const sessionFailure = await failure(stsClient(server, session).send(new GetCallerIdentityCommand({})));
    expect(sessionFailure.name).toBe('InvalidClientTokenId');
    expect(sessionFailure.error).toBeInstanceOf(STSServiceException);
  });

  it('answers a key made before secrets were sealed with InvalidClientTokenId and a message that says to rotate it', async () => {
    const { UserId } = (await iamClient(server, admin).send(new GetUserCommand({ UserName: 'alice' }))).User!;
    const legacy = { accessKeyId: newUniqueId('accessKey'), secretAccessKey: newSecretAccessKey() };
    await server.db.accessKey.create({ data: { id: legacy.accessKeyId, accountId, userId: UserId!, secretHash: hashSecret(legacy.secretAccessKey) } });
    const refused = await failure(stsClient(server, legacy).send(new GetCallerIdentityCommand({})));
    expect(refused).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
    expect((refused.error as Error).message).toMatch(/Rotate it: create a new access key, use it, then delete this one\.$/);
  });

  it('refuses a wrong secret and an unknown key', async () => {
    expect(await failure(stsClient(server, { ...admin, secretAccessKey: 'x'.repeat(40) }).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    expect(await failure(stsClient(server, { ...admin, accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' }).send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
    });
  });

  it('records each call in the audit trail under its AWS action, with the client’s user agent', async () => {
    const data = await server.ok(LookupEventsDocument, { input: { eventName: 'CreateGroup' } }, rootToken);
    expect(data.lookupEvents.nodes[0]).toMatchObject({ eventName: 'CreateGroup' });
    expect(data.lookupEvents.nodes[0]!.userAgent).toMatch(/aws-sdk-js/);
  });
});

describe('the Query protocol with bad input', () => {
  let admin: KeyPair;
  beforeAll(async () => {
    ({ admin } = await accountWithAdminKey(server, 'Bad input'));
  });

  it.each([
    { name: 'no Action', params: 'Version=2010-05-08', status: 400, code: 'MissingAction' },
    { name: 'no Version', params: 'Action=ListUsers', status: 400, code: 'MissingParameter' },
    { name: 'an unknown Version', params: 'Action=ListUsers&Version=2099-01-01', status: 400, code: 'InvalidAction' },
    { name: 'an action we do not implement', params: 'Action=DeleteServerCertificate&Version=2010-05-08&ServerCertificateName=x', status: 400, code: 'InvalidAction' },
    { name: 'an action that does not exist', params: 'Action=MakeCoffee&Version=2010-05-08', status: 400, code: 'InvalidAction' },
    { name: 'a number that is not one', params: 'Action=ListUsers&Version=2010-05-08&MaxItems=ten', status: 400, code: 'ValidationError' },
    { name: 'a missing required member', params: 'Action=GetGroup&Version=2010-05-08', status: 400, code: 'ValidationError' },
    { name: 'a value outside an enum', params: 'Action=UpdateAccessKey&Version=2010-05-08&AccessKeyId=AKIAAAAAAAAAAAAAAAAA&Status=Sleeping', status: 400, code: 'ValidationError' },
    { name: 'a repeated parameter', params: 'Action=GetUser&Version=2010-05-08&UserName=a&UserName=b', status: 400, code: 'InvalidParameterValue' },
    { name: 'a malformed policy document', params: 'Action=CreatePolicy&Version=2010-05-08&PolicyName=p&PolicyDocument=%7Bnope', status: 400, code: 'MalformedPolicyDocument' },
  ])('answers $code for $name', async ({ params, status, code }) => {
    const answer = await sendQuery(server, admin, params);
    expect(answer.status).toBe(status);
    expect(xmlText(answer.body, 'Code')).toBe(code);
    expect(answer.body).toMatch(/^<ErrorResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><Error><Type>Sender<\/Type>/);
    expect(xmlText(answer.body, 'RequestId')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers MissingAuthenticationToken to an unsigned request and SignatureDoesNotMatch to a tampered body', async () => {
    const unsigned = await sendQuery(server, null, 'Action=ListUsers&Version=2010-05-08');
    expect([unsigned.status, xmlText(unsigned.body, 'Code')]).toEqual([403, 'MissingAuthenticationToken']);
    const tampered = await sendQuery(server, admin, 'Action=GetUser&Version=2010-05-08&UserName=admin', { sentBody: 'Action=DeleteUser&Version=2010-05-08&UserName=admin' });
    expect([tampered.status, xmlText(tampered.body, 'Code')]).toEqual([403, 'SignatureDoesNotMatch']);
    expect((await sendQuery(server, admin, 'Action=GetUser&Version=2010-05-08&UserName=admin')).status).toBe(200);
  });

  it('refuses a signature made more than 15 minutes ago', async () => {
    const answer = await sendQuery(server, admin, 'Action=GetCallerIdentity&Version=2011-06-15', { service: 'sts', at: new Date(Date.now() - 16 * 60_000) });
    expect([answer.status, xmlText(answer.body, 'Code')]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(xmlText(answer.body, 'Message')).toMatch(/^Signature expired/);
  });

  it('refuses a signature scoped to the other service', async () => {
    const answer = await sendQuery(server, admin, 'Action=GetCallerIdentity&Version=2011-06-15', { service: 'iam' });
    expect([answer.status, xmlText(answer.body, 'Code')]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('answers a body over the limit with 413 and writes nothing', async () => {
    const answer = await sendQuery(server, admin, `Action=CreateUser&Version=2010-05-08&UserName=huge&Path=${'a'.repeat(300_000)}`);
    expect([answer.status, xmlText(answer.body, 'Code')]).toEqual([413, 'RequestEntityTooLarge']);
    expect((await sendQuery(server, admin, 'Action=GetUser&Version=2010-05-08&UserName=huge')).status).toBe(404);
  });
});

describe('GET requests', () => {
  it('answers a presigned GET of GetCallerIdentity, as botocore’s generate_presigned_url makes it', async () => {
    const { admin, accountId } = await accountWithAdminKey(server, 'Presigned');
    const url = new URL(server.origin);
    const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: admin, sha256: Hash.bind(null, 'sha256') });
    const presigned = await signer.presign(
      { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host: url.host } },
      { expiresIn: 300 },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const answer = await fetch(`${server.origin}/?${query}`);
    const body = await answer.text();
    expect(answer.status).toBe(200);
    expect(xmlText(body, 'Arn')).toBe(`arn:aws:iam::${accountId}:user/admin`);
    expect(body).toMatch(/^<GetCallerIdentityResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><GetCallerIdentityResult>/);
  });
});
