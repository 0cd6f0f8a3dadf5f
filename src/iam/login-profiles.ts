// Login profiles: a user's console password, stored only as an argon2id hash and
// checked against the account password policy whenever it is set.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html
import type { Db, DbTx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { EntityAlreadyExistsError, NoSuchEntityError, ValidationError } from '../errors.js';
import type { LoginProfile, User } from '../generated/prisma/client.js';
import type { PasswordHasher } from '../crypto/passwords.js';
import { enforcePasswordPolicy, recordPasswordHistory } from './password-policy.js';
import { revokeUserSessions } from './revocations.js';
import { type Caller, checkUserNameRef, findTargetUser, findUser, lockUser } from './users.js';

/** A login profile as the API sees it: never the password hash. */
export type LoginProfileRecord = Omit<LoginProfile, 'passwordHash'>;

/** Reads leave the hash in the database, so it cannot leak into responses or the audit trail. */
const withoutHash = { passwordHash: true } as const;

const PASSWORD_PATTERN = /^[\u0009\u000A\u000D\u0020-\u00FF]+$/;

/**
 * AWS's passwordType: 1 to 128 characters of `[\u0009\u000A\u000D\u0020-\u00FF]`.
 * Unlike other validation messages, this one never repeats the value (it is a secret).
 */
export function checkPasswordInput(password: string, member = 'password'): string {
  const fail = (constraint: string): never => {
    throw new ValidationError(`1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`);
  };
  if (password.length < 1) fail('Member must have length greater than or equal to 1');
  if (password.length > 128) fail('Member must have length less than or equal to 128');
  if (!PASSWORD_PATTERN.test(password)) fail('Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+');
  return password;
}

function noSuchLoginProfile(userName: string): NoSuchEntityError {
  return new NoSuchEntityError(`Login Profile for User ${userName} cannot be found.`);
}

export interface CreateLoginProfileParams {
  userName: string;
  password: string;
  passwordResetRequired?: boolean | null;
}

/** AWS's CreateLoginProfile. https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html */
export async function createLoginProfile(db: Db, passwords: PasswordHasher, accountId: string, input: CreateLoginProfileParams): Promise<LoginProfileRecord> {
  checkUserNameRef(input.userName);
  checkPasswordInput(input.password);
  const passwordHash = await passwords.hash(input.password);
  try {
    return await db.$transaction(async (tx) => {
      const user = await findUser(tx, accountId, input.userName);
      await lockUser(tx, user);
      if (await tx.loginProfile.findUnique({ where: { userId: user.id }, select: { userId: true } })) throw profileExists(user.name);
      await enforcePasswordPolicy(tx, passwords, accountId, input.password, { userId: user.id, userName: user.name });
      const profile = await tx.loginProfile.create({
        data: { userId: user.id, passwordHash, passwordResetRequired: input.passwordResetRequired ?? false },
        omit: withoutHash,
      });
      await recordPasswordHistory(tx, user.id, passwordHash);
      return profile;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw profileExists(input.userName, error);
    throw error;
  }
}

function profileExists(userName: string, cause?: unknown): EntityAlreadyExistsError {
  return new EntityAlreadyExistsError(`Login Profile for user ${userName} already exists.`, { cause });
}

/** AWS's GetLoginProfile; without a user name, the caller's own. */
export async function getLoginProfile(db: DbTx, caller: Caller, userName: string | null | undefined): Promise<LoginProfileRecord> {
  const user = await findTargetUser(db, caller, userName);
  const profile = await db.loginProfile.findUnique({ where: { userId: user.id }, omit: withoutHash });
  if (!profile) throw noSuchLoginProfile(user.name);
  return profile;
}

export interface UpdateLoginProfileParams {
  userName: string;
  password?: string | null;
  passwordResetRequired?: boolean | null;
}

/**
 * AWS's UpdateLoginProfile. A new password ends the user's sessions.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateLoginProfile.html
 */
export async function updateLoginProfile(db: Db, passwords: PasswordHasher, accountId: string, input: UpdateLoginProfileParams, now: Date): Promise<void> {
  checkUserNameRef(input.userName);
  const password = input.password ?? undefined;
  if (password !== undefined) checkPasswordInput(password);
  const passwordHash = password !== undefined ? await passwords.hash(password) : undefined;
  return db.$transaction(async (tx) => {
    const user = await findUser(tx, accountId, input.userName);
    await lockUser(tx, user);
    const profile = await tx.loginProfile.findUnique({ where: { userId: user.id }, select: { userId: true } });
    if (!profile) throw noSuchLoginProfile(user.name);
    if (password !== undefined) await enforcePasswordPolicy(tx, passwords, accountId, password, { userId: user.id, userName: user.name });
    await tx.loginProfile.update({
      where: { userId: user.id },
      data: {
        ...(passwordHash !== undefined ? { passwordHash, passwordChangedAt: now } : {}),
        ...(input.passwordResetRequired !== undefined && input.passwordResetRequired !== null
          ? { passwordResetRequired: input.passwordResetRequired }
          : {}),
      },
    });
    if (passwordHash !== undefined) {
      await recordPasswordHistory(tx, user.id, passwordHash);
      // A new password ends the sessions signed in with the old one.
      await revokeUserSessions(tx, user.id, now);
    }
  });
}

/** AWS's DeleteLoginProfile; the user's sessions end with it. https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteLoginProfile.html */
export async function deleteLoginProfile(db: Db, accountId: string, userName: string, now: Date): Promise<void> {
  return db.$transaction(async (tx) => {
    const user = await findUser(tx, accountId, userName);
    const deleted = await tx.loginProfile.deleteMany({ where: { userId: user.id } });
    if (deleted.count === 0) throw noSuchLoginProfile(user.name);
    await revokeUserSessions(tx, user.id, now);
  });
}

/** Login profiles of many users at once (the nested `User.loginProfile` field). */
export async function loginProfilesOf(db: DbTx, userIds: readonly string[]): Promise<Map<string, LoginProfileRecord>> {
  const rows = await db.loginProfile.findMany({ where: { userId: { in: [...userIds] } }, omit: withoutHash });
  return new Map(rows.map((row) => [row.userId, row]));
}
