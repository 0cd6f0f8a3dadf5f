// Managed policies attached to users, groups and roles, and the entities of a
// policy: thin resolvers over src/iam/attachments.ts, with batched nested fields.
import type { PolicyEntityConnection, Resolvers } from '../../generated/graphql.js';
import { guarded } from '../caller.js';
import type { Context } from '../../context.js';
import {
  type AttachedPolicyModel,
  type EntitiesForPolicyFilter,
  type PolicyEntityModel,
  type PolicyHolderKind,
  attachPolicy,
  attachedKey,
  attachedPoliciesOf,
  detachPolicy,
  entityKey,
  listAttachedPolicies,
  listEntitiesForPolicy,
} from '../../iam/attachments.js';
import { checkPathPrefix } from '../../iam/names.js';
import { defineLoader } from '../../db/loaders.js';
import { type Connection, type PageArgs, paginateList } from '../../db/pagination.js';

interface HolderKey {
  kind: PolicyHolderKind;
  id: string;
}

/** Attached policies of the users, groups and roles of one request: one query per kind. */
const attachedLoader = defineLoader<HolderKey, AttachedPolicyModel[], string>(
  'attachedPolicies',
  async ({ db, accountId }, keys) => {
    const results = new Map<string, AttachedPolicyModel[]>();
    for (const kind of ['user', 'group', 'role'] as const) {
      const ids = keys.filter((key) => key.kind === kind).map((key) => key.id);
      if (ids.length === 0) continue;
      for (const [id, list] of await attachedPoliciesOf(db, accountId, kind, ids)) results.set(`${kind}\0${id}`, list);
    }
    return keys.map((key) => results.get(`${key.kind}\0${key.id}`) ?? []);
  },
  { cacheKeyFn: (key) => `${key.kind}\0${key.id}` },
);

function nested(kind: PolicyHolderKind) {
  return async (entity: { id: string }, args: { input?: { pathPrefix?: string | null } | null }, ctx: Context) => {
    const prefix = checkPathPrefix(args.input?.pathPrefix);
    const list = await attachedLoader(ctx).load({ kind, id: entity.id });
    return list.filter((policy) => policy.path.startsWith(prefix));
  };
}

async function listPage(ctx: Context, accountId: string, kind: PolicyHolderKind, name: string, pathPrefix: string | null | undefined, page: PageArgs) {
  const { holder, policies } = await listAttachedPolicies(ctx.db, accountId, kind, name, pathPrefix);
  const scope = `${accountId}:listAttachedPolicies:${kind}:${holder.id}:${pathPrefix ?? '/'}`;
  const connection = await paginateList(ctx.deps.cursors, scope, page, attachedKey, policies);
  return { ...connection, attachedPolicies: connection.nodes };
}

/** A page of ListEntitiesForPolicy with AWS's PolicyGroups/PolicyUsers/PolicyRoles split out. */
export async function entityConnection(ctx: Context, accountId: string, policyArn: string, filter: EntitiesForPolicyFilter, page: PageArgs): Promise<Connection<PolicyEntityModel> & Pick<PolicyEntityConnection, 'policyGroups' | 'policyUsers' | 'policyRoles'>> {
  const entities = await listEntitiesForPolicy(ctx.db, accountId, policyArn, filter);
  const scope = `${accountId}:listEntitiesForPolicy:${policyArn}:${filter.entityFilter ?? ''}:${filter.policyUsageFilter ?? ''}:${filter.pathPrefix ?? '/'}`;
  const connection = await paginateList(ctx.deps.cursors, scope, page, entityKey, entities);
  const of = (type: PolicyEntityModel['entityType']) => connection.nodes.filter((e) => e.entityType === type);
  return {
    ...connection,
    policyGroups: of('Group').map((e) => ({ groupName: e.name, groupId: e.id })),
    policyUsers: of('User').map((e) => ({ userName: e.name, userId: e.id })),
    policyRoles: of('Role').map((e) => ({ roleName: e.name, roleId: e.id })),
  };
}

export const policyAttachmentResolvers: Resolvers = {
  Query: {
    listAttachedUserPolicies: guarded((caller, { input, first, after }, ctx) => listPage(ctx, caller.accountId, 'user', input.userName, input.pathPrefix, { first, after })),
    listAttachedGroupPolicies: guarded((caller, { input, first, after }, ctx) => listPage(ctx, caller.accountId, 'group', input.groupName, input.pathPrefix, { first, after })),
    listAttachedRolePolicies: guarded((caller, { input, first, after }, ctx) => listPage(ctx, caller.accountId, 'role', input.roleName, input.pathPrefix, { first, after })),
  },
  Mutation: {
    attachUserPolicy: guarded(async (caller, { input }, ctx) => {
      await attachPolicy(ctx.db, caller.accountId, 'user', input.userName, input.policyArn);
      return true;
    }),
    detachUserPolicy: guarded(async (caller, { input }, ctx) => {
      await detachPolicy(ctx.db, caller.accountId, 'user', input.userName, input.policyArn);
      return true;
    }),
    attachGroupPolicy: guarded(async (caller, { input }, ctx) => {
      await attachPolicy(ctx.db, caller.accountId, 'group', input.groupName, input.policyArn);
      return true;
    }),
    detachGroupPolicy: guarded(async (caller, { input }, ctx) => {
      await detachPolicy(ctx.db, caller.accountId, 'group', input.groupName, input.policyArn);
      return true;
    }),
    attachRolePolicy: guarded(async (caller, { input }, ctx) => {
      await attachPolicy(ctx.db, caller.accountId, 'role', input.roleName, input.policyArn);
      return true;
    }),
    detachRolePolicy: guarded(async (caller, { input }, ctx) => {
      await detachPolicy(ctx.db, caller.accountId, 'role', input.roleName, input.policyArn);
      return true;
    }),
  },
  User: { attachedPolicies: nested('user') },
  Group: { attachedPolicies: nested('group') },
  Role: { attachedPolicies: nested('role') },
};
