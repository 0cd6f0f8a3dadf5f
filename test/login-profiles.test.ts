// Login profiles (console passwords) over HTTP: argon2id storage, the password
// policy, AWS's errors, and session revocation when the password changes or goes.
import { describe, expect, it } from 'vitest';
import {
  CreateLoginProfileDocument,
  DeleteLoginProfileDocument,
  GetCallerIdentityDocument,
  GetLoginProfileDocument,
  GetUserLoginProfileDocument,
  GetUserPasswordLastUsedDocument,
  SignInDocument,
  UpdateLoginProfileDocument,
} from './generated/graphql.js';
import { accountWithAlice } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

const PASSWORD = 'Correct-Horse-1';

function signIn(accountId: string, password = PASSWORD, userName = 'alice') {
  return server.gql(SignInDocument, { input: { accountId, userName, password } });
}

describe('createLoginProfile', () => {
  it('gives alice a console password that must be reset at first sign-in', async () => {
    const { accountId, token } = await accountWithAlice(server);
    const data = await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD, passwordResetRequired: true } }, token);
    expect(data.createLoginProfile.loginProfile).toMatchObject({ userName: 'alice', passwordResetRequired: true });
    const signedIn = await signIn(accountId);
    expect(signedIn.data?.signIn.passwordResetRequired).toBe(true);
  });

  it('stores only an argon2id PHC hash of the password', async () => {
    const { token, aliceId } = await accountWithAlice(server);
    await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token);
    const row = await server.db.loginProfile.findUniqueOrThrow({ where: { userId: aliceId } });
    // A PHC string: $argon2id$v=19$<params>$<salt>$<hash>, at OWASP's m=19456 KiB, t=2, p=1.
    const [, id, version, params, salt, hash] = row.passwordHash.split('$');
    expect([id, version]).toEqual(['argon2id', 'v=19']);
    expect(Object.fromEntries(params!.split(',').map((p) => p.split('=')))).toEqual({ m: '19456', t: '2', p: '1' });
    expect(salt).toMatch(/^[A-Za-z0-9+/]{22}$/);
    expect(hash).toMatch(/^[A-Za-z0-9+/]{43}$/);
    expect(row.passwordHash).not.toContain(PASSWORD);
  });

  it('keeps the password and its hash out of the audit trail', async () => {
    const { accountId, token } = await accountWithAlice(server);
    await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token);
    await server.ok(UpdateLoginProfileDocument, { input: { userName: 'alice', password: 'New-Passw0rd-2' } }, token);
    const events = await server.db.auditEvent.findMany({ where: { accountId, eventName: { in: ['CreateLoginProfile', 'UpdateLoginProfile'] } } });
    expect(events).toHaveLength(2);
    const trail = JSON.stringify(events, (_key, value) => (typeof value === 'bigint' ? String(value) : value));
    expect(trail).not.toContain(PASSWORD);
    expect(trail).not.toContain('New-Passw0rd-2');
    expect(trail).not.toContain('$argon2');
  });

  it('refuses a second login profile with EntityAlreadyExists', async () => {
    const { token } = await accountWithAlice(server);
    await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token);
    const again = await server.gql(CreateLoginProfileDocument, { input: { userName: 'ALICE', password: PASSWORD } }, token);
    expect(again.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
    expect(again.errors?.[0]?.message).toBe('Login Profile for user alice already exists.');
  });

  it('refuses a password that breaks the password policy, leaving no profile', async () => {
    const { token, aliceId } = await accountWithAlice(server);
    expect(await server.errorCode(CreateLoginProfileDocument, { input: { userName: 'alice', password: 'short' } }, token)).toBe('PasswordPolicyViolation');
    expect(await server.db.loginProfile.count({ where: { userId: aliceId } })).toBe(0);
  });

  it('refuses a malformed password with ValidationError that does not echo it', async () => {
    const { token } = await accountWithAlice(server);
    const long = 'P4ss-' + 'x'.repeat(124);
    const result = await server.gql(CreateLoginProfileDocument, { input: { userName: 'alice', password: long } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('ValidationError');
    expect(result.errors?.[0]?.message).not.toContain(long);
    expect(await server.errorCode(CreateLoginProfileDocument, { input: { userName: 'alice', password: '' } }, token)).toBe('ValidationError');
    expect(await server.errorCode(CreateLoginProfileDocument, { input: { userName: 'alice', password: 'Pässwörd-✓-12' } }, token)).toBe('ValidationError');
  });

  it('answers NoSuchEntity for an unknown user and ValidationError for a bad name', async () => {
    const { token } = await server.newAccount();
    const result = await server.gql(CreateLoginProfileDocument, { input: { userName: 'bob', password: PASSWORD } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(result.errors?.[0]?.message).toBe('The user with name bob cannot be found.');
    expect(await server.errorCode(CreateLoginProfileDocument, { input: { userName: 'b ob', password: PASSWORD } }, token)).toBe('ValidationError');
  });

  it('lets exactly one of two concurrent creates succeed', async () => {
    const { token } = await accountWithAlice(server);
    const results = await Promise.all([
      server.gql(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token),
      server.gql(CreateLoginProfileDocument, { input: { userName: 'alice', password: 'Other-Passw0rd' } }, token),
    ]);
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.find((r) => r.errors)?.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
  });
});

describe('getLoginProfile and User.loginProfile', () => {
  it('returns the profile without the password, and null on a user without one', async () => {
    const { token } = await accountWithAlice(server);
    expect((await server.ok(GetUserLoginProfileDocument, { input: { userName: 'alice' } }, token)).getUser.user.loginProfile).toBeNull();
    const result = await server.gql(GetLoginProfileDocument, { input: { userName: 'alice' } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(result.errors?.[0]?.message).toBe('Login Profile for User alice cannot be found.');
    await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token);
    const profile = (await server.ok(GetLoginProfileDocument, { input: { userName: 'alice' } }, token)).getLoginProfile.loginProfile;
    expect(profile).toMatchObject({ userName: 'alice', passwordResetRequired: false });
    const nested = (await server.ok(GetUserLoginProfileDocument, { input: { userName: 'alice' } }, token)).getUser.user.loginProfile;
    expect(nested).toEqual({ userName: 'alice', createDate: profile.createDate });
  });

  it('needs a user name when the caller is root', async () => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(GetLoginProfileDocument, {}, token)).toBe('ValidationError');
  });

  it('records when the password was last used to sign in', async () => {
    const { accountId, token } = await accountWithAlice(server);
    await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token);
    const before = (await server.ok(GetUserPasswordLastUsedDocument, { input: { userName: 'alice' } }, token)).getUser.user;
    expect(before.passwordLastUsed).toBeNull();
    expect((await signIn(accountId)).errors).toBeUndefined();
    const after = (await server.ok(GetUserPasswordLastUsedDocument, { input: { userName: 'alice' } }, token)).getUser.user;
    expect(Date.parse(after.passwordLastUsed!)).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('updateLoginProfile', () => {
  it('changes the password and revokes the sessions signed in with the old one', async () => {
    const { accountId, token } = await accountWithAlice(server);
    await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token);
    const session = (await signIn(accountId)).data!.signIn.sessionToken;
    expect((await server.ok(GetCallerIdentityDocument, {}, session)).getCallerIdentity.arn).toMatch(/:user\/alice$/);
    await server.ok(UpdateLoginProfileDocument, { input: { userName: 'alice', password: 'New-Passw0rd-2' } }, token);
    expect(await server.errorCode(GetCallerIdentityDocument, {}, session)).toBe('InvalidClientTokenId');
    expect((await signIn(accountId)).errors?.[0]?.extensions?.code).toBe('InvalidClientTokenId');
    expect((await signIn(accountId, 'New-Passw0rd-2')).errors).toBeUndefined();
  });

  it('changes only the reset flag without revoking sessions', async () => {
    const { accountId, token } = await accountWithAlice(server);
    await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD, passwordResetRequired: true } }, token);
    const session = (await signIn(accountId)).data!.signIn.sessionToken;
    await server.ok(UpdateLoginProfileDocument, { input: { userName: 'alice', passwordResetRequired: false } }, token);
    expect((await server.ok(GetLoginProfileDocument, { input: { userName: 'alice' } }, token)).getLoginProfile.loginProfile.passwordResetRequired).toBe(false);
    expect((await server.ok(GetCallerIdentityDocument, {}, session)).getCallerIdentity.arn).toMatch(/:user\/alice$/);
  });

  it('refuses a recent password when the policy prevents reuse', async () => {
    const { accountId, token } = await accountWithAlice(server);
    await server.db.accountPasswordPolicy.create({ data: { accountId, passwordReusePrevention: 2 } });
    await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token);
    await server.ok(UpdateLoginProfileDocument, { input: { userName: 'alice', password: 'Second-Passw0rd' } }, token);
    expect(await server.errorCode(UpdateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token)).toBe('PasswordPolicyViolation');
    await server.ok(UpdateLoginProfileDocument, { input: { userName: 'alice', password: 'Third-Passw0rd' } }, token);
    await server.ok(UpdateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token);
  });

  it('refuses a weak password, a user without a profile and an unknown user', async () => {
    const { token, aliceId } = await accountWithAlice(server);
    expect(await server.errorCode(UpdateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token)).toBe('NoSuchEntity');
    await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token);
    const before = (await server.db.loginProfile.findUniqueOrThrow({ where: { userId: aliceId } })).passwordHash;
    expect(await server.errorCode(UpdateLoginProfileDocument, { input: { userName: 'alice', password: 'short' } }, token)).toBe('PasswordPolicyViolation');
    expect((await server.db.loginProfile.findUniqueOrThrow({ where: { userId: aliceId } })).passwordHash).toBe(before);
    expect(await server.errorCode(UpdateLoginProfileDocument, { input: { userName: 'bob', password: PASSWORD } }, token)).toBe('NoSuchEntity');
  });
});

