// Virtual MFA devices over HTTP: create (seed once, sealed at rest), enable with
// two consecutive codes, sign-in and getSessionToken with a code, replay refusal,
// aws:MultiFactorAuthPresent in policies, deactivate, delete, lists.
import { HOTP, Secret, TOTP } from 'otpauth';
import { describe, expect, it } from 'vitest';
import {
  CreateAccessKeyDocument,
  CreateVirtualMFADeviceDocument,
  DeactivateMFADeviceDocument,
  DeleteVirtualMFADeviceDocument,
  EnableMFADeviceDocument,
  GetSessionTokenDocument,
  ListMFADevicesDocument,
  ListVirtualMFADevicesDocument,
  ListVirtualMFADeviceSerialsDocument,
  PutUserPolicyDocument,
  SignInDocument,
} from './generated/graphql.js';
import { accountWithAlice, createUser } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

const PASSWORD = 'Initial-Secret-42';

const STEP_MS = 30_000;

/** The device's code at an instant, as an authenticator app shows it. */
function codeAt(seed: string, timestamp: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(seed), timestamp });
}

/** A fresh account with alice (console password) and an unassigned device. */
async function setup(deviceName = 'alice-phone') {
  const account = await accountWithAlice(server, { password: PASSWORD });
  const device = (await server.ok(CreateVirtualMFADeviceDocument, { input: { virtualMFADeviceName: deviceName, tags: [{ key: 'team', value: 'blue' }] } }, account.token))
    .createVirtualMFADevice.virtualMFADevice;
  return { ...account, serial: device.serialNumber, seed: device.base32StringSeed! };
}

async function enable(token: string, serial: string, seed: string, now = Date.now()) {
  return server.ok(EnableMFADeviceDocument, { input: { userName: 'alice', serialNumber: serial, authenticationCode1: codeAt(seed, now - STEP_MS), authenticationCode2: codeAt(seed, now) } }, token);
}

function signIn(accountId: string, mfaCode?: string, password = PASSWORD) {
  return server.gql(SignInDocument, { input: { accountId, userName: 'alice', password, ...(mfaCode ? { mfaCode } : {}) } });
}

describe('createVirtualMFADevice', () => {
  it('returns the serial number ARN, the seed once and an otpauth URI, and seals the seed at rest', async () => {
    const { accountId, token } = await server.newAccount();
    const data = await server.ok(CreateVirtualMFADeviceDocument, { input: { virtualMFADeviceName: 'ops-phone', path: '/ops/', tags: [{ key: 'k', value: 'v' }] } }, token);
    const device = data.createVirtualMFADevice.virtualMFADevice;
    expect(device.serialNumber).toBe(`arn:aws:iam::${accountId}:mfa/ops/ops-phone`);
    expect(device.base32StringSeed).toMatch(/^[A-Z2-7]{32}$/);
    expect(device.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(device.otpauthUri).toContain(`secret=${device.base32StringSeed}`);
    expect(device).toMatchObject({ enableDate: null, user: null, tags: [{ key: 'k', value: 'v' }] });
    const row = await server.db.mfaDevice.findUniqueOrThrow({ where: { serialNumber: device.serialNumber } });
    expect(row.sealedSeed).not.toContain(device.base32StringSeed);
    // Never shown again.
    const listed = await server.ok(ListVirtualMFADevicesDocument, {}, token);
    expect(listed.listVirtualMFADevices.nodes).toEqual([{ serialNumber: device.serialNumber, base32StringSeed: null, enableDate: null, user: null, tags: [{ key: 'k' }] }]);
  });

  it('refuses a duplicate name (case-insensitive, any path) with EntityAlreadyExists, also under concurrency', async () => {
    const { token } = await server.newAccount();
    const results = await Promise.all(['Phone', 'phone', 'PHONE'].map((name, i) => server.gql(CreateVirtualMFADeviceDocument, { input: { virtualMFADeviceName: name, path: i === 2 ? '/x/' : '/' } }, token)));
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const failed of results.filter((r) => r.errors)) {
      expect(failed.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
      expect(failed.errors?.[0]?.message).toBe('MFADevice entity at the same path and name already exists.');
    }
    expect(await server.db.mfaDevice.count({ where: { name: { in: ['Phone', 'phone', 'PHONE'] } } })).toBe(1);
  });

  it.each([
    ['an empty name', { virtualMFADeviceName: '' }],
    ['a name with a space', { virtualMFADeviceName: 'my phone' }],
    ['a bad path', { virtualMFADeviceName: 'p', path: 'nope' }],
  ])('refuses %s with ValidationError', async (_name, input) => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(CreateVirtualMFADeviceDocument, { input }, token)).toBe('ValidationError');
  });
});

