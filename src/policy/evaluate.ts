// evaluate: does each statement apply to this request? (Action, Principal,
// Resource, Condition — all must match.) Then `decide` turns the statements that
// apply into the decision. `compilePolicySet` compiles a principal's policies once;
// `evaluate` decides each request against them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html

import { evaluateCondition } from './conditions/evaluate-condition.js';
import { compilePolicy, loadPolicy, type CompiledPolicy, type CompiledStatement } from './compile.js';
import { ContextView } from './context.js';
import { createHits, decide, toMatchedStatements, type Hit, type Hits } from './decide.js';
import { isTrustPolicyAction } from './parse-resource.js';
import { describePrincipal, isExemptByNotPrincipal, matchPrincipal, type GrantKind, type PrincipalInfo } from './principal.js';
import type { EvaluationResult, PolicyDocument, PolicySetInput, PolicySource, PolicyType, RequestFacts } from './types.js';

/**
 * A principal's policies, compiled once. Build it with `compilePolicySet` and pass
 * it to `evaluate` for every request of that principal.
 */
export interface CompiledPolicySet {
  readonly identity: readonly CompiledPolicy[];
  readonly identityIds: readonly (string | undefined)[];
  readonly permissionsBoundary: CompiledPolicy | undefined;
  readonly sessionPolicy: CompiledPolicy | undefined;
  /** The resource-based policy as given; parsed as a trust policy for `sts:AssumeRole*`. */
  readonly resourcePolicy: string | PolicyDocument | undefined;
}

/** How identity policies and boundaries given as text are parsed: the identity type with the largest quota. */
const IDENTITY_TYPE: PolicyType = 'role';

/** The request as the statement matchers read it (built once per request). */
export interface Prepared {
  readonly lowerAction: string;
  readonly service: string;
  readonly resourceArn: string;
  readonly who: PrincipalInfo;
  readonly context: ContextView;
  readonly hasBoundary: boolean;
}

/**
 * Whether a statement applies to the request. Identity-based statements never
 * carry a Principal (the principal is the identity they are attached to); a
 * resource-based statement applies only to the principals it names. Returns the
 * grant kind for resource-based statements, `true` for the others, `false` when
 * it does not apply.
 */
export function evaluateStatement(compiled: CompiledStatement, source: PolicySource, req: Prepared): GrantKind | boolean {
  if (!compiled.matchAction(req.lowerAction)) return false;
  let grant: GrantKind | boolean = true;
  if (source === 'resource') {
    const applies = principalApplies(compiled, req);
    if (applies === undefined) return false;
    grant = applies;
  }
  if (!compiled.matchResource(req.resourceArn, req.context)) return false;
  const conditions = compiled.conditions;
  for (let i = 0; i < conditions.length; i++) {
    if (!evaluateCondition(conditions[i]!, req.context)) {
      noteRemainingMissing(compiled, i + 1, req.context);
      return false;
    }
  }
  return grant;
}

/**
 * Principal / NotPrincipal of a resource-based statement. A Deny with NotPrincipal
 * "will always deny any IAM principal that has a permissions boundary policy
 * attached, regardless of the values specified in the NotPrincipal element".
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
function principalApplies(compiled: CompiledStatement, req: Prepared): GrantKind | undefined {
  if (compiled.principal !== undefined) return matchPrincipal(compiled.principal, req.who);
  if (compiled.notPrincipal !== undefined) {
    if (compiled.deny && req.hasBoundary) return 'public';
    return isExemptByNotPrincipal(compiled.notPrincipal, req.who) ? undefined : 'public';
  }
  return undefined;
}

/** Keeps MissingContextValues complete when an earlier condition already failed. */
function noteRemainingMissing(compiled: CompiledStatement, from: number, context: ContextView): void {
  const conditions = compiled.conditions;
  for (let i = from; i < conditions.length; i++) {
    const c = conditions[i]!;
    if (!c.isNull && !c.invalid && context.getRaw(c.key, c.lowerKey) === undefined) context.noteMissing(c.key, c.lowerKey);
  }
}

function collect(
  policy: CompiledPolicy,
  source: PolicySource,
  policyIndex: number,
  policyId: string | undefined,
  req: Prepared,
  hits: Hits,
): void {
  const bucket = policy.byService.get(req.service);
  if (bucket) collectFrom(bucket, policy, source, policyIndex, policyId, req, hits);
  if (policy.catchAll.length > 0) collectFrom(policy.catchAll, policy, source, policyIndex, policyId, req, hits);
}

