// The AWS CLI, run verbatim as the IAM tutorials run it, with only --endpoint-url
// and a key pair: what it prints is what it prints against AWS. The CLI is a
// program on PATH (`.ci/run` installs Debian's awscli when it is missing).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { GetUserIdAndArnDocument } from './generated/graphql.js';
import { type KeyPair, accountWithAdminKey } from './support/aws.js';
import { useTestServer } from './support/server.js';

const run = promisify(execFile);
const server = useTestServer();
const hasCli = await run('aws', ['--version']).then(
  () => true,
  () => false,
);
if (!hasCli && process.env.CI === 'true') throw new Error('The AWS CLI (`aws`) is not on PATH; .ci/run installs it.');

describe.skipIf(!hasCli)('the AWS CLI', () => {
  let accountId: string;
  let rootToken: string;
  let admin: KeyPair;
  const scratch = mkdtempSync(join(tmpdir(), 'open-iam-cli-'));
  // Nothing of the machine's own AWS configuration may leak in.
  writeFileSync(join(scratch, 'config'), '');
  writeFileSync(join(scratch, 'credentials'), '');

  /** Runs `aws …args --endpoint-url <server>`; its exit code, standard output and standard error. */
  async function aws(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: scratch,
      AWS_CONFIG_FILE: join(scratch, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(scratch, 'credentials'),
      AWS_ACCESS_KEY_ID: admin.accessKeyId,
      AWS_SECRET_ACCESS_KEY: admin.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_PAGER: '',
    };
    try {
      const { stdout, stderr } = await run('aws', [...args, '--endpoint-url', server.origin], { env });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }
  /** Runs a command that must succeed and parses its JSON output as `T`. */
  const json = async <T = unknown>(...args: string[]): Promise<T> => {
    const result = await aws(...args);
    if (result.code !== 0) throw new Error(`aws ${args.join(' ')} failed: ${result.stderr}`);
    return (result.stdout.trim() === '' ? {} : JSON.parse(result.stdout)) as T;
  };

  beforeAll(async () => {
    ({ accountId, rootToken, admin } = await accountWithAdminKey(server, 'Cli'));
  });

  it('says who is calling', async () => {
    expect(await json('sts', 'get-caller-identity')).toEqual({ UserId: expect.stringMatching(/^AIDA/), Account: accountId, Arn: `arn:aws:iam::${accountId}:user/admin` });
  });

  it('creates a user with a console password that must be reset, the same entity GraphQL answers', async () => {
    const { User } = await json<{ User: { Arn: string; UserId: string } }>('iam', 'create-user', '--user-name', 'bob');
    expect(User).toMatchObject({ Path: '/', UserName: 'bob', Arn: `arn:aws:iam::${accountId}:user/bob` });
    const viaGraphQL = await server.ok(GetUserIdAndArnDocument, { input: { userName: 'bob' } }, rootToken);
    expect(viaGraphQL.getUser.user).toEqual({ arn: User.Arn, userId: User.UserId });
    const { LoginProfile } = await json<{ LoginProfile: unknown }>('iam', 'create-login-profile', '--user-name', 'bob', '--password', 'Corr3ct-Horse-Battery!', '--password-reset-required');
    expect(LoginProfile).toMatchObject({ UserName: 'bob', PasswordResetRequired: true });
  });

  it('makes a group of administrators and puts the user in it', async () => {
    await json('iam', 'create-group', '--group-name', 'Admins');
    await json('iam', 'attach-group-policy', '--group-name', 'Admins', '--policy-arn', 'arn:aws:iam::aws:policy/AdministratorAccess');
    await json('iam', 'add-user-to-group', '--group-name', 'Admins', '--user-name', 'bob');
    expect((await json<{ Groups: Array<{ GroupName: string }> }>('iam', 'list-groups-for-user', '--user-name', 'bob')).Groups.map((g) => g.GroupName)).toEqual(['Admins']);
    expect((await json<{ AttachedPolicies: unknown }>('iam', 'list-attached-group-policies', '--group-name', 'Admins')).AttachedPolicies).toEqual([
      { PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' },
    ]);
  });

  it('creates a role from a trust policy file and reads the document back as JSON', async () => {
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    writeFileSync(join(scratch, 'trust.json'), JSON.stringify(trust));
    await json('iam', 'create-role', '--role-name', 'web-server', '--assume-role-policy-document', `file://${join(scratch, 'trust.json')}`);
    expect((await json<{ Role: { AssumeRolePolicyDocument: unknown } }>('iam', 'get-role', '--role-name', 'web-server')).Role.AssumeRolePolicyDocument).toEqual(trust);
    await json('iam', 'create-instance-profile', '--instance-profile-name', 'web-server');
    await json('iam', 'add-role-to-instance-profile', '--instance-profile-name', 'web-server', '--role-name', 'web-server');
    expect((await json<{ InstanceProfile: { Roles: Array<{ RoleName: string }> } }>('iam', 'get-instance-profile', '--instance-profile-name', 'web-server')).InstanceProfile.Roles.map((r) => r.RoleName)).toEqual(['web-server']);
  });

  it('creates an access key and lists it; text output and --query work as usual', async () => {
    const { AccessKey } = await json<{ AccessKey: { AccessKeyId: string } }>('iam', 'create-access-key', '--user-name', 'bob');
    expect(AccessKey).toMatchObject({ UserName: 'bob', Status: 'Active', AccessKeyId: expect.stringMatching(/^AKIA/), SecretAccessKey: expect.any(String) });
    const listed = await aws('iam', 'list-access-keys', '--user-name', 'bob', '--query', 'AccessKeyMetadata[].AccessKeyId', '--output', 'text');
    expect(listed.stdout.trim()).toBe(AccessKey.AccessKeyId);
    const users = await aws('iam', 'list-users', '--query', 'Users[].UserName', '--output', 'text');
    expect(users.stdout.trim().split(/\s+/)).toEqual(['admin', 'bob']);
  });

  it('prints AWS’s error for a missing user and exits non-zero', async () => {
    const result = await aws('iam', 'get-user', '--user-name', 'nobody');
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toBe('An error occurred (NoSuchEntity) when calling the GetUser operation: The user with name nobody cannot be found.');
  });
});
