// Permissions boundaries of users and roles: a managed policy (customer-managed
// in this account, or AWS-managed) that caps the entity's identity permissions.
// Every boundary write bumps the account's policy epoch in the same transaction.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
import type { Db, DbTx } from '../db/client.js';
import { InvalidInputError, NoSuchEntityError } from '../errors.js';
import { parseIamArn } from './arn.js';
import { getManagedPolicy } from './managed-policy-lookup.js';
import { checkArn, checkName } from './names.js';
import { findRole, lockRole } from './roles.js';
import { bumpPolicyEpoch } from './policy-epoch.js';

/** The one kind of boundary AWS has (AttachedPermissionsBoundary.PermissionsBoundaryType; AWS spells it PermissionsBoundaryPolicy). */
export const PERMISSIONS_BOUNDARY_TYPE = 'PermissionsBoundaryPolicy';

/**
 * Checks that `arn` names a managed policy usable as a boundary from `accountId`
 * and returns it. A customer-managed policy row is locked FOR SHARE so that it
 * cannot be deleted before the transaction commits.
 */
export async function checkPermissionsBoundary(tx: DbTx, accountId: string, arn: string): Promise<string> {
  checkArn(arn, 'permissionsBoundary');
  const parsed = parseIamArn(arn);
  if (!parsed || parsed.type !== 'policy') throw new InvalidInputError(`ARN ${arn} is not valid.`);
  const policy = await getManagedPolicy(tx, accountId, arn);
  if (!policy) throw new NoSuchEntityError(`Policy ${arn} does not exist or is not attachable.`);
  if (!policy.isAwsManaged) await tx.$executeRaw`SELECT 1 FROM "Policy" WHERE arn = ${arn} AND "accountId" = ${accountId} FOR SHARE`;
  return policy.arn;
}

/** PutUserPermissionsBoundary. */
export async function putUserPermissionsBoundary(db: Db, accountId: string, userName: string, boundaryArn: string): Promise<void> {
  checkName(userName, 'userName');
  checkArn(boundaryArn, 'permissionsBoundary');
  await db.$transaction(async (tx) => {
    const user = await findUserId(tx, accountId, userName);
    const arn = await checkPermissionsBoundary(tx, accountId, boundaryArn);
    await tx.user.update({ where: { id: user }, data: { permissionsBoundaryArn: arn } });
    await bumpPolicyEpoch(tx, accountId);
  });
}

/** DeleteUserPermissionsBoundary; a user without a boundary is left as it is. */
export async function deleteUserPermissionsBoundary(db: Db, accountId: string, userName: string): Promise<void> {
  checkName(userName, 'userName');
  await db.$transaction(async (tx) => {
    const user = await findUserId(tx, accountId, userName);
    const { count } = await tx.user.updateMany({ where: { id: user, permissionsBoundaryArn: { not: null } }, data: { permissionsBoundaryArn: null } });
    if (count > 0) await bumpPolicyEpoch(tx, accountId);
  });
}

/** PutRolePermissionsBoundary. */
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

/** DeleteRolePermissionsBoundary; a role without a boundary is left as it is. */
export async function deleteRolePermissionsBoundary(db: Db, accountId: string, roleName: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const role = await findRole(tx, accountId, roleName);
    const { count } = await tx.role.updateMany({ where: { id: role.id, permissionsBoundaryArn: { not: null } }, data: { permissionsBoundaryArn: null } });
    if (count > 0) await bumpPolicyEpoch(tx, accountId);
  });
}

/** The user's id, its row locked until the transaction ends so that a concurrent DeleteUser waits. */
async function findUserId(tx: DbTx, accountId: string, userName: string): Promise<string> {
  const nameKey = userName.toLowerCase();
  const rows = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id FROM "User" WHERE "accountId" = ${accountId} AND "nameKey" = ${nameKey} FOR UPDATE`;
  if (rows.length === 0) throw new NoSuchEntityError(`The user with name ${userName} cannot be found.`);
  return rows[0]!.id;
}