function collectFrom(
  statements: readonly CompiledStatement[],
  policy: CompiledPolicy,
  source: PolicySource,
  policyIndex: number,
  policyId: string | undefined,
  req: Prepared,
  hits: Hits,
): void {
  for (let i = 0; i < statements.length; i++) {
    const compiled = statements[i]!;
    const result = evaluateStatement(compiled, source, req);
    if (result === false) continue;
    const hit: Hit = {
      compiled,
      source,
      policyIndex,
      policyId: policyId ?? policy.document.policyId ?? policy.document.id,
      grant: result === true ? undefined : result,
    };
    if (compiled.deny) hits.denies.push(hit);
    else if (source === 'identity') hits.identityAllows.push(hit);
    else if (source === 'permissionsBoundary') hits.boundaryAllows.push(hit);
    else if (source === 'session') hits.sessionAllows.push(hit);
    else hits.resourceAllows.push(hit);
  }
}

/**
 * Compiles a principal's policies once. Identity policies and the permissions
 * boundary given as text are parsed as identity policies with the largest identity
 * quota (`role`, 10,240 characters), so that no stored identity policy is refused
 * at decision time; a session policy as `session`; the resource policy per request
 * kind (`trust` for the `sts:AssumeRole*` family, else `resource`). Throws
 * `PolicyError` for text that does not parse.
 */
export function compilePolicySet(input: PolicySetInput): CompiledPolicySet {
  const identity = (input.identityPolicies ?? []).map((p) => loadPolicy(p, IDENTITY_TYPE));
  return Object.freeze({
    identity,
    identityIds: identity.map((p) => p.document.policyId ?? p.document.id),
    permissionsBoundary: input.permissionsBoundary == null ? undefined : loadPolicy(input.permissionsBoundary, IDENTITY_TYPE),
    sessionPolicy: input.sessionPolicy == null ? undefined : loadPolicy(input.sessionPolicy, 'session'),
    resourcePolicy: input.resourcePolicy ?? undefined,
  });
}

function loadResourcePolicy(input: string | PolicyDocument, action: string): CompiledPolicy {
  if (typeof input !== 'string') return compilePolicy(input);
  return loadPolicy(input, isTrustPolicyAction(action) ? 'trust' : 'resource');
}

function accountOfOwner(request: RequestFacts, who: PrincipalInfo): boolean {
  const owner = request.resourceOwnerAccount;
  // The principal's account is read from its ARN for this comparison only.
  return owner != null && owner !== '' && who.account !== undefined && owner !== who.account;
}

function prepare(request: RequestFacts, hasBoundary: boolean): Prepared {
  const lowerAction = request.action.toLowerCase();
  const colon = lowerAction.indexOf(':');
  return {
    lowerAction,
    service: colon === -1 ? '' : lowerAction.slice(0, colon),
    resourceArn: request.resourceArn,
    who: describePrincipal(request.principalArn),
    context: new ContextView(request.context),
    hasBoundary,
  };
}

/**
 * Decides one request against a principal's policies: `allowed`, `explicitDeny`
 * or `implicitDeny`, with the statements that decided it and the condition keys
 * the context lacked. Compile the policies once with `compilePolicySet` and pass
 * the same set for every request. Pure: no I/O, no clock; the time comes in the
 * context (`aws:CurrentTime`, `aws:EpochTime`). Throws `PolicyError` for a
 * resource policy given as text that does not parse.
 */
export function evaluate(set: CompiledPolicySet, request: RequestFacts): EvaluationResult {
  const req = prepare(request, set.permissionsBoundary !== undefined);
  const hits = createHits();
  for (let i = 0; i < set.identity.length; i++) collect(set.identity[i]!, 'identity', i, set.identityIds[i], req, hits);
  if (set.permissionsBoundary) collect(set.permissionsBoundary, 'permissionsBoundary', 0, undefined, req, hits);
  if (set.sessionPolicy) collect(set.sessionPolicy, 'session', 0, undefined, req, hits);
  if (set.resourcePolicy !== undefined) {
    collect(loadResourcePolicy(set.resourcePolicy, request.action), 'resource', 0, undefined, req, hits);
  }
  return finish(hits, req, set.sessionPolicy !== undefined, accountOfOwner(request, req.who));
}

function finish(hits: Hits, req: Prepared, hasSessionPolicy: boolean, crossAccount: boolean): EvaluationResult {
  const outcome = decide(hits, { hasBoundary: req.hasBoundary, hasSessionPolicy, crossAccount });
  return {
    decision: outcome.decision,
    matchedStatements: toMatchedStatements(outcome.deciding),
    missingContextValues: req.context.missing,
  };
}
