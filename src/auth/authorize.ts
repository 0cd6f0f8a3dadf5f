// Principal + action + resource → decision. The root user may do everything in
// its own account; every other principal is decided by the policy engine over
// its effective policies (see src/auth/effective-policies.ts).
import { AccessDeniedError } from '../errors.js';
import type { IdleCache } from '../metrics.js';
import type { CompiledPolicySet, EvaluationResult } from '../policy/index.js';
import type { Principal } from '../sessions/principal.js';

export interface AuthorizationRequest {
  principal: Principal;
  action: string;
  resourceArn: string;
  /** Request-specific condition keys (aws:RequestTag/*, iam:PolicyARN, ...), added to the global ones. */
  context?: Record<string, string | string[]>;
  /** Facts about the HTTP request behind the call (for aws:SourceIp, aws:SecureTransport, aws:CurrentTime). */
  request?: { sourceIp: string; secureTransport: boolean; now: Date };
}

export interface Authorizer {
  /** The decision on a request, with the statements that made it: at once when it needs no loading. */
  decide(request: AuthorizationRequest): EvaluationResult | Promise<EvaluationResult>;
  /** Throws AccessDenied unless the request is allowed. */
  authorize(request: AuthorizationRequest): Promise<void>;
  /** The principal's compiled effective policies and its tags (cached), and whether they read the resource's own condition keys. */
  effective(principal: Principal): Promise<{ policies: CompiledPolicySet; principalTags: Record<string, string>; readsResourceFacts: boolean }>;
  /** The cache of effective policies, if it keeps one (for metrics, and released when idle). */
  readonly cache?: IdleCache;
}

/**
 * AccessDenied as the policy engine decided it: whether a Deny statement matched or no
 * Allow did. The caller sees AccessDenied alone; the request's log line and trace say which.
 */
export class PolicyDenialError extends AccessDeniedError {
  constructor(
    message: string,
    readonly decision: 'explicitDeny' | 'implicitDeny',
  ) {
    super(message);
  }
}

/** AWS's denial message; `decision` says whether a Deny matched (explicit) or no Allow did (implicit). */
export function accessDenied(principal: Principal, action: string, resourceArn: string, reason: string, decision: PolicyDenialError['decision'] = 'implicitDeny'): PolicyDenialError {
  return new PolicyDenialError(
    `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resourceArn} because ${reason}`,
    decision,
  );
}

/**
 * True for `*`, for ARNs whose account field is the given account, and for ARNs
 * with no account field (an S3 bucket, a customer's own `arn:aws:docs:::doc/42`):
 * those belong to whoever owns them in the caller's account.
 */
export function isInAccount(resourceArn: string, accountId: string): boolean {
  if (resourceArn === '*') return true;
  // AWS-managed policies are shared by every account (read-only: writes answer UnmodifiableEntity).
  if (resourceArn.startsWith('arn:aws:iam::aws:policy/')) return true;
  const account = resourceArn.split(':')[4];
  return account === accountId || account === '';
}

/**
 * The account that owns a resource, as its ARN names it. Another account (a 12-digit account
 * field other than the principal's) makes the request cross-account, which AWS allows only
 * when a resource-based policy of that account allows it too: a policy in one tenant that
 * grants `Resource: "*"` never reaches another tenant's resources. Anything else is the
 * principal's own: `*`, an ARN with no account (`arn:aws:docs:::document/42`), AWS's own
 * (`arn:aws:iam::aws:policy/…`) and malformed ARNs, which the operation then refuses itself.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 */
export function resourceOwnerOf(resourceArn: string, principalAccountId: string): string {
  // On every decision: the fifth field is found by its colons, without splitting the ARN.
  let start = 0;
  for (let field = 0; field < 4; field++) {
    const colon = resourceArn.indexOf(':', start);
    if (colon < 0) return principalAccountId;
    start = colon + 1;
  }
  const end = resourceArn.indexOf(':', start);
  if (end - start !== 12 || resourceArn.startsWith(principalAccountId, start)) return principalAccountId;
  for (let i = start; i < end; i++) {
    const c = resourceArn.charCodeAt(i);
    if (c < 48 || c > 57) return principalAccountId;
  }
  return resourceArn.slice(start, end);
}
