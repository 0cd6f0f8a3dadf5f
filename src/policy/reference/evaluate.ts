// A deliberately naive executable specification of IAM's policy evaluation logic,
// against which the engine (evaluate.ts, compile.ts, decide.ts) is tested on
// generated policies and requests (differential.test.ts). One function per step of
// the AWS page, every statement of every policy looked at for every request: no
// index, no cache, no compilation. Correctness over speed, always: never optimise
// this file. Not part of the published engine (tsconfig.policy.json excludes it).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_accounts.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html

import type { Decision, MatchedStatement, PolicyDocument, PolicySource, RequestContext, RequestFacts, Statement } from '../types.js';
import { conditionHolds } from './conditions.js';
import { actionMatches, substitute, tokensMatch } from './match.js';
import { isLeftOut, nameRequester, readRequester, type Naming, type Requester } from './principal.js';

/** The policies of one request, all as parsed documents. */
export interface ReferencePolicies {
  identityPolicies: PolicyDocument[];
  permissionsBoundary?: PolicyDocument | undefined;
  sessionPolicy?: PolicyDocument | undefined;
  resourcePolicy?: PolicyDocument | undefined;
}

/** The decision and the statements it rests on, in the engine's result shape. */
export interface ReferenceResult {
  decision: Decision;
  matchedStatements: MatchedStatement[];
}

/** A statement that applies to the request, with where it is and how a resource policy named the requester. */
interface Applicable {
  source: PolicySource;
  policyIndex: number;
  document: PolicyDocument;
  statement: Statement;
  naming: Naming | undefined;
}

/** Action: one listed pattern matches; NotAction: none does ("every action except"); neither: nothing. */
function actionApplies(statement: Statement, action: string): boolean {
  if (statement.action) return statement.action.some((p) => actionMatches(p, action));
  if (statement.notAction) return !statement.notAction.some((p) => actionMatches(p, action));
  return false;
}

/**
 * Resource: one listed ARN pattern matches (after policy variables); NotResource:
 * none does, and every value could be read (a value whose variable has no value
 * excludes an unknown set). Neither (a role trust policy): the statement is about
 * the resource the policy is attached to.
 */
function resourceApplies(statement: Statement, doc: PolicyDocument, arn: string, context: RequestContext): boolean {
  const matches = (value: string): boolean | undefined => {
    const tokens = substitute(value, doc.version, context, true);
    return tokens === undefined ? undefined : tokensMatch(tokens, arn, 'resource');
  };
  if (statement.resource) return statement.resource.some((v) => matches(v) === true);
  if (statement.notResource) return statement.notResource.every((v) => matches(v) === false);
  return true;
}

/** Every condition entry holds (entries are ANDed). */
function conditionsHold(statement: Statement, doc: PolicyDocument, context: RequestContext): boolean {
  return statement.condition.every((c) => conditionHolds(c, doc.version, context));
}

/**
 * Principal of a resource-based statement; `null` when it does not apply to the
 * requester. NotPrincipal applies to everyone it does not leave out, except that a
 * Deny with NotPrincipal "will always deny any IAM principal that has a permissions
 * boundary policy attached".
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
 */
function principalNaming(statement: Statement, who: Requester, hasBoundary: boolean): Naming | null {
  if (statement.principal !== undefined) return nameRequester(statement.principal, who) ?? null;
  if (statement.notPrincipal !== undefined) {
    if (statement.effect === 'Deny' && hasBoundary) return 'everyone';
    return isLeftOut(statement.notPrincipal, who) ? null : 'everyone';
  }
  return null;
}

/** Step 0: every statement of every policy that applies to the request (identity-based ones ignore Principal). */
function applicableStatements(policies: ReferencePolicies, request: RequestFacts, who: Requester): Applicable[] {
  const context = request.context ?? {};
  const hasBoundary = policies.permissionsBoundary !== undefined;
  const lists: Array<[PolicySource, PolicyDocument[]]> = [
    ['identity', policies.identityPolicies],
    ['permissionsBoundary', policies.permissionsBoundary ? [policies.permissionsBoundary] : []],
    ['session', policies.sessionPolicy ? [policies.sessionPolicy] : []],
    ['resource', policies.resourcePolicy ? [policies.resourcePolicy] : []],
  ];
  const out: Applicable[] = [];
  for (const [source, documents] of lists) {
    documents.forEach((document, policyIndex) => {
      for (const statement of document.statements) {
        let naming: Naming | undefined;
        if (source === 'resource') {
          const named = principalNaming(statement, who, hasBoundary);
          if (named === null) continue;
          naming = named;
        }
        if (!actionApplies(statement, request.action)) continue;
        if (!resourceApplies(statement, document, request.resourceArn, context)) continue;
        if (!conditionsHold(statement, document, context)) continue;
        out.push({ source, policyIndex, document, statement, naming });
      }
    });
  }
  return out;
}

const allows = (list: Applicable[], source: PolicySource): Applicable[] =>
  list.filter((a) => a.source === source && a.statement.effect === 'Allow');

/** Step 1: "an explicit deny in any policy overrides any allows." */
function explicitDenies(applicable: Applicable[]): Applicable[] {
  return applicable.filter((a) => a.statement.effect === 'Deny');
}

// Step 2, Organizations SCPs and RCPs: not modelled (the engine takes none).

/**
 * Steps 4-6 for the identity side: an identity-based Allow, and, when a permissions
 * boundary or a session policy is present, an Allow in it too (the effective
 * permissions are their intersection). Returns the allows it rests on, or `undefined`.
 */
