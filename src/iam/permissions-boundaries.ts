// The check shared by users and roles of a permissions boundary: a managed policy
// (customer-managed in this account, or AWS-managed) that caps the entity's identity
// permissions. Putting and deleting a boundary belong to each aggregate
// (src/iam/users.ts, src/iam/roles.ts); this module imports neither.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
import type { DbTx } from '../db/client.js';
import { InvalidInputError, NoSuchEntityError } from '../errors.js';
import { parseIamArn } from './arn.js';
import { getManagedPolicy } from './managed-policy-lookup.js';
import { checkArn } from './names.js';

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
