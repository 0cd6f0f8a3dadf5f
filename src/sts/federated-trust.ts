// The trust decision of a federated caller (AssumeRoleWithWebIdentity): no AWS identity
// asks, so no identity-based policy takes part; the role's trust policy alone must allow
// the identity provider, `Principal: {"Federated": "<provider ARN>"}`, with the request's
// context (the provider's claims as `<provider>:aud`, `:sub`, ...). Session tags also need
// sts:TagSession, a source identity sts:SetSourceIdentity.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
import type { Db } from '../db/client.js';
import { AccessDeniedError } from '../errors.js';
import type { Role } from '../generated/prisma/client.js';
import { compilePolicySet, evaluate } from '../policy/index.js';
import { requirePolicyArns } from './role-session.js';

/** The facts of a federated AssumeRole* request that its trust decision reads. */
export interface FederatedTrustQuestion {
  /** `sts:AssumeRoleWithWebIdentity` (or `sts:AssumeRoleWithSAML`). */
  action: string;
  /** The identity provider's ARN: the principal the trust policy must name under Federated. */
  providerArn: string;
  role: Pick<Role, 'arn' | 'accountId' | 'assumeRolePolicy'>;
  /** The request context: the provider's claims, the session's name and tags, the HTTP request's keys. */
  context: Record<string, string | string[]>;
  hasTags: boolean;
  hasSourceIdentity: boolean;
}

/** Throws AccessDenied unless the role's trust policy allows the provider every action the request needs. */
export function decideFederatedTrust(question: FederatedTrustQuestion): void {
  const { action, providerArn, role, context } = question;
  const policies = compilePolicySet({ resourcePolicy: role.assumeRolePolicy });
  const needed = [action, ...(question.hasTags ? ['sts:TagSession'] : []), ...(question.hasSourceIdentity ? ['sts:SetSourceIdentity'] : [])];
  for (const act of needed) {
    const result = evaluate(policies, { principalArn: providerArn, action: act, resourceArn: role.arn, context, resourceOwnerAccount: role.accountId });
    if (result.decision !== 'allowed') {
      // AWS's message names neither the role's policy nor which condition failed.
      throw new AccessDeniedError(`Not authorized to perform ${act}`);
    }
  }
}

/**
 * The role a federated caller may have: it exists (an unknown role and a refused one look the
 * same), its trust policy allows the provider every action the request needs
 * (decideFederatedTrust), and the managed session policies exist in its account.
 */
export async function trustedRole(db: Db, question: Omit<FederatedTrustQuestion, 'role'> & { roleArn: string; policyArns: string[] }): Promise<Role> {
  const role = await db.role.findUnique({ where: { arn: question.roleArn } });
  if (!role) throw new AccessDeniedError(`Not authorized to perform ${question.action}`);
  decideFederatedTrust({ ...question, role });
  await requirePolicyArns(db, role.accountId, question.policyArns);
  return role;
}
