// IAM groups and group membership: create, read, rename, delete, add and remove
// users, with AWS's names, limits, error codes and messages.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups.html
import type { Group, User } from '../generated/prisma/client.js';
import type { Db, DbTx } from '../db/client.js';
import { isMissingRecord, isUniqueViolation } from '../db/errors.js';
import {
  ConcurrentModificationError,
  DeleteConflictError,
  EntityAlreadyExistsError,
  LimitExceededError,
  NoSuchEntityError,
} from '../errors.js';
import type { Connection, CursorCodec, PageArgs } from '../db/pagination.js';
import { paginate } from '../db/pagination.js';
import { iamArn } from './arn.js';
import { newUniqueId } from './ids.js';
import { noSuchUser } from './users.js';
import { checkName, checkPath, checkPathPrefix, checkString, nameLimits, type NamedRead } from './names.js';
import { bumpPolicyEpoch } from './policy-epoch.js';
import { pathPage } from './path-pages.js';

/** AWS's default quota of groups per account. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const GROUPS_PER_ACCOUNT = 300;
/** AWS's quota of groups an IAM user can be a member of (same page). */
export const GROUPS_PER_USER = 10;

/** AWS's NoSuchEntity message for a group. */
export function noSuchGroup(groupName: string): NoSuchEntityError {
  return new NoSuchEntityError(`The group with name ${groupName} cannot be found.`);
}

function groupExists(groupName: string): EntityAlreadyExistsError {
  return new EntityAlreadyExistsError(`Group with name ${groupName} already exists.`);
}

/** The group named `groupName` (case-insensitively) in the account, or NoSuchEntity. */
export async function findGroup(db: Db | DbTx, accountId: string, groupName: string, read?: NamedRead<Group>): Promise<Group> {
  const group = read ? await read(groupName) : await db.group.findUnique({ where: { accountId_nameKey: { accountId, nameKey: groupName.toLowerCase() } } });
  if (!group) throw noSuchGroup(groupName);
  return group;
}

/** Like findGroup, and locks the row until the transaction ends (against concurrent members and deletes). */
async function lockGroup(tx: DbTx, accountId: string, groupName: string): Promise<Group> {
  const rows = await tx.$queryRaw<Group[]>`
    SELECT * FROM "Group" WHERE "accountId" = ${accountId} AND "nameKey" = ${groupName.toLowerCase()} FOR UPDATE`;
  if (!rows[0]) throw noSuchGroup(groupName);
  return rows[0];
}

/** Finds the user by name in the account and locks its row: the GroupsPerUser count cannot be raced. */
async function lockUser(tx: DbTx, accountId: string, userName: string): Promise<{ id: string }> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "User" WHERE "accountId" = ${accountId} AND "nameKey" = ${userName.toLowerCase()} FOR UPDATE`;
  if (!rows[0]) throw noSuchUser(userName);
  return rows[0];
}

export interface CreateGroupInput {
  groupName: string;
  path?: string | null;
}

/**
 * AWS CreateGroup. Names are unique per account case-insensitively.
 * INVARIANT: an account holds at most 300 groups; the account row is locked before counting.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateGroup.html
 */
export async function createGroup(db: Db, accountId: string, input: CreateGroupInput): Promise<Group> {
  const name = checkName(input.groupName, 'groupName');
  const path = checkPath(input.path);
  try {
    return await db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT 1 FROM "Account" WHERE id = ${accountId} FOR UPDATE`;
      const count = await tx.group.count({ where: { accountId } });
      if (count >= GROUPS_PER_ACCOUNT) throw new LimitExceededError(`Cannot exceed quota for GroupsPerAccount: ${GROUPS_PER_ACCOUNT}`);
      return tx.group.create({
        data: { id: newUniqueId('group'), accountId, name, nameKey: name.toLowerCase(), path, arn: iamArn(accountId, 'group', path, name) },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw groupExists(name);
    throw error;
  }
}

export interface UpdateGroupInput {
  groupName: string;
  newGroupName?: string | null;
  newPath?: string | null;
}

