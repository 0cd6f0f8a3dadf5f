// Instance profiles and the role ↔ instance profile links (InstanceProfile.roles,
// Role.instanceProfiles): thin resolvers over src/iam/instance-profiles.ts, with
// DataLoaders so nested lists cost one query per level.
import { namedReader } from '../../iam/named-entities.js';
import type { Resolvers } from '../../generated/graphql.js';
import { guarded } from '../caller.js';
import type { InstanceProfile, Role } from '../../generated/prisma/client.js';
import { requestFacts } from '../../context.js';
import {
  addRoleToInstanceProfile,
  createInstanceProfile,
  deleteInstanceProfile,
  fetchInstanceProfiles,
  fetchInstanceProfilesForRole,
  fetchInstanceProfilesOfRoles,
  findInstanceProfile,
  removeRoleFromInstanceProfile,
  tagInstanceProfile,
  untagInstanceProfile,
} from '../../iam/instance-profiles.js';
import { checkPathPrefix } from '../../iam/names.js';
import { fetchRolesByIds, findRole } from '../../iam/roles.js';
import { listTags, tagsLoader } from '../../iam/tags.js';
import { defineLoader, groupBy } from '../../db/loaders.js';
import { paginate, paginateList } from '../../db/pagination.js';

interface OwnedKey {
  accountId: string;
  id: string;
}

const ownedKey = (key: OwnedKey) => `${key.accountId}\0${key.id}`;

/** The role of each instance profile, by role id within the profile's account. */
const roleLoader = defineLoader<OwnedKey, Role | null, string>(
  'roleById',
  async ({ db }, keys) => {
    const rows = await fetchRolesByIds(db, keys);
    const byKey = new Map(rows.map((row) => [ownedKey(row), row]));
    return keys.map((key) => byKey.get(ownedKey(key)) ?? null);
  },
  { cacheKeyFn: ownedKey },
);

/** The instance profiles that hold each role, ordered by name. */
const profilesOfRoleLoader = defineLoader<OwnedKey, InstanceProfile[], string>(
  'instanceProfilesByRole',
  async ({ db }, keys) => {
    const rows = await fetchInstanceProfilesOfRoles(db, keys);
    return groupBy(keys.map(ownedKey), rows, (row) => `${row.accountId}\0${row.roleId}`);
  },
  { cacheKeyFn: ownedKey },
);

export const instanceProfileResolvers: Resolvers = {
  Query: {
    getInstanceProfile: guarded(async ({ accountId }, { input }, ctx) => {
      return { instanceProfile: await findInstanceProfile(ctx.db, accountId, input.instanceProfileName, namedReader(ctx, 'instanceProfile')) };
    }),
    listInstanceProfiles: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const pathPrefix = checkPathPrefix(input?.pathPrefix);
      return paginate<InstanceProfile>(ctx.deps.cursors, `${accountId}:listInstanceProfiles:${pathPrefix}`, { first, after }, (profile) => profile.nameKey, (afterKey, take) =>
        fetchInstanceProfiles(ctx.db, accountId, pathPrefix, afterKey, take),
      );
    }),
    listInstanceProfilesForRole: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const role = await findRole(ctx.db, accountId, input.roleName, namedReader(ctx, 'role'));
      return paginate<InstanceProfile>(ctx.deps.cursors, `${accountId}:listInstanceProfilesForRole:${role.id}`, { first, after }, (profile) => profile.nameKey, (afterKey, take) =>
        fetchInstanceProfilesForRole(ctx.db, accountId, role.id, afterKey, take),
      );
    }),
    listInstanceProfileTags: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const profile = await findInstanceProfile(ctx.db, accountId, input.instanceProfileName, namedReader(ctx, 'instanceProfile'));
      const tags = await listTags(ctx.db, 'instance-profile', profile.id);
      return paginateList(ctx.deps.cursors, `${accountId}:listInstanceProfileTags:${profile.id}`, { first, after }, (tag) => tag.key.toLowerCase(), tags);
    }),
  },
  Mutation: {
    createInstanceProfile: guarded(async ({ accountId }, { input }, ctx) => {
      return { instanceProfile: await createInstanceProfile(ctx.db, accountId, input) };
    }),
    addRoleToInstanceProfile: guarded(async (principal, { input }, ctx) => {
      const { accountId } = principal;
      // AWS: the caller must also be allowed to pass the role (iam:PassRole on the role's ARN).
      // https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html
      const role = await findRole(ctx.db, accountId, input.roleName);
      await ctx.deps.authorizer.authorize({
        principal,
        action: 'iam:PassRole',
        resourceArn: role.arn,
        context: { 'iam:PassedToService': 'ec2.amazonaws.com' },
        request: requestFacts(ctx),
      });
      await addRoleToInstanceProfile(ctx.db, accountId, input.instanceProfileName, input.roleName);
      return true;
    }),
    removeRoleFromInstanceProfile: guarded(async ({ accountId }, { input }, ctx) => {
      await removeRoleFromInstanceProfile(ctx.db, accountId, input.instanceProfileName, input.roleName);
      return true;
    }),
    deleteInstanceProfile: guarded(async ({ accountId }, { input }, ctx) => {
      await deleteInstanceProfile(ctx.db, accountId, input.instanceProfileName);
      return true;
    }),
    tagInstanceProfile: guarded(async ({ accountId }, { input }, ctx) => {
      await tagInstanceProfile(ctx.db, accountId, input.instanceProfileName, input.tags);
      return true;
    }),
    untagInstanceProfile: guarded(async ({ accountId }, { input }, ctx) => {
      await untagInstanceProfile(ctx.db, accountId, input.instanceProfileName, input.tagKeys);
      return true;
    }),
  },
  InstanceProfile: {
    instanceProfileName: (profile) => profile.name,
    instanceProfileId: (profile) => profile.id,
    createDate: (profile) => profile.createdAt,
    roles: async (profile, _args, ctx) => {
      if (!profile.roleId) return [];
      const role = await roleLoader(ctx).load({ accountId: profile.accountId, id: profile.roleId });
      return role ? [role] : [];
    },
    tags: (profile, _args, ctx) => tagsLoader(ctx).load({ resourceType: 'instance-profile', resourceId: profile.id }),
  },
  Role: {
    instanceProfiles: async (role, { first, after }, ctx) => {
      const profiles = await profilesOfRoleLoader(ctx).load({ accountId: role.accountId, id: role.id });
      return paginateList(ctx.deps.cursors, `${role.accountId}:Role.instanceProfiles:${role.id}`, { first, after }, (profile) => profile.nameKey, profiles);
    },
  },
};
