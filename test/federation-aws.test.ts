// Federation through the AWS protocol endpoint, with the AWS SDK for JavaScript v3 as
// users run it: GetFederationToken signed with an IAM user's access key, the federated
// credentials used for GetCallerIdentity and refused for IAM.
import { IAMServiceException, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, GetFederationTokenCommand } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import { type KeyPair, accountWithAdminKey, iamClient, stsClient } from './support/aws.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

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
});
