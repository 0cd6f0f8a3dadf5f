// IAM roles: creation with a trust policy, updates, deletion, tags, the role's
// permissions boundary, and the keyset queries behind ListRoles. Every lookup is
// scoped by account.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
import type { Db, DbTx } from '../db/client.js';
import { isMissingRecord, isUniqueViolation } from '../db/errors.js';
import { DeleteConflictError, EntityAlreadyExistsError, LimitExceededError, NoSuchEntityError } from '../errors.js';
import type { Role } from '../generated/prisma/client.js';
import { iamArn } from './arn.js';
import { newUniqueId } from './ids.js';
import { type TagInput, checkArn, checkDescription, checkName, checkPath, checkRange, checkString, type NamedRead } from './names.js';
import { checkPermissionsBoundary } from './permissions-boundaries.js';
import { bumpPolicyEpoch } from './policy-epoch.js';
import { checkPolicyDocument } from './policy-documents.js';
import { checkTagList, deleteAllTags, tagResource, untagResource } from './tags.js';
import { pathPage } from './path-pages.js';

/** MaxSessionDuration bounds in seconds (1 to 12 hours) and AWS's default. */
export const sessionDurationLimits = Object.freeze({ min: 3600, max: 43200, default: 3600 });

/** AWS's default quota of roles per account. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const ROLES_PER_ACCOUNT = 1000;

/** AWS's length limit of the AssumeRolePolicyDocument parameter (the 2,048-character trust quota is the parser's). */
const POLICY_DOCUMENT_PARAMETER_MAX = 131072;

export interface CreateRoleInput {
  roleName: string;
  path?: string | null;
  assumeRolePolicyDocument: string;
  description?: string | null;
  maxSessionDuration?: number | null;
  permissionsBoundary?: string | null;
  tags?: TagInput[] | null;
}

/** The role named `roleName` in the account (case-insensitively), or NoSuchEntity. */
export async function findRole(db: DbTx, accountId: string, roleName: string, read?: NamedRead<Role>): Promise<Role> {
  checkName(roleName, 'roleName');
  const role = read ? await read(roleName) : await db.role.findUnique({ where: { accountId_nameKey: { accountId, nameKey: roleName.toLowerCase() } } });
  if (!role) throw noSuchRole(roleName);
  return role;
}

