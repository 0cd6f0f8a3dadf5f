// Roles and permissions boundaries: thin resolvers over src/iam/roles.ts (a role's
// boundary) and src/iam/users.ts (a user's). Every lookup is scoped to the caller's
// account; every multi-step write runs in one transaction.
import { namedReader } from '../../iam/named-entities.js';
import type { Resolvers } from '../../generated/graphql.js';
import type { Role } from '../../generated/prisma/client.js';
import { requirePrincipal } from '../../context.js';
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
    getRole: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      return { role: await findRole(ctx.db, accountId, input.roleName, namedReader(ctx, 'role')) };
    },
    listRoles: async (_parent, { input, first, after }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      const pathPrefix = checkPathPrefix(input?.pathPrefix);
      return paginate<Role>(ctx.deps.cursors, `${accountId}:listRoles:${pathPrefix}`, { first, after }, (role) => role.nameKey, (afterKey, take) =>
        fetchRoles(ctx.db, accountId, pathPrefix, afterKey, take),
      );
    },
    listRoleTags: async (_parent, { input, first, after }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      const role = await findRole(ctx.db, accountId, input.roleName, namedReader(ctx, 'role'));
      const tags = await listTags(ctx.db, 'role', role.id);
      return paginateList(ctx.deps.cursors, `${accountId}:listRoleTags:${role.id}`, { first, after }, (tag) => tag.key.toLowerCase(), tags);
    },
  },
  Mutation: {
    createRole: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      return { role: await createRole(ctx.db, accountId, input) };
    },
    updateRole: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      await updateRole(ctx.db, accountId, input);
      return true;
    },
    updateRoleDescription: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      return { role: await updateRole(ctx.db, accountId, { roleName: input.roleName, description: input.description }) };
    },
    updateAssumeRolePolicy: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      await updateAssumeRolePolicy(ctx.db, accountId, input.roleName, input.policyDocument);
      return true;
    },
    deleteRole: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      await deleteRole(ctx.db, accountId, input.roleName);
      return true;
    },
    tagRole: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      await tagRole(ctx.db, accountId, input.roleName, input.tags);
      return true;
    },
    untagRole: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      await untagRole(ctx.db, accountId, input.roleName, input.tagKeys);
      return true;
    },
    putRolePermissionsBoundary: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      await putRolePermissionsBoundary(ctx.db, accountId, input.roleName, input.permissionsBoundary);
      return true;
    },
    deleteRolePermissionsBoundary: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      await deleteRolePermissionsBoundary(ctx.db, accountId, input.roleName);
      return true;
    },
    putUserPermissionsBoundary: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      await putUserPermissionsBoundary(ctx.db, accountId, input.userName, input.permissionsBoundary);
      return true;
    },
    deleteUserPermissionsBoundary: async (_parent, { input }, ctx) => {
      const { accountId } = requirePrincipal(ctx);
      await deleteUserPermissionsBoundary(ctx.db, accountId, input.userName);
      return true;
    },
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
