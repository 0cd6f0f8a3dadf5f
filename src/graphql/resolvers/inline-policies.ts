// Inline policies of users, groups and roles: thin resolvers over
// src/iam/inline-policies.ts, with batched nested `inlinePolicies` fields.
import type { Resolvers } from '../../generated/graphql.js';
import { guarded } from '../caller.js';
import type { Context } from '../../context.js';
import type { PolicyHolderKind } from '../../iam/attachments.js';
import {
  type InlinePolicyModel,
  deleteInlinePolicy,
  getInlinePolicy,
  inlinePoliciesOf,
  listInlinePolicyNames,
  putInlinePolicy,
} from '../../iam/inline-policies.js';
import { defineLoader } from '../../db/loaders.js';
import { type PageArgs, paginateList } from '../../db/pagination.js';

interface HolderRef {
  kind: PolicyHolderKind;
  id: string;
  arn: string;
  name: string;
}

/** Inline policies of the users, groups and roles of one request: one query per kind. */
const inlineLoader = defineLoader<HolderRef, InlinePolicyModel[], string>(
  'inlinePolicies',
  async ({ db, accountId }, keys) => {
    const results = new Map<string, InlinePolicyModel[]>();
    for (const kind of ['user', 'group', 'role'] as const) {
      const entities = keys.filter((key) => key.kind === kind);
      if (entities.length === 0) continue;
      for (const [id, list] of await inlinePoliciesOf(db, accountId, kind, entities)) results.set(`${kind}\0${id}`, list);
    }
    return keys.map((key) => results.get(`${key.kind}\0${key.id}`) ?? []);
  },
  { cacheKeyFn: (key) => `${key.kind}\0${key.id}` },
);

function nested(kind: PolicyHolderKind) {
  return (entity: { id: string; arn: string; name: string }, _args: unknown, ctx: Context) =>
    inlineLoader(ctx).load({ kind, id: entity.id, arn: entity.arn, name: entity.name });
}

async function listPage(ctx: Context, accountId: string, kind: PolicyHolderKind, entityName: string, page: PageArgs) {
  const { holder, names } = await listInlinePolicyNames(ctx.db, accountId, kind, entityName);
  const connection = await paginateList(ctx.deps.cursors, `${accountId}:listInlinePolicies:${kind}:${holder.id}`, page, (name: string) => name, names);
  return { ...connection, policyNames: connection.nodes };
}

async function get(ctx: Context, accountId: string, kind: PolicyHolderKind, entityName: string, policyName: string) {
  return getInlinePolicy(ctx.db, accountId, kind, entityName, policyName);
}

async function put(ctx: Context, accountId: string, kind: PolicyHolderKind, entityName: string, policyName: string, policyDocument: string) {
  await putInlinePolicy(ctx.db, accountId, kind, entityName, policyName, policyDocument, ctx.deps.clock.now());
  return true;
}

async function remove(ctx: Context, accountId: string, kind: PolicyHolderKind, entityName: string, policyName: string) {
  await deleteInlinePolicy(ctx.db, accountId, kind, entityName, policyName);
  return true;
}

export const inlinePolicyResolvers: Resolvers = {
  Query: {
    getUserPolicy: guarded(async (caller, { input }, ctx) => {
      const p = await get(ctx, caller.accountId, 'user', input.userName, input.policyName);
      return { userName: p.entityName, policyName: p.policyName, policyDocument: p.policyDocument };
    }),
    getGroupPolicy: guarded(async (caller, { input }, ctx) => {
      const p = await get(ctx, caller.accountId, 'group', input.groupName, input.policyName);
      return { groupName: p.entityName, policyName: p.policyName, policyDocument: p.policyDocument };
    }),
    getRolePolicy: guarded(async (caller, { input }, ctx) => {
      const p = await get(ctx, caller.accountId, 'role', input.roleName, input.policyName);
      return { roleName: p.entityName, policyName: p.policyName, policyDocument: p.policyDocument };
    }),
    listUserPolicies: guarded((caller, { input, first, after }, ctx) => listPage(ctx, caller.accountId, 'user', input.userName, { first, after })),
    listGroupPolicies: guarded((caller, { input, first, after }, ctx) => listPage(ctx, caller.accountId, 'group', input.groupName, { first, after })),
    listRolePolicies: guarded((caller, { input, first, after }, ctx) => listPage(ctx, caller.accountId, 'role', input.roleName, { first, after })),
  },
  Mutation: {
    putUserPolicy: guarded((caller, { input }, ctx) => put(ctx, caller.accountId, 'user', input.userName, input.policyName, input.policyDocument)),
    putGroupPolicy: guarded((caller, { input }, ctx) => put(ctx, caller.accountId, 'group', input.groupName, input.policyName, input.policyDocument)),
    putRolePolicy: guarded((caller, { input }, ctx) => put(ctx, caller.accountId, 'role', input.roleName, input.policyName, input.policyDocument)),
    deleteUserPolicy: guarded((caller, { input }, ctx) => remove(ctx, caller.accountId, 'user', input.userName, input.policyName)),
    deleteGroupPolicy: guarded((caller, { input }, ctx) => remove(ctx, caller.accountId, 'group', input.groupName, input.policyName)),
    deleteRolePolicy: guarded((caller, { input }, ctx) => remove(ctx, caller.accountId, 'role', input.roleName, input.policyName)),
  },
  User: { inlinePolicies: nested('user') },
  Group: { inlinePolicies: nested('group') },
  Role: { inlinePolicies: nested('role') },
};
