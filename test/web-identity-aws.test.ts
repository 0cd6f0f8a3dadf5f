// OIDC providers and AssumeRoleWithWebIdentity through the AWS protocol endpoint, with the
// clients users run: the JS SDK v3 (IAM signed with an access key; STS's
// AssumeRoleWithWebIdentity unsigned, as the SDK sends it) and the AWS CLI
// (`aws iam create-open-id-connect-provider`, `aws sts assume-role-with-web-identity`).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
  ListOpenIDConnectProviderTagsCommand,
  TagOpenIDConnectProviderCommand,
  CreateRoleCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, ExpiredTokenException, GetCallerIdentityCommand, InvalidIdentityTokenException, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KeyPair, accountWithAdminKey, iamClient, sendQuery, stsClient, xmlText } from './support/aws.js';
import { type JoseIssuer, startJoseIssuer } from './support/jose-issuer.js';
import { useTestServer } from './support/server.js';

const run = promisify(execFile);
const server = useTestServer({ IAM_OIDC_ALLOW_HTTP_LOOPBACK: 'true' });
const hasCli = await run('aws', ['--version']).then(
  () => true,
  () => false,
);
const CLIENT = 'sdk-app';

let issuer: JoseIssuer;
let accountId: string;
let admin: KeyPair;
beforeAll(async () => {
  issuer = await startJoseIssuer();
  ({ accountId, admin } = await accountWithAdminKey(server, 'WebIdentityAws'));
});
afterAll(async () => {
  await issuer?.close();
});

