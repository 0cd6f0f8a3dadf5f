// Versions of managed policies: at most five per customer policy, ids never
// reused (Policy.nextVersion), exactly one default. AWS-managed policies' versions
// come from the catalog and cannot be changed.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html
import type { Db, DbTx } from '../db/client.js';
import { DeleteConflictError, LimitExceededError, NoSuchEntityError } from '../errors.js';
import { bumpPolicyEpoch } from './policy-epoch.js';
import { findAwsManagedPolicy, getAwsManagedPolicyVersion, isAwsManagedArn, listAwsManagedPolicyVersions } from './aws-managed-policies.js';
import { checkPolicyArn, lockCustomerPolicy, requirePolicy } from './managed-policies.js';
import { checkString } from './names.js';
import { checkPolicyDocument } from './policy-documents.js';

/** A policy version as the GraphQL `PolicyVersion` type resolves it. */
export interface PolicyVersionModel {
  policyArn: string;
  versionId: string;
  document: string;
  createDate: Date | string;
  isDefaultVersion: boolean;
}

/** AWS's quota of versions per managed policy. */
export const MAX_POLICY_VERSIONS = 5;

const VERSION_ID = /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/;

function checkVersionId(versionId: string): string {
  return checkString(versionId, 'versionId', 1, 128, VERSION_ID, 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?');
}

function versionNotFound(arn: string, versionId: string): NoSuchEntityError {
  return new NoSuchEntityError(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
}

/** Orders version ids newest first (v10 before v9). */
function byNewest(a: { versionId: string }, b: { versionId: string }): number {
  return Number(b.versionId.slice(1)) - Number(a.versionId.slice(1));
}

/** ListPolicyVersions: every version of a policy, newest first. */
export async function listPolicyVersions(db: Db | DbTx, accountId: string, arn: string): Promise<PolicyVersionModel[]> {
  const policy = await requirePolicy(db, accountId, arn);
  if (policy.isAwsManaged) {
    return listAwsManagedPolicyVersions(findAwsManagedPolicy(arn)!).map((v) => ({ policyArn: arn, ...v }));
  }
  const rows = await db.policyVersion.findMany({ where: { policyId: policy.id } });
  return rows
    .map((row) => ({ policyArn: arn, versionId: row.versionId, document: row.document, createDate: row.createdAt, isDefaultVersion: row.versionId === policy.defaultVersionId }))
    .sort(byNewest);
}

/** The versions of several policies of one account, newest first, by ARN (for the nested `versions`). */
export async function versionsOf(db: Db | DbTx, accountId: string, arns: readonly string[]): Promise<Map<string, PolicyVersionModel[]>> {
  const found = new Map<string, PolicyVersionModel[]>();
  const customer: string[] = [];
  for (const arn of arns) {
    if (!isAwsManagedArn(arn)) customer.push(arn);
    else {
      const aws = findAwsManagedPolicy(arn);
      if (aws) found.set(arn, listAwsManagedPolicyVersions(aws).map((v) => ({ policyArn: arn, ...v })));
    }
  }
  if (customer.length > 0) {
    const rows = await db.policy.findMany({ where: { accountId, arn: { in: customer } }, select: { arn: true, defaultVersionId: true, versions: true } });
    for (const row of rows) {
      const versions = row.versions.map((v) => ({ policyArn: row.arn, versionId: v.versionId, document: v.document, createDate: v.createdAt, isDefaultVersion: v.versionId === row.defaultVersionId }));
      found.set(row.arn, versions.sort(byNewest));
    }
  }
  return found;
}

/** GetPolicyVersion. */
export async function getPolicyVersion(db: Db | DbTx, accountId: string, arn: string, versionId: string): Promise<PolicyVersionModel> {
  checkVersionId(versionId);
  const policy = await requirePolicy(db, accountId, arn);
  if (policy.isAwsManaged) {
    const version = getAwsManagedPolicyVersion(findAwsManagedPolicy(arn)!, versionId);
    if (!version) throw versionNotFound(arn, versionId);
    return { policyArn: arn, ...version };
  }
  const row = await db.policyVersion.findUnique({ where: { policyId_versionId: { policyId: policy.id, versionId } } });
  if (!row) throw versionNotFound(arn, versionId);
  return { policyArn: arn, versionId, document: row.document, createDate: row.createdAt, isDefaultVersion: versionId === policy.defaultVersionId };
}

/** The default versions of several policies of one account (for the nested `defaultVersion`). */
export async function defaultVersionsOf(db: Db | DbTx, accountId: string, arns: readonly string[]): Promise<Map<string, PolicyVersionModel>> {
  const found = new Map<string, PolicyVersionModel>();
  const customer: string[] = [];
  for (const arn of arns) {
    if (!isAwsManagedArn(arn)) {
      customer.push(arn);
      continue;
    }
    const aws = findAwsManagedPolicy(arn);
    if (aws) found.set(arn, { policyArn: arn, versionId: aws.defaultVersionId, document: aws.document, createDate: aws.defaultVersionCreateDate, isDefaultVersion: true });
  }
  if (customer.length > 0) {
    const rows = await db.policy.findMany({
      where: { accountId, arn: { in: customer } },
      select: { arn: true, defaultVersionId: true, versions: true },
    });
    for (const row of rows) {
      const v = row.versions.find((version) => version.versionId === row.defaultVersionId);
      if (v) found.set(row.arn, { policyArn: row.arn, versionId: v.versionId, document: v.document, createDate: v.createdAt, isDefaultVersion: true });
    }
  }
  return found;
}

export interface CreatePolicyVersionInput {
  policyArn: string;
  policyDocument: string;
  setAsDefault?: boolean | null;
}

/**
 * CreatePolicyVersion. INVARIANT: a policy has at most five versions — the policy
 * row is locked (FOR UPDATE) before counting, so concurrent creators cannot both pass.
 */
export async function createPolicyVersion(db: Db, accountId: string, input: CreatePolicyVersionInput, now: Date): Promise<PolicyVersionModel> {
  checkPolicyArn(input.policyArn);
  checkPolicyDocument(input.policyDocument, 'managed');
  return db.$transaction(async (tx) => {
    const policy = await lockCustomerPolicy(tx, accountId, input.policyArn);
    const count = await tx.policyVersion.count({ where: { policyId: policy.id } });
    if (count >= MAX_POLICY_VERSIONS) {
      throw new LimitExceededError('A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
    }
    const versionId = `v${policy.nextVersion}`;
    const row = await tx.policyVersion.create({ data: { policyId: policy.id, versionId, document: input.policyDocument } });
    const setAsDefault = input.setAsDefault === true;
    await tx.policy.update({
      where: { id: policy.id },
      data: { nextVersion: policy.nextVersion + 1, ...(setAsDefault ? { defaultVersionId: versionId, updatedAt: now } : {}) },
    });
    if (setAsDefault) await bumpPolicyEpoch(tx, accountId);
    return { policyArn: policy.arn, versionId, document: row.document, createDate: row.createdAt, isDefaultVersion: setAsDefault };
  });
}

/** DeletePolicyVersion: any version but the default. */
export async function deletePolicyVersion(db: Db, accountId: string, arn: string, versionId: string): Promise<void> {
  checkVersionId(versionId);
  await db.$transaction(async (tx) => {
    const policy = await lockCustomerPolicy(tx, accountId, arn);
    if (policy.defaultVersionId === versionId) throw new DeleteConflictError('Cannot delete the default version of a policy.');
    const deleted = await tx.policyVersion.deleteMany({ where: { policyId: policy.id, versionId } });
    if (deleted.count === 0) throw versionNotFound(arn, versionId);
  });
}

/** SetDefaultPolicyVersion: the version in effect changes, so the account's policy epoch moves. */
export async function setDefaultPolicyVersion(db: Db, accountId: string, arn: string, versionId: string, now: Date): Promise<void> {
  checkVersionId(versionId);
  await db.$transaction(async (tx) => {
    const policy = await lockCustomerPolicy(tx, accountId, arn);
    const version = await tx.policyVersion.findUnique({ where: { policyId_versionId: { policyId: policy.id, versionId } }, select: { versionId: true } });
    if (!version) throw versionNotFound(arn, versionId);
    if (policy.defaultVersionId === versionId) return;
    await tx.policy.update({ where: { id: policy.id }, data: { defaultVersionId: versionId, updatedAt: now } });
    await bumpPolicyEpoch(tx, accountId);
  });
}
