// The shape every condition operator's semantics takes: how one policy value is
// precompiled, how one context value is read, and when the two match. Negation,
// IfExists and the ForAllValues/ForAnyValue qualifiers are applied on top of this
// by evaluate-condition.ts, the same way for every operator.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

import type { BaseOperator } from './operator-name.js';

/**
 * How a base operator matches. `P` is a precompiled policy value, `C` a prepared
 * context value. Matching is always the positive form (`StringNotEquals` shares
 * `StringEquals`'s test); the registry entry says whether the result is negated.
 */
export interface ConditionMatcher<P = unknown, C = unknown> {
  /** The base operator as the operator-name registry describes it. */
  readonly operator: BaseOperator;
  /** Precompiles one policy value; `undefined` when it can never match (malformed for the type). */
  compileValue(value: string): P | undefined;
  /**
   * Reads one context value; `undefined` when it is malformed for the type (a
   * non-numeric value for Numeric*, for example). A malformed context value
   * matches nothing, under a negated operator too: the comparison cannot be made.
   * (@cloud-copilot/iam-simulate agrees for NotIpAddress and ArnNotLike but answers
   * true for NumericNotEquals; we keep one rule for every type.)
   */
  prepareContextValue(value: string): C | undefined;
  /** True when the context value matches the policy value. */
  test(context: C, policy: P): boolean;
}

/** Builds a frozen matcher; keeps each operator file a few lines long. */
export function defineMatcher<P, C>(matcher: ConditionMatcher<P, C>): ConditionMatcher<P, C> {
  return Object.freeze(matcher);
}
