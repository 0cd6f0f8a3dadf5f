// evaluate: does each statement apply to this request? (Action, Principal,
// Resource, Condition — all must match.) Then `decide` turns the statements that
// apply into the decision. `compilePolicySet` compiles a principal's policies once
// and indexes their statements by action across the whole set (statement-index.ts);
// `evaluate` decides each request against them, looking only at the statements
// whose Action matches.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html

import { evaluateCondition } from './conditions/evaluate-condition.js';
import { compilePolicy, loadPolicy, type CompiledPolicy, type CompiledStatement } from './compile.js';
import { ContextView } from './context.js';
import { createHits, decide, resourcePolicyRequired, toMatchedStatements, type Hit, type Hits } from './decide.js';
import { isTrustPolicyAction } from './parse-resource.js';
import { describePrincipal, isExemptByNotPrincipal, matchPrincipal, type GrantKind, type PrincipalInfo } from './principal.js';
import { StatementIndex, type IndexedPolicy, type IndexedStatement } from './statement-index.js';
import type { EvaluationResult, PolicyDocument, PolicySetInput, PolicySource, PolicyType, RequestFacts } from './types.js';

/**
 * A principal's policies, compiled once. Build it with `compilePolicySet` and pass
 * it to `evaluate` for every request of that principal. A set derived from another
 * may replace `resourcePolicy` only: `statements` indexes the other three.
 */
export interface CompiledPolicySet {
  readonly identity: readonly CompiledPolicy[];
  readonly identityIds: readonly (string | undefined)[];
  readonly permissionsBoundary: CompiledPolicy | undefined;
  readonly sessionPolicy: CompiledPolicy | undefined;
  /** The resource-based policy as given; parsed as a trust policy for `sts:AssumeRole*`. */
  readonly resourcePolicy: string | PolicyDocument | undefined;
  /** The statements of `identity`, `permissionsBoundary` and `sessionPolicy`, indexed by action. */
  readonly statements: StatementIndex;
}

/** How identity policies and boundaries given as text are parsed: the identity type with the largest quota. */
const IDENTITY_TYPE: PolicyType = 'role';

/** The request as the statement matchers read it (built once per request). */
export interface Prepared {
  readonly lowerAction: string;
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
  return appliesBeyondAction(compiled, source, req);
}

/** `evaluateStatement` for a statement whose Action is known to match (the index found it). */
function appliesBeyondAction(compiled: CompiledStatement, source: PolicySource, req: Prepared): GrantKind | boolean {
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

/** Evaluates the statements whose Action matched; sorts those that apply into `hits`. */
function collect(candidates: readonly IndexedStatement[], req: Prepared, hits: Hits): void {
  for (let i = 0; i < candidates.length; i++) {
    const candidate = candidates[i]!;
    const result = appliesBeyondAction(candidate.compiled, candidate.source, req);
    if (result === false) continue;
    // An identity-side candidate is its own hit; a resource-based one carries its grant kind.
    const hit: Hit = result === true ? candidate : { ...candidate, grant: result };
    if (candidate.compiled.deny) hits.denies.push(hit);
    else if (hit.source === 'identity') hits.identityAllows.push(hit);
    else if (hit.source === 'permissionsBoundary') hits.boundaryAllows.push(hit);
    else if (hit.source === 'session') hits.sessionAllows.push(hit);
    else hits.resourceAllows.push(hit);
  }
}

const policyIdOf = (policy: CompiledPolicy): string | undefined => policy.document.policyId ?? policy.document.id;

const indexed = (policy: CompiledPolicy, source: PolicySource, policyIndex: number): IndexedPolicy => ({
  statements: policy.statements,
  source,
  policyIndex,
  policyId: policyIdOf(policy),
});

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
  const permissionsBoundary = input.permissionsBoundary == null ? undefined : loadPolicy(input.permissionsBoundary, IDENTITY_TYPE);
  const sessionPolicy = input.sessionPolicy == null ? undefined : loadPolicy(input.sessionPolicy, 'session');
  return Object.freeze({
    identity,
    identityIds: identity.map(policyIdOf),
    permissionsBoundary,
    sessionPolicy,
    resourcePolicy: input.resourcePolicy ?? undefined,
    statements: indexFor(identity, permissionsBoundary, sessionPolicy),
  });
}

