// Users, their tags, login profiles and access keys, and account aliases: thin
// resolvers over src/iam/{users,tags,login-profiles,access-keys,account-aliases}.ts.
// Every lookup is scoped to the caller's account.
import { namedReader } from '../../iam/named-entities.js';
import type { Resolvers, StatusType } from '../../generated/graphql.js';
import { guarded } from '../caller.js';
import type { User } from '../../generated/prisma/client.js';
import type { Principal } from '../../sessions/principal.js';
import { checkPathPrefix } from '../../iam/names.js';
import { listTags, tagsLoader } from '../../iam/tags.js';
import {
  type Caller,
  createUser,
  deleteUser,
  findTargetUser,
  findUser,
  listUsersPage,
  rootUser,
  tagUser,
  untagUser,
  updateUser,
  userNamesByIds,
} from '../../iam/users.js';
import {
  type LoginProfileRecord,
  createLoginProfile,
  deleteLoginProfile,
  getLoginProfile,
  loginProfilesOf,
  updateLoginProfile,
} from '../../iam/login-profiles.js';
import {
  type AccessKeyRecord,
  accessKeysOf,
  createAccessKey,
  deleteAccessKey,
  getAccessKeyLastUsed,
  listAccessKeysPage,
  updateAccessKey,
} from '../../iam/access-keys.js';
import { createAccountAlias, deleteAccountAlias, listAccountAliases } from '../../iam/account-aliases.js';
import { defineLoader, groupBy } from '../../db/loaders.js';
import { paginate, paginateList } from '../../db/pagination.js';

const callerOf = (principal: Principal): Caller => ({ kind: principal.kind, accountId: principal.accountId, userId: principal.userId });

/** User names by user id (the `userName` of login profiles and access keys). */
const userNameLoader = defineLoader<string, string>('userNameById', async ({ db }, ids) => {
  const names = await userNamesByIds(db, ids);
  return ids.map((id) => names.get(id) ?? new Error(`No user ${id}`));
});

const loginProfileLoader = defineLoader<string, LoginProfileRecord | null>('loginProfileByUser', async ({ db }, ids) => {
  const profiles = await loginProfilesOf(db, ids);
  return ids.map((id) => profiles.get(id) ?? null);
});

const accessKeysLoader = defineLoader<string, AccessKeyRecord[]>('accessKeysByUser', async ({ db }, ids) =>
  groupBy(ids, await accessKeysOf(db, ids), (key) => key.userId),
);

