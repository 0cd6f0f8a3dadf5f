// IAM users: create, read, list, rename/move, delete, their tags and their permissions boundary.
// Names are unique per account case-insensitively (`nameKey`); the ARN follows
// the name and path. https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users.html
import type { Db, DbTx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { DeleteConflictError, EntityAlreadyExistsError, InvalidInputError, NoSuchEntityError, ValidationError } from '../errors.js';
import type { User } from '../generated/prisma/client.js';
import { iamArn, parseIamArn, rootArn } from './arn.js';
import { newUniqueId } from './ids.js';
import { type TagInput, checkArn, checkName, checkPath, checkPathPrefix, checkString, checkTagKeys, nameLimits, type NamedRead } from './names.js';
import { checkPermissionsBoundary } from './permissions-boundaries.js';
import { bumpPolicyEpoch } from './policy-epoch.js';
import { checkTagList, deleteAllTags, tagResource, untagResource } from './tags.js';
import { pathPage } from './path-pages.js';
import { revokeUserSessions } from './revocations.js';

/** The name AWS gives the root user where a user name is expected (credential report). */
export const ROOT_USER_NAME = '<root_account>';

/**
 * The name of an existing user, as the parameter of Get/Update/Delete/...User:
 * AWS's existingUserNameType allows 128 characters (CreateUser allows 64).
 */
export function checkUserNameRef(value: string, member = 'userName'): string {
  return checkString(value, member, 1, 128, /^[\w+=,.@-]+$/, '[\\w+=,.@-]+');
}

/** The user `userName` of the account, or NoSuchEntity. */
export async function findUser(db: DbTx, accountId: string, userName: string, read?: NamedRead<User>): Promise<User> {
  checkUserNameRef(userName);
  const user = read ? await read(userName) : await db.user.findUnique({ where: { accountId_nameKey: { accountId, nameKey: userName.toLowerCase() } } });
  if (!user) throw noSuchUser(userName);
  return user;
}

/** AWS's NoSuchEntity for a user name. */
export function noSuchUser(userName: string): NoSuchEntityError {
  return new NoSuchEntityError(`The user with name ${userName} cannot be found.`);
}

/** Who is calling, as far as "the caller's own user" is concerned. */
export interface Caller {
  kind: 'root' | 'user' | 'assumed-role' | 'federated-user';
  accountId: string;
  userId?: string;
}

/**
 * The user an action with an optional UserName acts on: the named user, or else
 * the calling user. Root and role sessions must name the user, as in AWS.
 */
export async function findTargetUser(db: DbTx, caller: Caller, userName: string | null | undefined, read?: NamedRead<User>): Promise<User> {
  if (userName !== undefined && userName !== null) return findUser(db, caller.accountId, userName, read);
  if (caller.kind !== 'user' || !caller.userId) {
    throw new ValidationError('Must specify userName when calling with non-User credentials');
  }
  const user = await db.user.findFirst({ where: { id: caller.userId, accountId: caller.accountId } });
  if (!user) throw new NoSuchEntityError('The user you are calling as cannot be found.');
  return user;
}

/**
 * Locks a user's row for the rest of the transaction (quota checks, deletion), or
 * NoSuchEntity when a concurrent DeleteUser removed it since `user` was read.
 * INVARIANT: a child row (key, login profile, MFA device, tag) is written only under
 * this lock, so it never lands on a deleted user: no foreign-key violation, no orphan.
 */
export async function lockUser(tx: DbTx, user: Pick<User, 'id' | 'name'>): Promise<void> {
  const locked = await tx.$executeRaw`SELECT 1 FROM "User" WHERE id = ${user.id} FOR UPDATE`;
  if (locked === 0) throw noSuchUser(user.name);
}

/**
 * The root user as GetUser returns it without a UserName: AWS answers with the
 * account root's ARN and the account id as the user id.
 */
export async function rootUser(db: DbTx, accountId: string): Promise<User> {
  const account = await db.account.findUniqueOrThrow({ where: { id: accountId } });
  return {
    id: account.id,
    accountId: account.id,
    name: ROOT_USER_NAME,
    nameKey: ROOT_USER_NAME,
    path: '/',
    arn: rootArn(account.id),
    permissionsBoundaryArn: null,
    createdAt: account.createdAt,
    passwordLastUsed: account.rootPasswordLastUsed,
  };
}

export interface CreateUserParams {
  userName: string;
  path?: string | null;
  permissionsBoundary?: string | null;
  tags?: TagInput[] | null;
}

/** AWS's CreateUser. https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html */
export async function createUser(db: Db, accountId: string, input: CreateUserParams): Promise<User> {
  const name = checkName(input.userName, 'userName');
  const path = checkPath(input.path);
  const boundary = checkBoundaryArn(input.permissionsBoundary);
  const tags = checkTagList(input.tags);
  const id = newUniqueId('user');
  try {
    return await db.$transaction(async (tx) => {
      // A boundary that does not resolve would silently cap nothing: refuse it, as AWS does.
      const permissionsBoundaryArn = boundary === null ? null : await checkPermissionsBoundary(tx, accountId, boundary);
      const user = await tx.user.create({
        data: { id, accountId, name, nameKey: name.toLowerCase(), path, arn: iamArn(accountId, 'user', path, name), permissionsBoundaryArn },
      });
      await tagResource(tx, accountId, 'user', id, tags);
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw userExists(name, error);
    throw error;
  }
}

/** The syntax of a permissions boundary: a managed policy ARN (checked before any lookup, as AWS validates input first). */
function checkBoundaryArn(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  checkArn(value, 'permissionsBoundary');
  if (parseIamArn(value)?.type !== 'policy') throw new InvalidInputError(`ARN ${value} is not valid.`);
  return value;
}

function userExists(name: string, cause: unknown): EntityAlreadyExistsError {
  return new EntityAlreadyExistsError(`User with name ${name} already exists.`, { cause });
}

export interface ListUsersParams {
  pathPrefix?: string | null;
}

/** One keyset page of AWS's ListUsers, ordered by name (case-insensitively). */
export function listUsersPage(db: DbTx, accountId: string, pathPrefix: string, afterKey: string | undefined, take: number): Promise<User[]> {
  return pathPage<User>(db, 'User', accountId, checkPathPrefix(pathPrefix), afterKey, take);
}

export interface UpdateUserParams {
  userName: string;
  newUserName?: string | null;
  newPath?: string | null;
}

/** AWS's UpdateUser: rename and/or move; the ARN follows. https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateUser.html */
export async function updateUser(db: Db, accountId: string, input: UpdateUserParams): Promise<User> {
  checkUserNameRef(input.userName);
  const newName =
    input.newUserName === undefined || input.newUserName === null
      ? undefined
      : checkString(input.newUserName, 'newUserName', 1, nameLimits.userName, /^[\w+=,.@-]+$/, '[\\w+=,.@-]+');
  const newPath = input.newPath === undefined || input.newPath === null ? undefined : checkPath(input.newPath, 'newPath');
  try {
    return await db.$transaction(async (tx) => {
      const user = await findUser(tx, accountId, input.userName);
      const name = newName ?? user.name;
      const path = newPath ?? user.path;
      return tx.user.update({
        where: { id: user.id },
        data: { name, nameKey: name.toLowerCase(), path, arn: iamArn(accountId, 'user', path, name) },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw userExists(newName ?? input.userName, error);
    throw error;
  }
}

const mustFirst = (what: string) => new DeleteConflictError(`Cannot delete entity, must ${what} first.`);

/**
 * AWS's DeleteUser: refused while the user still has a password, access keys, MFA
 * devices, inline policies, attached policies or group memberships, checked in the
 * order of the AWS documentation. Tags go with the user. The caller revokes the
 * user's sessions once this commits.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_users_remove.html
 */
/** AWS's DeleteUser; the user's sessions end with it. */
export async function deleteUser(db: Db, accountId: string, userName: string, now: Date): Promise<User> {
  return db.$transaction(async (tx) => {
    const user = await findUser(tx, accountId, userName);
    // INVARIANT: credentials are created under this same lock, so none can appear between the checks and the delete.
    await lockUser(tx, user);
    if (await tx.loginProfile.findUnique({ where: { userId: user.id }, select: { userId: true } })) throw mustFirst('delete login profile');
    if ((await tx.accessKey.count({ where: { userId: user.id } })) > 0) throw mustFirst('delete access keys');
    if ((await tx.mfaDevice.count({ where: { userId: user.id } })) > 0) throw mustFirst('delete MFA device');
    if ((await tx.inlinePolicy.count({ where: { accountId, entityType: 'user', entityId: user.id } })) > 0) throw mustFirst('delete policies');
    if ((await tx.policyAttachment.count({ where: { accountId, entityType: 'user', entityId: user.id } })) > 0) throw mustFirst('detach all policies');
    if ((await tx.groupMembership.count({ where: { userId: user.id } })) > 0) throw mustFirst('remove users from group');
    await deleteAllTags(tx, 'user', user.id);
    await tx.user.delete({ where: { id: user.id } });
    await revokeUserSessions(tx, user.id, now);
    return user;
  });
}

/**
 * AWS's PutUserPermissionsBoundary; the account's policy epoch is bumped in the same transaction.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPermissionsBoundary.html
 */
export async function putUserPermissionsBoundary(db: Db, accountId: string, userName: string, boundaryArn: string): Promise<void> {
  checkName(userName, 'userName');
  checkArn(boundaryArn, 'permissionsBoundary');
  await db.$transaction(async (tx) => {
    const userId = await lockUserByName(tx, accountId, userName);
    const arn = await checkPermissionsBoundary(tx, accountId, boundaryArn);
    await tx.user.update({ where: { id: userId }, data: { permissionsBoundaryArn: arn } });
    await bumpPolicyEpoch(tx, accountId);
  });
}

/** AWS's DeleteUserPermissionsBoundary; a user without a boundary is left as it is (and the policy epoch too). */
export async function deleteUserPermissionsBoundary(db: Db, accountId: string, userName: string): Promise<void> {
  checkName(userName, 'userName');
  await db.$transaction(async (tx) => {
    const userId = await lockUserByName(tx, accountId, userName);
    const { count } = await tx.user.updateMany({ where: { id: userId, permissionsBoundaryArn: { not: null } }, data: { permissionsBoundaryArn: null } });
    if (count > 0) await bumpPolicyEpoch(tx, accountId);
  });
}

/** The user's id, its row locked until the transaction ends so that a concurrent DeleteUser waits. */
async function lockUserByName(tx: DbTx, accountId: string, userName: string): Promise<string> {
  const nameKey = userName.toLowerCase();
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "User" WHERE "accountId" = ${accountId} AND "nameKey" = ${nameKey} FOR UPDATE`;
  if (rows.length === 0) throw noSuchUser(userName);
  return rows[0]!.id;
}

/** AWS's TagUser. https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagUser.html */
export async function tagUser(db: Db, accountId: string, userName: string, tags: TagInput[]): Promise<void> {
  checkUserNameRef(userName);
  checkTagList(tags);
  await db.$transaction(async (tx) => {
    const user = await findUser(tx, accountId, userName);
    // Tag rows have no foreign key: lock the user so a concurrent DeleteUser cannot orphan them.
    await lockUser(tx, user);
    await tagResource(tx, accountId, 'user', user.id, tags);
  });
}

/** AWS's UntagUser. https://docs.aws.amazon.com/IAM/latest/APIReference/API_UntagUser.html */
export async function untagUser(db: Db, accountId: string, userName: string, tagKeys: string[]): Promise<void> {
  checkUserNameRef(userName);
  checkTagKeys(tagKeys);
  await db.$transaction(async (tx) => {
    const user = await findUser(tx, accountId, userName);
    await untagResource(tx, accountId, 'user', user.id, tagKeys);
  });
}

/** The names of users by id (the `userName` of login profiles and access keys), in one query. */
export async function userNamesByIds(db: DbTx, ids: readonly string[]): Promise<Map<string, string>> {
  const rows = await db.user.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } });
  return new Map(rows.map((row) => [row.id, row.name]));
}
