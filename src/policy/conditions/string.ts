// String condition operators: StringEquals / StringNotEquals (exact, case-sensitive),
// the IgnoreCase pair, and StringLike / StringNotLike with `*` and `?` wildcards.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String

import { compileGlob, type Matcher } from '../match.js';
import { defineMatcher, type ConditionMatcher } from './matcher.js';
import { conditionOperators, type BaseOperator } from './operator-name.js';

const base = (name: string): BaseOperator => conditionOperators[name] as BaseOperator;
const identity = (value: string): string => value;
const lower = (value: string): string => value.toLowerCase();
const equal = (context: string, policy: string): boolean => context === policy;

/** Exact, case-sensitive matching; a `*` in the policy value is a literal star. */
export const stringEquals = (name: 'StringEquals' | 'StringNotEquals'): ConditionMatcher<string, string> =>
  defineMatcher({ operator: base(name), compileValue: identity, prepareContextValue: identity, test: equal });

/** Exact matching that ignores letter case. */
export const stringEqualsIgnoreCase = (
  name: 'StringEqualsIgnoreCase' | 'StringNotEqualsIgnoreCase',
): ConditionMatcher<string, string> =>
  defineMatcher({ operator: base(name), compileValue: lower, prepareContextValue: lower, test: equal });

/** Case-sensitive matching where `*` matches any run of characters and `?` one character. */
export const stringLike = (name: 'StringLike' | 'StringNotLike'): ConditionMatcher<Matcher, string> =>
  defineMatcher({
    operator: base(name),
    compileValue: (value) => compileGlob(value),
    prepareContextValue: identity,
    test: (context, policy) => policy(context),
  });
