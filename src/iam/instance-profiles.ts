// Instance profiles: containers that pass one role to EC2 instances. A profile
// holds at most one role (AWS's InstanceSessionsPerInstanceProfile quota is 1).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2_instance-profiles.html
import type { Db, DbTx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { DeleteConflictError, EntityAlreadyExistsError, LimitExceededError, NoSuchEntityError } from '../errors.js';
import type { InstanceProfile } from '../generated/prisma/client.js';
import { iamArn } from './arn.js';
import { newUniqueId } from './ids.js';
import { type TagInput, checkName, checkPath, type NamedRead } from './names.js';
import { findRole, noSuchRole } from './roles.js';
import { checkTagList, deleteAllTags, tagResource, untagResource } from './tags.js';
import { pathPage } from './path-pages.js';

/** AWS's default quota of instance profiles per account. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const INSTANCE_PROFILES_PER_ACCOUNT = 1000;

export interface CreateInstanceProfileInput {
  instanceProfileName: string;
  path?: string | null;
  tags?: TagInput[] | null;
}

/** The instance profile named `name` in the account (case-insensitively), or NoSuchEntity. */
export async function findInstanceProfile(db: DbTx, accountId: string, name: string, read?: NamedRead<InstanceProfile>): Promise<InstanceProfile> {
  checkName(name, 'instanceProfileName');
  const profile = read ? await read(name) : await db.instanceProfile.findUnique({ where: { accountId_nameKey: { accountId, nameKey: name.toLowerCase() } } });
  if (!profile) throw new NoSuchEntityError(`Instance Profile ${name} cannot be found.`);
  return profile;
}

/** Like findInstanceProfile, and locks the row until the transaction ends (FOR UPDATE). */
export async function lockInstanceProfile(tx: DbTx, accountId: string, name: string): Promise<InstanceProfile> {
  checkName(name, 'instanceProfileName');
  const nameKey = name.toLowerCase();
  const locked = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "InstanceProfile" WHERE "accountId" = ${accountId} AND "nameKey" = ${nameKey} FOR UPDATE`;
  if (locked.length === 0) throw new NoSuchEntityError(`Instance Profile ${name} cannot be found.`);
  return tx.instanceProfile.findUniqueOrThrow({ where: { id: locked[0]!.id } });
}

/** CreateInstanceProfile with its tags, in one transaction. */
export async function createInstanceProfile(db: Db, accountId: string, input: CreateInstanceProfileInput): Promise<InstanceProfile> {
  const name = checkName(input.instanceProfileName, 'instanceProfileName');
  const path = checkPath(input.path);
  const tags = checkTagList(input.tags);
  return db.$transaction(async (tx) => {
    // INVARIANT: at most INSTANCE_PROFILES_PER_ACCOUNT profiles; the account row lock serializes concurrent creates.
    await tx.$executeRaw`SELECT 1 FROM "Account" WHERE id = ${accountId} FOR UPDATE`;
    if ((await tx.instanceProfile.count({ where: { accountId } })) >= INSTANCE_PROFILES_PER_ACCOUNT) {
      throw new LimitExceededError(`Cannot exceed quota for InstanceProfilesPerAccount: ${INSTANCE_PROFILES_PER_ACCOUNT}`);
    }
    let profile: InstanceProfile;
    try {
      profile = await tx.instanceProfile.create({
        data: {
          id: newUniqueId('instanceProfile'),
          accountId,
          name,
          nameKey: name.toLowerCase(),
          path,
          arn: iamArn(accountId, 'instance-profile', path, name),
        },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EntityAlreadyExistsError(`Instance Profile ${name} already exists.`, { cause: error });
      throw error;
    }
    await tagResource(tx, accountId, 'instance-profile', profile.id, tags);
    return profile;
  });
}

/**
 * AddRoleToInstanceProfile. Both must exist in the account.
 * INVARIANT: a profile holds at most one role. The write is conditional
 * (`WHERE "roleId" IS NULL`): of two concurrent adds, the second re-reads the row
 * after the first commits, matches nothing and fails with LimitExceeded. The role
 * row is locked FOR SHARE so that a concurrent DeleteRole cannot remove it meanwhile.
 */
export async function addRoleToInstanceProfile(db: Db, accountId: string, instanceProfileName: string, roleName: string): Promise<void> {
  checkName(instanceProfileName, 'instanceProfileName');
  checkName(roleName, 'roleName');
  await db.$transaction(async (tx) => {
    // Locked so that a concurrent DeleteInstanceProfile either waits for the role to land
    // (and then conflicts) or has removed the profile (NoSuchEntity here, not LimitExceeded).
    const profile = await lockInstanceProfile(tx, accountId, instanceProfileName);
    const role = await findRole(tx, accountId, roleName);
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM "Role" WHERE id = ${role.id} AND "accountId" = ${accountId} FOR SHARE`;
    if (locked.length === 0) throw noSuchRole(roleName);
    const { count } = await tx.instanceProfile.updateMany({ where: { id: profile.id, accountId, roleId: null }, data: { roleId: role.id } });
    if (count === 0) throw new LimitExceededError('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
  });
}

