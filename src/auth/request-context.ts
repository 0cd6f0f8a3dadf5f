// The global condition keys AWS fills for every request, from the principal and
// the HTTP request. Field-specific keys (aws:RequestTag/*, iam:PolicyARN, ...)
// are added by the guard of each field.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
import type { Principal } from '../sessions/principal.js';

/** AWS's aws:PrincipalType values. */
const PRINCIPAL_TYPES = { root: 'Account', user: 'User', 'assumed-role': 'AssumedRole', 'federated-user': 'FederatedUser' } as const;

type Context = Record<string, string | string[]>;

/** The request context of `principal` calling now. */
export function buildRequestContext(
  principal: Principal,
  principalTags: Record<string, string>,
  request: { sourceIp: string; secureTransport: boolean; now: Date },
): Context {
  return withRequestKeys(sessionContext(principal, principalTags), principal, request, request.now);
}

/**
 * The keys that are fixed for a session: who it is, when it was issued, its MFA
 * and its principal's tags. Built once per session and policy epoch by the
 * authorizer (src/auth/policy-authorizer.ts); never modified after.
 */
export function sessionContext(principal: Principal, principalTags: Record<string, string>): Readonly<Context> {
  const context: Context = {
    'aws:PrincipalArn': principal.kind === 'assumed-role' && principal.roleArn ? principal.roleArn : principal.arn,
    'aws:PrincipalAccount': principal.accountId,
    'aws:PrincipalType': PRINCIPAL_TYPES[principal.kind],
    'aws:userid': principal.principalId,
  };
  // Long-term access keys carry neither: "aws:TokenIssueTime … is present only when the
  // principal uses temporary credentials"; aws:MultiFactorAuthPresent "is not present when
  // an API or CLI command is called with long-term credentials".
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
  if (!principal.longTermAccessKeyId) {
    context['aws:TokenIssueTime'] = principal.issuedAt.toISOString();
    context['aws:MultiFactorAuthPresent'] = principal.mfaAuthenticatedAt ? 'true' : 'false';
  }
  if (principal.kind === 'user' && principal.userName) context['aws:username'] = principal.userName;
  if (principal.sourceIdentity) context['aws:SourceIdentity'] = principal.sourceIdentity;
  // Present in the session of a role assumed through an OIDC provider, not in sessions chained from it.
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-federatedprovider
  if (principal.federatedProvider) context['aws:FederatedProvider'] = principal.federatedProvider;
  if (principal.roleSessionName) context['sts:RoleSessionName'] = principal.roleSessionName;
  for (const [key, value] of Object.entries(principalTags)) context[`aws:PrincipalTag/${key}`] = value;
  return context;
}

/**
 * A session's context plus the keys of this request: the time (`now`), the MFA's age,
 * and, when the call came over HTTP, the client's address and transport.
 */
export function withRequestKeys(
  session: Readonly<Context>,
  principal: Principal,
  request: { sourceIp: string; secureTransport: boolean } | undefined,
  now: Date,
): Context {
  const clock = clockAt(now.getTime());
  // Request keys first, then the session's copied in: V8 builds `{ ...session, key: value }`
  // about ten times slower (a spread followed by more properties leaves its fast path).
  const context: Context = { 'aws:CurrentTime': clock.iso, 'aws:EpochTime': clock.epoch };
  if (principal.mfaAuthenticatedAt) {
    context['aws:MultiFactorAuthAge'] = String(Math.max(0, Math.floor((now.getTime() - principal.mfaAuthenticatedAt.getTime()) / 1000)));
  }
  if (request) {
    context['aws:SourceIp'] = request.sourceIp;
    context['aws:SecureTransport'] = request.secureTransport ? 'true' : 'false';
  }
  return Object.assign(context, session);
}

/**
 * The keys of an HTTP request with no AWS session behind it (a federated AssumeRole*, whose
 * caller is an identity provider's user): the time, the client's address and transport.
 */
export function httpRequestKeys(request: { sourceIp: string; secureTransport: boolean; now: Date }): Context {
  const clock = clockAt(request.now.getTime());
  return { 'aws:CurrentTime': clock.iso, 'aws:EpochTime': clock.epoch, 'aws:SourceIp': request.sourceIp, 'aws:SecureTransport': request.secureTransport ? 'true' : 'false' };
}

/** aws:CurrentTime and aws:EpochTime of the second last asked about (they have one-second resolution). */
let clock = { second: Number.NaN, iso: '', epoch: '' };

function clockAt(ms: number): typeof clock {
  const second = Math.floor(ms / 1000);
  if (second !== clock.second) clock = { second, iso: new Date(second * 1000).toISOString().replace('.000Z', 'Z'), epoch: String(second) };
  return clock;
}
