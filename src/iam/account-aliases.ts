// Account aliases: a friendly name for an account's sign-in (one per account,
// unique across all accounts). Stored in `Account.alias`, which sign-in reads.
// https://docs.aws.amazon.com/signin/latest/userguide/CreateAccountAlias.html
import type { DbTx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { EntityAlreadyExistsError, NoSuchEntityError, ValidationError } from '../errors.js';
import { checkString } from './names.js';

const ALIAS_PATTERN = /^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$/;

/** AWS's accountAliasType: 3 to 63 lowercase letters, digits and single hyphens, no hyphen at either end. */
export function checkAccountAlias(value: string): string {
  checkString(value, 'accountAlias', 3, 63, ALIAS_PATTERN, '^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$');
  // Sign-in reads a 12-digit value as an account id, so such an alias could never be used.
  if (/^\d{12}$/.test(value)) {
    throw new ValidationError(`The account alias ${value} is not valid: an alias cannot be a 12-digit number.`);
  }
  return value;
}

/**
 * AWS's CreateAccountAlias: sets the account's only alias, replacing the current one.
 * An alias held by another account is EntityAlreadyExists (the unique index decides races).
 */
export async function createAccountAlias(db: DbTx, accountId: string, alias: string): Promise<void> {
  checkAccountAlias(alias);
  try {
    await db.account.update({ where: { id: accountId }, data: { alias } });
  } catch (error) {
    if (isUniqueViolation(error)) throw new EntityAlreadyExistsError(`The account alias ${alias} already exists.`, { cause: error });
    throw error;
  }
}

/** AWS's DeleteAccountAlias: the alias given must be the account's. */
export async function deleteAccountAlias(db: DbTx, accountId: string, alias: string): Promise<void> {
  checkString(alias, 'accountAlias', 3, 63, ALIAS_PATTERN, '^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$');
  const result = await db.account.updateMany({ where: { id: accountId, alias }, data: { alias: null } });
  if (result.count === 0) throw new NoSuchEntityError(`The account alias ${alias} cannot be found.`);
}

/** AWS's ListAccountAliases: the account's alias, if any, as a list. */
export async function listAccountAliases(db: DbTx, accountId: string): Promise<string[]> {
  const account = await db.account.findUnique({ where: { id: accountId }, select: { alias: true } });
  return account?.alias ? [account.alias] : [];
}
