// ChangePassword: an IAM user changes their own console password.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_ChangePassword.html
// Permission (as in AWS): the account password policy's AllowUsersToChangePassword
// lets every IAM user change their own password; otherwise the user needs
// iam:ChangePassword on their own user ARN. A password-reset-only session may call it.
// Decisions of ours, where AWS says nothing:
// - a wrong old password is AccessDenied, and counts as a failed sign-in attempt
//   (same throttle), since it is a password oracle like sign-in itself;
// - the new password must differ from the old one;
// - on success, every other console (password) session of the user is revoked;
//   the calling session is kept, unless it was a password-reset-only session,
//   which is revoked too: the user signs in again with the new password and
//   gets a normal session. Sessions made from access keys (getSessionToken)
//   are kept: they stand on the key, not on the password.
import type { Clock } from '../clock.js';
import type { Db } from '../db/client.js';
import { AccessDeniedError, EntityTemporarilyUnmodifiableError, IamError, NoSuchEntityError, PasswordPolicyViolationError } from '../errors.js';
import type { Principal } from '../sessions/principal.js';
import { enforcePasswordPolicy, findPolicy, recordPasswordHistory } from '../iam/password-policy.js';
import type { PasswordHasher } from '../crypto/passwords.js';
import type { Authorizer } from './authorize.js';
import type { SignInThrottle } from './throttle.js';

/** What an own-password call uses: the request's database handle and the authorizer. */
export interface OwnPasswordDeps {
  db: Db;
  authorizer: Authorizer;
}

/** What ChangePassword uses besides: the sign-in throttle (a wrong old password counts), the password hasher and the clock. */
export interface ChangePasswordDeps extends OwnPasswordDeps {
  throttle: SignInThrottle;
  passwords: PasswordHasher;
  clock: Clock;
}

export interface ChangePasswordInput {
  oldPassword: string;
  newPassword: string;
}

/** The caller must be an IAM user (AWS's InvalidUserType otherwise). */
export function requireIamUser(principal: Principal): asserts principal is Principal & { userId: string; userName: string } {
  if (principal.kind !== 'user' || !principal.userId || !principal.userName) {
    throw new IamError('InvalidUserType', 'The request was rejected because the type of user for the transaction was incorrect.', 400);
  }
}

/**
 * Allows an IAM user's own-password call when the account password policy sets
 * AllowUsersToChangePassword; otherwise asks the authorizer for `action` on `resourceArn`.
 */
export async function authorizeOwnPasswordCall(deps: OwnPasswordDeps, principal: Principal, action: string, resourceArn: string): Promise<void> {
  if (principal.kind === 'user') {
    const policy = await findPolicy(deps.db, principal.accountId);
    if (policy?.allowUsersToChangePassword) return;
  }
  await deps.authorizer.authorize({ principal, action, resourceArn });
}

/** Changes the calling user's password. */
export async function changePassword(deps: ChangePasswordDeps, principal: Principal, input: ChangePasswordInput, client: { sourceIp: string }): Promise<void> {
  requireIamUser(principal);
  await authorizeOwnPasswordCall(deps, principal, 'iam:ChangePassword', principal.arn);
  const { accountId, userId, userName } = principal;
  const profile = await deps.db.loginProfile.findFirst({ where: { userId, user: { accountId } } });
  if (!profile) throw new NoSuchEntityError(`Login Profile for User ${userName} cannot be found.`);

  await deps.throttle.run(
    { principal: `user:${accountId}:${userName.toLowerCase()}`, sourceIp: client.sourceIp },
    async () => {
      if (!(await deps.passwords.verify(profile.passwordHash, input.oldPassword))) {
        throw new AccessDeniedError('The old password is not correct.');
      }
    },
    (error) => error instanceof AccessDeniedError,
  );
  if (input.newPassword === input.oldPassword) {
    throw new PasswordPolicyViolationError('The new password must be different from the old password');
  }
  await enforcePasswordPolicy(deps.db, deps.passwords, accountId, input.newPassword, { userId, userName });
  const hash = await deps.passwords.hash(input.newPassword);

  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT 1 FROM "User" WHERE id = ${userId} FOR UPDATE`;
    // Someone (an administrator, or a concurrent change) set another password meanwhile.
    const { count } = await tx.loginProfile.updateMany({
      where: { userId, passwordHash: profile.passwordHash },
      data: { passwordHash: hash, passwordResetRequired: false, passwordChangedAt: now },
    });
    if (count === 0) {
      throw new EntityTemporarilyUnmodifiableError(`Login Profile for User ${userName} was changed meanwhile; try again.`);
    }
    await recordPasswordHistory(tx, userId, hash);
    await tx.session.updateMany({
      where: {
        userId,
        revokedAt: null,
        sourceAccessKeyId: null,
        ...(principal.passwordResetOnly ? {} : { id: { not: principal.sessionId } }),
      },
      data: { revokedAt: now },
    });
  });
}
