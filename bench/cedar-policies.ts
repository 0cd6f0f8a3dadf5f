// Translates the benchmark's IAM policies and requests into Cedar, for
// `@cedar-policy/cedar-wasm`. Cedar has no IAM-style action or ARN wildcards, so
// the request's action and resource are entities carrying `name`/`arn` attributes
// and each statement becomes one permit/forbid matched with `==` or `like`.

import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { AuthorizationCall, StatefulAuthorizationCall } from '@cedar-policy/cedar-wasm/nodejs';
import { PRINCIPAL_ARN, type BenchRequest, type Expected, type PolicyJson } from './workload.js';

const asArray = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/** A Cedar string literal; `escapeStar` escapes `*` for use as a literal inside a `like` pattern. */
function literal(value: string, escapeStar = false): string {
  let s = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  if (escapeStar) s = s.replace(/\*/g, '\\*');
  return `"${s}"`;
}

/** `expr == "v"` for a plain value, `expr like "p*"` for a pattern; IAM's `?` has no Cedar form. */
function matchExpr(expr: string, pattern: string): string {
  if (pattern.includes('?')) throw new Error(`cedar translation: '?' wildcard is not expressible in Cedar: ${pattern}`);
  return pattern.includes('*') ? `${expr} like ${literal(pattern)}` : `${expr} == ${literal(pattern)}`;
}

const anyOf = (terms: string[]): string => (terms.length === 1 ? terms[0]! : `(${terms.join(' || ')})`);

function conditionExpr(operator: string, key: string, values: string | string[]): string {
  const ref = `context[${literal(key.toLowerCase())}]`;
  const has = `context has ${literal(key.toLowerCase())}`;
  if (operator === 'StringEquals') return `(${has} && ${anyOf(asArray(values).map((v) => `${ref} == ${literal(v)}`))})`;
  if (operator === 'StringLike') {
    return `(${has} && ${anyOf(asArray(values).map((v) => (v.includes('*') ? `${ref} like ${literal(v)}` : `${ref} == ${literal(v)}`)))})`;
  }
  throw new Error(`cedar translation: unsupported condition operator ${operator}`);
}

/**
 * One Cedar policy per IAM statement, keyed `p<policy>s<statement>`. Action names
 * are matched lower-cased (IAM action names are case-insensitive); condition keys too.
 */
export function translatePolicies(policies: PolicyJson[]): Record<string, string> {
  const out: Record<string, string> = {};
  const principal = `principal == User::${literal(PRINCIPAL_ARN)}`;
  policies.forEach((policy, p) => {
    policy.Statement.forEach((s, i) => {
      const clauses = [anyOf(asArray(s.Action).map((a) => matchExpr('action.name', a.toLowerCase())))];
      const resources = asArray(s.Resource);
      if (!resources.includes('*')) clauses.push(anyOf(resources.map((r) => matchExpr('resource.arn', r))));
      for (const [operator, block] of Object.entries(s.Condition ?? {})) {
        for (const [key, values] of Object.entries(block)) clauses.push(conditionExpr(operator, key, values));
      }
      const effect = s.Effect === 'Allow' ? 'permit' : 'forbid';
      out[`p${p}s${i}`] = `${effect}(${principal}, action, resource) when { ${clauses.join(' && ')} };`;
    });
  });
  return out;
}

/** The Cedar request for one benchmark request, built ahead of time like the IAM request object. */
export function translateRequest(request: BenchRequest): Omit<AuthorizationCall, 'policies'> {
  const context: Record<string, string> = {};
  for (const key in request.context) context[key.toLowerCase()] = request.context[key]!;
  const action = { type: 'Action', id: request.action };
  const resource = { type: 'Resource', id: request.resourceArn };
  return {
    principal: { type: 'User', id: PRINCIPAL_ARN },
    action,
    resource,
    context,
    entities: [
      { uid: action, attrs: { name: request.action.toLowerCase() }, parents: [] },
      { uid: resource, attrs: { arn: request.resourceArn }, parents: [] },
    ],
  };
}

type Answer = ReturnType<typeof cedar.isAuthorized>;

/** allow → allowed; deny with a determining forbid → explicitDeny; deny with none → implicitDeny. */
export function toDecision(answer: Answer): Expected {
  if (answer.type !== 'success') throw new Error(`cedar: ${answer.errors.map((e) => e.message).join('; ')}`);
  const { decision, diagnostics } = answer.response;
  if (diagnostics.errors.length > 0) throw new Error(`cedar: ${diagnostics.errors.map((e) => e.error.message).join('; ')}`);
  if (decision === 'allow') return 'allowed';
  return diagnostics.reason.length > 0 ? 'explicitDeny' : 'implicitDeny';
}

/** Cedar's basic interface: the policy set travels (and is parsed) with every call. */
export function createCedarAuthorizer(policies: Record<string, string>): (call: Omit<AuthorizationCall, 'policies'>) => Answer {
  const policySet = { staticPolicies: policies };
  return (call) => cedar.isAuthorized({ ...call, policies: policySet });
}

/** Cedar's stateful interface: the policy set is parsed once and cached inside the wasm instance. */
export function createStatefulCedarAuthorizer(setId: string, policies: Record<string, string>): (call: Omit<AuthorizationCall, 'policies'>) => Answer {
  const parsed = cedar.preparsePolicySet(setId, { staticPolicies: policies });
  if (parsed.type !== 'success') throw new Error(`cedar: ${parsed.errors.map((e) => e.message).join('; ')}`);
  return (call) => cedar.statefulIsAuthorized({ ...call, preparsedPolicySetId: setId } as StatefulAuthorizationCall);
}

export const cedarVersion = (): string => cedar.getCedarVersion();
