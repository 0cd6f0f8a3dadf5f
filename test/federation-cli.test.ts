// Federation with the AWS CLI, run as users run it with only --endpoint-url and a key pair:
// `aws sts get-federation-token`, `aws iam create-saml-provider` from a metadata file and
// `aws sts assume-role-with-saml` with a test IdP's signed response (test/support/saml-idp.ts).
// The CLI is a program on PATH (`.ci/run` installs Debian's awscli when it is missing).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { type KeyPair, accountWithAdminKey } from './support/aws.js';
import { TestSamlIdp } from './support/saml-idp.js';
import { useTestServer } from './support/server.js';

const run = promisify(execFile);
const ISSUER = 'https://iam.test.example';
const server = useTestServer({ IAM_ISSUER: ISSUER });
const hasCli = await run('aws', ['--version']).then(
  () => true,
  () => false,
);
if (!hasCli && process.env.CI === 'true') throw new Error('The AWS CLI (`aws`) is not on PATH; .ci/run installs it.');

describe.skipIf(!hasCli)('federation with the AWS CLI', () => {
  let accountId: string;
  let admin: KeyPair;
  const scratch = mkdtempSync(join(tmpdir(), 'open-iam-cli-'));
  // Nothing of the machine's own AWS configuration may leak in.
  writeFileSync(join(scratch, 'config'), '');
  writeFileSync(join(scratch, 'credentials'), '');

  /** Runs `aws …args --endpoint-url <server>` with `credentials` (default: the administrator's key) and parses its JSON output. */
  async function aws<T>(args: string[], credentials: KeyPair = admin): Promise<T> {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: scratch,
      AWS_CONFIG_FILE: join(scratch, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'credentials'),
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
    };
    const { stdout } = await run('aws', [...args, '--endpoint-url', server.origin], { env, maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as T;
  }

  beforeAll(async () => {
    ({ accountId, admin } = await accountWithAdminKey(server, 'FederationCli'));
  });

  it('aws sts get-federation-token, then get-caller-identity with its credentials', async () => {
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    const token = await aws<{ Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string }; FederatedUser: { Arn: string; FederatedUserId: string } }>([
      'sts', 'get-federation-token', '--name', 'Bob', '--policy', policy, '--duration-seconds', '900',
    ]);
    expect(token.FederatedUser).toEqual({ Arn: `arn:aws:sts::${accountId}:federated-user/Bob`, FederatedUserId: `${accountId}:Bob` });
    const federated = { accessKeyId: token.Credentials.AccessKeyId, secretAccessKey: token.Credentials.SecretAccessKey, sessionToken: token.Credentials.SessionToken };
    const me = await aws<{ Arn: string; UserId: string }>(['sts', 'get-caller-identity'], federated);
    expect(me).toMatchObject({ Arn: `arn:aws:sts::${accountId}:federated-user/Bob`, UserId: `${accountId}:Bob` });
  });

  it('aws iam create-saml-provider from a metadata file, and aws sts assume-role-with-saml', async () => {
    const idp = await TestSamlIdp.create();
    const metadataFile = join(scratch, 'idp-metadata.xml');
    writeFileSync(metadataFile, idp.metadata());
    const { SAMLProviderArn: providerArn } = await aws<{ SAMLProviderArn: string }>(['iam', 'create-saml-provider', '--name', 'Corp', '--saml-metadata-document', `file://${metadataFile}`]);
    expect(providerArn).toBe(`arn:aws:iam::${accountId}:saml-provider/Corp`);
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithSAML' }] });
    const { Role: role } = await aws<{ Role: { Arn: string } }>(['iam', 'create-role', '--role-name', 'Staff', '--assume-role-policy-document', trust]);
    const assertion = idp.response({ audience: `${ISSUER}/saml`, roles: [[role.Arn, providerArn]], roleSessionName: 'carol' });
    const assumed = await aws<{ AssumedRoleUser: { Arn: string }; Issuer: string }>([
      'sts', 'assume-role-with-saml', '--role-arn', role.Arn, '--principal-arn', providerArn, '--saml-assertion', assertion,
    ]);
    expect(assumed.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${accountId}:assumed-role/Staff/carol`);
    expect(assumed.Issuer).toBe(idp.entityId);
  });
});