describe('deleteLoginProfile', () => {
  it('removes the password and revokes the user’s sessions', async () => {
    const { accountId, token } = await accountWithAlice(server);
    await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, token);
    const session = (await signIn(accountId)).data!.signIn.sessionToken;
    expect((await server.ok(DeleteLoginProfileDocument, { input: { userName: 'alice' } }, token)).deleteLoginProfile).toBe(true);
    expect(await server.errorCode(GetCallerIdentityDocument, {}, session)).toBe('InvalidClientTokenId');
    expect((await signIn(accountId)).errors?.[0]?.extensions?.code).toBe('InvalidClientTokenId');
    expect(await server.errorCode(DeleteLoginProfileDocument, { input: { userName: 'alice' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteLoginProfileDocument, { input: { userName: 'bob' } }, token)).toBe('NoSuchEntity');
  });
});

describe('tenant isolation', () => {
  it('keeps another account from reading or changing alice’s login profile', async () => {
    const a = await accountWithAlice(server);
    const b = await server.newAccount();
    await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, a.token);
    expect(await server.errorCode(GetLoginProfileDocument, { input: { userName: 'alice' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(UpdateLoginProfileDocument, { input: { userName: 'alice', password: 'Hijack-Passw0rd' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteLoginProfileDocument, { input: { userName: 'alice' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(CreateLoginProfileDocument, { input: { userName: 'alice', password: PASSWORD } }, b.token)).toBe('NoSuchEntity');
    expect((await signIn(a.accountId)).errors).toBeUndefined();
  });
});
