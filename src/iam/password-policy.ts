// The account password policy (UpdateAccountPasswordPolicy and siblings) and its
// enforcement wherever a user's password is set: length, character classes,
// reuse of recent passwords, plus two rules of ours that hold under any policy:
// no common or breached password, no password containing the user's name.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html
import type { DbTx } from '../db/client.js';
import { NoSuchEntityError, PasswordPolicyViolationError } from '../errors.js';
import { checkRange } from './names.js';
import { isCommonPassword } from './common-passwords.js';
import type { PasswordHasher } from '../crypto/passwords.js';

/** AWS's PasswordPolicy response member. */
export interface PasswordPolicy {
  minimumPasswordLength: number;
  requireSymbols: boolean;
  requireNumbers: boolean;
  requireUppercaseCharacters: boolean;
  requireLowercaseCharacters: boolean;
  allowUsersToChangePassword: boolean;
  /** True when maxPasswordAge is set. */
  expirePasswords: boolean;
  maxPasswordAge: number | null;
  passwordReusePrevention: number | null;
  hardExpiry: boolean;
}

export interface UpdatePasswordPolicyInput {
  minimumPasswordLength?: number | null;
  requireSymbols?: boolean | null;
  requireNumbers?: boolean | null;
  requireUppercaseCharacters?: boolean | null;
  requireLowercaseCharacters?: boolean | null;
  allowUsersToChangePassword?: boolean | null;
  maxPasswordAge?: number | null;
  passwordReusePrevention?: number | null;
  hardExpiry?: boolean | null;
}

export interface PasswordCheckOptions {
  /** The user whose password is being set (for reuse prevention). */
  userId?: string;
  userName?: string;
}