export const userResolvers: Resolvers = {
  Query: {
    getUser: guarded(async (principal, { input }, ctx) => {
      if (!input?.userName && principal.kind === 'root') return { user: await rootUser(ctx.db, principal.accountId) };
      return { user: await findTargetUser(ctx.db, callerOf(principal), input?.userName, namedReader(ctx, 'user')) };
    }),
    listUsers: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const pathPrefix = checkPathPrefix(input?.pathPrefix);
      return paginate(ctx.deps.cursors, `${accountId}:listUsers:${pathPrefix}`, { first, after }, (user: User) => user.nameKey, (afterKey, take) =>
        listUsersPage(ctx.db, accountId, pathPrefix, afterKey, take),
      );
    }),
    listUserTags: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const user = await findUser(ctx.db, accountId, input.userName, namedReader(ctx, 'user'));
      const tags = await listTags(ctx.db, 'user', user.id);
      return paginateList(ctx.deps.cursors, `${accountId}:listUserTags:${user.id}`, { first, after }, (tag) => tag.key.toLowerCase(), tags);
    }),
    getLoginProfile: guarded(async (principal, { input }, ctx) => {
      return { loginProfile: await getLoginProfile(ctx.db, callerOf(principal), input?.userName) };
    }),
    listAccessKeys: guarded(async (principal, { input, first, after }, ctx) => {
      const user = await findTargetUser(ctx.db, callerOf(principal), input?.userName, namedReader(ctx, 'user'));
      return paginate(ctx.deps.cursors, `${principal.accountId}:listAccessKeys:${user.id}`, { first, after }, (key: AccessKeyRecord) => key.id, (afterKey, take) =>
        listAccessKeysPage(ctx.db, user, afterKey, take),
      );
    }),
    getAccessKeyLastUsed: guarded(async (principal, { input }, ctx) => {
      // The guard authorized iam:GetAccessKeyLastUsed on the key owner's ARN (accessKeyOwner template).
      const result = await getAccessKeyLastUsed(ctx.db, principal.accountId, input.accessKeyId);
      return { userName: result.userName, accessKeyLastUsed: result.accessKeyLastUsed };
    }),
    listAccountAliases: guarded(async ({ accountId }, { first, after }, ctx) => {
      const aliases = await listAccountAliases(ctx.db, accountId);
      return paginateList(ctx.deps.cursors, `${accountId}:listAccountAliases`, { first, after }, (alias) => alias, aliases);
    }),
  },
  Mutation: {
    createUser: guarded(async ({ accountId }, { input }, ctx) => {
      return { user: await createUser(ctx.db, accountId, input) };
    }),
    updateUser: guarded(async ({ accountId }, { input }, ctx) => {
      await updateUser(ctx.db, accountId, input);
      return true;
    }),
    deleteUser: guarded(async ({ accountId }, { input }, ctx) => {
      await deleteUser(ctx.db, accountId, input.userName, ctx.deps.clock.now());
      return true;
    }),
    tagUser: guarded(async ({ accountId }, { input }, ctx) => {
      await tagUser(ctx.db, accountId, input.userName, input.tags);
      return true;
    }),
    untagUser: guarded(async ({ accountId }, { input }, ctx) => {
      await untagUser(ctx.db, accountId, input.userName, input.tagKeys);
      return true;
    }),
    createLoginProfile: guarded(async ({ accountId }, { input }, ctx) => {
      return { loginProfile: await createLoginProfile(ctx.db, ctx.deps.passwords, accountId, input) };
    }),
    updateLoginProfile: guarded(async ({ accountId }, { input }, ctx) => {
      await updateLoginProfile(ctx.db, ctx.deps.passwords, accountId, input, ctx.deps.clock.now());
      return true;
    }),
    deleteLoginProfile: guarded(async ({ accountId }, { input }, ctx) => {
      await deleteLoginProfile(ctx.db, accountId, input.userName, ctx.deps.clock.now());
      return true;
    }),
    createAccessKey: guarded(async (principal, { input }, ctx) => {
      return { accessKey: await createAccessKey(ctx.db, ctx.deps.sealer, callerOf(principal), input?.userName) };
    }),
    updateAccessKey: guarded(async (principal, { input }, ctx) => {
      await updateAccessKey(ctx.db, callerOf(principal), input, ctx.deps.clock.now());
      return true;
    }),
    deleteAccessKey: guarded(async (principal, { input }, ctx) => {
      await deleteAccessKey(ctx.db, callerOf(principal), input, ctx.deps.clock.now());
      return true;
    }),
    createAccountAlias: guarded(async ({ accountId }, { input }, ctx) => {
      await createAccountAlias(ctx.db, accountId, input.accountAlias);
      return true;
    }),
    deleteAccountAlias: guarded(async ({ accountId }, { input }, ctx) => {
      await deleteAccountAlias(ctx.db, accountId, input.accountAlias);
      return true;
    }),
  },
  User: {
    userName: (user) => user.name,
    userId: (user) => user.id,
    createDate: (user) => user.createdAt,
    permissionsBoundary: (user) =>
      user.permissionsBoundaryArn ? { permissionsBoundaryType: 'PermissionsBoundaryPolicy', permissionsBoundaryArn: user.permissionsBoundaryArn } : null,
    tags: (user, _args, ctx) => tagsLoader(ctx).load({ resourceType: 'user', resourceId: user.id }),
    loginProfile: (user, _args, ctx) => loginProfileLoader(ctx).load(user.id),
    accessKeys: (user, _args, ctx) => accessKeysLoader(ctx).load(user.id),
  },
  LoginProfile: {
    userName: (profile, _args, ctx) => userNameLoader(ctx).load(profile.userId),
    createDate: (profile) => profile.createdAt,
  },
  AccessKeyMetadata: {
    userName: (key, _args, ctx) => userNameLoader(ctx).load(key.userId),
    accessKeyId: (key) => key.id,
    status: (key) => key.status as StatusType,
    createDate: (key) => key.createdAt,
  },
};