const trust = (providerArn: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithWebIdentity' }] });

/** An STS client with no credentials at all: AssumeRoleWithWebIdentity needs none. */
const anonymousSts = () => new STSClient({ endpoint: server.origin, region: 'us-east-1', maxAttempts: 1 });

describe('through the AWS SDK', () => {
  it('manages a provider and exchanges a token unsigned, as the SDK sends it', async () => {
    const iam = iamClient(server, admin);
    const created = await iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer.url, ClientIDList: ['first'], Tags: [{ Key: 'team', Value: 'auth' }] }));
    const providerArn = created.OpenIDConnectProviderArn!;
    expect(providerArn).toBe(`arn:aws:iam::${accountId}:oidc-provider/${issuer.url.replace('http://', '')}`);
    await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn, ClientID: CLIENT }));
    await iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn, Tags: [{ Key: 'env', Value: 'test' }] }));
    const read = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }));
    expect(read).toMatchObject({ Url: issuer.url.replace('http://', ''), ClientIDList: ['first', CLIENT], ThumbprintList: [] });
    expect(read.Tags).toEqual([{ Key: 'env', Value: 'test' }, { Key: 'team', Value: 'auth' }]);
    const listed = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    expect(listed.OpenIDConnectProviderList).toEqual([{ Arn: providerArn }]);
    expect((await iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: providerArn }))).Tags).toHaveLength(2);

    const role = await iam.send(new CreateRoleCommand({ RoleName: 'SdkWebRole', AssumeRolePolicyDocument: trust(providerArn) }));
    const token = await issuer.sign({ sub: 'sdk-user', aud: CLIENT });
    const answer = await anonymousSts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: 'sdk-user', WebIdentityToken: token, DurationSeconds: 900 }));
    expect(answer).toMatchObject({
      SubjectFromWebIdentityToken: 'sdk-user',
      Provider: issuer.url,
      Audience: CLIENT,
      AssumedRoleUser: { Arn: `arn:aws:sts::${accountId}:assumed-role/SdkWebRole/sdk-user` },
    });
    const session: KeyPair = { accessKeyId: answer.Credentials!.AccessKeyId!, secretAccessKey: answer.Credentials!.SecretAccessKey!, sessionToken: answer.Credentials!.SessionToken! };
    const me = await stsClient(server, session).send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${accountId}:assumed-role/SdkWebRole/sdk-user`);

    const refused = await anonymousSts()
      .send(new AssumeRoleWithWebIdentityCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: 'refused', WebIdentityToken: await issuer.sign({ sub: 'u', aud: 'other-app' }) }))
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidIdentityTokenException);
    const now = Math.floor(Date.now() / 1000);
    const stale = await issuer.sign({ sub: 'u', aud: CLIENT }, { iat: now - 7200, exp: now - 3600 });
    const expired = await anonymousSts()
      .send(new AssumeRoleWithWebIdentityCommand({ RoleArn: role.Role!.Arn!, RoleSessionName: 'expired', WebIdentityToken: stale }))
      .catch((error: unknown) => error);
    // STS's own code for an expired ID token (400), not the common ExpiredToken of an expired request credential.
    expect(expired).toBeInstanceOf(ExpiredTokenException);
    expect((expired as ExpiredTokenException).$metadata.httpStatusCode).toBe(400);

    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }));
    expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([]);
  });

  it('still requires a signature for every other action', async () => {
    const answer = await sendQuery(server, null, { Action: 'ListOpenIDConnectProviders', Version: '2010-05-08' });
    expect(answer.status).toBe(403);
    const sts = await sendQuery(server, null, { Action: 'GetCallerIdentity', Version: '2011-06-15' });
    expect(sts.status).toBe(403);
    expect(xmlText(sts.body, 'Code')).not.toBe('ServiceFailure');
  });
});

describe.skipIf(!hasCli)('through the AWS CLI', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'open-iam-cli-oidc-'));
  writeFileSync(join(scratch, 'config'), '');
  writeFileSync(join(scratch, 'credentials'), '');

  /** Runs `aws …args --endpoint-url <server>` (with the admin's key unless `unsigned`) and parses its JSON output. */
  async function aws<T>(args: string[], { unsigned = false } = {}): Promise<T> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: scratch,
      AWS_CONFIG_FILE: join(scratch, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'credentials'),
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
      ...(unsigned ? {} : { AWS_ACCESS_KEY_ID: admin.accessKeyId, AWS_SECRET_ACCESS_KEY: admin.secretAccessKey }),
    };
    const { stdout } = await run('aws', [...args, '--endpoint-url', server.origin, '--output', 'json'], { env });
    return (stdout.trim() === '' ? {} : JSON.parse(stdout)) as T;
  }

  it('aws iam create-open-id-connect-provider, then aws sts assume-role-with-web-identity with no credentials configured', async () => {
    const cliIssuer = await startJoseIssuer();
    try {
      const created = await aws<{ OpenIDConnectProviderArn: string }>([
        'iam', 'create-open-id-connect-provider', '--url', cliIssuer.url, '--client-id-list', CLIENT, '--thumbprint-list', '9e99a48a9960b14926bb7f3b02e22da2b0ab7280',
      ]);
      const role = await aws<{ Role: { Arn: string } }>(['iam', 'create-role', '--role-name', 'CliWebRole', '--assume-role-policy-document', trust(created.OpenIDConnectProviderArn)]);
      const token = await cliIssuer.sign({ sub: 'cli-user', aud: CLIENT });
      const answer = await aws<{ AssumedRoleUser: { Arn: string }; SubjectFromWebIdentityToken: string; Credentials: { AccessKeyId: string } }>(
        ['sts', 'assume-role-with-web-identity', '--role-arn', role.Role.Arn, '--role-session-name', 'cli-user', '--web-identity-token', token],
        { unsigned: true },
      );
      expect(answer.SubjectFromWebIdentityToken).toBe('cli-user');
      expect(answer.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${accountId}:assumed-role/CliWebRole/cli-user`);
      expect(answer.Credentials.AccessKeyId).toMatch(/^ASIA/);
      const read = await aws<{ Url: string; ClientIDList: string[]; ThumbprintList: string[] }>(['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', created.OpenIDConnectProviderArn]);
      expect(read).toMatchObject({ ClientIDList: [CLIENT], ThumbprintList: ['9e99a48a9960b14926bb7f3b02e22da2b0ab7280'] });
    } finally {
      await cliIssuer.close();
    }
  });
});
