// Managed policies attached to users, groups and roles (`PolicyAttachment`), and
// the reverse view: the entities a policy is attached to. At most ten managed
// policies per entity; every change moves the account's policy epoch.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachUserPolicy.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
import type { Db, DbTx } from '../db/client.js';
import { IamError, LimitExceededError, NoSuchEntityError } from '../errors.js';
import { findAwsManagedPolicy, isAwsManagedArn } from './aws-managed-policies.js';
import { checkPolicyArn, compare, requirePolicy } from './managed-policies.js';
import { getManagedPolicies } from './managed-policy-lookup.js';
import { checkName, checkPathPrefix, literalPrefix } from './names.js';
import { bumpPolicyEpoch } from './policy-epoch.js';

/** The kinds of entity a managed or inline policy belongs to (`entityType` columns). */
export type PolicyHolderKind = 'user' | 'group' | 'role';

/** An entity that holds policies: the columns attachments and inline policies need. */
export interface PolicyHolder {
  kind: PolicyHolderKind;
  id: string;
  name: string;
  arn: string;
  path: string;
}

/** AWS's default quota of managed policies per user, group and role. */
export const MAX_ATTACHED_POLICIES = 10;

const QUOTA_NAMES: Record<PolicyHolderKind, string> = { user: 'PoliciesPerUser', group: 'PoliciesPerGroup', role: 'PoliciesPerRole' };
const NAME_MEMBERS = { user: 'userName', group: 'groupName', role: 'roleName' } as const;

/** AWS's PolicyNotAttachable: service-linked role policies attach only to their service-linked role. */
export class PolicyNotAttachableError extends IamError {
  constructor(message: string) {
    super('PolicyNotAttachable', message, 400);
  }
}

export function entityNotFound(kind: PolicyHolderKind, name: string): NoSuchEntityError {
  return new NoSuchEntityError(`The ${kind} with name ${name} cannot be found.`);
}

/** An entity of the account by name (case-insensitively); NoSuchEntity when absent. */
export async function findHolder(db: Db | DbTx, accountId: string, kind: PolicyHolderKind, name: string): Promise<PolicyHolder> {
  checkName(name, NAME_MEMBERS[kind]);
  const where = { accountId_nameKey: { accountId, nameKey: name.toLowerCase() } };
  const select = { id: true, name: true, arn: true, path: true };
  const row =
    kind === 'user'
      ? await db.user.findUnique({ where, select })
      : kind === 'group'
        ? await db.group.findUnique({ where, select })
        : await db.role.findUnique({ where, select });
  if (!row) throw entityNotFound(kind, name);
  return { kind, ...row };
}

/** Locks an entity row (FOR UPDATE) inside a transaction, so that counts under it cannot be raced. */
export async function lockHolder(tx: DbTx, accountId: string, kind: PolicyHolderKind, name: string): Promise<PolicyHolder> {
  checkName(name, NAME_MEMBERS[kind]);
  const key = name.toLowerCase();
  type Row = { id: string; name: string; arn: string; path: string };
  const rows =
    kind === 'user'
      ? await tx.$queryRaw<Row[]>`SELECT id, name, arn, path FROM "User" WHERE "accountId" = ${accountId} AND "nameKey" = ${key} FOR UPDATE`
      : kind === 'group'
        ? await tx.$queryRaw<Row[]>`SELECT id, name, arn, path FROM "Group" WHERE "accountId" = ${accountId} AND "nameKey" = ${key} FOR UPDATE`
        : await tx.$queryRaw<Row[]>`SELECT id, name, arn, path FROM "Role" WHERE "accountId" = ${accountId} AND "nameKey" = ${key} FOR UPDATE`;
  const row = rows[0];
  if (!row) throw entityNotFound(kind, name);
  return { kind, ...row };
}

/**
 * Attach{User,Group,Role}Policy. Attaching an attached policy again succeeds and
 * changes nothing. INVARIANT: at most ten attachments per entity — the entity row
 * is locked before counting; a customer policy row is share-locked so that a
 * concurrent DeletePolicy cannot leave a dangling attachment.
 */
