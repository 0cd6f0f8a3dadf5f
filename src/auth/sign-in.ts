// Console sign-in: the root user with email and password, an IAM user with
// account (id or alias), user name and password, plus a code of the user's MFA
// device when the user has one enabled.
// Unknown account, unknown user and wrong password give the same error after the
// same work (one argon2 verify). Failures are throttled per user, per client and
// per both (src/auth/throttle.ts): a throttled attempt is refused before any
// password is verified, so the right password fails too during a lockout.
// While the password-hash pool is full (src/crypto/hash-pool.ts) a sign-in is
// refused with Throttling too, before the throttle's claim; that counts as no attempt.
// MFA: the code is asked for only once the password is known to be right (as the
// AWS console does); a missing or wrong code counts as a failed attempt, so this
// "password was right" signal is throttled like password guessing itself.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/console_sign-in-mfa.html
import { HIDDEN } from '../audit/redact.js';
import { markTriedIdentity, type TriedIdentity } from '../audit/tried-identity.js';
import type { Config } from '../config.js';
import type { Sealer } from '../crypto/seal.js';
import { AccessDeniedError, InvalidAuthenticationCodeError, InvalidClientTokenIdError, ThrottlingError, ValidationError } from '../errors.js';
import type { Account } from '../generated/prisma/client.js';
import { rootArn } from '../iam/arn.js';
import { issueSession, type IssuedSession, type SessionIssuer } from '../sessions/sessions.js';
import type { SignInThrottle } from './throttle.js';
import { enabledDevices, verifyAnyMfaCode } from '../iam/mfa.js';
import { findPolicy, isPasswordExpired } from '../iam/password-policy.js';
import { needsRehash, type PasswordHasher } from '../crypto/passwords.js';

export interface SignInInput {
  email?: string | null;
  accountId?: string | null;
  userName?: string | null;
  password: string;
  mfaCode?: string | null;
}

/** What sign-in uses: the session issuer, the throttle, the password hasher, the MFA seeds' sealer and the session length. */
export interface SignInDeps extends SessionIssuer {
  throttle: SignInThrottle;
  passwords: PasswordHasher;
  sealer: Sealer;
  config: Pick<Config, 'signInSessionSeconds'>;
}

/** Where the attempt comes from (the throttle's client key). */
export interface SignInClient {
  sourceIp: string;
}

/** What the attempt has learnt of whose credentials were tried, as soon as it knows. */
interface Attempt extends SignInClient {
  identify(identity: SignInIdentity): void;
}

/**
 * CloudTrail's userIdentity of a ConsoleLogin event, success or failure, kept beside its
 * result or its error (src/audit/tried-identity.ts): the root user or IAM user whose
 * credentials were tried. A user name that names no user is hidden, as AWS hides it: it
 * may be a password typed in the wrong box.
 */
export type SignInIdentity = TriedIdentity;

export interface SignInResult extends IssuedSession {
  arn: string;
  passwordResetRequired: boolean;
}

const FAILED = 'The credentials you provided are not valid.';

/** True for the errors that count as a failed credential check. */
export function isCredentialFailure(error: unknown): boolean {
  return error instanceof InvalidClientTokenIdError || error instanceof InvalidAuthenticationCodeError;
}

/**
 * Verifies the credentials and issues a session. The result, or the error, carries
 * whose credentials were tried (`triedIdentityOf`) for the ConsoleLogin event.
 */
export async function signIn(deps: SignInDeps, input: SignInInput, client: SignInClient = { sourceIp: 'unknown' }): Promise<SignInResult> {
  let identity: SignInIdentity | undefined;
  const attempt: Attempt = { sourceIp: client.sourceIp, identify: (tried) => (identity = tried) };
  try {
    const result = await attemptSignIn(deps, input, attempt);
    markTriedIdentity(result, identity);
    return result;
  } catch (error) {
    markTriedIdentity(error, identity);
    throw error;
  }
}

async function attemptSignIn(deps: SignInDeps, input: SignInInput, client: Attempt): Promise<SignInResult> {
  if (input.email) {
    const email = input.email.toLowerCase();
    const account = await deps.db.account.findUnique({ where: { email } });
    if (account) client.identify({ type: 'Root', accountId: account.id, principalId: account.id, arn: rootArn(account.id) });
    // A full password-hash pool refuses before the throttle's claim: a flood costs no more than it must.
    deps.passwords.checkCapacity();
    return deps.throttle.run(
      { principal: `root:${email}`, sourceIp: client.sourceIp },
      () => signInRoot(deps, account, input.password),
      isCredentialFailure,
    );
  }
  if (input.accountId && input.userName) {
    const accountRef = input.accountId;
    const account = /^\d{12}$/.test(accountRef)
      ? await deps.db.account.findUnique({ where: { id: accountRef }, select: { id: true } })
      : await deps.db.account.findUnique({ where: { alias: accountRef.toLowerCase() }, select: { id: true } });
    // Keyed by the account id when it exists, so id and alias share one budget.
    const principal = `user:${account?.id ?? accountRef.toLowerCase()}:${input.userName.toLowerCase()}`;
    if (account) client.identify({ type: 'IAMUser', accountId: account.id, userName: HIDDEN });
    deps.passwords.checkCapacity();
    return deps.throttle.run(
      { principal, sourceIp: client.sourceIp },
      () => signInUser(deps, account?.id, input.userName!, input.password, input.mfaCode, client),
      isCredentialFailure,
    );
  }
  throw new ValidationError('Provide either email (root user) or accountId and userName (IAM user), with password.');
}

