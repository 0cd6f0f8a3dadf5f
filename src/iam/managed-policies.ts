// Managed policies as the API shows them: customer-managed policies of the
// caller's account (rows of `Policy`) and AWS-managed ones (the shared catalog),
// behind one model. Creation, deletion, listing and tags of customer policies.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
import type { Db, DbTx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import {
  DeleteConflictError,
  EntityAlreadyExistsError,
  InvalidInputError,
  LimitExceededError,
  NoSuchEntityError,
  UnmodifiableEntityError,
} from '../errors.js';
import type { Policy as PolicyRow } from '../generated/prisma/client.js';
import { iamArn, parseIamArn } from './arn.js';
import { type AwsManagedPolicy, findAwsManagedPolicy, isAwsManagedArn, loadAwsManagedCatalog } from './aws-managed-policies.js';
import { newUniqueId } from './ids.js';
import { type TagInput, checkArn, checkDescription, checkName, checkPath, checkPathPrefix, literalPrefix } from './names.js';
import { checkPolicyDocument } from './policy-documents.js';
import { checkTagList, deleteAllTags, tagResource, untagResource } from './tags.js';

/** A managed policy, customer or AWS, as the GraphQL `Policy` type resolves it. */
export interface PolicyModel {
  /** Policy.id for customer policies; the derived `ANPA...` id for AWS ones. */
  id: string;
  /** The owning account; null for AWS-managed policies. */
  accountId: string | null;
  name: string;
  nameKey: string;
  path: string;
  arn: string;
  description: string | null;
  defaultVersionId: string;
  createDate: Date | string;
  updateDate: Date | string;
  isAwsManaged: boolean;
  isAttachable: boolean;
}

/** AWS's quota of customer-managed policies per account. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const MAX_POLICIES_PER_ACCOUNT = 1500;

export function policyFromRow(row: PolicyRow): PolicyModel {
  return {
    id: row.id,
    accountId: row.accountId,
    name: row.name,
    nameKey: row.nameKey,
    path: row.path,
    arn: row.arn,
    description: row.description,
    defaultVersionId: row.defaultVersionId,
    createDate: row.createdAt,
    updateDate: row.updatedAt,
    isAwsManaged: false,
    isAttachable: true,
  };
}

export function policyFromAws(policy: AwsManagedPolicy): PolicyModel {
  return {
    id: policy.policyId,
    accountId: null,
    name: policy.name,
    nameKey: policy.nameKey,
    path: policy.path,
    arn: policy.arn,
    description: null,
    defaultVersionId: policy.defaultVersionId,
    createDate: policy.createDate,
    updateDate: policy.updateDate,
    isAwsManaged: true,
    isAttachable: policy.isAttachable,
  };
}

/** AWS's NoSuchEntity for a policy ARN that names nothing visible to the account. */
export function policyNotFound(arn: string): NoSuchEntityError {
  return new NoSuchEntityError(`Policy ${arn} was not found.`);
}

/** AWS's refusal to change an AWS-managed policy. */
export function awsPolicyUnmodifiable(arn: string): UnmodifiableEntityError {
  return new UnmodifiableEntityError(`Policy ${arn} is an AWS managed policy and cannot be modified.`);
}

/** A `policyArn` parameter: an ARN (ValidationError) naming an IAM policy (InvalidInput otherwise, as AWS). */
export function checkPolicyArn(arn: string): string {
  checkArn(arn, 'policyArn');
  if (parseIamArn(arn)?.type !== 'policy') throw new InvalidInputError(`ARN ${arn} is not valid.`);
  return arn;
}

/** The policy `arn` as seen from `accountId`: its own customer policy or an AWS-managed one. */
export async function findPolicy(db: Db | DbTx, accountId: string, arn: string): Promise<PolicyModel | undefined> {
  checkPolicyArn(arn);
  if (isAwsManagedArn(arn)) {
    const aws = findAwsManagedPolicy(arn);
    return aws ? policyFromAws(aws) : undefined;
  }
  // INVARIANT: tenant isolation — the account is part of the lookup, never only the ARN.
  const row = await db.policy.findFirst({ where: { arn, accountId } });
  return row ? policyFromRow(row) : undefined;
}

/** Like findPolicy, but NoSuchEntity when absent. */
export async function requirePolicy(db: Db | DbTx, accountId: string, arn: string): Promise<PolicyModel> {
  const policy = await findPolicy(db, accountId, arn);
  if (!policy) throw policyNotFound(arn);
  return policy;
}

/**
 * Locks a customer policy row of the account (FOR UPDATE, or FOR SHARE) inside a
 * transaction and returns it, for the writes that change it: UnmodifiableEntity
 * for an AWS-managed policy, NoSuchEntity when the account has no such policy.
 */
export async function lockCustomerPolicy(tx: DbTx, accountId: string, arn: string, mode: 'update' | 'share' = 'update'): Promise<PolicyRow> {
  checkPolicyArn(arn);
  if (isAwsManagedArn(arn)) {
    if (findAwsManagedPolicy(arn)) throw awsPolicyUnmodifiable(arn);
    throw policyNotFound(arn);
  }
  const locked =
    mode === 'update'
      ? await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Policy" WHERE arn = ${arn} AND "accountId" = ${accountId} FOR UPDATE`
      : await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Policy" WHERE arn = ${arn} AND "accountId" = ${accountId} FOR SHARE`;
  const id = locked[0]?.id;
  const row = id ? await tx.policy.findUnique({ where: { id } }) : null;
  if (!row) throw policyNotFound(arn);
  return row;
}

export interface CreatePolicyInput {
  policyName: string;
  path?: string | null;
  policyDocument: string;
  description?: string | null;
  tags?: TagInput[] | null;
}

/** CreatePolicy: the policy and its version v1 (the default), with its tags, in one transaction. */
export async function createPolicy(db: Db, accountId: string, input: CreatePolicyInput): Promise<PolicyModel> {
  const name = checkName(input.policyName, 'policyName');
  const path = checkPath(input.path);
  const description = checkDescription(input.description);
  const tags = checkTagList(input.tags);
  checkPolicyDocument(input.policyDocument, 'managed');
  const arn = iamArn(accountId, 'policy', path, name);
  try {
    return await db.$transaction(async (tx) => {
      // Serialize creators of the account so the per-account quota holds under concurrency.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`policies:${accountId}`}, 0))`;
      const count = await tx.policy.count({ where: { accountId } });
      if (count >= MAX_POLICIES_PER_ACCOUNT) throw new LimitExceededError(`Cannot exceed quota for PoliciesPerAccount: ${MAX_POLICIES_PER_ACCOUNT}`);
      const row = await tx.policy.create({
        data: {
          id: newUniqueId('policy'),
          accountId,
          name,
          nameKey: name.toLowerCase(),
          path,
          arn,
          description: description ?? null,
          defaultVersionId: 'v1',
          nextVersion: 2,
          versions: { create: { versionId: 'v1', document: input.policyDocument } },
        },
      });
      await tagResource(tx, accountId, 'policy', row.id, tags);
      return policyFromRow(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new EntityAlreadyExistsError(`A policy called ${name} already exists. Duplicate names are not allowed.`, { cause: error });
    throw error;
  }
}

/**
 * DeletePolicy: refused while the policy is attached to an entity or is a
 * permissions boundary, and while it has versions besides the default.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html
 */
export async function deletePolicy(db: Db, accountId: string, arn: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const policy = await lockCustomerPolicy(tx, accountId, arn);
    const attached = await tx.policyAttachment.count({ where: { accountId, policyArn: arn } });
    const bounded =
      (await tx.user.count({ where: { accountId, permissionsBoundaryArn: arn } })) +
      (await tx.role.count({ where: { accountId, permissionsBoundaryArn: arn } }));
    if (attached + bounded > 0) throw new DeleteConflictError('Cannot delete a policy attached to entities.');
    const versions = await tx.policyVersion.count({ where: { policyId: policy.id } });
    if (versions > 1) {
      throw new DeleteConflictError("This policy has more than one version. Before you delete a policy, you must delete the policy's versions.");
    }
    await deleteAllTags(tx, 'policy', policy.id);
    await tx.policy.delete({ where: { id: policy.id } });
  });
}

export type PolicyScope = 'All' | 'AWS' | 'Local';
export type PolicyUsage = 'PermissionsPolicy' | 'PermissionsBoundary';

export interface ListPoliciesFilter {
  scope?: PolicyScope | null;
  onlyAttached?: boolean | null;
  pathPrefix?: string | null;
  policyUsageFilter?: PolicyUsage | null;
}

/** The list key of a policy: name order, ARN to separate a customer policy from an AWS one of the same name. */
export const policyListKey = (policy: PolicyModel): string => `${policy.nameKey}\u0000${policy.arn}`;

/**
 * ListPolicies, whole (a page is cut by the caller): the account's policies and/or the
 * catalog, filtered, ordered by name. `onlyAttached` keeps policies attached to an entity
 * of the account (`PermissionsPolicy`), used as a boundary (`PermissionsBoundary`), or either.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListPolicies.html
 */
export async function listPolicies(db: Db | DbTx, accountId: string, filter: ListPoliciesFilter): Promise<PolicyModel[]> {
  const scope = filter.scope ?? 'All';
  const pathPrefix = checkPathPrefix(filter.pathPrefix);
  const used = filter.onlyAttached ? await usedPolicyArns(db, accountId, filter.policyUsageFilter ?? undefined) : undefined;
  const result: PolicyModel[] = [];
  if (scope !== 'AWS') {
    const rows = await db.policy.findMany({
      where: { accountId, path: literalPrefix(pathPrefix), ...(used ? { arn: { in: [...used] } } : {}) },
    });
    result.push(...rows.map(policyFromRow));
  }
  if (scope !== 'Local') {
    for (const aws of loadAwsManagedCatalog().policies) {
      if (!aws.path.startsWith(pathPrefix)) continue;
      if (used && !used.has(aws.arn)) continue;
      result.push(policyFromAws(aws));
    }
  }
  return result.sort((a, b) => compare(policyListKey(a), policyListKey(b)));
}

/** ARNs of the managed policies the account's entities use (attached and/or as boundary). */
async function usedPolicyArns(db: Db | DbTx, accountId: string, usage: PolicyUsage | undefined): Promise<Set<string>> {
  const arns = new Set<string>();
  if (usage !== 'PermissionsBoundary') {
    const rows = await db.policyAttachment.findMany({ where: { accountId }, distinct: ['policyArn'], select: { policyArn: true } });
    for (const row of rows) arns.add(row.policyArn);
  }
  if (usage !== 'PermissionsPolicy') {
    const where = { accountId, permissionsBoundaryArn: { not: null } };
    const users = await db.user.findMany({ where, distinct: ['permissionsBoundaryArn'], select: { permissionsBoundaryArn: true } });
    const roles = await db.role.findMany({ where, distinct: ['permissionsBoundaryArn'], select: { permissionsBoundaryArn: true } });
    for (const row of [...users, ...roles]) arns.add(row.permissionsBoundaryArn!);
  }
  return arns;
}

export interface PolicyUsageCounts {
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
}

/** Attachment and boundary counts of several policies within one account (three grouped queries). */
export async function countPolicyUsage(db: Db | DbTx, accountId: string, arns: readonly string[]): Promise<Map<string, PolicyUsageCounts>> {
  const list = [...new Set(arns)];
  const counts = new Map<string, PolicyUsageCounts>(list.map((arn) => [arn, { attachmentCount: 0, permissionsBoundaryUsageCount: 0 }]));
  const attachments = await db.policyAttachment.groupBy({ by: ['policyArn'], where: { accountId, policyArn: { in: list } }, _count: { _all: true } });
  for (const row of attachments) counts.get(row.policyArn)!.attachmentCount = row._count._all;
  const where = { accountId, permissionsBoundaryArn: { in: list } };
  const users = await db.user.groupBy({ by: ['permissionsBoundaryArn'], where, _count: { _all: true } });
  const roles = await db.role.groupBy({ by: ['permissionsBoundaryArn'], where, _count: { _all: true } });
  for (const row of [...users, ...roles]) counts.get(row.permissionsBoundaryArn!)!.permissionsBoundaryUsageCount += row._count._all;
  return counts;
}

/** TagPolicy. AWS-managed policies cannot be tagged. */
export async function tagPolicy(db: Db, accountId: string, arn: string, tags: TagInput[]): Promise<void> {
  await db.$transaction(async (tx) => {
    const policy = await lockCustomerPolicy(tx, accountId, arn, 'share');
    await tagResource(tx, accountId, 'policy', policy.id, tags);
  });
}

/** UntagPolicy. */
export async function untagPolicy(db: Db, accountId: string, arn: string, keys: string[]): Promise<void> {
  await db.$transaction(async (tx) => {
    const policy = await lockCustomerPolicy(tx, accountId, arn, 'share');
    await untagResource(tx, accountId, 'policy', policy.id, keys);
  });
}

/** Code-point order (not the database collation): lists merged in memory must agree with their cursors. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