export async function attachPolicy(db: Db, accountId: string, kind: PolicyHolderKind, entityName: string, policyArn: string): Promise<void> {
  checkPolicyArn(policyArn);
  await db.$transaction(async (tx) => {
    const holder = await lockHolder(tx, accountId, kind, entityName);
    if (isAwsManagedArn(policyArn)) {
      const aws = findAwsManagedPolicy(policyArn);
      if (!aws) throw notAttachable(policyArn);
      if (!aws.isAttachable) {
        throw new PolicyNotAttachableError('The request failed because AWS service role policies can only be attached to the service-linked role for that service.');
      }
    } else {
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Policy" WHERE arn = ${policyArn} AND "accountId" = ${accountId} FOR SHARE`;
      if (locked.length === 0) throw notAttachable(policyArn);
    }
    const where = { entityType_entityId_policyArn: { entityType: kind, entityId: holder.id, policyArn } };
    if (await tx.policyAttachment.findUnique({ where })) return;
    const count = await tx.policyAttachment.count({ where: { entityType: kind, entityId: holder.id } });
    if (count >= MAX_ATTACHED_POLICIES) throw new LimitExceededError(`Cannot exceed quota for ${QUOTA_NAMES[kind]}: ${MAX_ATTACHED_POLICIES}`);
    await tx.policyAttachment.create({ data: { accountId, entityType: kind, entityId: holder.id, policyArn } });
    await bumpPolicyEpoch(tx, accountId);
  });
}

/** Detach{User,Group,Role}Policy: NoSuchEntity when the policy is not attached to the entity. */
export async function detachPolicy(db: Db, accountId: string, kind: PolicyHolderKind, entityName: string, policyArn: string): Promise<void> {
  checkPolicyArn(policyArn);
  await db.$transaction(async (tx) => {
    const holder = await lockHolder(tx, accountId, kind, entityName);
    const deleted = await tx.policyAttachment.deleteMany({ where: { accountId, entityType: kind, entityId: holder.id, policyArn } });
    if (deleted.count === 0) throw new NoSuchEntityError(`Policy ${policyArn} was not attached.`);
    await bumpPolicyEpoch(tx, accountId);
  });
}

function notAttachable(arn: string): NoSuchEntityError {
  return new NoSuchEntityError(`Policy ${arn} does not exist or is not attachable.`);
}

/** A managed policy attached to an entity (AWS's AttachedPolicy), with the path the filters use. */
export interface AttachedPolicyModel {
  policyName: string;
  policyArn: string;
  path: string;
}

/** The managed policies attached to several entities of one kind, ordered by name, by entity id. */
export async function attachedPoliciesOf(db: Db | DbTx, accountId: string, kind: PolicyHolderKind, entityIds: readonly string[]): Promise<Map<string, AttachedPolicyModel[]>> {
  const rows = await db.policyAttachment.findMany({ where: { accountId, entityType: kind, entityId: { in: [...entityIds] } } });
  const policies = await getManagedPolicies(db, accountId, rows.map((row) => row.policyArn));
  const byEntity = new Map<string, AttachedPolicyModel[]>(entityIds.map((id) => [id, []]));
  for (const row of rows) {
    const policy = policies.get(row.policyArn);
    if (!policy) continue;
    byEntity.get(row.entityId)?.push({ policyName: policy.name, policyArn: policy.arn, path: pathOfPolicyArn(policy.arn, policy.name) });
  }
  for (const list of byEntity.values()) list.sort((a, b) => compare(attachedKey(a), attachedKey(b)));
  return byEntity;
}

/** List key of an attached policy: name, then ARN. */
export const attachedKey = (policy: AttachedPolicyModel): string => `${policy.policyName.toLowerCase()}\u0000${policy.policyArn}`;

