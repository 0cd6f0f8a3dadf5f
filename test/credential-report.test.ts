// The credential report over HTTP: AWS's columns and N/A / not_supported /
// no_information conventions, generate-then-get with AWS's states and errors
// (ReportNotPresent, ReportExpired after four hours), authorization, one account
// never seeing another's; and that access keys and roles record their last use.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html
import { Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import { REPORT_VALIDITY_MS } from '../src/audit/credential-report.js';
import { ManualClock } from '../src/clock.js';
import {
  AssumeRoleDocument,
  CreateAccessKeyDocument,
  CreateRoleDocument,
  CreateVirtualMFADeviceDocument,
  EnableMFADeviceDocument,
  GenerateCredentialReportDocument,
  GetAccessKeyLastUsedDocument,
  GetCredentialReportDocument,
  GetRoleLastUsedDocument,
  GetSessionTokenDocument,
  LookupEventNamesDocument,
  UpdateAccessKeyDocument,
  UpdateAccountPasswordPolicyDocument,
} from './generated/graphql.js';
import { createLoginProfile, createUser, policy, signedInUser } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

/** The server's time, moved past a report's four hours; sessions last twelve, so a token outlives the move. */
const clock = new ManualClock();
const server = useTestServer({ IAM_SIGNIN_SESSION_SECONDS: '43200' }, { clock });

const COLUMNS =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/;

/** The report's rows as objects keyed by column. */
function parse(content: string): Array<Record<string, string>> {
  const [header, ...lines] = content.trimEnd().split('\n');
  const columns = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((value, i) => [columns[i]!, value])));
}

async function report(token: string) {
  await server.ok(GenerateCredentialReportDocument, {}, token);
  return (await server.ok(GetCredentialReportDocument, {}, token)).getCredentialReport;
}

const createKey = async (token: string, userName: string) => {
  const { accessKeyId, secretAccessKey } = (await server.ok(CreateAccessKeyDocument, { input: { userName } }, token)).createAccessKey.accessKey;
  return { accessKeyId, secretAccessKey };
};
const sessionToken = (key: { accessKeyId: string; secretAccessKey: string }) => server.ok(GetSessionTokenDocument, { input: key });

