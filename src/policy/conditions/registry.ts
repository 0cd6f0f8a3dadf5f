// The frozen registry of condition-operator semantics: for each base operator the
// AWS documentation lists, how its values match. The operator grammar (qualifiers,
// IfExists, which operators take wildcards and variables) lives in operator-name.ts.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

import { arn } from './arn.js';
import { binaryEquals } from './binary.js';
import { bool } from './bool.js';
import { date } from './date.js';
import { ipAddress } from './ip-address.js';
import type { ConditionMatcher } from './matcher.js';
import { nullOperator } from './null.js';
import { numeric } from './numeric.js';
import { stringEquals, stringEqualsIgnoreCase, stringLike } from './string.js';

/**
 * Every base condition operator's matcher, keyed by its exact name.
 * INVARIANT: frozen, and its keys are exactly those of operator-name.ts's `conditionOperators`.
 */
export const conditionMatchers: Readonly<Record<string, ConditionMatcher>> = Object.freeze({
  StringEquals: stringEquals('StringEquals'),
  StringNotEquals: stringEquals('StringNotEquals'),
  StringEqualsIgnoreCase: stringEqualsIgnoreCase('StringEqualsIgnoreCase'),
  StringNotEqualsIgnoreCase: stringEqualsIgnoreCase('StringNotEqualsIgnoreCase'),
  StringLike: stringLike('StringLike'),
  StringNotLike: stringLike('StringNotLike'),
  NumericEquals: numeric('NumericEquals'),
  NumericNotEquals: numeric('NumericNotEquals'),
  NumericLessThan: numeric('NumericLessThan'),
  NumericLessThanEquals: numeric('NumericLessThanEquals'),
  NumericGreaterThan: numeric('NumericGreaterThan'),
  NumericGreaterThanEquals: numeric('NumericGreaterThanEquals'),
  DateEquals: date('DateEquals'),
  DateNotEquals: date('DateNotEquals'),
  DateLessThan: date('DateLessThan'),
  DateLessThanEquals: date('DateLessThanEquals'),
  DateGreaterThan: date('DateGreaterThan'),
  DateGreaterThanEquals: date('DateGreaterThanEquals'),
  Bool: bool,
  BinaryEquals: binaryEquals,
  IpAddress: ipAddress('IpAddress'),
  NotIpAddress: ipAddress('NotIpAddress'),
  ArnEquals: arn('ArnEquals'),
  ArnLike: arn('ArnLike'),
  ArnNotEquals: arn('ArnNotEquals'),
  ArnNotLike: arn('ArnNotLike'),
  Null: nullOperator,
} as Record<string, ConditionMatcher>);