/** RemoveRoleFromInstanceProfile: NoSuchEntity when the role is not the profile's. */
export async function removeRoleFromInstanceProfile(db: Db, accountId: string, instanceProfileName: string, roleName: string): Promise<void> {
  checkName(instanceProfileName, 'instanceProfileName');
  checkName(roleName, 'roleName');
  await db.$transaction(async (tx) => {
    const profile = await findInstanceProfile(tx, accountId, instanceProfileName);
    const role = await findRole(tx, accountId, roleName);
    const { count } = await tx.instanceProfile.updateMany({ where: { id: profile.id, accountId, roleId: role.id }, data: { roleId: null } });
    if (count === 0) throw noSuchRole(roleName);
  });
}

/**
 * DeleteInstanceProfile: refused while it holds a role. The delete is
 * conditional on `roleId IS NULL`, so a concurrent add cannot slip in between check and delete.
 */
export async function deleteInstanceProfile(db: Db, accountId: string, instanceProfileName: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const profile = await findInstanceProfile(tx, accountId, instanceProfileName);
    const { count } = await tx.instanceProfile.deleteMany({ where: { id: profile.id, accountId, roleId: null } });
    if (count === 0) {
      const still = await tx.instanceProfile.findUnique({ where: { id: profile.id }, select: { roleId: true } });
      if (!still) throw new NoSuchEntityError(`Instance Profile ${instanceProfileName} cannot be found.`);
      throw new DeleteConflictError('Cannot delete entity, must remove roles from instance profile first.');
    }
    await deleteAllTags(tx, 'instance-profile', profile.id);
  });
}

/** TagInstanceProfile. */
export async function tagInstanceProfile(db: Db, accountId: string, instanceProfileName: string, tags: TagInput[]): Promise<void> {
  checkName(instanceProfileName, 'instanceProfileName');
  checkTagList(tags);
  await db.$transaction(async (tx) => {
    // Locked so that a concurrent DeleteInstanceProfile cannot leave these tags orphaned.
    const profile = await lockInstanceProfile(tx, accountId, instanceProfileName);
    await tagResource(tx, accountId, 'instance-profile', profile.id, tags);
  });
}

/** UntagInstanceProfile. */
export async function untagInstanceProfile(db: Db, accountId: string, instanceProfileName: string, tagKeys: string[]): Promise<void> {
  await db.$transaction(async (tx) => {
    const profile = await findInstanceProfile(tx, accountId, instanceProfileName);
    await untagResource(tx, accountId, 'instance-profile', profile.id, tagKeys);
  });
}

/** One keyset page of the account's instance profiles under `pathPrefix`, ordered by name. */
export function fetchInstanceProfiles(db: DbTx, accountId: string, pathPrefix: string, afterKey: string | undefined, take: number): Promise<InstanceProfile[]> {
  return pathPage<InstanceProfile>(db, 'InstanceProfile', accountId, pathPrefix, afterKey, take);
}

/** The instance profiles that hold any of these roles (`id` is the role's), each within its account, ordered by name. */
export function fetchInstanceProfilesOfRoles(db: DbTx, roles: ReadonlyArray<{ accountId: string; id: string }>): Promise<InstanceProfile[]> {
  return db.instanceProfile.findMany({
    where: { OR: roles.map((role) => ({ roleId: role.id, accountId: role.accountId })) },
    orderBy: { nameKey: 'asc' },
  });
}

/** One keyset page of the instance profiles that hold the role `roleId`, ordered by name. */
export function fetchInstanceProfilesForRole(db: DbTx, accountId: string, roleId: string, afterKey: string | undefined, take: number): Promise<InstanceProfile[]> {
  return db.instanceProfile.findMany({
    where: { accountId, roleId, ...(afterKey === undefined ? {} : { nameKey: { gt: afterKey } }) },
    orderBy: { nameKey: 'asc' },
    take,
  });
}
