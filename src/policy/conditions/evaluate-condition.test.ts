// Table-driven tests of how a condition entry combines its parts: missing keys,
// `...IfExists`, ForAllValues / ForAnyValue on single- and multivalued keys,
// negated operators, case-insensitive key names, policy variables in values.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists

import { describe, expect, it } from 'vitest';
import { ContextView } from '../context.js';
import type { PolicyVersion, RequestContext } from '../types.js';
import { compileCondition, evaluateCondition } from './evaluate-condition.js';

interface Row {
  name: string;
  operator: string;
  key?: string;
  values: string[];
  context: RequestContext;
  expected: boolean;
  missing?: string[];
  version?: PolicyVersion;
}

const rows: Row[] = [
  // Missing keys
  { name: 'a positive operator on a missing key is false', operator: 'StringEquals', values: ['a'], context: {}, expected: false, missing: ['k'] },
  { name: 'a negated operator on a missing key is true', operator: 'StringNotEquals', values: ['a'], context: {}, expected: true, missing: ['k'] },
  { name: 'StringNotLike on a missing key is true', operator: 'StringNotLike', values: ['a*'], context: {}, expected: true },
  { name: 'NotIpAddress on a missing key is true', operator: 'NotIpAddress', values: ['10.0.0.0/8'], context: {}, expected: true },
  { name: 'ArnNotLike on a missing key is true', operator: 'ArnNotLike', values: ['arn:*:*:*:*:*'], context: {}, expected: true },
  { name: 'NumericLessThan on a missing key is false', operator: 'NumericLessThan', values: ['5'], context: {}, expected: false },
  { name: 'Bool on a missing key is false', operator: 'Bool', values: ['false'], context: {}, expected: false },
  // IfExists
  { name: 'IfExists on a missing key is true', operator: 'StringEqualsIfExists', values: ['a'], context: {}, expected: true, missing: ['k'] },
  { name: 'IfExists on a present key compares it (match)', operator: 'StringEqualsIfExists', values: ['a'], context: { k: 'a' }, expected: true, missing: [] },
  { name: 'IfExists on a present key compares it (mismatch)', operator: 'StringEqualsIfExists', values: ['a'], context: { k: 'b' }, expected: false },
  { name: 'NumericLessThanIfExists on a missing key is true', operator: 'NumericLessThanIfExists', values: ['5'], context: {}, expected: true },
  { name: 'NumericLessThanIfExists on a non-numeric value is false', operator: 'NumericLessThanIfExists', values: ['5'], context: { k: 'x' }, expected: false },
  { name: 'a negated IfExists on a missing key is true', operator: 'StringNotEqualsIfExists', values: ['a'], context: {}, expected: true },
  { name: 'ArnLikeIfExists on a missing key is true', operator: 'ArnLikeIfExists', values: ['arn:*:*:*:*:*'], context: {}, expected: true },
  { name: 'ForAnyValue with IfExists on a missing key is true', operator: 'ForAnyValue:StringEqualsIfExists', values: ['a'], context: {}, expected: true },
  // ForAllValues
  { name: 'ForAllValues on a missing key is true', operator: 'ForAllValues:StringEquals', values: ['a', 'b'], context: {}, expected: true, missing: ['k'] },
  { name: 'ForAllValues on an empty list is true', operator: 'ForAllValues:StringEquals', values: ['a', 'b'], context: { k: [] }, expected: true, missing: [] },
  { name: 'ForAllValues holds when every value is allowed', operator: 'ForAllValues:StringEquals', values: ['a', 'b'], context: { k: ['b', 'a'] }, expected: true },
  { name: 'ForAllValues fails when one value is not allowed', operator: 'ForAllValues:StringEquals', values: ['a', 'b'], context: { k: ['a', 'c'] }, expected: false },
  { name: 'ForAllValues on a single-valued key compares that value', operator: 'ForAllValues:StringEquals', values: ['a'], context: { k: 'a' }, expected: true },
  { name: 'ForAllValues:StringLike applies wildcards to each value', operator: 'ForAllValues:StringLike', values: ['env*', 'team'], context: { k: ['env-a', 'team'] }, expected: true },
  { name: 'ForAllValues:StringNotEquals holds when no value is listed', operator: 'ForAllValues:StringNotEquals', values: ['secret'], context: { k: ['a', 'b'] }, expected: true },
  { name: 'ForAllValues:StringNotEquals fails when one value is listed', operator: 'ForAllValues:StringNotEquals', values: ['secret'], context: { k: ['a', 'secret'] }, expected: false },
  { name: 'ForAllValues:StringNotEquals on a missing key is true', operator: 'ForAllValues:StringNotEquals', values: ['secret'], context: {}, expected: true },
  { name: 'ForAllValues:NumericLessThan needs every number below', operator: 'ForAllValues:NumericLessThan', values: ['10'], context: { k: ['1', '20'] }, expected: false },
  // ForAnyValue
  { name: 'ForAnyValue on a missing key is false', operator: 'ForAnyValue:StringEquals', values: ['a'], context: {}, expected: false, missing: ['k'] },
  { name: 'ForAnyValue on an empty list is false', operator: 'ForAnyValue:StringEquals', values: ['a'], context: { k: [] }, expected: false },
  { name: 'ForAnyValue holds when one value matches', operator: 'ForAnyValue:StringEquals', values: ['a'], context: { k: ['x', 'a'] }, expected: true },
  { name: 'ForAnyValue fails when no value matches', operator: 'ForAnyValue:StringEquals', values: ['a'], context: { k: ['x', 'y'] }, expected: false },
  { name: 'ForAnyValue on a single-valued key compares that value', operator: 'ForAnyValue:StringEquals', values: ['a'], context: { k: 'a' }, expected: true },
  { name: 'ForAnyValue:StringNotEquals holds when some value is not listed', operator: 'ForAnyValue:StringNotEquals', values: ['a'], context: { k: ['a', 'b'] }, expected: true },
  { name: 'ForAnyValue:StringNotEquals fails when every value is listed', operator: 'ForAnyValue:StringNotEquals', values: ['a', 'b'], context: { k: ['a', 'b'] }, expected: false },
  { name: 'ForAnyValue:StringNotEquals on a missing key is false', operator: 'ForAnyValue:StringNotEquals', values: ['a'], context: {}, expected: false },
  { name: 'ForAnyValue:StringLike matches one value by wildcard', operator: 'ForAnyValue:StringLike', values: ['prod-*'], context: { k: ['dev-1', 'prod-2'] }, expected: true },
  { name: 'ForAnyValue:IpAddress matches one address', operator: 'ForAnyValue:IpAddress', values: ['10.0.0.0/8'], context: { k: ['192.0.2.1', '10.1.1.1'] }, expected: true },
  // Multivalued keys without a set qualifier
  { name: 'a positive operator on a list holds when one value matches', operator: 'StringEquals', values: ['a'], context: { k: ['x', 'a'] }, expected: true },
  { name: 'a negated operator on a list fails when one value matches', operator: 'StringNotEquals', values: ['a'], context: { k: ['x', 'a'] }, expected: false },
  { name: 'a negated operator on a list holds when no value matches', operator: 'StringNotEquals', values: ['a'], context: { k: ['x', 'y'] }, expected: true },
  { name: 'a positive operator on an empty list is false', operator: 'StringEquals', values: ['a'], context: { k: [] }, expected: false },
  { name: 'a negated operator on an empty list is true', operator: 'StringNotEquals', values: ['a'], context: { k: [] }, expected: true },
  { name: 'Null true holds for an empty list', operator: 'Null', values: ['true'], context: { k: [] }, expected: true },
  // Key names and values
  { name: 'key names are matched without regard to case', operator: 'StringEquals', key: 'AWS:PrincipalTag/Team', values: ['a'], context: { 'aws:principaltag/team': 'a' }, expected: true },
  { name: 'a missing key is reported as written in the policy', operator: 'StringEquals', key: 'AWS:PrincipalTag/Team', values: ['a'], context: {}, expected: false, missing: ['AWS:PrincipalTag/Team'] },
  { name: 'Null does not report its key as missing', operator: 'Null', values: ['true'], context: {}, expected: true, missing: [] },
  { name: 'an unknown operator is false', operator: 'StringEqualz', values: ['a'], context: { k: 'a' }, expected: false },
  { name: 'an unknown set qualifier is false', operator: 'ForSomeValues:StringEquals', values: ['a'], context: { k: 'a' }, expected: false },
  { name: 'operator names are case-sensitive', operator: 'stringequals', values: ['a'], context: { k: 'a' }, expected: false },
  // Policy variables in values
  { name: 'a variable in a StringEquals value is substituted', operator: 'StringEquals', values: ['${aws:username}'], context: { k: 'alice', 'aws:username': 'alice' }, expected: true },
  { name: 'a variable with a missing key fails even a negated operator', operator: 'StringNotEquals', values: ['${aws:username}'], context: { k: 'alice' }, expected: false, missing: ['aws:username'] },
  { name: 'a variable default is used for a missing key', operator: 'StringEquals', values: ["${aws:username, 'nobody'}"], context: { k: 'nobody' }, expected: true, missing: [] },
  { name: 'a substituted value is not a wildcard in StringLike', operator: 'StringLike', values: ['${aws:username}'], context: { k: 'alice', 'aws:username': '*' }, expected: false },
  { name: 'a substituted value keeps a literal match in StringLike', operator: 'StringLike', values: ['home/${aws:username}/*'], context: { k: 'home/a*b/x', 'aws:username': 'a*b' }, expected: true },
  { name: '${*} in StringLike is a literal star', operator: 'StringLike', values: ['a${*}'], context: { k: 'ab' }, expected: false },
  { name: '${*} in StringEquals is a plain star', operator: 'StringEquals', values: ['a${*}'], context: { k: 'a*' }, expected: true },
  { name: 'variables are literal text under Version 2008-10-17', operator: 'StringEquals', values: ['${aws:username}'], context: { k: '${aws:username}', 'aws:username': 'alice' }, expected: true, version: '2008-10-17' },
  { name: 'variables are not substituted in Numeric values', operator: 'NumericEquals', values: ['${aws:MultiFactorAuthAge}'], context: { k: '5', 'aws:MultiFactorAuthAge': '5' }, expected: false },
  { name: 'a variable in an ArnLike value is substituted', operator: 'ArnLike', values: ['arn:aws:iam::${aws:PrincipalAccount}:role/*'], context: { k: 'arn:aws:iam::111122223333:role/x', 'aws:PrincipalAccount': '111122223333' }, expected: true },
  { name: 'a variable in a Bool value is substituted', operator: 'Bool', values: ['${aws:ViaAWSService}'], context: { k: 'true', 'aws:ViaAWSService': 'true' }, expected: true },
  { name: 'the same condition resolves variables per request', operator: 'StringEquals', values: ['${aws:username}'], context: { k: 'bob', 'aws:username': 'bob' }, expected: true },
];

describe('evaluateCondition', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const condition = compileCondition({ operator: row.operator, key: row.key ?? 'k', values: row.values }, row.version ?? '2012-10-17');
    const context = new ContextView(row.context);
    expect(evaluateCondition(condition, context)).toBe(row.expected);
    if (row.missing) expect(context.missing).toEqual(row.missing);
  });

  it('a compiled condition gives per-request answers for variables', () => {
    const condition = compileCondition({ operator: 'StringEquals', key: 'k', values: ['${aws:username}'] }, '2012-10-17');
    expect(evaluateCondition(condition, new ContextView({ k: 'alice', 'aws:username': 'alice' }))).toBe(true);
    expect(evaluateCondition(condition, new ContextView({ k: 'alice', 'aws:username': 'bob' }))).toBe(false);
  });
});
