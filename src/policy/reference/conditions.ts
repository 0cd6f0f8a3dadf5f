// The naive reference's Condition element: operator names, missing keys,
// ...IfExists, the ForAllValues / ForAnyValue set operators, negation, and the
// value types. String, Bool, Null, Numeric and Arn operators are written here
// from the AWS page; Date, IpAddress and Binary reuse the engine's value matchers
// (conditions/registry.ts: parsing ISO dates and CIDR blocks again would double this
// file for no gain in independence of the evaluation logic), so only their parsing
// is shared, never the set logic around them.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html

import { conditionMatchers } from '../conditions/registry.js';
import type { ConditionEntry, PolicyVersion, RequestContext } from '../types.js';
import { literalTokens, lookUp, substitute, textOf, tokensMatch, type Token } from './match.js';

/** How one context value compares with one policy value (already substituted), in the positive form. */
type Compare = (contextValue: string, policyValue: Token[]) => boolean | undefined;

const text = textOf;

const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;
const number = (value: string): number | undefined => (NUMBER.test(value) ? Number(value) : undefined);
const bool = (value: string): boolean | undefined => {
  const v = value.trim().toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
};

/** `undefined`: the comparison cannot be made (a malformed value), so nothing matches. */
function numeric(test: (c: number, p: number) => boolean): Compare {
  return (c, p) => {
    const [a, b] = [number(c), number(text(p))];
    return a === undefined ? undefined : b !== undefined && test(a, b);
  };
}

/** Splits tokens at their first five colons: the six components of an ARN, or `undefined`. */
function components(tokens: readonly Token[]): Token[][] | undefined {
  const parts: Token[][] = [[]];
  for (const token of tokens) {
    if (token === ':' && parts.length < 6) parts.push([]);
    else parts[parts.length - 1]!.push(token);
  }
  return parts.length === 6 ? parts : undefined;
}

/** "Each of the six colon-delimited components of the ARN is checked separately", wildcards within each. */
function arnMatches(c: string, p: Token[]): boolean | undefined {
  const value = components(literalTokens(c));
  if (value === undefined) return undefined;
  const pattern = components(p);
  return pattern !== undefined && pattern.every((part, i) => tokensMatch(part, text(value[i]!), 'free'));
}

/** A matcher of the engine's registry, for the value types this file does not parse itself. */
function shared(base: string): Compare {
  const m = conditionMatchers[base]!;
  return (c, p) => {
    const prepared = m.prepareContextValue(c);
    if (prepared === undefined) return undefined;
    const policy = m.compileValue(text(p));
    return policy !== undefined && m.test(prepared, policy);
  };
}

interface Base {
  compare: Compare;
  negated: boolean;
  /** Whether values are read with `*` / `?` wildcards. */
  wildcards: boolean;
  /** Whether `${...}` policy variables are substituted in values. */
  variables: boolean;
}

const like = (negated: boolean): Base => ({ compare: (c, p) => tokensMatch(p, c, 'free'), negated, wildcards: true, variables: true });
const equals = (negated: boolean): Base => ({ compare: (c, p) => c === text(p), negated, wildcards: false, variables: true });
const ignoreCase = (negated: boolean): Base => ({ compare: (c, p) => c.toLowerCase() === text(p).toLowerCase(), negated, wildcards: false, variables: true });
const num = (test: (c: number, p: number) => boolean, negated = false): Base => ({ compare: numeric(test), negated, wildcards: false, variables: false });
const arn = (negated: boolean): Base => ({ compare: arnMatches, negated, wildcards: true, variables: true });
const other = (base: string, negated = false): Base => ({ compare: shared(base), negated, wildcards: false, variables: false });

