// Credentials over HTTP: the account password policy and its enforcement
// (length, character classes, common passwords, reuse), changePassword and the
// password-reset-only session, and STS getSessionToken.
import { describe, expect, it } from 'vitest';
import { needsRehash } from '../src/crypto/passwords.js';
import {
  ChangePasswordDocument,
  CreateAccessKeyDocument,
  CreateAccountDocument,
  CreateLoginProfileDocument,
  DeleteAccountPasswordPolicyDocument,
  GetAccountPasswordPolicyDocument,
  GetCallerIdentityDocument,
  GetSessionTokenDocument,
  ListUserNamesDocument,
  PutUserPolicyDocument,
  SignInDocument,
  UpdateAccessKeyDocument,
  UpdateAccountPasswordPolicyDocument,
} from './generated/graphql.js';
import { accountWithAlice as aliceIn, createUser, type AliceSetup } from './support/scenarios.js';
import { OPERATOR_TOKEN, useTestServer } from './support/server.js';

const server = useTestServer();

const FIRST_PASSWORD = 'Initial-Secret-42';
const NEW_PASSWORD = 'Brand-New-Secret-77';

/** A fresh account with user alice holding a console password (FIRST_PASSWORD, no reset required unless asked). */
function accountWithAlice(setup: Omit<AliceSetup, 'password'> = {}) {
  return aliceIn(server, { password: FIRST_PASSWORD, passwordResetRequired: false, ...setup });
}

function signIn(accountId: string, password: string) {
  return server.gql(SignInDocument, { input: { accountId, userName: 'alice', password } });
}

async function signInOk(accountId: string, password: string): Promise<string> {
  const result = await signIn(accountId, password);
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.signIn.sessionToken;
}