describe('generateCredentialReport and getCredentialReport', () => {
  it('answers ReportNotPresent before any report was generated', async () => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(GetCredentialReportDocument, {}, token)).toBe('ReportNotPresent');
  });

  it('starts a report, then keeps it as COMPLETE, and returns it as CSV text and Base64', async () => {
    const { token, accountId } = await server.newAccount();
    expect((await server.ok(GenerateCredentialReportDocument, {}, token)).generateCredentialReport).toEqual({
      state: 'STARTED',
      description: 'No report exists. Starting a new report generation task',
    });
    expect((await server.ok(GenerateCredentialReportDocument, {}, token)).generateCredentialReport.state).toBe('COMPLETE');
    const result = (await server.ok(GetCredentialReportDocument, {}, token)).getCredentialReport;
    expect(result.reportFormat).toBe('text/csv');
    expect(Buffer.from(result.contentBase64, 'base64').toString('utf8')).toBe(result.content);
    expect(Math.abs(new Date(result.generatedTime).getTime() - Date.now())).toBeLessThan(60_000);
    const [header] = result.content.split('\n');
    expect(header).toBe(COLUMNS);
    const [rootRow] = parse(result.content);
    expect(rootRow).toMatchObject({
      user: '<root_account>',
      arn: `arn:aws:iam::${accountId}:root`,
      password_enabled: 'not_supported',
      password_last_changed: 'not_supported',
      password_next_rotation: 'not_supported',
      mfa_active: 'false',
      access_key_1_active: 'false',
      access_key_1_last_rotated: 'N/A',
      access_key_2_active: 'false',
      cert_1_active: 'false',
      cert_1_last_rotated: 'N/A',
      cert_2_active: 'false',
      cert_2_last_rotated: 'N/A',
    });
    expect(rootRow!.user_creation_time).toMatch(TIME);
    // The root user signed in to get its token.
    expect(rootRow!.password_last_used).toMatch(TIME);
  });

  it('describes each user with AWS conventions: N/A without a credential, no_information for an unused password', async () => {
    const { token, accountId } = await server.newAccount();
    await server.ok(UpdateAccountPasswordPolicyDocument, { input: { maxPasswordAge: 90, allowUsersToChangePassword: true } }, token);
    await signedInUser(server, { accountId, token }, 'alice');
    await createUser(server, token, 'bob');
    await createUser(server, token, 'carol');
    await createLoginProfile(server, token, 'carol', 'Third-Users-Passw0rd!');
    const used = await createKey(token, 'alice');
    const inactive = await createKey(token, 'alice');
    await server.ok(UpdateAccessKeyDocument, { input: { userName: 'alice', accessKeyId: inactive.accessKeyId, status: 'Inactive' } }, token);
    await sessionToken(used);

    const rows = parse((await report(token)).content);
    expect(rows.map((row) => row.user)).toEqual(['<root_account>', 'alice', 'bob', 'carol']);
    const [, alice, bob, carol] = rows as [unknown, Record<string, string>, Record<string, string>, Record<string, string>];

    expect(alice).toMatchObject({ arn: `arn:aws:iam::${accountId}:user/alice`, password_enabled: 'true', mfa_active: 'false' });
    expect(alice.password_last_used).toMatch(TIME);
    expect(alice.password_last_changed).toMatch(TIME);
    const changed = new Date(alice.password_last_changed!.replace('+00:00', 'Z')).getTime();
    expect(new Date(alice.password_next_rotation!.replace('+00:00', 'Z')).getTime()).toBe(changed + 90 * 86_400_000);
    expect(alice).toMatchObject({ access_key_1_active: 'true', access_key_1_last_used_service: 'sts', access_key_2_active: 'false' });
    expect(alice.access_key_1_last_rotated).toMatch(TIME);
    expect(alice.access_key_1_last_used_date).toMatch(TIME);
    expect(alice.access_key_2_last_rotated).toMatch(TIME);
    expect(alice).toMatchObject({ access_key_2_last_used_date: 'N/A', access_key_2_last_used_region: 'N/A', access_key_2_last_used_service: 'N/A' });

    expect(bob).toMatchObject({
      password_enabled: 'false',
      password_last_used: 'N/A',
      password_last_changed: 'N/A',
      password_next_rotation: 'N/A',
      mfa_active: 'false',
      access_key_1_active: 'false',
      access_key_1_last_rotated: 'N/A',
      access_key_1_last_used_date: 'N/A',
      access_key_1_last_used_region: 'N/A',
      access_key_1_last_used_service: 'N/A',
      access_key_2_active: 'false',
      access_key_2_last_rotated: 'N/A',
      cert_1_active: 'false',
      cert_2_last_rotated: 'N/A',
    });
    expect(carol).toMatchObject({ password_enabled: 'true', password_last_used: 'no_information' });
    expect(carol.password_last_changed).toMatch(TIME);
  });

  it('has no rotation date without a maximum password age, and shows MFA once a device is enabled', async () => {
    const { token, accountId } = await server.newAccount();
    await signedInUser(server, { accountId, token }, 'dave');
    const device = (await server.ok(CreateVirtualMFADeviceDocument, { input: { virtualMFADeviceName: 'dave-phone' } }, token)).createVirtualMFADevice.virtualMFADevice;
    const now = Date.now();
    const code = (at: number) => TOTP.generate({ secret: Secret.fromBase32(device.base32StringSeed!), timestamp: at });
    await server.ok(
      EnableMFADeviceDocument,
      { input: { userName: 'dave', serialNumber: device.serialNumber, authenticationCode1: code(now - 30_000), authenticationCode2: code(now) } },
      token,
    );
    const dave = parse((await report(token)).content).find((row) => row.user === 'dave')!;
    expect(dave).toMatchObject({ password_enabled: 'true', password_next_rotation: 'N/A', mfa_active: 'true' });
  });

  it('keeps the report as generated until it is four hours old, then answers ReportExpired and makes a new one', async () => {
    const { token } = await server.newAccount();
    await report(token);
    await createUser(server, token, 'late');
    // Within four hours the kept report does not show the new user.
    expect((await server.ok(GenerateCredentialReportDocument, {}, token)).generateCredentialReport.state).toBe('COMPLETE');
    expect(parse((await server.ok(GetCredentialReportDocument, {}, token)).getCredentialReport.content).map((row) => row.user)).toEqual(['<root_account>']);
    // Age the kept report past AWS's four hours.
    clock.advance(REPORT_VALIDITY_MS + 1000);
    expect(await server.errorCode(GetCredentialReportDocument, {}, token)).toBe('ReportExpired');
    expect((await server.ok(GenerateCredentialReportDocument, {}, token)).generateCredentialReport.state).toBe('STARTED');
    expect(parse((await server.ok(GetCredentialReportDocument, {}, token)).getCredentialReport.content).map((row) => row.user)).toEqual(['<root_account>', 'late']);
  });

  it('needs iam:GenerateCredentialReport and iam:GetCredentialReport', async () => {
    const root = await server.newAccount();
    const nobody = await signedInUser(server, root, 'nobody');
    expect(await server.errorCode(GenerateCredentialReportDocument, {}, nobody.token)).toBe('AccessDenied');
    expect(await server.errorCode(GetCredentialReportDocument, {}, nobody.token)).toBe('AccessDenied');
    const auditor = await signedInUser(server, root, 'auditor', {
      inline: { reports: policy({ Effect: 'Allow', Action: ['iam:GenerateCredentialReport', 'iam:GetCredentialReport'], Resource: '*' }) },
    });
    const rows = parse((await report(auditor.token)).content);
    expect(rows.map((row) => row.user)).toEqual(['<root_account>', 'auditor', 'nobody']);
  });

  it('never shows one account another account’s report or users', async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    await createUser(server, a.token, 'only-in-a');
    await report(a.token);
    expect(await server.errorCode(GetCredentialReportDocument, {}, b.token)).toBe('ReportNotPresent');
    const content = (await report(b.token)).content;
    expect(content).not.toContain('only-in-a');
    expect(content).not.toContain(a.accountId);
  });

  it('records both calls in the audit trail', async () => {
    const { token } = await server.newAccount();
    await report(token);
    await server.service.deps.audit.flush();
    const data = await server.ok(LookupEventNamesDocument, { input: {}, first: 50 }, token);
    const names = data.lookupEvents.nodes.map((event) => event.eventName);
    expect(names).toContain('GenerateCredentialReport');
    expect(names).toContain('GetCredentialReport');
  });
});

