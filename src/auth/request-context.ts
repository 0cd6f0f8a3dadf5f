// The global condition keys AWS fills for every request, from the principal and
// the HTTP request. Field-specific keys (aws:RequestTag/*, iam:PolicyARN, ...)
// are added by the guard of each field.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
import type { DbTx } from '../db/client.js';
import type { Principal } from './principal.js';

/** AWS's aws:PrincipalType values. */
const PRINCIPAL_TYPES = { root: 'Account', user: 'User', 'assumed-role': 'AssumedRole' } as const;

/** The request context of `principal` calling now. */
export function buildRequestContext(
  principal: Principal,
  principalTags: Record<string, string>,
  request: { sourceIp: string; secureTransport: boolean; now: Date } | undefined,
): Record<string, string | string[]> {
  const now = request?.now ?? new Date();
  const context: Record<string, string | string[]> = {
    'aws:PrincipalArn': principal.kind === 'assumed-role' && principal.roleArn ? principal.roleArn : principal.arn,
    'aws:PrincipalAccount': principal.accountId,
    'aws:PrincipalType': PRINCIPAL_TYPES[principal.kind],
    'aws:userid': principal.principalId,
    'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:TokenIssueTime': principal.issuedAt.toISOString(),
    'aws:MultiFactorAuthPresent': principal.mfaAuthenticatedAt ? 'true' : 'false',
  };
  if (principal.kind === 'user' && principal.userName) context['aws:username'] = principal.userName;
  if (principal.mfaAuthenticatedAt) {
    context['aws:MultiFactorAuthAge'] = String(Math.max(0, Math.floor((now.getTime() - principal.mfaAuthenticatedAt.getTime()) / 1000)));
  }
  if (request) {
    context['aws:SourceIp'] = request.sourceIp;
    context['aws:SecureTransport'] = request.secureTransport ? 'true' : 'false';
  }
  if (principal.sourceIdentity) context['aws:SourceIdentity'] = principal.sourceIdentity;
  if (principal.roleSessionName) context['sts:RoleSessionName'] = principal.roleSessionName;
  for (const [key, value] of Object.entries(principalTags)) context[`aws:PrincipalTag/${key}`] = value;
  return context;
}

/** Tags of the principal: the user's, or the role's overridden by the session's tags. */
export async function loadPrincipalTags(db: DbTx, principal: Principal): Promise<Record<string, string>> {
  const tags: Record<string, string> = {};
  const resource = principal.kind === 'user' ? { type: 'user', id: principal.userId } : principal.kind === 'assumed-role' ? { type: 'role', id: principal.roleId } : undefined;
  if (!resource?.id) return tags;
  const rows = await db.tag.findMany({ where: { resourceType: resource.type, resourceId: resource.id }, select: { key: true, value: true } });
  for (const row of rows) tags[row.key] = row.value;
  if (principal.kind === 'assumed-role') {
    const session = await db.session.findUnique({ where: { id: principal.sessionId }, select: { tags: true } });
    for (const tag of (session?.tags as Array<{ key: string; value: string }> | null) ?? []) tags[tag.key] = tag.value;
  }
  return tags;
}
