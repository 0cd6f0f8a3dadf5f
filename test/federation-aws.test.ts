// Federation through the AWS protocol endpoint, with the AWS SDK for JavaScript v3 as
// users run it: GetFederationToken signed with an IAM user's access key, the federated
// credentials used for GetCallerIdentity and refused for IAM; a SAML provider made from an
// IdP's metadata and AssumeRoleWithSAML (unsigned, as the SDK sends it) with its response.
import { CreateRoleCommand, CreateSAMLProviderCommand, GetSAMLProviderCommand, IAMServiceException, ListSAMLProvidersCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand, GetFederationTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import { type KeyPair, accountWithAdminKey, iamClient, stsClient } from './support/aws.js';
import { TestSamlIdp } from './support/saml-idp.js';
import { useTestServer } from './support/server.js';

const ISSUER = 'https://iam.test.example';
const server = useTestServer({ IAM_ISSUER: ISSUER });

describe('federation through the AWS SDK', () => {
  let accountId: string;
  let admin: KeyPair;
  beforeAll(async () => {
    ({ accountId, admin } = await accountWithAdminKey(server, 'Federation'));
  });

  it('GetFederationToken: a federated user who is who the SDK says, and may not call IAM', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const token = await stsClient(server, admin).send(new GetFederationTokenCommand({ Name: 'Bob', Policy: policy, DurationSeconds: 900, Tags: [{ Key: 'team', Value: 'blue' }] }));
    expect(token.FederatedUser).toEqual({ FederatedUserId: `${accountId}:Bob`, Arn: `arn:aws:sts::${accountId}:federated-user/Bob` });
    expect(token.PackedPolicySize).toBeGreaterThan(0);
    expect(token.Credentials!.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
    const federated: KeyPair = { accessKeyId: token.Credentials!.AccessKeyId!, secretAccessKey: token.Credentials!.SecretAccessKey!, sessionToken: token.Credentials!.SessionToken! };
    const me = await stsClient(server, federated).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: accountId, Arn: `arn:aws:sts::${accountId}:federated-user/Bob`, UserId: `${accountId}:Bob` });
    const denied = await iamClient(server, federated).send(new ListUsersCommand({})).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(IAMServiceException);
    expect((denied as IAMServiceException).name).toBe('AccessDenied');
    const again = await stsClient(server, federated).send(new GetFederationTokenCommand({ Name: 'Eve' })).catch((error: unknown) => error);
    expect((again as { name: string }).name).toBe('AccessDenied');
  });

  it('CreateSAMLProvider and AssumeRoleWithSAML: a role session from a signed SAML response', async () => {
    const idp = await TestSamlIdp.create();
    const iam = iamClient(server, admin);
    const created = await iam.send(new CreateSAMLProviderCommand({ Name: 'Corp', SAMLMetadataDocument: idp.metadata(), Tags: [{ Key: 'team', Value: 'blue' }] }));
    const providerArn = created.SAMLProviderArn!;
    expect(providerArn).toBe(`arn:aws:iam::${accountId}:saml-provider/Corp`);
    expect((await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: providerArn }))).SAMLMetadataDocument).toBe(idp.metadata());
    expect((await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList?.map((p) => p.Arn)).toEqual([providerArn]);
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithSAML' }] };
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'SamlReader', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const roleArn = role.Role!.Arn!;
    // No credentials: AssumeRoleWithSAML is one of the actions AWS takes unsigned.
    const anonymous = new STSClient({ endpoint: server.origin, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
    const samlAssertion = idp.response({ audience: `${ISSUER}/saml`, roles: [[roleArn, providerArn]], roleSessionName: 'alice', subject: 'alice-42' });
    const assumed = await anonymous.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn, PrincipalArn: providerArn, SAMLAssertion: samlAssertion }));
    expect(assumed.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${accountId}:assumed-role/SamlReader/alice`);
    expect(assumed).toMatchObject({ Subject: 'alice-42', SubjectType: 'persistent', Issuer: idp.entityId, Audience: `${ISSUER}/saml` });
    const session: KeyPair = { accessKeyId: assumed.Credentials!.AccessKeyId!, secretAccessKey: assumed.Credentials!.SecretAccessKey!, sessionToken: assumed.Credentials!.SessionToken! };
    expect((await stsClient(server, session).send(new GetCallerIdentityCommand({}))).Arn).toBe(assumed.AssumedRoleUser!.Arn);
    // The same response again: a replay.
    const replay = await anonymous.send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn, PrincipalArn: providerArn, SAMLAssertion: samlAssertion })).catch((error: unknown) => error);
    expect((replay as { name: string }).name).toBe('InvalidIdentityTokenException');
  });
});
