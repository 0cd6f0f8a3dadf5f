// Table-driven tests for condition operator name parsing.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
import { describe, expect, it } from 'vitest';
import { conditionOperators, parseOperatorName, type ParsedOperator } from './operator-name.js';

type Expected = Omit<ParsedOperator, 'name'> | undefined;

const cases: Array<{ name: string; operator: string; expected: Expected }> = [
  { name: 'parses a plain string operator', operator: 'StringEquals', expected: { base: 'StringEquals', setQualifier: undefined, ifExists: false, valueType: 'string', negated: false } },
  { name: 'marks StringNotEquals as negated', operator: 'StringNotEquals', expected: { base: 'StringNotEquals', setQualifier: undefined, ifExists: false, valueType: 'string', negated: true } },
  { name: 'parses an IfExists suffix (Conditions_IfExists)', operator: 'StringLikeIfExists', expected: { base: 'StringLike', setQualifier: undefined, ifExists: true, valueType: 'string', negated: false } },
  { name: 'parses a ForAnyValue prefix with IfExists (multivalued context keys)', operator: 'ForAnyValue:StringLikeIfExists', expected: { base: 'StringLike', setQualifier: 'ForAnyValue', ifExists: true, valueType: 'string', negated: false } },
  { name: 'parses a ForAllValues prefix', operator: 'ForAllValues:StringNotEqualsIgnoreCase', expected: { base: 'StringNotEqualsIgnoreCase', setQualifier: 'ForAllValues', ifExists: false, valueType: 'string', negated: true } },
  { name: 'parses numeric operators', operator: 'NumericLessThanEqualsIfExists', expected: { base: 'NumericLessThanEquals', setQualifier: undefined, ifExists: true, valueType: 'numeric', negated: false } },
  { name: 'marks NumericNotEquals as negated', operator: 'NumericNotEquals', expected: { base: 'NumericNotEquals', setQualifier: undefined, ifExists: false, valueType: 'numeric', negated: true } },
  { name: 'parses date operators', operator: 'DateGreaterThan', expected: { base: 'DateGreaterThan', setQualifier: undefined, ifExists: false, valueType: 'date', negated: false } },
  { name: 'marks DateNotEquals as negated', operator: 'DateNotEqualsIfExists', expected: { base: 'DateNotEquals', setQualifier: undefined, ifExists: true, valueType: 'date', negated: true } },
  { name: 'parses Bool', operator: 'Bool', expected: { base: 'Bool', setQualifier: undefined, ifExists: false, valueType: 'bool', negated: false } },
  { name: 'parses BoolIfExists', operator: 'BoolIfExists', expected: { base: 'Bool', setQualifier: undefined, ifExists: true, valueType: 'bool', negated: false } },
  { name: 'parses BinaryEquals', operator: 'BinaryEquals', expected: { base: 'BinaryEquals', setQualifier: undefined, ifExists: false, valueType: 'binary', negated: false } },
  { name: 'parses IpAddress', operator: 'IpAddress', expected: { base: 'IpAddress', setQualifier: undefined, ifExists: false, valueType: 'ipAddress', negated: false } },
  { name: 'marks NotIpAddress as negated', operator: 'NotIpAddressIfExists', expected: { base: 'NotIpAddress', setQualifier: undefined, ifExists: true, valueType: 'ipAddress', negated: true } },
  { name: 'parses ArnLike', operator: 'ArnLike', expected: { base: 'ArnLike', setQualifier: undefined, ifExists: false, valueType: 'arn', negated: false } },
  { name: 'marks ArnNotLike as negated', operator: 'ForAllValues:ArnNotLike', expected: { base: 'ArnNotLike', setQualifier: 'ForAllValues', ifExists: false, valueType: 'arn', negated: true } },
  { name: 'parses Null', operator: 'Null', expected: { base: 'Null', setQualifier: undefined, ifExists: false, valueType: 'null', negated: false } },
  { name: 'rejects NullIfExists (IfExists is not defined for Null)', operator: 'NullIfExists', expected: undefined },
  { name: 'rejects an unknown operator', operator: 'StringContains', expected: undefined },
  { name: 'rejects wrong letter case (grammar lists operators literally)', operator: 'stringequals', expected: undefined },
  { name: 'rejects a lower-case set qualifier', operator: 'forallvalues:StringEquals', expected: undefined },
  { name: 'rejects an unknown set qualifier', operator: 'ForEachValue:StringEquals', expected: undefined },
  { name: 'rejects a bare IfExists', operator: 'IfExists', expected: undefined },
  { name: 'rejects a doubled IfExists', operator: 'StringEqualsIfExistsIfExists', expected: undefined },
  { name: 'rejects a set qualifier without operator', operator: 'ForAnyValue:', expected: undefined },
  { name: 'rejects two set qualifiers', operator: 'ForAnyValue:ForAllValues:StringEquals', expected: undefined },
  { name: 'rejects the empty string', operator: '', expected: undefined },
  { name: 'rejects prototype property names', operator: 'constructor', expected: undefined },
];

describe('parseOperatorName', () => {
  for (const c of cases) {
    it(c.name, () => {
      const parsed = parseOperatorName(c.operator);
      expect(parsed).toEqual(c.expected === undefined ? undefined : { name: c.operator, ...c.expected });
    });
  }

  it('knows exactly the 27 documented base operators', () => {
    expect(Object.keys(conditionOperators).sort()).toEqual(
      [
        'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
        'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
        'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
        'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null',
      ].sort(),
    );
    expect(Object.isFrozen(conditionOperators)).toBe(true);
  });

  it('accepts every base with IfExists and both set qualifiers, except Null IfExists', () => {
    for (const base of Object.keys(conditionOperators)) {
      for (const prefix of ['', 'ForAllValues:', 'ForAnyValue:']) {
        expect(parseOperatorName(prefix + base)?.base).toBe(base);
        expect(parseOperatorName(prefix + base + 'IfExists')?.base).toBe(base === 'Null' ? undefined : base);
      }
    }
  });
});