/** Like findRole, and locks the row until the transaction ends (FOR UPDATE). */
export async function lockRole(tx: DbTx, accountId: string, roleName: string): Promise<Role> {
  checkName(roleName, 'roleName');
  const nameKey = roleName.toLowerCase();
  const locked = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "Role" WHERE "accountId" = ${accountId} AND "nameKey" = ${nameKey} FOR UPDATE`;
  if (locked.length === 0) throw noSuchRole(roleName);
  return tx.role.findUniqueOrThrow({ where: { id: locked[0]!.id } });
}

/** NoSuchEntity for a role, worded as AWS words it. */
export function noSuchRole(roleName: string): NoSuchEntityError {
  return new NoSuchEntityError(`The role with name ${roleName} cannot be found.`);
}

/**
 * CreateRole: validates every parameter, parses the trust policy, then, in one
 * transaction, checks the permissions boundary and stores the role and its tags.
 * INVARIANT: role names are unique per account case-insensitively (unique index on nameKey).
 */
export async function createRole(db: Db, accountId: string, input: CreateRoleInput): Promise<Role> {
  const name = checkName(input.roleName, 'roleName');
  const path = checkPath(input.path);
  const description = checkDescription(input.description);
  const maxSessionDuration = checkSessionDuration(input.maxSessionDuration ?? sessionDurationLimits.default);
  const tags = checkTagList(input.tags);
  const document = checkTrustPolicy(input.assumeRolePolicyDocument, 'assumeRolePolicyDocument');
  return db.$transaction(async (tx) => {
    const boundaryArn = input.permissionsBoundary == null ? null : await checkPermissionsBoundary(tx, accountId, input.permissionsBoundary);
    // INVARIANT: at most ROLES_PER_ACCOUNT roles; the account row lock serializes concurrent creates.
    await tx.$executeRaw`SELECT 1 FROM "Account" WHERE id = ${accountId} FOR UPDATE`;
    if ((await tx.role.count({ where: { accountId } })) >= ROLES_PER_ACCOUNT) {
      throw new LimitExceededError(`Cannot exceed quota for RolesPerAccount: ${ROLES_PER_ACCOUNT}`);
    }
    let role: Role;
    try {
      role = await tx.role.create({
        data: {
          id: newUniqueId('role'),
          accountId,
          name,
          nameKey: name.toLowerCase(),
          path,
          arn: iamArn(accountId, 'role', path, name),
          description: description ?? null,
          assumeRolePolicy: document,
          maxSessionDuration,
          permissionsBoundaryArn: boundaryArn,
        },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EntityAlreadyExistsError(`Role with name ${name} already exists.`, { cause: error });
      throw error;
    }
    await tagResource(tx, accountId, 'role', role.id, tags);
    return role;
  });
}

export interface UpdateRoleInput {
  roleName: string;
  description?: string | null;
  maxSessionDuration?: number | null;
}

/** UpdateRole: changes the description and/or the maximum session duration; absent members stay as they are. */
export async function updateRole(db: Db, accountId: string, input: UpdateRoleInput): Promise<Role> {
  checkName(input.roleName, 'roleName');
  const description = checkDescription(input.description);
  const maxSessionDuration = input.maxSessionDuration == null ? undefined : checkSessionDuration(input.maxSessionDuration);
  return db.$transaction(async (tx) => {
    const role = await findRole(tx, accountId, input.roleName);
    return updateFound(tx, role, { description, maxSessionDuration });
  });
}

/** UpdateAssumeRolePolicy: replaces the trust policy after the parser accepts it. */
export async function updateAssumeRolePolicy(db: Db, accountId: string, roleName: string, policyDocument: string): Promise<Role> {
  checkName(roleName, 'roleName');
  const document = checkTrustPolicy(policyDocument, 'policyDocument');
  return db.$transaction(async (tx) => {
    const role = await findRole(tx, accountId, roleName);
    return updateFound(tx, role, { assumeRolePolicy: document });
  });
}

/**
 * DeleteRole: refused while the role is in an instance profile, has managed
 * policies attached or has inline policies (AWS's DeleteConflict messages).
 * The role row is locked first so that a concurrent AddRoleToInstanceProfile or
 * attach waits and then sees the role gone. The role's sessions are revoked and the
 * account's policy epoch bumped in the same transaction.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html
 */
export async function deleteRole(db: Db, accountId: string, roleName: string, now: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    const role = await lockRole(tx, accountId, roleName);
    const where = { accountId, entityType: 'role', entityId: role.id };
    if (await tx.instanceProfile.findFirst({ where: { accountId, roleId: role.id }, select: { id: true } })) {
      throw new DeleteConflictError('Cannot delete entity, must remove roles from instance profile first.');
    }
    if (await tx.policyAttachment.findFirst({ where, select: { policyArn: true } })) {
      throw new DeleteConflictError('Cannot delete entity, must detach all policies first.');
    }
    if (await tx.inlinePolicy.findFirst({ where, select: { name: true } })) {
      throw new DeleteConflictError('Cannot delete entity, must delete policies first.');
    }
    await deleteAllTags(tx, 'role', role.id);
    try {
      await tx.role.delete({ where: { id: role.id } });
    } catch (error) {
      // An instance profile still references the role (foreign key, Restrict).
      if (isMissingRecord(error)) throw new DeleteConflictError('Cannot delete entity, must remove roles from instance profile first.', { cause: error });
      throw error;
    }
    // The role's sessions end with it (they could not do anything anyway: the role has no policies left).
    await tx.session.updateMany({ where: { accountId, roleId: role.id, revokedAt: null }, data: { revokedAt: now } });
    await bumpPolicyEpoch(tx, accountId);
  });
}

/** TagRole. */
export async function tagRole(db: Db, accountId: string, roleName: string, tags: TagInput[]): Promise<void> {
  checkName(roleName, 'roleName');
  checkTagList(tags);
  await db.$transaction(async (tx) => {
    // Locked so that a concurrent DeleteRole cannot leave these tags orphaned.
    const role = await lockRole(tx, accountId, roleName);
    await tagResource(tx, accountId, 'role', role.id, tags);
  });
}

/** UntagRole. */
export async function untagRole(db: Db, accountId: string, roleName: string, tagKeys: string[]): Promise<void> {
  await db.$transaction(async (tx) => {
    const role = await findRole(tx, accountId, roleName);
    await untagResource(tx, accountId, 'role', role.id, tagKeys);
  });
}

/** The roles with these ids, each within its account (the roles of instance profiles, batched); absent ones are left out. */
export function fetchRolesByIds(db: DbTx, keys: ReadonlyArray<{ accountId: string; id: string }>): Promise<Role[]> {
  return db.role.findMany({ where: { OR: keys.map((key) => ({ id: key.id, accountId: key.accountId })) } });
}

/**
 * PutRolePermissionsBoundary. The role row is locked (FOR UPDATE) so that a
 * concurrent DeleteRole waits; the account's policy epoch is bumped in the same transaction.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePermissionsBoundary.html
 */
export async function putRolePermissionsBoundary(db: Db, accountId: string, roleName: string, boundaryArn: string): Promise<void> {
  checkName(roleName, 'roleName');
  checkArn(boundaryArn, 'permissionsBoundary');
  await db.$transaction(async (tx) => {
    const role = await lockRole(tx, accountId, roleName);
    const arn = await checkPermissionsBoundary(tx, accountId, boundaryArn);
    await tx.role.update({ where: { id: role.id }, data: { permissionsBoundaryArn: arn } });
    await bumpPolicyEpoch(tx, accountId);
  });
}

/** DeleteRolePermissionsBoundary; a role without a boundary is left as it is (and the policy epoch too). */
export async function deleteRolePermissionsBoundary(db: Db, accountId: string, roleName: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const role = await findRole(tx, accountId, roleName);
    const { count } = await tx.role.updateMany({ where: { id: role.id, permissionsBoundaryArn: { not: null } }, data: { permissionsBoundaryArn: null } });
    if (count > 0) await bumpPolicyEpoch(tx, accountId);
  });
}

/** One keyset page of the account's roles whose path starts with `pathPrefix`, ordered by name. */
export function fetchRoles(db: DbTx, accountId: string, pathPrefix: string, afterKey: string | undefined, take: number): Promise<Role[]> {
  return pathPage<Role>(db, 'Role', accountId, pathPrefix, afterKey, take);
}

/** Updates a role found earlier; NoSuchEntity if it was deleted in between. */
async function updateFound(tx: DbTx, role: Role, data: { description?: string; maxSessionDuration?: number; assumeRolePolicy?: string }): Promise<Role> {
  try {
    return await tx.role.update({ where: { id: role.id }, data });
  } catch (error) {
    if (isMissingRecord(error)) throw noSuchRole(role.name);
    throw error;
  }
}

function checkSessionDuration(seconds: number): number {
  return checkRange(seconds, 'maxSessionDuration', sessionDurationLimits.min, sessionDurationLimits.max);
}

/** Parses a trust policy (MalformedPolicyDocument / LimitExceeded) and returns the text to store. */
function checkTrustPolicy(text: string, member: string): string {
  checkString(text, member, 1, POLICY_DOCUMENT_PARAMETER_MAX);
  checkPolicyDocument(text, 'trust');
  return text;
}
