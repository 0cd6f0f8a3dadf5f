// Groups and group membership: thin resolvers over src/iam/groups.ts, with the
// batched nested lists Group.users and User.groups (one query per level).
import { namedReader } from '../../iam/named-entities.js';
import type { Group, User } from '../../generated/prisma/client.js';
import type { Resolvers } from '../../generated/graphql.js';
import { guarded } from '../caller.js';
import type { Context } from '../../context.js';
import {
  type PageRequest,
  addUserToGroup,
  createGroup,
  deleteGroup,
  fetchGroupsOfUsers,
  fetchUsersOfGroups,
  findGroup,
  listGroups,
  removeUserFromGroup,
  updateGroup,
} from '../../iam/groups.js';
import { checkName } from '../../iam/names.js';
import { findUser } from '../../iam/users.js';
import { defineLoader } from '../../db/loaders.js';
import type { GetGroupResultModel } from '../models.js';
import { type Connection, type PageArgs, paginate } from '../../db/pagination.js';


const cacheKeyFn = (request: PageRequest) => JSON.stringify([request.ownerId, request.afterKey ?? null, request.take]);

const usersOfGroup = defineLoader<PageRequest, User[], string>(
  'usersOfGroup',
  ({ db, accountId }, requests) => fetchUsersOfGroups(db, accountId, requests),
  { cacheKeyFn },
);

const groupsOfUser = defineLoader<PageRequest, Group[], string>(
  'groupsOfUser',
  ({ db, accountId }, requests) => fetchGroupsOfUsers(db, accountId, requests),
  { cacheKeyFn },
);

/** A page of a group's users; cursors are bound to the account and the group. */
function pageOfUsers(ctx: Context, group: Group, page: PageArgs): Promise<Connection<User>> {
  const scope = `${group.accountId}:getGroup:${group.id}`;
  return paginate<User>(ctx.deps.cursors, scope, page, (user) => user.nameKey, (afterKey, take) =>
    usersOfGroup(ctx).load({ ownerId: group.id, afterKey, take }),
  );
}

/** A page of a user's groups; cursors are bound to the account and the user. */
function pageOfGroups(ctx: Context, user: User, page: PageArgs): Promise<Connection<Group>> {
  const scope = `${user.accountId}:listGroupsForUser:${user.id}`;
  return paginate<Group>(ctx.deps.cursors, scope, page, (group) => group.nameKey, (afterKey, take) =>
    groupsOfUser(ctx).load({ ownerId: user.id, afterKey, take }),
  );
}

export const groupResolvers: Resolvers = {
  Query: {
    getGroup: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const group = await findGroup(ctx.db, accountId, checkName(input.groupName, 'groupName'), namedReader(ctx, 'group'));
      const users = await pageOfUsers(ctx, group, { first, after });
      return { arn: group.arn, group, users, isTruncated: users.isTruncated, marker: users.marker };
    }),
    listGroups: guarded((caller, { input, first, after }, ctx) => 
      listGroups(ctx.db, ctx.deps.cursors, caller.accountId, input?.pathPrefix, { first, after })),
    listGroupsForUser: guarded(async (caller, { input, first, after }, ctx) => {
      const user = await findUser(ctx.db, caller.accountId, input.userName, namedReader(ctx, 'user'));
      return pageOfGroups(ctx, user, { first, after });
    }),
  },
  Mutation: {
    createGroup: guarded(async (caller, { input }, ctx) => ({ group: await createGroup(ctx.db, caller.accountId, input) })),
    updateGroup: guarded(async (principal, { input }, ctx) => {
      await updateGroup(ctx.db, principal.accountId, input, (resourceArn) =>
        ctx.deps.authorizer.authorize({ principal, action: 'iam:UpdateGroup', resourceArn }),
      );
      return true;
    }),
    deleteGroup: guarded(async (caller, { input }, ctx) => {
      await deleteGroup(ctx.db, caller.accountId, input.groupName);
      return true;
    }),
    addUserToGroup: guarded(async (caller, { input }, ctx) => {
      await addUserToGroup(ctx.db, caller.accountId, input.groupName, input.userName);
      return true;
    }),
    removeUserFromGroup: guarded(async (caller, { input }, ctx) => {
      await removeUserFromGroup(ctx.db, caller.accountId, input.groupName, input.userName);
      return true;
    }),
  },
  Group: {
    groupName: (group) => group.name,
    groupId: (group) => group.id,
    createDate: (group) => group.createdAt,
    users: (group, { first, after }, ctx) => pageOfUsers(ctx, group, { first, after }),
  },
  User: {
    groups: (user, { first, after }, ctx) => pageOfGroups(ctx, user, { first, after }),
  },
};
