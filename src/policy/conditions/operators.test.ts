// Table-driven tests of each base condition operator's value semantics, one
// single-valued context key at a time.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

import { describe, expect, it } from 'vitest';
import { ContextView } from '../context.js';
import { compileCondition, evaluateCondition } from './evaluate-condition.js';
import { conditionOperators } from './operator-name.js';
import { conditionMatchers } from './registry.js';

type Row = [name: string, operator: string, policyValues: string[], contextValue: string | undefined, expected: boolean];

function check(operator: string, values: string[], contextValue: string | string[] | undefined): boolean {
  const condition = compileCondition({ operator, key: 'k', values }, '2012-10-17');
  return evaluateCondition(condition, new ContextView(contextValue === undefined ? {} : { k: contextValue }));
}

function table(title: string, rows: Row[]): void {
  describe(title, () => {
    it.each(rows)('%s', (_name, operator, values, contextValue, expected) => {
      expect(check(operator, values, contextValue)).toBe(expected);
    });
  });
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
table('String operators', [
  ['StringEquals matches an equal value', 'StringEquals', ['blue'], 'blue', true],
  ['StringEquals is case-sensitive', 'StringEquals', ['blue'], 'Blue', false],
  ['StringEquals treats * as a literal character', 'StringEquals', ['b*'], 'blue', false],
  ['StringEquals matches a literal star', 'StringEquals', ['b*'], 'b*', true],
  ['StringEquals ORs several policy values', 'StringEquals', ['red', 'blue'], 'blue', true],
  ['StringEquals with no matching policy value fails', 'StringEquals', ['red', 'green'], 'blue', false],
  ['StringEquals compares the empty string', 'StringEquals', [''], '', true],
  ['StringNotEquals holds for a different value', 'StringNotEquals', ['red'], 'blue', true],
  ['StringNotEquals fails for an equal value', 'StringNotEquals', ['red'], 'red', false],
  ['StringNotEquals fails when any policy value equals', 'StringNotEquals', ['red', 'blue'], 'blue', false],
  ['StringNotEquals is case-sensitive', 'StringNotEquals', ['red'], 'RED', true],
  ['StringEqualsIgnoreCase ignores case', 'StringEqualsIgnoreCase', ['BLUE'], 'blue', true],
  ['StringEqualsIgnoreCase still compares letters', 'StringEqualsIgnoreCase', ['BLUE'], 'blues', false],
  ['StringNotEqualsIgnoreCase fails for a case variant', 'StringNotEqualsIgnoreCase', ['BLUE'], 'blue', false],
  ['StringNotEqualsIgnoreCase holds for another value', 'StringNotEqualsIgnoreCase', ['BLUE'], 'red', true],
  ['StringLike matches a * wildcard', 'StringLike', ['home/*'], 'home/alice/x', true],
  ['StringLike matches a ? wildcard', 'StringLike', ['v?'], 'v2', true],
  ['StringLike ? needs exactly one character', 'StringLike', ['v?'], 'v10', false],
  ['StringLike is case-sensitive', 'StringLike', ['Home/*'], 'home/x', false],
  ['StringLike without wildcards is exact', 'StringLike', ['home'], 'home/x', false],
  ['StringLike ORs several patterns', 'StringLike', ['a*', 'b*'], 'bob', true],
  ['StringLike * matches the empty string', 'StringLike', ['*'], '', true],
  ['StringNotLike holds when no pattern matches', 'StringNotLike', ['a*', 'b*'], 'carol', true],
  ['StringNotLike fails when a pattern matches', 'StringNotLike', ['a*', 'b*'], 'bob', false],
  ['StringLike lets * cross colons and slashes', 'StringLike', ['arn:*'], 'arn:aws:s3:::x/y', true],
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
table('Numeric operators', [
  ['NumericEquals matches an equal integer', 'NumericEquals', ['10'], '10', true],
  ['NumericEquals compares numerically, not textually', 'NumericEquals', ['10'], '10.0', true],
  ['NumericEquals fails for another number', 'NumericEquals', ['10'], '11', false],
  ['NumericEquals fails for a non-numeric context value', 'NumericEquals', ['10'], 'ten', false],
  ['NumericEquals fails for an empty context value', 'NumericEquals', ['0'], '', false],
  ['NumericEquals ignores a non-numeric policy value', 'NumericEquals', ['ten', '10'], '10', true],
  ['NumericNotEquals holds for another number', 'NumericNotEquals', ['10'], '11', true],
  ['NumericNotEquals fails for an equal number', 'NumericNotEquals', ['10'], '10', false],
  ['NumericNotEquals fails for a non-numeric context value', 'NumericNotEquals', ['10'], 'ten', false],
  ['NumericLessThan holds for a smaller number', 'NumericLessThan', ['10'], '9', true],
  ['NumericLessThan fails for an equal number', 'NumericLessThan', ['10'], '10', false],
  ['NumericLessThanEquals holds for an equal number', 'NumericLessThanEquals', ['10'], '10', true],
  ['NumericLessThanEquals fails for a larger number', 'NumericLessThanEquals', ['10'], '10.5', false],
  ['NumericGreaterThan holds for a larger number', 'NumericGreaterThan', ['10'], '100', true],
  ['NumericGreaterThan compares numerically (100 > 20)', 'NumericGreaterThan', ['20'], '100', true],
  ['NumericGreaterThan fails for an equal number', 'NumericGreaterThan', ['10'], '10', false],
  ['NumericGreaterThanEquals holds for an equal number', 'NumericGreaterThanEquals', ['10'], '10', true],
  ['NumericGreaterThanEquals handles negative numbers', 'NumericGreaterThanEquals', ['-5'], '-3', true],
  ['NumericLessThan handles decimals', 'NumericLessThan', ['0.5'], '0.25', true],
  ['NumericLessThan with several values holds when any holds', 'NumericLessThan', ['1', '100'], '50', true],
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
table('Date operators', [
  ['DateEquals matches the same instant in ISO 8601', 'DateEquals', ['2020-01-01T00:00:00Z'], '2020-01-01T00:00:00Z', true],
  ['DateEquals matches the same instant written with an offset', 'DateEquals', ['2020-01-01T00:00:00Z'], '2020-01-01T01:00:00+01:00', true],
  ['DateEquals matches ISO against epoch seconds', 'DateEquals', ['2020-01-01T00:00:00Z'], '1577836800', true],
  ['DateEquals matches epoch against ISO', 'DateEquals', ['1577836800'], '2020-01-01T00:00:00Z', true],
  ['DateEquals reads a date alone as midnight UTC', 'DateEquals', ['2020-01-01'], '2020-01-01T00:00:00Z', true],
  ['DateEquals reads a time without zone as UTC', 'DateEquals', ['2020-01-01T00:00:00'], '1577836800', true],
  ['DateEquals fails for another instant', 'DateEquals', ['2020-01-01T00:00:00Z'], '2020-01-01T00:00:01Z', false],
  ['DateNotEquals holds for another instant', 'DateNotEquals', ['2020-01-01T00:00:00Z'], '2021-01-01T00:00:00Z', true],
  ['DateNotEquals fails for the same instant', 'DateNotEquals', ['2020-01-01T00:00:00Z'], '1577836800', false],
  ['DateLessThan holds for an earlier instant', 'DateLessThan', ['2020-01-01T00:00:00Z'], '2019-12-31T23:59:59Z', true],
  ['DateLessThan fails for the same instant', 'DateLessThan', ['2020-01-01T00:00:00Z'], '2020-01-01T00:00:00Z', false],
  ['DateLessThanEquals holds for the same instant', 'DateLessThanEquals', ['2020-01-01T00:00:00Z'], '2020-01-01T00:00:00Z', true],
  ['DateGreaterThan holds for a later instant', 'DateGreaterThan', ['2020-01-01T00:00:00Z'], '2026-11-24T10:00:00Z', true],
  ['DateGreaterThan compares epoch seconds', 'DateGreaterThan', ['1700000000'], '1700000001', true],
  ['DateGreaterThan fails for an earlier epoch', 'DateGreaterThan', ['1700000000'], '1699999999', false],
  ['DateGreaterThanEquals holds for the same instant', 'DateGreaterThanEquals', ['1700000000'], '1700000000', true],
  ['DateGreaterThan compares milliseconds', 'DateGreaterThan', ['2020-01-01T00:00:00Z'], '2020-01-01T00:00:00.500Z', true],
  ['Date operators fail for a context value that is not a date', 'DateLessThan', ['2030-01-01T00:00:00Z'], 'yesterday', false],
  ['DateNotEquals fails for a context value that is not a date', 'DateNotEquals', ['2030-01-01T00:00:00Z'], 'yesterday', false],
  ['Date operators ignore a policy value that is not a date', 'DateLessThan', ['soon', '2030-01-01T00:00:00Z'], '2026-01-01T00:00:00Z', true],
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean
table('Bool', [
  ['Bool true matches true', 'Bool', ['true'], 'true', true],
  ['Bool true does not match false', 'Bool', ['true'], 'false', false],
  ['Bool false matches false', 'Bool', ['false'], 'false', true],
  ['Bool ignores letter case', 'Bool', ['true'], 'TRUE', true],
  ['Bool fails for a value that is not a boolean', 'Bool', ['true'], 'yes', false],
  ['Bool with both values matches either', 'Bool', ['true', 'false'], 'false', true],
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals
table('BinaryEquals', [
  ['BinaryEquals matches equal base64', 'BinaryEquals', ['QmluYXJ5VmFsdWVJbkJhc2U2NA=='], 'QmluYXJ5VmFsdWVJbkJhc2U2NA==', true],
  ['BinaryEquals compares bytes, not padding', 'BinaryEquals', ['QQ=='], 'QQ', true],
  ['BinaryEquals fails for other bytes', 'BinaryEquals', ['QQ=='], 'Qg==', false],
  ['BinaryEquals fails for a value that is not base64', 'BinaryEquals', ['QQ=='], '***', false],
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IPAddress
table('IpAddress and NotIpAddress', [
  ['IpAddress matches an IPv4 address in a CIDR block', 'IpAddress', ['203.0.113.0/24'], '203.0.113.7', true],
  ['IpAddress fails outside the block', 'IpAddress', ['203.0.113.0/24'], '203.0.114.7', false],
  ['IpAddress treats a bare address as /32', 'IpAddress', ['203.0.113.7'], '203.0.113.7', true],
  ['IpAddress bare address does not match its neighbour', 'IpAddress', ['203.0.113.7'], '203.0.113.8', false],
  ['IpAddress matches /0', 'IpAddress', ['0.0.0.0/0'], '8.8.8.8', true],
  ['IpAddress matches an IPv6 address in an IPv6 block', 'IpAddress', ['2001:db8::/32'], '2001:db8:abcd::1', true],
  ['IpAddress fails for an IPv6 address outside the block', 'IpAddress', ['2001:db8::/32'], '2001:db9::1', false],
  ['IpAddress does not match IPv6 against an IPv4 block', 'IpAddress', ['0.0.0.0/0'], '2001:db8::1', false],
  ['IpAddress reads an IPv4-mapped IPv6 address as IPv4', 'IpAddress', ['203.0.113.0/24'], '::ffff:203.0.113.9', true],
  ['IpAddress ORs several blocks of both families', 'IpAddress', ['203.0.113.0/24', '2001:db8::/32'], '2001:db8::5', true],
  ['IpAddress fails for a context value that is not an address', 'IpAddress', ['0.0.0.0/0'], 'localhost', false],
  ['IpAddress ignores a malformed policy block', 'IpAddress', ['300.1.1.1/8', '10.0.0.0/8'], '10.1.2.3', true],
  ['NotIpAddress holds outside every block', 'NotIpAddress', ['203.0.113.0/24'], '198.51.100.1', true],
  ['NotIpAddress fails inside a block', 'NotIpAddress', ['203.0.113.0/24'], '203.0.113.1', false],
  ['NotIpAddress fails for a context value that is not an address', 'NotIpAddress', ['203.0.113.0/24'], 'nope', false],
  ['NotIpAddress holds for IPv6 outside an IPv4-only list', 'NotIpAddress', ['203.0.113.0/24'], '2001:db8::1', true],
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
table('Arn operators', [
  ['ArnEquals matches an equal ARN', 'ArnEquals', ['arn:aws:iam::111122223333:role/Admin'], 'arn:aws:iam::111122223333:role/Admin', true],
  ['ArnEquals takes wildcards like ArnLike (documented identically)', 'ArnEquals', ['arn:aws:iam::*:role/*'], 'arn:aws:iam::111122223333:role/Admin', true],
  ['ArnLike matches per component', 'ArnLike', ['arn:aws:iam::*:role/*'], 'arn:aws:iam::111122223333:role/Admin', true],
  ['ArnLike does not match a user against role/*', 'ArnLike', ['arn:aws:iam::*:role/*'], 'arn:aws:iam::111122223333:user/Admin', false],
  ['ArnLike is case-sensitive', 'ArnLike', ['arn:aws:iam::*:role/admin'], 'arn:aws:iam::111122223333:role/Admin', false],
  ['ArnLike fails for a value that is not an ARN', 'ArnLike', ['arn:aws:iam::*:role/*'], 'Admin', false],
  ['ArnLike fails when the pattern has fewer than six components', 'ArnLike', ['arn:aws:iam::*'], 'arn:aws:iam::111122223333:role/Admin', false],
  ['ArnNotLike holds for a non-matching ARN', 'ArnNotLike', ['arn:aws:iam::*:role/*'], 'arn:aws:iam::111122223333:user/Bob', true],
  ['ArnNotLike fails for a matching ARN', 'ArnNotLike', ['arn:aws:iam::*:role/*'], 'arn:aws:iam::111122223333:role/Admin', false],
  ['ArnNotEquals fails for an equal ARN', 'ArnNotEquals', ['arn:aws:iam::111122223333:role/Admin'], 'arn:aws:iam::111122223333:role/Admin', false],
  ['ArnNotLike fails for a context value that is not an ARN', 'ArnNotLike', ['arn:aws:iam::*:role/*'], 'Admin', false],
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
table('Null', [
  ['Null true holds for an absent key', 'Null', ['true'], undefined, true],
  ['Null true fails for a present key', 'Null', ['true'], 'x', false],
  ['Null false holds for a present key', 'Null', ['false'], 'x', true],
  ['Null false fails for an absent key', 'Null', ['false'], undefined, false],
  ['Null true fails for a key present with an empty string', 'Null', ['true'], '', false],
  ['Null reads its value without regard to case', 'Null', ['TRUE'], undefined, true],
]);

describe('the conditionMatchers registry', () => {
  it('is frozen', () => {
    expect(Object.isFrozen(conditionMatchers)).toBe(true);
  });
  it('has exactly one matcher per documented base operator', () => {
    expect(Object.keys(conditionMatchers).sort()).toEqual(Object.keys(conditionOperators).sort());
  });
  it.each(Object.keys(conditionOperators))('the %s matcher describes the operator of the same name', (name) => {
    expect(conditionMatchers[name]?.operator.name).toBe(name);
  });
});
