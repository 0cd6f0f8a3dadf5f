// Roles and permissions boundaries: thin resolvers over src/iam/roles.ts (a role's
// boundary) and src/iam/users.ts (a user's). Every lookup is scoped to the caller's
// account; every multi-step write runs in one transaction.
import { namedReader } from '../../iam/named-entities.js';
import type { Resolvers } from '../../generated/graphql.js';
import { guarded } from '../caller.js';
import type { Role } from '../../generated/prisma/client.js';
import { checkPathPrefix } from '../../iam/names.js';
import { PERMISSIONS_BOUNDARY_TYPE } from '../../iam/permissions-boundaries.js';
import {
  createRole,
  deleteRole,
  deleteRolePermissionsBoundary,
  fetchRoles,
  findRole,
  putRolePermissionsBoundary,
  tagRole,
  untagRole,
  updateAssumeRolePolicy,
  updateRole,
} from '../../iam/roles.js';
import { deleteUserPermissionsBoundary, putUserPermissionsBoundary } from '../../iam/users.js';
import { listTags, tagsLoader } from '../../iam/tags.js';
import { paginate, paginateList } from '../../db/pagination.js';

export const roleResolvers: Resolvers = {
  Query: {
    getRole: guarded(async ({ accountId }, { input }, ctx) => {
      return { role: await findRole(ctx.db, accountId, input.roleName, namedReader(ctx, 'role')) };
    }),
    listRoles: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const pathPrefix = checkPathPrefix(input?.pathPrefix);
      return paginate<Role>(ctx.deps.cursors, `${accountId}:listRoles:${pathPrefix}`, { first, after }, (role) => role.nameKey, (afterKey, take) =>
        fetchRoles(ctx.db, accountId, pathPrefix, afterKey, take),
      );
    }),
    listRoleTags: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const role = await findRole(ctx.db, accountId, input.roleName, namedReader(ctx, 'role'));
      const tags = await listTags(ctx.db, 'role', role.id);
      return paginateList(ctx.deps.cursors, `${accountId}:listRoleTags:${role.id}`, { first, after }, (tag) => tag.key.toLowerCase(), tags);
    }),
  },
  Mutation: {
    createRole: guarded(async ({ accountId }, { input }, ctx) => {
      return { role: await createRole(ctx.db, accountId, input) };
    }),
    updateRole: guarded(async ({ accountId }, { input }, ctx) => {
      await updateRole(ctx.db, accountId, input);
      return true;
    }),
    updateRoleDescription: guarded(async ({ accountId }, { input }, ctx) => {
      return { role: await updateRole(ctx.db, accountId, { roleName: input.roleName, description: input.description }) };
    }),
    updateAssumeRolePolicy: guarded(async ({ accountId }, { input }, ctx) => {
      await updateAssumeRolePolicy(ctx.db, accountId, input.roleName, input.policyDocument);
      return true;
    }),
    deleteRole: guarded(async ({ accountId }, { input }, ctx) => {
      await deleteRole(ctx.db, accountId, input.roleName, ctx.deps.clock.now());
      return true;
    }),
    tagRole: guarded(async ({ accountId }, { input }, ctx) => {
      await tagRole(ctx.db, accountId, input.roleName, input.tags);
      return true;
    }),
    untagRole: guarded(async ({ accountId }, { input }, ctx) => {
      await untagRole(ctx.db, accountId, input.roleName, input.tagKeys);
      return true;
    }),
    putRolePermissionsBoundary: guarded(async ({ accountId }, { input }, ctx) => {
      await putRolePermissionsBoundary(ctx.db, accountId, input.roleName, input.permissionsBoundary);
      return true;
    }),
    deleteRolePermissionsBoundary: guarded(async ({ accountId }, { input }, ctx) => {
      await deleteRolePermissionsBoundary(ctx.db, accountId, input.roleName);
      return true;
    }),
    putUserPermissionsBoundary: guarded(async ({ accountId }, { input }, ctx) => {
      await putUserPermissionsBoundary(ctx.db, accountId, input.userName, input.permissionsBoundary);
      return true;
    }),
    deleteUserPermissionsBoundary: guarded(async ({ accountId }, { input }, ctx) => {
      await deleteUserPermissionsBoundary(ctx.db, accountId, input.userName);
      return true;
    }),
  },
  Role: {
    roleName: (role) => role.name,
    roleId: (role) => role.id,
    createDate: (role) => role.createdAt,
    assumeRolePolicyDocument: (role) => role.assumeRolePolicy,
    permissionsBoundary: (role) =>
      role.permissionsBoundaryArn ? { permissionsBoundaryType: PERMISSIONS_BOUNDARY_TYPE, permissionsBoundaryArn: role.permissionsBoundaryArn } : null,
    roleLastUsed: (role) => ({ lastUsedDate: role.lastUsedAt, region: role.lastUsedRegion }),
    tags: (role, _args, ctx) => tagsLoader(ctx).load({ resourceType: 'role', resourceId: role.id }),
  },
};