/** The symbols AWS counts for RequireSymbols. */
const SYMBOLS = /[!@#$%^&*()_+\-=[\]{}|']/;
/** Most password hashes kept per user: AWS's largest PasswordReusePrevention. */
const MAX_HISTORY = 24;
/** AWS's limit on any IAM user password. */
const MAX_LENGTH = 128;

/** The account's policy, or NoSuchEntity (AWS's wording) when it has none. */
export async function getPasswordPolicy(db: DbTx, accountId: string): Promise<PasswordPolicy> {
  const row = await findPolicy(db, accountId);
  if (!row) throw new NoSuchEntityError(`The Password Policy with domain name ${accountId} cannot be found.`);
  return row;
}

/** The account's policy, or null when it has none (AWS's default rules then apply). */
export async function findPolicy(db: DbTx, accountId: string): Promise<PasswordPolicy | null> {
  const row = await db.accountPasswordPolicy.findUnique({ where: { accountId } });
  if (!row) return null;
  return {
    minimumPasswordLength: row.minimumPasswordLength,
    requireSymbols: row.requireSymbols,
    requireNumbers: row.requireNumbers,
    requireUppercaseCharacters: row.requireUppercaseCharacters,
    requireLowercaseCharacters: row.requireLowercaseCharacters,
    allowUsersToChangePassword: row.allowUsersToChangePassword,
    expirePasswords: row.maxPasswordAge !== null,
    maxPasswordAge: row.maxPasswordAge,
    passwordReusePrevention: row.passwordReusePrevention,
    hardExpiry: row.hardExpiry,
  };
}

/**
 * Sets the whole policy. As in AWS there are no partial updates: a parameter left
 * out takes its default (minimum length 6, every flag false, no expiry, no reuse rule).
 */
export async function updatePasswordPolicy(db: DbTx, accountId: string, input: UpdatePasswordPolicyInput): Promise<void> {
  const data = {
    minimumPasswordLength: checkRange(input.minimumPasswordLength ?? 6, 'minimumPasswordLength', 6, MAX_LENGTH),
    requireSymbols: input.requireSymbols ?? false,
    requireNumbers: input.requireNumbers ?? false,
    requireUppercaseCharacters: input.requireUppercaseCharacters ?? false,
    requireLowercaseCharacters: input.requireLowercaseCharacters ?? false,
    allowUsersToChangePassword: input.allowUsersToChangePassword ?? false,
    maxPasswordAge: input.maxPasswordAge == null ? null : checkRange(input.maxPasswordAge, 'maxPasswordAge', 1, 1095),
    passwordReusePrevention:
      input.passwordReusePrevention == null ? null : checkRange(input.passwordReusePrevention, 'passwordReusePrevention', 1, 24),
    hardExpiry: input.hardExpiry ?? false,
  };
  await db.accountPasswordPolicy.upsert({ where: { accountId }, create: { accountId, ...data }, update: data });
}

/** Deletes the policy; NoSuchEntity when there is none. */
export async function deletePasswordPolicy(db: DbTx, accountId: string): Promise<void> {
  const { count } = await db.accountPasswordPolicy.deleteMany({ where: { accountId } });
  if (count === 0) throw new NoSuchEntityError(`The Password Policy with domain name ${accountId} cannot be found.`);
}

/**
 * The first rule `password` breaks, without history (pure). With no policy, AWS's
 * default applies: at least 8 characters and three of the four character classes.
 */
export function findPolicyViolation(policy: PasswordPolicy | null, password: string, userName?: string): string | undefined {
  const minimum = policy?.minimumPasswordLength ?? 8;
  if (password.length < minimum) return `Password should have a minimum length of ${minimum}`;
  if (password.length > MAX_LENGTH) return `Password should have a maximum length of ${MAX_LENGTH}`;
  const has = {
    upper: /[A-Z]/.test(password),
    lower: /[a-z]/.test(password),
    number: /[0-9]/.test(password),
    symbol: SYMBOLS.test(password),
  };
  if (policy) {
    if (policy.requireUppercaseCharacters && !has.upper) return 'Password should have at least one uppercase letter';
    if (policy.requireLowercaseCharacters && !has.lower) return 'Password should have at least one lowercase letter';
    if (policy.requireNumbers && !has.number) return 'Password should have at least one number';
    if (policy.requireSymbols && !has.symbol) return 'Password should have at least one symbol';
  } else if (Object.values(has).filter(Boolean).length < 3) {
    return 'Password should contain at least three of: uppercase letters, lowercase letters, numbers and symbols';
  }
  if (userName && userName.length >= 3 && password.toLowerCase().includes(userName.toLowerCase())) {
    return 'Password should not contain the user name';
  }
  if (isCommonPassword(password)) return 'Password is too common: it appears in lists of breached passwords';
  return undefined;
}

/**
 * Throws PasswordPolicyViolation unless `password` satisfies the account's
 * password policy (or AWS's default policy when the account has none), is not
 * a common password, does not contain the user name, and (with
 * PasswordReusePrevention = N and a `userId`) is none of the user's last N passwords.
 */
export async function enforcePasswordPolicy(
  db: DbTx,
  passwords: Pick<PasswordHasher, 'verify'>,
  accountId: string,
  password: string,
  options: PasswordCheckOptions = {},
): Promise<void> {
  const policy = await findPolicy(db, accountId);
  const violation = findPolicyViolation(policy, password, options.userName);
  if (violation) throw new PasswordPolicyViolationError(violation);
  const reuse = policy?.passwordReusePrevention;
  if (reuse && options.userId) {
    const recent = await db.passwordHistory.findMany({
      where: { userId: options.userId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: reuse,
      select: { hash: true },
    });
    for (const { hash } of recent) {
      if (await passwords.verify(hash, password)) {
        throw new PasswordPolicyViolationError(`Password should not be one of your ${reuse} previous passwords`);
      }
    }
  }
}

/**
 * Appends a new password hash to the user's history (call in the same transaction
 * that stores the password: createLoginProfile, updateLoginProfile, changePassword)
 * and keeps only the last 24, the most any policy can ask about.
 */
export async function recordPasswordHistory(tx: DbTx, userId: string, hash: string): Promise<void> {
  await tx.passwordHistory.create({ data: { userId, hash } });
  const stale = await tx.passwordHistory.findMany({
    where: { userId },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    skip: MAX_HISTORY,
    select: { id: true },
  });
  if (stale.length > 0) await tx.passwordHistory.deleteMany({ where: { id: { in: stale.map((row) => row.id) } } });
}

/** True when the policy makes the password expire and it is older than allowed. */
export function isPasswordExpired(policy: PasswordPolicy | null, changedAt: Date, now: Date): boolean {
  if (!policy?.maxPasswordAge) return false;
  return now.getTime() - changedAt.getTime() > policy.maxPasswordAge * 86_400_000;
}
