// The account password policy, enforced wherever a user's password is set.
// (Filled in by the credentials work; until then only AWS's default policy applies.)
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html
import type { DbTx } from '../db/client.js';
import { PasswordPolicyViolationError } from '../errors.js';

export interface PasswordCheckOptions {
  /** The user whose password is being set (for reuse prevention). */
  userId?: string;
  userName?: string;
}

/**
 * Throws PasswordPolicyViolation unless `password` satisfies the account's
 * password policy (or AWS's default policy when the account has none).
 */
export async function enforcePasswordPolicy(db: DbTx, accountId: string, password: string, options: PasswordCheckOptions = {}): Promise<void> {
  void db;
  void accountId;
  void options;
  if (password.length < 8 || password.length > 128) {
    throw new PasswordPolicyViolationError('Password should have a minimum length of 8');
  }
}