describe('account password policy', () => {
  it('answers NoSuchEntity with AWS wording when the account has none', async () => {
    const { accountId, token } = await server.newAccount();
    const result = await server.gql(GetAccountPasswordPolicyDocument, {}, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(result.errors?.[0]?.message).toBe(`The Password Policy with domain name ${accountId} cannot be found.`);
  });

  it('stores every parameter and reports ExpirePasswords', async () => {
    const { token } = await server.newAccount();
    const input = {
      minimumPasswordLength: 14,
      requireSymbols: true,
      requireNumbers: true,
      requireUppercaseCharacters: true,
      requireLowercaseCharacters: true,
      allowUsersToChangePassword: true,
      maxPasswordAge: 90,
      passwordReusePrevention: 24,
      hardExpiry: true,
    };
    expect((await server.ok(UpdateAccountPasswordPolicyDocument, { input }, token)).updateAccountPasswordPolicy).toBe(true);
    expect((await server.ok(GetAccountPasswordPolicyDocument, {}, token)).getAccountPasswordPolicy.passwordPolicy).toEqual({ ...input, expirePasswords: true });
  });

  it('resets parameters left out to their defaults, as AWS has no partial update', async () => {
    const { token } = await server.newAccount();
    await server.ok(UpdateAccountPasswordPolicyDocument, { input: { minimumPasswordLength: 20, requireSymbols: true, maxPasswordAge: 30 } }, token);
    await server.ok(UpdateAccountPasswordPolicyDocument, { input: { requireNumbers: true } }, token);
    expect((await server.ok(GetAccountPasswordPolicyDocument, {}, token)).getAccountPasswordPolicy.passwordPolicy).toEqual({
      minimumPasswordLength: 6,
      requireSymbols: false,
      requireNumbers: true,
      requireUppercaseCharacters: false,
      requireLowercaseCharacters: false,
      allowUsersToChangePassword: false,
      expirePasswords: false,
      maxPasswordAge: null,
      passwordReusePrevention: null,
      hardExpiry: false,
    });
  });

  it.each([
    ['minimumPasswordLength', 5],
    ['minimumPasswordLength', 129],
    ['maxPasswordAge', 0],
    ['maxPasswordAge', 1096],
    ['passwordReusePrevention', 0],
    ['passwordReusePrevention', 25],
  ])('refuses %s = %i with ValidationError and keeps the old policy', async (member, value) => {
    const { token } = await server.newAccount();
    await server.ok(UpdateAccountPasswordPolicyDocument, { input: { minimumPasswordLength: 10 } }, token);
    const result = await server.gql(UpdateAccountPasswordPolicyDocument, { input: { [member]: value } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('ValidationError');
    expect(result.errors?.[0]?.message).toContain(`at '${member}' failed to satisfy constraint`);
    expect((await server.ok(GetAccountPasswordPolicyDocument, {}, token)).getAccountPasswordPolicy.passwordPolicy.minimumPasswordLength).toBe(10);
  });

  it('deletes the policy, then answers NoSuchEntity to a second delete', async () => {
    const { token } = await server.newAccount();
    await server.ok(UpdateAccountPasswordPolicyDocument, { input: {} }, token);
    expect((await server.ok(DeleteAccountPasswordPolicyDocument, {}, token)).deleteAccountPasswordPolicy).toBe(true);
    expect(await server.errorCode(GetAccountPasswordPolicyDocument, {}, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteAccountPasswordPolicyDocument, {}, token)).toBe('NoSuchEntity');
  });

  it('is per account: one account cannot see or delete another one\'s policy', async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    await server.ok(UpdateAccountPasswordPolicyDocument, { input: { minimumPasswordLength: 30 } }, a.token);
    expect(await server.errorCode(GetAccountPasswordPolicyDocument, {}, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteAccountPasswordPolicyDocument, {}, b.token)).toBe('NoSuchEntity');
    expect((await server.ok(GetAccountPasswordPolicyDocument, {}, a.token)).getAccountPasswordPolicy.passwordPolicy.minimumPasswordLength).toBe(30);
  });

  it('is denied to an IAM user without permission', async () => {
    const { accountId, token } = await accountWithAlice();
    const alice = await signInOk(accountId, FIRST_PASSWORD);
    expect(await server.errorCode(UpdateAccountPasswordPolicyDocument, { input: {} }, alice)).toBe('AccessDenied');
    expect(await server.errorCode(GetAccountPasswordPolicyDocument, {}, alice)).toBe('AccessDenied');
    // AllowUsersToChangePassword lets every IAM user read the policy (AWS's rule).
    await server.ok(UpdateAccountPasswordPolicyDocument, { input: { allowUsersToChangePassword: true } }, token);
    expect((await server.ok(GetAccountPasswordPolicyDocument, {}, alice)).getAccountPasswordPolicy.passwordPolicy.allowUsersToChangePassword).toBe(true);
  });
});

describe('password policy enforcement (createLoginProfile)', () => {
  const STRICT = { minimumPasswordLength: 12, requireSymbols: true, requireNumbers: true, requireUppercaseCharacters: true, requireLowercaseCharacters: true };
  const cases: Array<{ name: string; policy?: Record<string, unknown>; password: string; message: string }> = [
    { name: 'too short', policy: STRICT, password: 'Sh0rt-Pass!', message: 'Password should have a minimum length of 12' },
    { name: 'no uppercase letter', policy: STRICT, password: 'lower-case-only-1', message: 'Password should have at least one uppercase letter' },
    { name: 'no lowercase letter', policy: STRICT, password: 'UPPER-CASE-ONLY-1', message: 'Password should have at least one lowercase letter' },
    { name: 'no number', policy: STRICT, password: 'No-Numbers-Here!', message: 'Password should have at least one number' },
    { name: 'no symbol', policy: STRICT, password: 'NoSymbolsHere123', message: 'Password should have at least one symbol' },
    { name: 'AWS default policy: fewer than 3 character classes', password: 'onlylowercaseletters', message: 'Password should contain at least three of: uppercase letters, lowercase letters, numbers and symbols' },
    { name: 'a common password', password: 'Password123!', message: 'Password is too common: it appears in lists of breached passwords' },
    { name: 'a common password under a strict policy', policy: STRICT, password: 'Sunshine2024!@', message: 'Password is too common: it appears in lists of breached passwords' },
    { name: 'the user name', password: 'My-Alice-Pass-9', message: 'Password should not contain the user name' },
  ];
  it.each(cases)('refuses a password that is $name', async ({ policy, password, message }) => {
    const { token, aliceId } = await aliceIn(server, { passwordPolicy: policy });
    const result = await server.gql(CreateLoginProfileDocument, { input: { userName: 'alice', password } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('PasswordPolicyViolation');
    expect(result.errors?.[0]?.message).toBe(message);
    expect(await server.db.loginProfile.findUnique({ where: { userId: aliceId } })).toBeNull();
  });

  it('accepts a password that meets a strict policy', async () => {
    const { token } = await server.newAccount();
    await server.ok(UpdateAccountPasswordPolicyDocument, { input: STRICT }, token);
    await createUser(server, token, 'alice');
    await server.ok(CreateLoginProfileDocument, { input: { userName: 'alice', password: 'Quiet-Lantern-93' } }, token);
  });

  it('refuses a common root password at createAccount', async () => {
    const result = await server.gql(
      CreateAccountDocument,
      { input: { accountName: 'x', email: 'weak-root@example.com', password: 'Password1!' } },
      OPERATOR_TOKEN,
    );
    expect(result.errors?.[0]?.extensions?.code).toBe('PasswordPolicyViolation');
  });
});

describe('changePassword', () => {
  it('takes Alice from a password-reset-only first session to a normal sign-in', async () => {
    const { accountId, aliceArn } = await accountWithAlice({ passwordResetRequired: true, passwordPolicy: { minimumPasswordLength: 8, allowUsersToChangePassword: true } });
    const first = await signIn(accountId, FIRST_PASSWORD);
    expect(first.data?.signIn.passwordResetRequired).toBe(true);
    const resetOnly = first.data!.signIn.sessionToken;
    // The reset-only session may identify itself and change the password, nothing else.
    expect((await server.ok(GetCallerIdentityDocument, {}, resetOnly)).getCallerIdentity.arn).toBe(aliceArn);
    expect(await server.errorCode(ListUserNamesDocument, {}, resetOnly)).toBe('AccessDenied');
    expect(await server.errorCode(CreateAccessKeyDocument, { input: {} }, resetOnly)).toBe('AccessDenied');
    expect((await server.ok(ChangePasswordDocument, { input: { oldPassword: FIRST_PASSWORD, newPassword: NEW_PASSWORD } }, resetOnly)).changePassword).toBe(true);
    // The reset-only session ends with the change: sign in again.
    expect(await server.errorCode(GetCallerIdentityDocument, {}, resetOnly)).toBe('InvalidClientTokenId');
    const again = await signIn(accountId, NEW_PASSWORD);
    expect(again.data?.signIn.passwordResetRequired).toBe(false);
    expect(await server.errorCode(SignInDocument, { input: { accountId, userName: 'alice', password: FIRST_PASSWORD } })).toBe('InvalidClientTokenId');
    const profile = await server.db.loginProfile.findFirstOrThrow({ where: { user: { accountId } } });
    expect(profile.passwordResetRequired).toBe(false);
    expect(profile.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('revokes the user\'s other console sessions but keeps the calling one', async () => {
    const { accountId } = await accountWithAlice({ passwordPolicy: { minimumPasswordLength: 8, allowUsersToChangePassword: true } });
    const caller = await signInOk(accountId, FIRST_PASSWORD);
    const other = await signInOk(accountId, FIRST_PASSWORD);
    await server.ok(ChangePasswordDocument, { input: { oldPassword: FIRST_PASSWORD, newPassword: NEW_PASSWORD } }, caller);
    expect((await server.ok(GetCallerIdentityDocument, {}, caller)).getCallerIdentity.arn).toContain(':user/alice');
    expect(await server.errorCode(GetCallerIdentityDocument, {}, other)).toBe('InvalidClientTokenId');
  });

  it('is AccessDenied without iam:ChangePassword when AllowUsersToChangePassword is off', async () => {
    const { accountId } = await accountWithAlice();
    const alice = await signInOk(accountId, FIRST_PASSWORD);
    expect(await server.errorCode(ChangePasswordDocument, { input: { oldPassword: FIRST_PASSWORD, newPassword: NEW_PASSWORD } }, alice)).toBe('AccessDenied');
    await signInOk(accountId, FIRST_PASSWORD);
  });

  it('is allowed by an identity policy granting iam:ChangePassword on the user itself', async () => {
    const { accountId, token, aliceArn } = await accountWithAlice();
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: aliceArn }] });
    await server.ok(PutUserPolicyDocument, { input: { userName: 'alice', policyName: 'pw', policyDocument: document } }, token);
    const alice = await signInOk(accountId, FIRST_PASSWORD);
    await server.ok(ChangePasswordDocument, { input: { oldPassword: FIRST_PASSWORD, newPassword: NEW_PASSWORD } }, alice);
    await signInOk(accountId, NEW_PASSWORD);
  });

  it('refuses a wrong old password with AccessDenied and changes nothing', async () => {
    const { accountId } = await accountWithAlice({ passwordPolicy: { minimumPasswordLength: 8, allowUsersToChangePassword: true } });
    const alice = await signInOk(accountId, FIRST_PASSWORD);
    expect(await server.errorCode(ChangePasswordDocument, { input: { oldPassword: 'Not-The-Password-1', newPassword: NEW_PASSWORD } }, alice)).toBe('AccessDenied');
    await signInOk(accountId, FIRST_PASSWORD);
  });

  it('refuses a new password that breaks the policy, is common, or equals the old one', async () => {
    const { accountId } = await accountWithAlice({ passwordPolicy: { minimumPasswordLength: 10, requireNumbers: true, allowUsersToChangePassword: true } });
    const alice = await signInOk(accountId, FIRST_PASSWORD);
    for (const newPassword of ['Short-1', 'No-Numbers-Here', 'Iloveyou12345', FIRST_PASSWORD]) {
      expect(await server.errorCode(ChangePasswordDocument, { input: { oldPassword: FIRST_PASSWORD, newPassword } }, alice)).toBe('PasswordPolicyViolation');
    }
    await signInOk(accountId, FIRST_PASSWORD);
  });

  it('refuses a password among the last N with PasswordReusePrevention, and accepts it once it is older', async () => {
    const { accountId } = await accountWithAlice({ passwordPolicy: { minimumPasswordLength: 8, allowUsersToChangePassword: true, passwordReusePrevention: 2 } });
    const alice = await signInOk(accountId, FIRST_PASSWORD);
    const passwords = [FIRST_PASSWORD, 'Second-Secret-11', 'Third-Secret-22', 'Fourth-Secret-33'] as const;
    await server.ok(ChangePasswordDocument, { input: { oldPassword: passwords[0], newPassword: passwords[1] } }, alice);
    await server.ok(ChangePasswordDocument, { input: { oldPassword: passwords[1], newPassword: passwords[2] } }, alice);
    const reused = await server.gql(ChangePasswordDocument, { input: { oldPassword: passwords[2], newPassword: passwords[1] } }, alice);
    expect(reused.errors?.[0]?.extensions?.code).toBe('PasswordPolicyViolation');
    expect(reused.errors?.[0]?.message).toBe('Password should not be one of your 2 previous passwords');
    await server.ok(ChangePasswordDocument, { input: { oldPassword: passwords[2], newPassword: passwords[3] } }, alice);
    // passwords[1] is now the third most recent: allowed again.
    await server.ok(ChangePasswordDocument, { input: { oldPassword: passwords[3], newPassword: passwords[1] } }, alice);
    await signInOk(accountId, passwords[1]);
  });

  it('is InvalidUserType for the root user', async () => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(ChangePasswordDocument, { input: { oldPassword: 'Root-Passw0rd!x', newPassword: NEW_PASSWORD } }, token)).toBe('InvalidUserType');
  });

  it('forces a change at sign-in once the password is older than MaxPasswordAge', async () => {
    const { accountId, token, aliceId } = await accountWithAlice({ passwordPolicy: { minimumPasswordLength: 8, maxPasswordAge: 30, allowUsersToChangePassword: true } });
    await server.db.loginProfile.update({ where: { userId: aliceId }, data: { passwordChangedAt: new Date(Date.now() - 31 * 86_400_000) } });
    const expired = await signIn(accountId, FIRST_PASSWORD);
    expect(expired.data?.signIn.passwordResetRequired).toBe(true);
    // HardExpiry: only an administrator can reset it.
    await server.ok(UpdateAccountPasswordPolicyDocument, { input: { minimumPasswordLength: 8, maxPasswordAge: 30, hardExpiry: true } }, token);
    expect(await server.errorCode(SignInDocument, { input: { accountId, userName: 'alice', password: FIRST_PASSWORD } })).toBe('AccessDenied');
  });

  it('rehashes a password stored with weaker argon2 parameters at sign-in', async () => {
    const { accountId, aliceId } = await accountWithAlice();
    const argon2 = (await import('argon2')).default;
    const weak = await argon2.hash(FIRST_PASSWORD, { type: argon2.argon2id, memoryCost: 8192, timeCost: 1, parallelism: 1 });
    await server.db.loginProfile.update({ where: { userId: aliceId }, data: { passwordHash: weak } });
    await signInOk(accountId, FIRST_PASSWORD);
    const row = await server.db.loginProfile.findUniqueOrThrow({ where: { userId: aliceId } });
    expect(row.passwordHash).not.toBe(weak);
    expect(needsRehash(row.passwordHash)).toBe(false);
    await signInOk(accountId, FIRST_PASSWORD);
  });
});

describe('getSessionToken', () => {
  async function aliceWithKey() {
    const account = await accountWithAlice();
    const key = (await server.ok(CreateAccessKeyDocument, { input: { userName: 'alice' } }, account.token)).createAccessKey.accessKey;
    return { ...account, key };
  }

  it('issues temporary credentials from an active access key, 12 hours by default', async () => {
    const { key, aliceArn, aliceId } = await aliceWithKey();
    const before = Date.now();
    const { credentials } = (await server.ok(GetSessionTokenDocument, { input: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } })).getSessionToken;
    expect(credentials.accessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(credentials.secretAccessKey).toHaveLength(40);
    const lifetime = new Date(credentials.expiration).getTime() - before;
    expect(lifetime).toBeGreaterThan(43_200_000 - 5_000);
    expect(lifetime).toBeLessThanOrEqual(43_200_000 + 1_000);
    expect((await server.ok(GetCallerIdentityDocument, {}, credentials.sessionToken)).getCallerIdentity.arn).toBe(aliceArn);
    const session = await server.db.session.findUniqueOrThrow({ where: { accessKeyId: credentials.accessKeyId } });
    expect(session).toMatchObject({ kind: 'user', userId: aliceId, sourceAccessKeyId: key.accessKeyId });
    expect(JSON.stringify(session)).not.toContain(credentials.secretAccessKey);
    const stored = await server.db.accessKey.findUniqueOrThrow({ where: { id: key.accessKeyId } });
    expect(stored.lastUsedService).toBe('sts');
    expect(stored.lastUsedAt).not.toBeNull();
  });

  it('honours durationSeconds within 900 to 129,600 and refuses values outside', async () => {
    const { key } = await aliceWithKey();
    const creds = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    const short = (await server.ok(GetSessionTokenDocument, { input: { ...creds, durationSeconds: 900 } })).getSessionToken.credentials;
    expect(new Date(short.expiration).getTime() - Date.now()).toBeLessThanOrEqual(900_000);
    for (const durationSeconds of [899, 129_601]) {
      expect(await server.errorCode(GetSessionTokenDocument, { input: { ...creds, durationSeconds } })).toBe('ValidationError');
    }
  });

  it('refuses an unknown key and an inactive key with InvalidClientTokenId, a wrong secret with SignatureDoesNotMatch', async () => {
    const { key, token } = await aliceWithKey();
    const unknown = await server.gql(GetSessionTokenDocument, { input: { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: key.secretAccessKey } });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('InvalidClientTokenId');
    expect(unknown.errors?.[0]?.message).toBe('The security token included in the request is invalid.');
    expect(await server.errorCode(GetSessionTokenDocument, { input: { accessKeyId: key.accessKeyId, secretAccessKey: 'x'.repeat(40) } })).toBe('SignatureDoesNotMatch');
    await server.ok(UpdateAccessKeyDocument, { input: { userName: 'alice', accessKeyId: key.accessKeyId, status: 'Inactive' } }, token);
    expect(await server.errorCode(GetSessionTokenDocument, { input: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } })).toBe('InvalidClientTokenId');
  });

  it('caps the root user\'s session at 3,600 seconds', async () => {
    const { token } = await server.newAccount();
    const before = Date.now();
    const { credentials } = (await server.ok(GetSessionTokenDocument, { input: { durationSeconds: 129_600 } }, token)).getSessionToken;
    expect(new Date(credentials.expiration).getTime() - before).toBeLessThanOrEqual(3_600_000 + 1_000);
    expect((await server.ok(GetCallerIdentityDocument, {}, credentials.sessionToken)).getCallerIdentity.arn).toMatch(/:root$/);
  });

  it('refuses to be called with session credentials, as AWS does', async () => {
    const { key } = await aliceWithKey();
    const { credentials } = (await server.ok(GetSessionTokenDocument, { input: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } })).getSessionToken;
    expect(await server.errorCode(GetSessionTokenDocument, { input: {} }, credentials.sessionToken)).toBe('AccessDenied');
  });

  it('needs credentials: anonymous callers get MissingAuthenticationToken', async () => {
    expect(await server.errorCode(GetSessionTokenDocument, { input: {} })).toBe('MissingAuthenticationToken');
  });
});
