// ARN condition operators. ArnEquals and ArnLike are documented identically: "each
// of the six colon-delimited components of the ARN is checked separately and each
// can include multi-character match wildcards (*) or single-character match
// wildcards (?)"; case-sensitive. So a wildcard never spans a colon among the first
// five components, unlike in the Resource element (see match.ts).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN

import { compileArnParts, splitArn } from '../match.js';
import { defineMatcher, type ConditionMatcher } from './matcher.js';
import { conditionOperators, type BaseOperator } from './operator-name.js';

type PartsMatcher = (parts: readonly string[]) => boolean;

/** The matcher of one Arn* operator; a context value that is not a six-part ARN matches nothing. */
export const arn = (name: 'ArnEquals' | 'ArnLike' | 'ArnNotEquals' | 'ArnNotLike'): ConditionMatcher<PartsMatcher, string[]> =>
  defineMatcher({
    operator: conditionOperators[name] as BaseOperator,
    compileValue: compileArnParts,
    prepareContextValue: splitArn,
    test: (context, policy) => policy(context),
  });
