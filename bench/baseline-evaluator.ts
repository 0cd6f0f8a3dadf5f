// A deliberately small, hand-written IAM evaluator: the benchmark's floor. It knows
// only Allow/Deny, Action and Resource with `*`/`?` wildcards, and the
// StringEquals/StringLike condition operators; no NotAction, Principal, variables,
// boundaries, sessions or resource policies. Statements are compiled once.

import type { BenchRequest, Expected, PolicyJson } from './workload.js';

type Matcher = (value: string) => boolean;

interface CompiledCondition {
  /** Lower-cased condition key: IAM condition key names are case-insensitive. */
  key: string;
  matchers: Matcher[];
}

interface CompiledStatement {
  deny: boolean;
  actions: Matcher[];
  resources: Matcher[];
  conditions: CompiledCondition[];
}

export interface BaselinePolicySet {
  /** Statements by the service prefix of their actions; `*` holds those whose action pattern has no fixed prefix. */
  byService: Map<string, CompiledStatement[]>;
}

const asArray = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/** `*` matches any run of characters, `?` exactly one; the rest is literal. */
function compileWildcard(pattern: string, ignoreCase: boolean): Matcher {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  if (p === '*') return () => true;
  const star = p.indexOf('*');
  if (!p.includes('?')) {
    if (star === -1) return (v) => v === p;
    if (star === p.length - 1) {
      const prefix = p.slice(0, -1);
      return (v) => v.startsWith(prefix);
    }
  }
  const source = p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`, 's');
  return (v) => re.test(v);
}

function compileCondition(operator: string, key: string, values: string | string[]): CompiledCondition {
  if (operator !== 'StringEquals' && operator !== 'StringLike') {
    throw new Error(`baseline evaluator: unsupported condition operator ${operator}`);
  }
  const matchers = asArray(values).map((value): Matcher =>
    operator === 'StringEquals' ? (v) => v === value : compileWildcard(value, false));
  return { key: key.toLowerCase(), matchers };
}

/** Compiles policy documents (parsed JSON) once, for many calls of `evaluateBaseline`. */
export function compileBaseline(policies: PolicyJson[]): BaselinePolicySet {
  const byService = new Map<string, CompiledStatement[]>();
  const add = (service: string, s: CompiledStatement): void => {
    const list = byService.get(service) ?? [];
    if (!list.includes(s)) list.push(s);
    byService.set(service, list);
  };
  for (const policy of policies) {
    for (const s of policy.Statement) {
      const conditions: CompiledCondition[] = [];
      for (const [operator, block] of Object.entries(s.Condition ?? {})) {
        for (const [key, values] of Object.entries(block)) conditions.push(compileCondition(operator, key, values));
      }
      const compiled: CompiledStatement = {
        deny: s.Effect === 'Deny',
        // Action names are case-insensitive in IAM; resource ARNs are not.
        actions: asArray(s.Action).map((a) => compileWildcard(a, true)),
        resources: asArray(s.Resource).map((r) => compileWildcard(r, false)),
        conditions,
      };
      for (const a of asArray(s.Action)) {
        const colon = a.indexOf(':');
        const service = colon > 0 && !/[*?]/.test(a.slice(0, colon)) ? a.slice(0, colon).toLowerCase() : '*';
        add(service, compiled);
      }
    }
  }
  // Wildcard-service statements apply to every service: merge them in, keeping document order.
  const anyService = byService.get('*') ?? [];
  for (const [service, list] of byService) if (service !== '*') byService.set(service, [...anyService, ...list]);
  return { byService };
}

const anyMatch = (matchers: Matcher[], value: string): boolean => {
  for (const m of matchers) if (m(value)) return true;
  return false;
};

/** Condition key names are case-insensitive; `key` is already lower-cased. */
function lookUp(context: Record<string, string>, key: string): string | undefined {
  for (const k in context) if (k.length === key.length && k.toLowerCase() === key) return context[k];
  return undefined;
}

/**
 * Explicit Deny beats Allow; no matching Allow is an implicit deny. A condition
 * key the request lacks makes its condition false, as for IAM's non-IfExists operators.
 */
export function evaluateBaseline(set: BaselinePolicySet, request: BenchRequest): Expected {
  const action = request.action.toLowerCase();
  const statements = set.byService.get(action.slice(0, action.indexOf(':'))) ?? set.byService.get('*') ?? [];
  let allowed = false;
  outer: for (const s of statements) {
    if (allowed && !s.deny) continue;
    if (!anyMatch(s.actions, action) || !anyMatch(s.resources, request.resourceArn)) continue;
    for (const c of s.conditions) {
      const value = lookUp(request.context, c.key);
      if (value === undefined || !anyMatch(c.matchers, value)) continue outer;
    }
    if (s.deny) return 'explicitDeny';
    allowed = true;
  }
  return allowed ? 'allowed' : 'implicitDeny';
}