// The indexes compilePolicySet made, by the compiled policies they index: compiling
// the same policies again (a caller that compiles per request, or JSON text that hits
// loadPolicy's cache) finds the same index, with the candidate lists it has kept.
const policyNumbers = new WeakMap<CompiledPolicy, number>();
let policiesNumbered = 0;
const indexes = new Map<string, StatementIndex>();
/** How many indexes stay made; the oldest is dropped first. */
export const INDEX_CACHE_LIMIT = 256;

function numberOf(policy: CompiledPolicy): number {
  let n = policyNumbers.get(policy);
  if (n === undefined) policyNumbers.set(policy, (n = policiesNumbered++));
  return n;
}

function indexFor(identity: readonly CompiledPolicy[], boundary: CompiledPolicy | undefined, session: CompiledPolicy | undefined): StatementIndex {
  let key = '';
  for (let i = 0; i < identity.length; i++) key += `${numberOf(identity[i]!)},`;
  key += `|${boundary ? numberOf(boundary) : ''}|${session ? numberOf(session) : ''}`;
  let index = indexes.get(key);
  if (!index) {
    const policies = identity.map((p, i) => indexed(p, 'identity', i));
    if (boundary) policies.push(indexed(boundary, 'permissionsBoundary', 0));
    if (session) policies.push(indexed(session, 'session', 0));
    index = new StatementIndex(policies);
    if (indexes.size >= INDEX_CACHE_LIMIT) indexes.delete(indexes.keys().next().value as string);
    indexes.set(key, index);
  }
  return index;
}

// A resource policy's own index, made once per compiled document.
const resourceIndexes = new WeakMap<CompiledPolicy, StatementIndex>();

/** The statements of the resource-based policy whose Action matches the request's. */
function resourceCandidates(input: string | PolicyDocument, action: string, lowerAction: string): readonly IndexedStatement[] {
  const policy = typeof input !== 'string' ? compilePolicy(input) : loadPolicy(input, isTrustPolicyAction(action) ? 'trust' : 'resource');
  let index = resourceIndexes.get(policy);
  if (!index) resourceIndexes.set(policy, (index = new StatementIndex([indexed(policy, 'resource', 0)])));
  return index.candidates(lowerAction);
}

function accountOfOwner(request: RequestFacts, who: PrincipalInfo): boolean {
  const owner = request.resourceOwnerAccount;
  // The principal's account is read from its ARN for this comparison only.
  return owner != null && owner !== '' && who.account !== undefined && owner !== who.account;
}

function prepare(request: RequestFacts, hasBoundary: boolean): Prepared {
  return {
    lowerAction: request.action.toLowerCase(),
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
  collect(set.statements.candidates(req.lowerAction), req, hits);
  if (set.resourcePolicy !== undefined) collect(resourceCandidates(set.resourcePolicy, request.action, req.lowerAction), req, hits);
  return finish(hits, req, set.sessionPolicy !== undefined, accountOfOwner(request, req.who));
}

function finish(hits: Hits, req: Prepared, hasSessionPolicy: boolean, crossAccount: boolean): EvaluationResult {
  // A role's trust policy and a KMS key policy must allow, whoever embeds the engine (see decide.ts).
  const required = resourcePolicyRequired(req.lowerAction, req.resourceArn);
  const outcome = decide(hits, {
    hasBoundary: req.hasBoundary,
    hasSessionPolicy,
    crossAccount,
    resourceMustAllow: required !== undefined,
    boundaryLimitsDirectGrants: required === 'trust',
  });
  return {
    decision: outcome.decision,
    matchedStatements: toMatchedStatements(outcome.deciding),
    missingContextValues: req.context.missing,
  };
}
