// Inline policies embedded in users, groups and roles (`InlinePolicy`). IAM limits
// the aggregate size of an entity's inline policies (2,048 characters for a user,
// 5,120 for a group, 10,240 for a role, white space not counted).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
import type { Db, DbTx } from '../db/client.js';
import { LimitExceededError, NoSuchEntityError } from '../errors.js';
import { measurePolicySize, policySizeQuotas } from '../policy/limits.js';
import { type PolicyHolder, type PolicyHolderKind, findHolder, lockHolder } from './attachments.js';
import { bumpPolicyEpoch } from './policy-epoch.js';
import { compare } from './managed-policies.js';
import { checkName } from './names.js';
import { checkPolicyDocument } from './policy-documents.js';

/** An inline policy; `arn` is its entity's ARN (the resource the nested document field is authorized on). */
export interface InlinePolicyModel {
  arn: string;
  entityName: string;
  policyName: string;
  policyDocument: string;
}

function inlineNotFound(kind: PolicyHolderKind, name: string): NoSuchEntityError {
  return new NoSuchEntityError(`The ${kind} policy with name ${name} cannot be found.`);
}

/**
 * Put{User,Group,Role}Policy: adds the inline policy or replaces the one of that name.
 * INVARIANT: the entity's inline policies together stay within its size quota — the
 * entity row is locked before the sizes are summed.
 */
export async function putInlinePolicy(db: Db, accountId: string, kind: PolicyHolderKind, entityName: string, policyName: string, policyDocument: string, now: Date): Promise<void> {
  checkName(policyName, 'policyName');
  checkPolicyDocument(policyDocument, kind);
  const quota = policySizeQuotas[kind]!;
  await db.$transaction(async (tx) => {
    const holder = await lockHolder(tx, accountId, kind, entityName);
    const others = await tx.inlinePolicy.findMany({
      where: { entityType: kind, entityId: holder.id, name: { not: policyName } },
      select: { document: true },
    });
    const total = others.reduce((sum, p) => sum + measurePolicySize(p.document), measurePolicySize(policyDocument));
    if (total > quota) throw new LimitExceededError(`Maximum policy size of ${quota} bytes exceeded for ${kind} ${holder.name}`);
    await tx.inlinePolicy.upsert({
      where: { entityType_entityId_name: { entityType: kind, entityId: holder.id, name: policyName } },
      create: { accountId, entityType: kind, entityId: holder.id, name: policyName, document: policyDocument },
      update: { document: policyDocument, updatedAt: now },
    });
    await bumpPolicyEpoch(tx, accountId);
  });
}

/** Get{User,Group,Role}Policy. */
export async function getInlinePolicy(db: Db | DbTx, accountId: string, kind: PolicyHolderKind, entityName: string, policyName: string): Promise<InlinePolicyModel> {
  checkName(policyName, 'policyName');
  const holder = await findHolder(db, accountId, kind, entityName);
  const row = await db.inlinePolicy.findUnique({ where: { entityType_entityId_name: { entityType: kind, entityId: holder.id, name: policyName } } });
  if (!row) throw inlineNotFound(kind, policyName);
  return { arn: holder.arn, entityName: holder.name, policyName: row.name, policyDocument: row.document };
}

/** List{User,Group,Role}Policies: the names, in code-point order. */
export async function listInlinePolicyNames(db: Db | DbTx, accountId: string, kind: PolicyHolderKind, entityName: string): Promise<{ holder: PolicyHolder; names: string[] }> {
  const holder = await findHolder(db, accountId, kind, entityName);
  const rows = await db.inlinePolicy.findMany({ where: { entityType: kind, entityId: holder.id }, select: { name: true } });
  return { holder, names: rows.map((row) => row.name).sort(compare) };
}

/** Delete{User,Group,Role}Policy. */
export async function deleteInlinePolicy(db: Db, accountId: string, kind: PolicyHolderKind, entityName: string, policyName: string): Promise<void> {
  checkName(policyName, 'policyName');
  await db.$transaction(async (tx) => {
    const holder = await lockHolder(tx, accountId, kind, entityName);
    const deleted = await tx.inlinePolicy.deleteMany({ where: { entityType: kind, entityId: holder.id, name: policyName } });
    if (deleted.count === 0) throw inlineNotFound(kind, policyName);
    await bumpPolicyEpoch(tx, accountId);
  });
}

/** The inline policies of several entities of one kind, by entity id (for nested fields). */
export async function inlinePoliciesOf(db: Db | DbTx, accountId: string, kind: PolicyHolderKind, entities: readonly { id: string; arn: string; name: string }[]): Promise<Map<string, InlinePolicyModel[]>> {
  const byId = new Map(entities.map((e) => [e.id, e]));
  const rows = await db.inlinePolicy.findMany({ where: { accountId, entityType: kind, entityId: { in: [...byId.keys()] } } });
  const result = new Map<string, InlinePolicyModel[]>(entities.map((e) => [e.id, []]));
  for (const row of rows.sort((a, b) => compare(a.name, b.name))) {
    const entity = byId.get(row.entityId)!;
    result.get(row.entityId)!.push({ arn: entity.arn, entityName: entity.name, policyName: row.name, policyDocument: row.document });
  }
  return result;
}
