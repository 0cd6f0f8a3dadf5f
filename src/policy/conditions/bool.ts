// The Bool condition operator: `true` / `false`, compared without regard to case.
// A context value that is neither matches nothing.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean

import { defineMatcher, type ConditionMatcher } from './matcher.js';
import { conditionOperators, type BaseOperator } from './operator-name.js';

/** Reads `true` / `false` in any letter case; `undefined` otherwise. */
export function parseBool(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  return v === 'true' ? true : v === 'false' ? false : undefined;
}

/** The Bool matcher. */
export const bool: ConditionMatcher<boolean, boolean> = defineMatcher({
  operator: conditionOperators['Bool'] as BaseOperator,
  compileValue: parseBool,
  prepareContextValue: parseBool,
  test: (context, policy) => context === policy,
});