/**
 * AWS UpdateGroup: renames and/or moves a group; its ARN follows. AWS requires
 * permission on both the old and the new ARN: `authorizeTarget` checks the new one,
 * before any row is locked (authorizing may itself read the database).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateGroup.html
 */
export async function updateGroup(
  db: Db,
  accountId: string,
  input: UpdateGroupInput,
  authorizeTarget: (newArn: string) => Promise<void>,
): Promise<void> {
  checkName(input.groupName, 'groupName');
  const newName =
    input.newGroupName == null ? undefined : checkString(input.newGroupName, 'newGroupName', 1, nameLimits.groupName, /^[\w+=,.@-]+$/, '[\\w+=,.@-]+');
  const newPath = input.newPath == null ? undefined : checkPath(input.newPath, 'newPath');
  const group = await findGroup(db, accountId, input.groupName);
  const name = newName ?? group.name;
  const path = newPath ?? group.path;
  const arn = iamArn(accountId, 'group', path, name);
  if (arn === group.arn) return;
  await authorizeTarget(arn);
  let updated: number;
  try {
    // Only if nobody renamed or moved it since it was read: the authorized target is still the one written.
    ({ count: updated } = await db.group.updateMany({ where: { id: group.id, arn: group.arn }, data: { name, nameKey: name.toLowerCase(), path, arn } }));
  } catch (error) {
    if (isUniqueViolation(error)) throw groupExists(name);
    throw error;
  }
  if (updated === 0) {
    if (!(await db.group.findUnique({ where: { id: group.id }, select: { id: true } }))) throw noSuchGroup(input.groupName);
    throw new ConcurrentModificationError(`The group with name ${input.groupName} was modified by another request; retry.`);
  }
}

/**
 * AWS DeleteGroup: only an empty group with no policies can go.
 * The group row is locked first, so a concurrent AddUserToGroup either lands
 * before (DeleteConflict) or after (NoSuchEntity), never on a deleted group.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteGroup.html
 */
export async function deleteGroup(db: Db, accountId: string, groupName: string): Promise<void> {
  checkName(groupName, 'groupName');
  await db.$transaction(async (tx) => {
    const group = await lockGroup(tx, accountId, groupName);
    if (await tx.groupMembership.count({ where: { groupId: group.id } })) {
      throw new DeleteConflictError('Cannot delete entity, must remove users from group first.');
    }
    const owner = { accountId, entityType: 'group', entityId: group.id };
    if (await tx.policyAttachment.count({ where: owner })) {
      throw new DeleteConflictError('Cannot delete entity, must detach all policies first.');
    }
    if (await tx.inlinePolicy.count({ where: owner })) {
      throw new DeleteConflictError('Cannot delete entity, must delete policies first.');
    }
    await tx.group.delete({ where: { id: group.id } });
    await bumpPolicyEpoch(tx, accountId);
  });
}

/**
 * AWS AddUserToGroup. Adding a member again succeeds and changes nothing.
 * INVARIANT: a user belongs to at most 10 groups; the user row is locked before counting.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddUserToGroup.html
 */
export async function addUserToGroup(db: Db, accountId: string, groupName: string, userName: string): Promise<void> {
  checkName(groupName, 'groupName');
  checkName(userName, 'userName');
  try {
    await db.$transaction(async (tx) => {
      const group = await findGroup(tx, accountId, groupName);
      const user = await lockUser(tx, accountId, userName);
      const key = { groupId_userId: { groupId: group.id, userId: user.id } };
      if (await tx.groupMembership.findUnique({ where: key })) return;
      if ((await tx.groupMembership.count({ where: { userId: user.id } })) >= GROUPS_PER_USER) {
        throw new LimitExceededError(`Cannot exceed quota for GroupsPerUser: ${GROUPS_PER_USER}`);
      }
      await tx.groupMembership.create({ data: { groupId: group.id, userId: user.id } });
      await bumpPolicyEpoch(tx, accountId);
    });
  } catch (error) {
    // The group went away between the lookup and the insert (a concurrent DeleteGroup).
    if (isMissingRecord(error)) throw noSuchGroup(groupName);
    throw error;
  }
}

