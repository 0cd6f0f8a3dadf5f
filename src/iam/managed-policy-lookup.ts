// Finds a managed policy by ARN for the caller's account: a customer-managed
// policy of THIS account (never another account's) or an AWS-managed policy
// from the in-memory catalog. Used by attachments and by the authorizer.
import type { Db, DbTx } from '../db/client.js';
import { findAwsManagedPolicy, isAwsManagedArn } from './aws-managed-policies.js';

/** A managed policy with its default version's document. */
export interface ManagedPolicyRef {
  arn: string;
  name: string;
  isAwsManaged: boolean;
  defaultVersionId: string;
  /** The default version's document (JSON text). */
  document: string;
}

/**
 * The managed policy `policyArn` as seen from `accountId`, or null when it does
 * not exist there. One indexed query (Policy.arn is unique) for customer policies.
 */
export async function getManagedPolicy(db: Db | DbTx, accountId: string, policyArn: string): Promise<ManagedPolicyRef | null> {
  return (await getManagedPolicies(db, accountId, [policyArn])).get(policyArn) ?? null;
}

/** Several managed policies by ARN at once (missing ones are absent from the map). */
export async function getManagedPolicies(db: Db | DbTx, accountId: string, policyArns: readonly string[]): Promise<Map<string, ManagedPolicyRef>> {
  const found = new Map<string, ManagedPolicyRef>();
  const customerArns: string[] = [];
  for (const arn of new Set(policyArns)) {
    if (isAwsManagedArn(arn)) {
      const aws = findAwsManagedPolicy(arn);
      if (aws) found.set(arn, { arn: aws.arn, name: aws.name, isAwsManaged: true, defaultVersionId: aws.defaultVersionId, document: aws.document });
    } else {
      customerArns.push(arn);
    }
  }
  if (customerArns.length > 0) {
    // One round trip, each policy joined to its default version only.
    const rows = await db.$queryRaw<{ arn: string; name: string; defaultVersionId: string; document: string }[]>`
      SELECT p.arn, p.name, p."defaultVersionId", v.document
      FROM "Policy" p JOIN "PolicyVersion" v ON v."policyId" = p.id AND v."versionId" = p."defaultVersionId"
      WHERE p.arn = ANY(${customerArns}) AND p."accountId" = ${accountId}`;
    for (const row of rows) {
      found.set(row.arn, { arn: row.arn, name: row.name, isAwsManaged: false, defaultVersionId: row.defaultVersionId, document: row.document });
    }
  }
  return found;
}