function identitySideAllows(applicable: Applicable[], policies: ReferencePolicies): Applicable[] | undefined {
  const identity = allows(applicable, 'identity');
  const boundary = allows(applicable, 'permissionsBoundary');
  const session = allows(applicable, 'session');
  if (identity.length === 0) return undefined;
  if (policies.permissionsBoundary && boundary.length === 0) return undefined;
  if (policies.sessionPolicy && session.length === 0) return undefined;
  return [...identity, ...boundary, ...session];
}

/**
 * Step 3 within one account: a resource-based Allow grants on its own when it names
 * the requester itself (user, role session, federated user, service): "an implicit
 * deny in a permissions boundary does not limit" it, and for a session ARN "the
 * session policy doesn't limit" it. One that names the role of a session, or
 * everyone, is limited by the boundary and the session policy. One that names the
 * account hands over to the identity-based policies and grants nothing alone.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-eval-logic
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
 */
// For a role's trust policy the boundary limits a grant naming the user too: "If a
// permissions boundary is set for the user, then it must allow the sts:AssumeRole action."
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
function resourceGrantsAlone(applicable: Applicable[], policies: ReferencePolicies, trust: boolean): Applicable[] {
  const boundaryPasses = !policies.permissionsBoundary || allows(applicable, 'permissionsBoundary').length > 0;
  const limitsPass = boundaryPasses && (!policies.sessionPolicy || allows(applicable, 'session').length > 0);
  return allows(applicable, 'resource').filter(
    (a) => (a.naming === 'self' && (boundaryPasses || !trust)) || ((a.naming === 'role' || a.naming === 'everyone') && limitsPass),
  );
}

/**
 * The two resource-based policies that must allow even within one account: "IAM role
 * trust policies and KMS key policies are exceptions to this logic, because they must
 * explicitly allow access for principals." A role-assumption action on a role is decided
 * by its trust policy; a KMS action on a key by its key policy: "Unless the key policy
 * explicitly allows it, you cannot use IAM policies to allow access to a KMS key."
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_accounts.html
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
 */
function mustResourceAllow(request: RequestFacts): 'trust' | 'kms' | undefined {
  const action = request.action.toLowerCase();
  const [, , service, , account, resource] = request.resourceArn.split(':');
  const isRole = request.resourceArn.startsWith('arn:') && service === 'iam' && /^\d{12}$/.test(account ?? '') && (resource ?? '').startsWith('role/');
  const isKey = request.resourceArn.startsWith('arn:') && service === 'kms' && /^\d{12}$/.test(account ?? '') && (resource ?? '').startsWith('key/');
  const roleActions = ['sts:assumerole', 'sts:assumerolewithsaml', 'sts:assumerolewithwebidentity', 'sts:tagsession', 'sts:setsourceidentity', 'sts:setcontext'];
  if (roleActions.includes(action) && isRole) return 'trust';
  if (action.startsWith('kms:') && isKey) return 'kms';
  return undefined;
}

/** Across accounts, "the identity-based policy and the resource-based policy must both allow". */
function isCrossAccount(request: RequestFacts, who: Requester): boolean {
  const owner = request.resourceOwnerAccount;
  return owner !== undefined && owner !== null && owner !== '' && who.account !== undefined && owner !== who.account;
}

const ORDER: PolicySource[] = ['identity', 'permissionsBoundary', 'session', 'resource'];

function report(list: Applicable[]): MatchedStatement[] {
  return [...list]
    .sort((a, b) => ORDER.indexOf(a.source) - ORDER.indexOf(b.source) || a.policyIndex - b.policyIndex || a.statement.index - b.statement.index)
    .map((a) => {
      const m: MatchedStatement = { source: a.source, policyIndex: a.policyIndex, statementIndex: a.statement.index, effect: a.statement.effect };
      const policyId = a.document.policyId ?? a.document.id;
      if (policyId !== undefined) m.policyId = policyId;
      if (a.statement.sid !== undefined) m.sid = a.statement.sid;
      return m;
    });
}

/**
 * Decides one request, step by step as the AWS page orders them: explicit deny;
 * (SCPs, RCPs: not modelled); resource-based policies; identity-based policies;
 * permissions boundary; session policy. The statements reported are the Denies that
 * apply (explicit deny), or the Allows each part of the decision rests on.
 */
export function evaluateReference(policies: ReferencePolicies, request: RequestFacts): ReferenceResult {
  const who = readRequester(request.principalArn);
  const applicable = applicableStatements(policies, request, who);

  const denies = explicitDenies(applicable);
  if (denies.length > 0) return { decision: 'explicitDeny', matchedStatements: report(denies) };

  const identitySide = identitySideAllows(applicable, policies);
  const resourceAllows = allows(applicable, 'resource');
  if (isCrossAccount(request, who)) {
    if (identitySide && resourceAllows.length > 0) return { decision: 'allowed', matchedStatements: report([...identitySide, ...resourceAllows]) };
    return { decision: 'implicitDeny', matchedStatements: [] };
  }
  const required = mustResourceAllow(request);
  const alone = resourceGrantsAlone(applicable, policies, required === 'trust');
  if (required !== undefined) {
    // Identity-based Allows count only beside a resource-based Allow.
    if (identitySide && resourceAllows.length > 0) return { decision: 'allowed', matchedStatements: report([...identitySide, ...resourceAllows]) };
    if (alone.length > 0) return { decision: 'allowed', matchedStatements: report(alone) };
    return { decision: 'implicitDeny', matchedStatements: [] };
  }
  if (identitySide) return { decision: 'allowed', matchedStatements: report([...identitySide, ...resourceAllows]) };
  if (alone.length > 0) return { decision: 'allowed', matchedStatements: report(alone) };
  return { decision: 'implicitDeny', matchedStatements: [] };
}