describe('enableMFADevice', () => {
  it('enables a device with two consecutive codes', async () => {
    const { token, serial, seed } = await setup();
    expect((await enable(token, serial, seed)).enableMFADevice).toBe(true);
    const listed = await server.ok(ListMFADevicesDocument, { input: { userName: 'alice' } }, token);
    expect(listed.listMFADevices.nodes).toEqual([{ userName: 'alice', serialNumber: serial, enableDate: expect.any(String) }]);
  });

  it('refuses codes that are not consecutive, or wrong, with InvalidAuthenticationCode', async () => {
    const { token, serial, seed } = await setup();
    const now = Date.now();
    const attempts: Array<[string, string]> = [
      [codeAt(seed, now), codeAt(seed, now)],
      [codeAt(seed, now - 2 * STEP_MS), codeAt(seed, now)],
      [codeAt(seed, now), codeAt(seed, now - STEP_MS)],
      ['000000', '111111'],
    ];
    for (const [authenticationCode1, authenticationCode2] of attempts) {
      if (authenticationCode1 === authenticationCode2 && authenticationCode1 !== codeAt(seed, now)) continue;
      const result = await server.gql(EnableMFADeviceDocument, { input: { userName: 'alice', serialNumber: serial, authenticationCode1, authenticationCode2 } }, token);
      expect(result.errors?.[0]?.extensions?.code).toBe('InvalidAuthenticationCode');
    }
    expect((await server.db.mfaDevice.findUniqueOrThrow({ where: { serialNumber: serial } })).userId).toBeNull();
  });

  it('refuses malformed codes with ValidationError and unknown users or devices with NoSuchEntity', async () => {
    const { accountId, token, serial } = await setup();
    expect(await server.errorCode(EnableMFADeviceDocument, { input: { userName: 'alice', serialNumber: serial, authenticationCode1: '12345', authenticationCode2: '123456' } }, token)).toBe('ValidationError');
    expect(await server.errorCode(EnableMFADeviceDocument, { input: { userName: 'bob', serialNumber: serial, authenticationCode1: '123456', authenticationCode2: '123456' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(EnableMFADeviceDocument, { input: { userName: 'alice', serialNumber: `arn:aws:iam::${accountId}:mfa/nothing`, authenticationCode1: '123456', authenticationCode2: '123456' } }, token)).toBe('NoSuchEntity');
  });

  it('refuses a device that is already enabled with EntityAlreadyExists', async () => {
    const { token, serial, seed } = await setup();
    await enable(token, serial, seed);
    await createUser(server, token, 'bob');
    const now = Date.now() + 2 * STEP_MS;
    const result = await server.gql(EnableMFADeviceDocument, { input: { userName: 'bob', serialNumber: serial, authenticationCode1: codeAt(seed, now - STEP_MS), authenticationCode2: codeAt(seed, now) } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
  });

  it('cannot reach another account\'s device by its serial number', async () => {
    const a = await setup();
    const b = await server.newAccount();
    await createUser(server, b.token, 'alice');
    const now = Date.now();
    const result = await server.gql(EnableMFADeviceDocument, { input: { userName: 'alice', serialNumber: a.serial, authenticationCode1: codeAt(a.seed, now - STEP_MS), authenticationCode2: codeAt(a.seed, now) } }, b.token);
    expect(result.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteVirtualMFADeviceDocument, { input: { serialNumber: a.serial } }, b.token)).toBe('NoSuchEntity');
    expect((await server.ok(ListVirtualMFADevicesDocument, {}, b.token)).listVirtualMFADevices.nodes).toEqual([]);
  });
});

describe('sign-in with MFA', () => {
  it('requires the code, accepts it once, and refuses its replay', async () => {
    const { accountId, token, serial, seed } = await setup();
    const now = Date.now();
    await enable(token, serial, seed, now);

    const missing = await signIn(accountId);
    expect(missing.errors?.[0]?.extensions?.code).toBe('InvalidAuthenticationCode');
    // A wrong password is the usual failure, whatever the code; the code is not used up.
    const next = codeAt(seed, now + STEP_MS);
    expect((await signIn(accountId, next, 'Wrong-Password-1')).errors?.[0]?.extensions?.code).toBe('InvalidClientTokenId');
    expect((await signIn(accountId, '000000')).errors?.[0]?.extensions?.code).toBe('InvalidAuthenticationCode');

    const ok = await signIn(accountId, next);
    expect(ok.errors).toBeUndefined();
    const session = await server.db.session.findFirstOrThrow({ where: { accountId, kind: 'user', revokedAt: null }, orderBy: { issuedAt: 'desc' } });
    expect(session.mfaAuthenticatedAt).not.toBeNull();

    const replay = await signIn(accountId, next);
    expect(replay.errors?.[0]?.extensions?.code).toBe('InvalidAuthenticationCode');
  });

  it('makes aws:MultiFactorAuthPresent true in the session, so MFA-conditioned policies apply', async () => {
    const { accountId, token, serial, seed } = await setup();
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iam:ListVirtualMFADevices', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }],
    });
    await server.ok(PutUserPolicyDocument, { input: { userName: 'alice', policyName: 'mfa-only', policyDocument: document } }, token);
    const plain = (await signIn(accountId)).data!.signIn.sessionToken;
    expect(await server.errorCode(ListVirtualMFADeviceSerialsDocument, {}, plain)).toBe('AccessDenied');
    const now = Date.now();
    await enable(token, serial, seed, now);
    const withMfa = (await signIn(accountId, codeAt(seed, now + STEP_MS))).data!.signIn.sessionToken;
    expect((await server.ok(ListVirtualMFADeviceSerialsDocument, {}, withMfa)).listVirtualMFADevices.nodes).toHaveLength(1);
  });
});

describe('getSessionToken with MFA', () => {
  it('issues an MFA-authenticated session for the right code, refuses a wrong one', async () => {
    const { token, serial, seed } = await setup();
    const now = Date.now();
    await enable(token, serial, seed, now);
    const key = (await server.ok(CreateAccessKeyDocument, { input: { userName: 'alice' } }, token)).createAccessKey.accessKey;
    const base = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, serialNumber: serial };
    expect(await server.errorCode(GetSessionTokenDocument, { input: { ...base, tokenCode: '000000' } })).toBe('AccessDenied');
    const { credentials } = (await server.ok(GetSessionTokenDocument, { input: { ...base, tokenCode: codeAt(seed, now + STEP_MS) } })).getSessionToken;
    const session = await server.db.session.findUniqueOrThrow({ where: { accessKeyId: credentials.accessKeyId } });
    expect(session.mfaAuthenticatedAt).not.toBeNull();
  });
});

describe('deactivateMFADevice and deleteVirtualMFADevice', () => {
  it('refuses to delete an enabled device, deletes it once deactivated, and sign-in no longer asks for a code', async () => {
    const { accountId, token, serial, seed } = await setup();
    await enable(token, serial, seed);
    const conflict = await server.gql(DeleteVirtualMFADeviceDocument, { input: { serialNumber: serial } }, token);
    expect(conflict.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
    expect((await server.ok(DeactivateMFADeviceDocument, { input: { userName: 'alice', serialNumber: serial } }, token)).deactivateMFADevice).toBe(true);
    expect((await signIn(accountId)).errors).toBeUndefined();
    expect(await server.errorCode(DeactivateMFADeviceDocument, { input: { userName: 'alice', serialNumber: serial } }, token)).toBe('NoSuchEntity');
    expect((await server.ok(DeleteVirtualMFADeviceDocument, { input: { serialNumber: serial } }, token)).deleteVirtualMFADevice).toBe(true);
    expect(await server.db.mfaDevice.findUnique({ where: { serialNumber: serial } })).toBeNull();
    expect(await server.db.tag.count({ where: { resourceType: 'mfa', resourceId: serial } })).toBe(0);
    expect(await server.errorCode(DeleteVirtualMFADeviceDocument, { input: { serialNumber: serial } }, token)).toBe('NoSuchEntity');
  });
});

describe('listVirtualMFADevices', () => {
  it('filters by assignment status and paginates with cursors bound to the query', async () => {
    const { token, serial, seed } = await setup('d0');
    for (const name of ['d1', 'd2', 'd3']) await server.ok(CreateVirtualMFADeviceDocument, { input: { virtualMFADeviceName: name } }, token);
    await enable(token, serial, seed);
    const assigned = await server.ok(ListVirtualMFADevicesDocument, { input: { assignmentStatus: 'Assigned' } }, token);
    expect(assigned.listVirtualMFADevices.nodes.map((d) => d.user!.userName)).toEqual(['alice']);
    const unassigned = await server.ok(ListVirtualMFADevicesDocument, { input: { assignmentStatus: 'Unassigned' } }, token);
    expect(unassigned.listVirtualMFADevices.nodes).toHaveLength(3);

    const page1 = (await server.ok(ListVirtualMFADevicesDocument, { first: 2 }, token)).listVirtualMFADevices;
    expect(page1.isTruncated).toBe(true);
    const page2 = (await server.ok(ListVirtualMFADevicesDocument, { first: 2, after: page1.marker }, token)).listVirtualMFADevices;
    expect(page2.isTruncated).toBe(false);
    const all = [...page1.nodes, ...page2.nodes].map((d: { serialNumber: string }) => d.serialNumber);
    expect(new Set(all).size).toBe(4);
    // A cursor of another query is refused.
    expect(await server.errorCode(ListVirtualMFADevicesDocument, { input: { assignmentStatus: 'Unassigned' }, first: 2, after: page1.marker }, token)).toBe('InvalidInput');
  });
});

describe('code arithmetic', () => {
  it('uses RFC 6238 steps that HOTP counters reproduce', () => {
    const secret = new Secret({ size: 20 });
    const t = 1_700_000_000_000;
    expect(TOTP.generate({ secret, timestamp: t })).toBe(HOTP.generate({ secret, counter: Math.floor(t / STEP_MS) }));
  });
});
