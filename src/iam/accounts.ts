// Accounts (tenants) and their root users. Only the operator creates accounts.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html
import type { Db } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { EntityAlreadyExistsError } from '../errors.js';
import type { PasswordHasher } from '../crypto/passwords.js';
import { newAccountId } from './ids.js';
import { rootArn } from './arn.js';
import { checkString } from './names.js';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface NewAccount {
  accountName: string;
  email: string;
  password: string;
}

/** Creates an account with its root user; the email is the root's sign-in name, unique across accounts. */
export async function createAccount(db: Db, passwords: PasswordHasher, input: NewAccount, checkPassword: (password: string) => void) {
  checkString(input.accountName, 'accountName', 1, 50, /^[ -;=?-~]+$/, '[ -;=?-~]+');
  checkString(input.email, 'email', 6, 64, EMAIL_PATTERN, '[^\\s@]+@[^\\s@]+\\.[^\\s@]+');
  checkPassword(input.password);
  const email = input.email.toLowerCase();
  const rootPasswordHash = await passwords.hash(input.password);
  for (let attempt = 0; ; attempt++) {
    const id = newAccountId();
    try {
      const account = await db.account.create({ data: { id, name: input.accountName, email, rootPasswordHash } });
      return { accountId: account.id, accountName: account.name, rootArn: rootArn(account.id) };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (isUniqueViolation(error, 'email')) throw new EntityAlreadyExistsError(`An account with email ${email} already exists.`);
      if (attempt > 5) throw error;
    }
  }
}