/** The base operators of the page, by exact (case-sensitive) name. */
const BASES: Readonly<Record<string, Base>> = {
  StringEquals: equals(false),
  StringNotEquals: equals(true),
  StringEqualsIgnoreCase: ignoreCase(false),
  StringNotEqualsIgnoreCase: ignoreCase(true),
  StringLike: like(false),
  StringNotLike: like(true),
  NumericEquals: num((c, p) => c === p),
  NumericNotEquals: num((c, p) => c === p, true),
  NumericLessThan: num((c, p) => c < p),
  NumericLessThanEquals: num((c, p) => c <= p),
  NumericGreaterThan: num((c, p) => c > p),
  NumericGreaterThanEquals: num((c, p) => c >= p),
  Bool: { compare: (c, p) => { const v = bool(c); return v === undefined ? undefined : v === bool(text(p)); }, negated: false, wildcards: false, variables: true },
  ArnEquals: arn(false),
  ArnLike: arn(false),
  ArnNotEquals: arn(true),
  ArnNotLike: arn(true),
  DateEquals: other('DateEquals'),
  DateNotEquals: other('DateNotEquals', true),
  DateLessThan: other('DateLessThan'),
  DateLessThanEquals: other('DateLessThanEquals'),
  DateGreaterThan: other('DateGreaterThan'),
  DateGreaterThanEquals: other('DateGreaterThanEquals'),
  BinaryEquals: other('BinaryEquals'),
  IpAddress: other('IpAddress'),
  NotIpAddress: other('NotIpAddress', true),
};

interface Operator {
  base: Base | 'Null';
  qualifier: 'ForAllValues' | 'ForAnyValue' | undefined;
  ifExists: boolean;
}

/** `[ForAllValues:|ForAnyValue:]Base[IfExists]`; `Null` takes no IfExists. `undefined` for anything else. */
function readOperator(name: string): Operator | undefined {
  const m = /^(?:(ForAllValues|ForAnyValue):)?([A-Za-z]+?)(IfExists)?$/.exec(name);
  if (!m) return undefined;
  const qualifier = m[1] as Operator['qualifier'];
  const ifExists = m[3] !== undefined;
  if (m[2] === 'Null') return ifExists ? undefined : { base: 'Null', qualifier, ifExists };
  const base = Object.hasOwn(BASES, m[2]!) ? BASES[m[2]!] : undefined;
  return base && { base, qualifier, ifExists };
}

/**
 * One `operator: { key: values }` entry against the request context.
 * - Null: `true` holds when the key is absent (or an empty set), `false` when present.
 * - Absent key: IfExists holds ("if the key is not present, evaluate the condition
 *   element as true"); ForAllValues holds (no value fails), ForAnyValue fails; otherwise
 *   a negated operator holds and a positive one fails.
 * - A value whose variable cannot be resolved makes the condition fail.
 * - Values of one key are ORed. ForAnyValue: some context value satisfies the
 *   operator; ForAllValues: every one does. Without a qualifier a positive operator
 *   needs one matching context value, a negated one needs no context value to match.
 * - A context value malformed for the type satisfies nothing, negated or not.
 */
export function conditionHolds(entry: ConditionEntry, version: PolicyVersion, context: RequestContext): boolean {
  const operator = readOperator(entry.operator);
  if (operator === undefined) return false;
  const found = lookUp(context, entry.key);
  const values = found === undefined ? undefined : typeof found === 'string' ? [found] : found;
  if (operator.base === 'Null') {
    const absent = values === undefined || values.length === 0;
    return entry.values.some((v) => bool(v) === absent);
  }
  const base = operator.base;
  if (values === undefined) {
    if (operator.ifExists || operator.qualifier === 'ForAllValues') return true;
    if (operator.qualifier === 'ForAnyValue') return false;
    return base.negated;
  }
  const policyValues: Token[][] = [];
  for (const v of entry.values) {
    const tokens = base.variables ? substitute(v, version, context, base.wildcards) : literalTokens(v);
    if (tokens === undefined) return false;
    policyValues.push(tokens);
  }
  const satisfies = (contextValue: string): boolean => {
    let matched = false;
    for (const p of policyValues) {
      const r = base.compare(contextValue, p);
      if (r === undefined) return false;
      if (r) matched = true;
    }
    return base.negated ? !matched : matched;
  };
  const all = operator.qualifier === 'ForAllValues' || (operator.qualifier === undefined && base.negated);
  return all ? values.every(satisfies) : values.some(satisfies);
}
