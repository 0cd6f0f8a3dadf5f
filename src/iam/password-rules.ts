// Password rules that hold whatever the account's password policy says.
// The root user's password follows AWS's root rules: 8 to 128 characters with at
// least three of upper case, lower case, digits and symbols; and, ours, not a
// common or breached password (src/iam/common-passwords.ts).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_change-root.html
import { PasswordPolicyViolationError } from '../errors.js';
import { isCommonPassword } from './common-passwords.js';

/** Throws PasswordPolicyViolation unless the root password meets AWS's root rules. */
export function checkRootPassword(password: string): void {
  if (password.length < 8 || password.length > 128) {
    throw new PasswordPolicyViolationError('Password should have a minimum length of 8 and a maximum length of 128.');
  }
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) {
    throw new PasswordPolicyViolationError(
      'Password should contain at least three of: uppercase letters, lowercase letters, numbers and symbols.',
    );
  }
  if (isCommonPassword(password)) {
    throw new PasswordPolicyViolationError('Password is too common: it appears in lists of breached passwords');
  }
}
