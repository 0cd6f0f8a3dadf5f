// The Null condition operator: `true` asks that the key be absent from the request
// context, `false` that it be present. It never records the key as missing: its
// absence is the answer, not an unknown.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null

import { parseBool } from './bool.js';
import { defineMatcher, type ConditionMatcher } from './matcher.js';
import { conditionOperators, type BaseOperator } from './operator-name.js';

/**
 * The Null matcher. Its "context value" is whether the key is absent; the policy
 * value says whether absence is expected. An empty list counts as absent.
 */
export const nullOperator: ConditionMatcher<boolean, boolean> = defineMatcher({
  operator: conditionOperators['Null'] as BaseOperator,
  compileValue: parseBool,
  prepareContextValue: parseBool,
  test: (absent, expectAbsent) => absent === expectAbsent,
});