async function signInRoot(deps: SignInDeps, account: Account | null, password: string): Promise<SignInResult> {
  const ok = await deps.passwords.verify(account?.rootPasswordHash, password);
  if (!account || !ok) throw new InvalidClientTokenIdError(FAILED);
  const rehashed = needsRehash(account.rootPasswordHash) ? await rehashIfRoom(deps, password) : undefined;
  await deps.db.account.update({
    where: { id: account.id },
    data: { rootPasswordLastUsed: deps.clock.now(), ...(rehashed ? { rootPasswordHash: rehashed } : {}) },
  });
  const arn = rootArn(account.id);
  const session = await issueSession(deps, {
    kind: 'root',
    accountId: account.id,
    principalArn: arn,
    principalId: account.id,
    durationSeconds: deps.config.signInSessionSeconds,
  });
  return { ...session, arn, passwordResetRequired: false };
}

async function signInUser(
  deps: SignInDeps,
  accountId: string | undefined,
  userName: string,
  password: string,
  mfaCode: string | null | undefined,
  client: Attempt,
): Promise<SignInResult> {
  const user = accountId
    ? await deps.db.user.findUnique({
        where: { accountId_nameKey: { accountId, nameKey: userName.toLowerCase() } },
        include: { loginProfile: true },
      })
    : null;
  if (user) client.identify({ type: 'IAMUser', accountId: user.accountId, principalId: user.id, arn: user.arn, userName: user.name });
  const ok = await deps.passwords.verify(user?.loginProfile?.passwordHash, password);
  if (!accountId || !user || !user.loginProfile || !ok) throw new InvalidClientTokenIdError(FAILED);
  const profile = user.loginProfile;

  const now = deps.clock.now();
  let mfaAuthenticatedAt: Date | undefined;
  const devices = await enabledDevices(deps.db, user.id);
  if (devices.length > 0) {
    if (!mfaCode) {
      throw new InvalidAuthenticationCodeError('This user has an MFA device: sign in again with the password and mfaCode, the current code of the device.');
    }
    if (!(await verifyAnyMfaCode(deps.db, deps.sealer, devices, mfaCode, now))) {
      throw new InvalidAuthenticationCodeError('The MFA code is not valid.');
    }
    mfaAuthenticatedAt = now;
  }

  // Password expiry (MaxPasswordAge): the user must change it first, or, with
  // HardExpiry, an administrator must reset it.
  const policy = await findPolicy(deps.db, accountId);
  const expired = isPasswordExpired(policy, profile.passwordChangedAt, now);
  if (expired && policy?.hardExpiry) {
    throw new AccessDeniedError('Your password has expired; an administrator must reset it (the account password policy sets HardExpiry).');
  }
  const passwordResetRequired = profile.passwordResetRequired || expired;

  await deps.db.user.update({ where: { id: user.id }, data: { passwordLastUsed: now } });
  const rehashed = needsRehash(profile.passwordHash) ? await rehashIfRoom(deps, password) : undefined;
  if (rehashed) {
    await deps.db.loginProfile.updateMany({ where: { userId: user.id, passwordHash: profile.passwordHash }, data: { passwordHash: rehashed } });
  }
  const session = await issueSession(deps, {
    kind: 'user',
    accountId,
    principalArn: user.arn,
    principalId: user.id,
    userId: user.id,
    durationSeconds: deps.config.signInSessionSeconds,
    passwordResetOnly: passwordResetRequired,
    ...(mfaAuthenticatedAt ? { mfaAuthenticatedAt } : {}),
  });
  return { ...session, arn: user.arn, passwordResetRequired };
}

/**
 * The password hashed at today's parameters, or undefined while the hash pool is full: the
 * password was right, so the rehash waits for a later sign-in rather than refusing this one.
 */
async function rehashIfRoom(deps: SignInDeps, password: string): Promise<string | undefined> {
  try {
    return await deps.passwords.hash(password);
  } catch (error) {
    if (error instanceof ThrottlingError) return undefined;
    throw error;
  }
}
