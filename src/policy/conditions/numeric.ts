// Numeric condition operators. Both sides must be numbers: a context value that is
// not a number matches nothing.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric

import { defineMatcher, type ConditionMatcher } from './matcher.js';
import { conditionOperators, type BaseOperator } from './operator-name.js';

const NUMBER = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/;

/** Parses a decimal number as IAM writes them (`42`, `-1.5`, `1e3`); `undefined` otherwise. */
export function parseNumber(value: string): number | undefined {
  return NUMBER.test(value) ? Number(value) : undefined;
}

type Compare = (context: number, policy: number) => boolean;

const comparisons: Readonly<Record<string, Compare>> = Object.freeze({
  NumericEquals: (c, p) => c === p,
  NumericNotEquals: (c, p) => c === p,
  NumericLessThan: (c, p) => c < p,
  NumericLessThanEquals: (c, p) => c <= p,
  NumericGreaterThan: (c, p) => c > p,
  NumericGreaterThanEquals: (c, p) => c >= p,
});

/** The matcher of one Numeric* operator; the context value is the left operand. */
export const numeric = (name: keyof typeof comparisons & string): ConditionMatcher<number, number> =>
  defineMatcher({
    operator: conditionOperators[name] as BaseOperator,
    compileValue: parseNumber,
    prepareContextValue: parseNumber,
    test: comparisons[name] as Compare,
  });