/** ListAttached{User,Group,Role}Policies, whole (the caller cuts the page). */
export async function listAttachedPolicies(db: Db | DbTx, accountId: string, kind: PolicyHolderKind, entityName: string, pathPrefix?: string | null): Promise<{ holder: PolicyHolder; policies: AttachedPolicyModel[] }> {
  const prefix = checkPathPrefix(pathPrefix);
  const holder = await findHolder(db, accountId, kind, entityName);
  const policies = (await attachedPoliciesOf(db, accountId, kind, [holder.id])).get(holder.id) ?? [];
  return { holder, policies: policies.filter((p) => p.path.startsWith(prefix)) };
}

/** `/service-role/` from `arn:aws:iam::aws:policy/service-role/Name`. */
function pathOfPolicyArn(arn: string, name: string): string {
  const start = arn.indexOf(':policy/') + ':policy'.length;
  return arn.slice(start, arn.length - name.length);
}

export type EntityFilter = 'User' | 'Group' | 'Role' | 'LocalManagedPolicy' | 'AWSManagedPolicy';

export interface PolicyEntityModel {
  entityType: 'User' | 'Group' | 'Role';
  name: string;
  id: string;
  arn: string;
  path: string;
}

export interface EntitiesForPolicyFilter {
  entityFilter?: EntityFilter | null;
  pathPrefix?: string | null;
  policyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary' | null;
}

const ENTITY_ORDER = { Group: '0', User: '1', Role: '2' } as const;

/** List key of an entity: groups, then users, then roles (AWS's response order), each by name. */
export const entityKey = (entity: PolicyEntityModel): string => `${ENTITY_ORDER[entity.entityType]}\u0000${entity.name.toLowerCase()}`;

/**
 * ListEntitiesForPolicy, whole: the account's users, groups and roles the policy
 * is attached to (PermissionsPolicy) and/or bounds (PermissionsBoundary).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListEntitiesForPolicy.html
 */
export async function listEntitiesForPolicy(db: Db | DbTx, accountId: string, policyArn: string, filter: EntitiesForPolicyFilter): Promise<PolicyEntityModel[]> {
  const policy = await requirePolicy(db, accountId, policyArn);
  const prefix = checkPathPrefix(filter.pathPrefix);
  const kinds = filter.entityFilter;
  if (kinds === 'LocalManagedPolicy' || kinds === 'AWSManagedPolicy') return [];
  const want = (type: 'User' | 'Group' | 'Role') => !kinds || kinds === type;
  const attachedUse = filter.policyUsageFilter !== 'PermissionsBoundary';
  const boundaryUse = filter.policyUsageFilter !== 'PermissionsPolicy';
  const ids: Record<PolicyHolderKind, Set<string>> = { user: new Set(), group: new Set(), role: new Set() };
  if (attachedUse) {
    const rows = await db.policyAttachment.findMany({ where: { accountId, policyArn: policy.arn }, select: { entityType: true, entityId: true } });
    for (const row of rows) ids[row.entityType as PolicyHolderKind]?.add(row.entityId);
  }
  const select = { id: true, name: true, arn: true, path: true };
  const inAccount = (set: Set<string>) => ({ accountId, path: literalPrefix(prefix), OR: [{ id: { in: [...set] } }, ...(boundaryUse ? [{ permissionsBoundaryArn: policy.arn }] : [])] });
  const entities: PolicyEntityModel[] = [];
  if (want('Group') && ids.group.size > 0) {
    const rows = await db.group.findMany({ where: { accountId, path: literalPrefix(prefix), id: { in: [...ids.group] } }, select });
    entities.push(...rows.map((row) => ({ entityType: 'Group' as const, ...row })));
  }
  if (want('User') && (ids.user.size > 0 || boundaryUse)) {
    const rows = await db.user.findMany({ where: inAccount(ids.user), select });
    entities.push(...rows.map((row) => ({ entityType: 'User' as const, ...row })));
  }
  if (want('Role') && (ids.role.size > 0 || boundaryUse)) {
    const rows = await db.role.findMany({ where: inAccount(ids.role), select });
    entities.push(...rows.map((row) => ({ entityType: 'Role' as const, ...row })));
  }
  return entities.sort((a, b) => compare(entityKey(a), entityKey(b)));
}
