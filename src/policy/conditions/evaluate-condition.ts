// One `operator: { key: values }` entry of a Condition block, compiled once and
// evaluated per request: missing keys, `...IfExists`, the ForAllValues /
// ForAnyValue set qualifiers, negation, and policy variables in values.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_logic_multiple_context_keys_or_values.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html

import type { ContextView } from '../context.js';
import { LITERAL_QUESTION, LITERAL_STAR } from '../match.js';
import type { ConditionEntry, PolicyVersion } from '../types.js';
import { parseTemplate, resolveTemplate, type Template } from '../variables.js';
import type { ConditionMatcher } from './matcher.js';
import { parseOperatorName, type SetQualifier } from './operator-name.js';
import { conditionMatchers } from './registry.js';

/** A condition entry ready to evaluate. */
export interface CompiledCondition {
  readonly key: string;
  readonly lowerKey: string;
  readonly matcher: ConditionMatcher;
  readonly negated: boolean;
  readonly ifExists: boolean;
  readonly setQualifier: SetQualifier | undefined;
  readonly isNull: boolean;
  /** Precompiled policy values (those without variables, and those that compiled). */
  readonly values: readonly unknown[];
  /** Values that hold policy variables, resolved per request. */
  readonly templates: readonly Template[];
  /** True when the operator (or a value) can never match, e.g. an unknown operator name. */
  readonly invalid: boolean;
}

const CACHE_LIMIT = 64;

/**
 * Compiles one condition entry. An operator name that the grammar does not know
 * compiles to a condition that never holds (validation reports it; evaluation
 * must not guess).
 */
export function compileCondition(entry: ConditionEntry, version: PolicyVersion): CompiledCondition {
  const parsed = parseOperatorName(entry.operator);
  const matcher = parsed ? conditionMatchers[parsed.base] : undefined;
  const lowerKey = entry.key.toLowerCase();
  if (!parsed || !matcher) {
    return {
      key: entry.key, lowerKey, matcher: conditionMatchers['StringEquals'] as ConditionMatcher, negated: false,
      ifExists: false, setQualifier: undefined, isNull: false, values: [], templates: [], invalid: true,
    };
  }
  const values: unknown[] = [];
  const templates: Template[] = [];
  const usesVariables = matcher.operator.variables;
  const wildcards = matcher.operator.wildcards;
  for (const raw of entry.values) {
    const template = usesVariables ? parseTemplate(raw, version) : undefined;
    if (template?.hasVariables) {
      templates.push(template);
      continue;
    }
    const text = template ? (template.parts[0] as string) : raw;
    const compiled = matcher.compileValue(wildcards ? text : unescape(text));
    if (compiled !== undefined) values.push(compiled);
  }
  return {
    key: entry.key, lowerKey, matcher, negated: parsed.negated, ifExists: parsed.ifExists,
    setQualifier: parsed.setQualifier, isNull: parsed.base === 'Null', values, templates, invalid: false,
  };
}

function unescape(text: string): string {
  return text.replaceAll(LITERAL_STAR, '*').replaceAll(LITERAL_QUESTION, '?');
}

// Compiled forms of resolved template values, per condition: the server evaluates
// the same principal (so the same substitutions) over and over.
const resolvedCache = new WeakMap<CompiledCondition, Map<string, unknown>>();

function policyValues(condition: CompiledCondition, context: ContextView): readonly unknown[] | undefined {
  if (condition.templates.length === 0) return condition.values;
  const out = condition.values.slice();
  const wildcards = condition.matcher.operator.wildcards;
  let cache = resolvedCache.get(condition);
  if (!cache) resolvedCache.set(condition, (cache = new Map()));
  let unresolved = false;
  for (const template of condition.templates) {
    const text = resolveTemplate(template, context, wildcards);
    if (text === undefined) {
      unresolved = true;
      continue;
    }
    let compiled = cache.get(text);
    if (compiled === undefined && !cache.has(text)) {
      compiled = condition.matcher.compileValue(text);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(text, compiled);
    }
    if (compiled !== undefined) out.push(compiled);
  }
  // A variable whose key is absent (and has no default) cannot be compared with:
  // the condition fails, so the statement does not match.
  return unresolved ? undefined : out;
}

/**
 * Evaluates one condition entry against the request context.
 * - Absent key: `...IfExists` → true; `ForAllValues` → true (vacuously: no value
 *   fails); `ForAnyValue` → false; otherwise a negated
 *   operator → true and a positive one → false. The key is recorded as missing.
 * - Several policy values are ORed; a context value matches when it matches any.
 * - `ForAllValues`: every context value must match; `ForAnyValue`: at least one.
 *   Without a qualifier a positive operator needs one matching context value and a
 *   negated operator needs every context value not to match any policy value.
 * - An empty list is an empty (null) data set: ForAllValues holds, ForAnyValue fails,
 *   Null true holds.
 * Kept against @cloud-copilot/iam-simulate 0.1.173: it fails `ForAnyValue:...IfExists`
 * on a missing key and answers `Null: true` false for an empty list; the pages below
 * say that IfExists on an absent key evaluates the condition as true, and treat an
 * empty value set like a missing one for the set operators.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
export function evaluateCondition(condition: CompiledCondition, context: ContextView): boolean {
  if (condition.invalid) return false;
  const present = context.get(condition.key, condition.lowerKey);
  if (condition.isNull) {
    const absent = present === undefined || present.length === 0;
    for (let i = 0; i < condition.values.length; i++) if (condition.values[i] === absent) return true;
    return false;
  }
  if (present === undefined) {
    context.noteMissing(condition.key, condition.lowerKey);
    if (condition.ifExists || condition.setQualifier === 'ForAllValues') return true;
    if (condition.setQualifier === 'ForAnyValue') return false;
    return condition.negated;
  }
  const values = policyValues(condition, context);
  if (values === undefined) return false;
  const { matcher, negated } = condition;
  if (condition.setQualifier === 'ForAnyValue') {
    for (let i = 0; i < present.length; i++) if (satisfies(matcher, negated, values, present[i]!)) return true;
    return false;
  }
  if (condition.setQualifier === 'ForAllValues' || (negated && present.length !== 1)) {
    for (let i = 0; i < present.length; i++) if (!satisfies(matcher, negated, values, present[i]!)) return false;
    return true;
  }
  // A single value, or a positive operator on a list: one satisfying value is enough.
  for (let i = 0; i < present.length; i++) if (satisfies(matcher, negated, values, present[i]!)) return true;
  return false;
}

/** True when one context value "satisfies" the (possibly negated) operator against the policy values. */
function satisfies(matcher: ConditionMatcher, negated: boolean, values: readonly unknown[], raw: string): boolean {
  const prepared = matcher.prepareContextValue(raw);
  if (prepared === undefined) return false;
  let hit = false;
  for (let i = 0; i < values.length; i++) {
    if (matcher.test(prepared, values[i])) {
      hit = true;
      break;
    }
  }
  return negated ? !hit : hit;
}