/**
 * AWS RemoveUserFromGroup. Both must exist; removing a user who is not a member
 * succeeds and changes nothing, as AWS does.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_RemoveUserFromGroup.html
 */
export async function removeUserFromGroup(db: Db, accountId: string, groupName: string, userName: string): Promise<void> {
  checkName(groupName, 'groupName');
  checkName(userName, 'userName');
  await db.$transaction(async (tx) => {
    const group = await findGroup(tx, accountId, groupName);
    const user = await lockUser(tx, accountId, userName);
    const removed = await tx.groupMembership.deleteMany({ where: { groupId: group.id, userId: user.id } });
    if (removed.count > 0) await bumpPolicyEpoch(tx, accountId);
  });
}

/**
 * AWS ListGroups: the account's groups whose path starts with `pathPrefix`, by name.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListGroups.html
 */
export async function listGroups(
  db: Db,
  cursors: CursorCodec,
  accountId: string,
  pathPrefix: string | null | undefined,
  page: PageArgs,
): Promise<Connection<Group>> {
  const prefix = checkPathPrefix(pathPrefix);
  return paginate<Group>(cursors, `${accountId}:listGroups:${prefix}`, page, (group) => group.nameKey, (afterKey, take) =>
    pathPage<Group>(db, 'Group', accountId, prefix, afterKey, take),
  );
}

/** One page request of a batch: the rows of `ownerId` after `afterKey`, at most `take`. */
export interface PageRequest {
  ownerId: string;
  afterKey: string | undefined;
  take: number;
}

/**
 * The users of many groups, one page each, in ONE query (for Group.users and
 * GetGroup): each request is paged independently, ordered by user name.
 */
export async function fetchUsersOfGroups(db: Db, accountId: string, requests: readonly PageRequest[]): Promise<User[][]> {
  const rows = await db.$queryRaw<Array<User & { ord: number }>>`
    SELECT k.ord::int AS ord, u.*
    FROM unnest(${requests.map((r) => r.ownerId)}::text[], ${requests.map((r) => r.afterKey ?? null)}::text[], ${requests.map((r) => r.take)}::int[])
      WITH ORDINALITY AS k(owner_id, after_key, take, ord)
    CROSS JOIN LATERAL (
      SELECT u.* FROM "GroupMembership" m JOIN "User" u ON u.id = m."userId"
      WHERE m."groupId" = k.owner_id AND u."accountId" = ${accountId} AND (k.after_key IS NULL OR u."nameKey" > k.after_key)
      ORDER BY u."nameKey" LIMIT k.take
    ) u
    ORDER BY k.ord, u."nameKey"`;
  return splitByOrdinal(requests.length, rows);
}

/** The groups of many users, one page each, in ONE query (for User.groups and ListGroupsForUser). */
export async function fetchGroupsOfUsers(db: Db, accountId: string, requests: readonly PageRequest[]): Promise<Group[][]> {
  const rows = await db.$queryRaw<Array<Group & { ord: number }>>`
    SELECT k.ord::int AS ord, g.*
    FROM unnest(${requests.map((r) => r.ownerId)}::text[], ${requests.map((r) => r.afterKey ?? null)}::text[], ${requests.map((r) => r.take)}::int[])
      WITH ORDINALITY AS k(owner_id, after_key, take, ord)
    CROSS JOIN LATERAL (
      SELECT g.* FROM "GroupMembership" m JOIN "Group" g ON g.id = m."groupId"
      WHERE m."userId" = k.owner_id AND g."accountId" = ${accountId} AND (k.after_key IS NULL OR g."nameKey" > k.after_key)
      ORDER BY g."nameKey" LIMIT k.take
    ) g
    ORDER BY k.ord, g."nameKey"`;
  return splitByOrdinal(requests.length, rows);
}

/** Splits rows tagged with their request's 1-based ordinal into one list per request. */
function splitByOrdinal<T extends { ord: number }>(count: number, rows: T[]): Array<Omit<T, 'ord'>[]> {
  const lists: Array<Omit<T, 'ord'>[]> = Array.from({ length: count }, () => []);
  for (const { ord, ...row } of rows) lists[Number(ord) - 1]!.push(row);
  return lists;
}