describe('last use of access keys and roles', () => {
  it('reports an unused key as N/A, and a key used by getSessionToken with its date and service', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'erin');
    const key = await createKey(token, 'erin');
    expect((await server.ok(GetAccessKeyLastUsedDocument, { id: key.accessKeyId }, token)).getAccessKeyLastUsed).toEqual({
      userName: 'erin',
      accessKeyLastUsed: { lastUsedDate: null, serviceName: 'N/A', region: 'N/A' },
    });
    const before = Date.now();
    await sessionToken(key);
    const used = (await server.ok(GetAccessKeyLastUsedDocument, { id: key.accessKeyId }, token)).getAccessKeyLastUsed.accessKeyLastUsed;
    expect(used.serviceName).toBe('sts');
    expect(new Date(used.lastUsedDate!).getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  // Gap, reported: src/sts/get-session-token.ts records the date and service but no region
  // (recordAccessKeyUse in src/iam/access-keys.ts would record `us-east-1`). Flip to `it` once fixed.
  it('reports the region a key was last used in (us-east-1 for STS)', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'frank');
    const key = await createKey(token, 'frank');
    await sessionToken(key);
    const used = (await server.ok(GetAccessKeyLastUsedDocument, { id: key.accessKeyId }, token)).getAccessKeyLastUsed.accessKeyLastUsed;
    expect(used.region).toBe('us-east-1');
  });

  async function assumedRole(roleName: string) {
    const root = await server.newAccount();
    const user = await signedInUser(server, root, 'assumer');
    await server.ok(
      CreateRoleDocument,
      { input: { roleName, assumeRolePolicyDocument: JSON.stringify(policy({ Effect: 'Allow', Principal: { AWS: user.arn }, Action: 'sts:AssumeRole' })) } },
      root.token,
    );
    const before = (await server.ok(GetRoleLastUsedDocument, { input: { roleName } }, root.token)).getRole.role.roleLastUsed;
    await server.ok(
      AssumeRoleDocument,
      { input: { roleArn: `arn:aws:iam::${root.accountId}:role/${roleName}`, roleSessionName: 's1' } },
      user.token,
    );
    const after = (await server.ok(GetRoleLastUsedDocument, { input: { roleName } }, root.token)).getRole.role.roleLastUsed;
    return { before, after };
  }

  it('reports a role never assumed with no date, and an assumed role with the time it was assumed', async () => {
    const started = Date.now();
    const { before, after } = await assumedRole('Used');
    expect(before).toEqual({ lastUsedDate: null, region: null });
    expect(new Date(after.lastUsedDate!).getTime()).toBeGreaterThanOrEqual(started - 1000);
  });

  // Gap, reported: src/sts/assume-role.ts sets Role.lastUsedAt but not lastUsedRegion. Flip to `it` once fixed.
  it('reports the region a role was last used in', async () => {
    const { after } = await assumedRole('UsedRegion');
    expect(after.region).toBe('us-east-1');
  });
});
