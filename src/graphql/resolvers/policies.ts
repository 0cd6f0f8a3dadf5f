// Managed policies, their versions and tags: thin resolvers over
// src/iam/{managed-policies,policy-versions}.ts. Every lookup is scoped to the
// caller's account; AWS-managed policies come from the shared catalog.
import type { Resolvers } from '../../generated/graphql.js';
import { guarded } from '../caller.js';
import {
  type PolicyModel,
  type PolicyUsageCounts,
  countPolicyUsage,
  createPolicy,
  deletePolicy,
  listPolicies,
  policyListKey,
  requirePolicy,
  tagPolicy,
  untagPolicy,
} from '../../iam/managed-policies.js';
import {
  type PolicyVersionModel,
  createPolicyVersion,
  defaultVersionsOf,
  deletePolicyVersion,
  getPolicyVersion,
  listPolicyVersions,
  setDefaultPolicyVersion,
  versionsOf,
} from '../../iam/policy-versions.js';
import { listTags, tagsLoader } from '../../iam/tags.js';
import { defineLoader } from '../../db/loaders.js';
import { paginateList } from '../../db/pagination.js';
import { entityConnection, policyAttachmentResolvers } from './policy-attachments.js';
import { inlinePolicyResolvers } from './inline-policies.js';

/** Attachment and boundary counts of the policies of one request, in one round of queries. */
const usageLoader = defineLoader<string, PolicyUsageCounts>('policyUsage', async ({ db, accountId }, arns) => {
  const counts = await countPolicyUsage(db, accountId, arns);
  return arns.map((arn) => counts.get(arn)!);
});

/** Default versions of the policies of one request. */
const defaultVersionLoader = defineLoader<string, PolicyVersionModel | null>('policyDefaultVersion', async ({ db, accountId }, arns) => {
  const found = await defaultVersionsOf(db, accountId, arns);
  return arns.map((arn) => found.get(arn) ?? null);
});

/** Versions of the policies of one request (nested `Policy.versions`): one query for all customer policies. */
const versionsLoader = defineLoader<string, PolicyVersionModel[]>('policyVersions', async ({ db, accountId }, arns) => {
  const found = await versionsOf(db, accountId, arns);
  return arns.map((arn) => found.get(arn) ?? []);
});

/** List key of a version, increasing from newest to oldest (v10 before v9). */
const versionKey = (version: PolicyVersionModel) => String(1e9 - Number(version.versionId.slice(1))).padStart(10, '0');

const managedPolicyResolvers: Resolvers = {
  Query: {
    getPolicy: guarded(async ({ accountId }, { input }, ctx) => {
      return { policy: await requirePolicy(ctx.db, accountId, input.policyArn) };
    }),
    listPolicies: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const filter = { scope: input?.scope, onlyAttached: input?.onlyAttached, pathPrefix: input?.pathPrefix, policyUsageFilter: input?.policyUsageFilter };
      const policies = await listPolicies(ctx.db, accountId, filter);
      const scope = `${accountId}:listPolicies:${filter.scope ?? 'All'}:${filter.onlyAttached ? 1 : 0}:${filter.policyUsageFilter ?? ''}:${filter.pathPrefix ?? '/'}`;
      return paginateList(ctx.deps.cursors, scope, { first, after }, policyListKey, policies);
    }),
    getPolicyVersion: guarded(async ({ accountId }, { input }, ctx) => {
      return { policyVersion: await getPolicyVersion(ctx.db, accountId, input.policyArn, input.versionId) };
    }),
    listPolicyVersions: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const versions = await listPolicyVersions(ctx.db, accountId, input.policyArn);
      return paginateList(ctx.deps.cursors, `${accountId}:listPolicyVersions:${input.policyArn}`, { first, after }, versionKey, versions);
    }),
    listPolicyTags: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const policy = await requirePolicy(ctx.db, accountId, input.policyArn);
      const tags = policy.isAwsManaged ? [] : await listTags(ctx.db, 'policy', policy.id);
      return paginateList(ctx.deps.cursors, `${accountId}:listPolicyTags:${policy.arn}`, { first, after }, (tag) => tag.key.toLowerCase(), tags);
    }),
    listEntitiesForPolicy: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const { policyArn, ...filter } = input;
      return entityConnection(ctx, accountId, policyArn, filter, { first, after });
    }),
  },
  Mutation: {
    createPolicy: guarded(async ({ accountId }, { input }, ctx) => {
      return { policy: await createPolicy(ctx.db, accountId, input) };
    }),
    deletePolicy: guarded(async ({ accountId }, { input }, ctx) => {
      await deletePolicy(ctx.db, accountId, input.policyArn);
      return true;
    }),
    createPolicyVersion: guarded(async ({ accountId }, { input }, ctx) => {
      return { policyVersion: await createPolicyVersion(ctx.db, accountId, input, ctx.deps.clock.now()) };
    }),
    deletePolicyVersion: guarded(async ({ accountId }, { input }, ctx) => {
      await deletePolicyVersion(ctx.db, accountId, input.policyArn, input.versionId);
      return true;
    }),
    setDefaultPolicyVersion: guarded(async ({ accountId }, { input }, ctx) => {
      await setDefaultPolicyVersion(ctx.db, accountId, input.policyArn, input.versionId, ctx.deps.clock.now());
      return true;
    }),
    tagPolicy: guarded(async ({ accountId }, { input }, ctx) => {
      await tagPolicy(ctx.db, accountId, input.policyArn, input.tags);
      return true;
    }),
    untagPolicy: guarded(async ({ accountId }, { input }, ctx) => {
      await untagPolicy(ctx.db, accountId, input.policyArn, input.tagKeys);
      return true;
    }),
  },
  Policy: {
    policyName: (policy: PolicyModel) => policy.name,
    policyId: (policy: PolicyModel) => policy.id,
    description: (policy: PolicyModel) => policy.description,
    attachmentCount: async (policy: PolicyModel, _args, ctx) => (await usageLoader(ctx).load(policy.arn)).attachmentCount,
    permissionsBoundaryUsageCount: async (policy: PolicyModel, _args, ctx) => (await usageLoader(ctx).load(policy.arn)).permissionsBoundaryUsageCount,
    tags: (policy: PolicyModel, _args, ctx) => (policy.isAwsManaged ? [] : tagsLoader(ctx).load({ resourceType: 'policy', resourceId: policy.id })),
    versions: guarded(async ({ accountId }, { first, after }, ctx, policy: PolicyModel) => {
      const versions = await versionsLoader(ctx).load(policy.arn);
      return paginateList(ctx.deps.cursors, `${accountId}:listPolicyVersions:${policy.arn}`, { first, after }, versionKey, versions);
    }),
    defaultVersion: async (policy: PolicyModel, _args, ctx) => {
      const version = await defaultVersionLoader(ctx).load(policy.arn);
      if (!version) throw new Error(`Policy ${policy.arn} has no default version`);
      return version;
    },
    entities: guarded(({ accountId }, { input, first, after }, ctx, policy: PolicyModel) =>
      entityConnection(ctx, accountId, policy.arn, input ?? {}, { first, after }),
    ),
  },
  PolicyVersion: {
    document: (version: PolicyVersionModel) => version.document,
  },
};

/** The whole policies area: managed policies, attachments and inline policies (one entry in resolvers/index.ts). */
export const policyResolvers: Resolvers = combine([managedPolicyResolvers, policyAttachmentResolvers, inlinePolicyResolvers]);

function combine(maps: Resolvers[]): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of maps) {
    for (const [type, fields] of Object.entries(map)) Object.assign((merged[type] ??= {}), fields);
  }
  return merged as Resolvers;
}
