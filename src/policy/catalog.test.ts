// Table-driven tests of the service catalog lookups behind validatePolicy.
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
import { describe, expect, it } from 'vitest';
import { findConditionKey, globMatcher, isKnownService, matchActions } from './catalog.js';

describe('isKnownService', () => {
  const cases: Array<[name: string, prefix: string, expected: boolean]> = [
    ['knows s3', 's3', true],
    ['knows prefixes in any case', 'EC2', true],
    ['knows hyphenated prefixes', 'access-analyzer', true],
    ['does not know a customer prefix', 'mycorp', false],
    ['does not know an identity provider namespace', 'accounts.google.com', false],
  ];
  for (const [name, prefix, expected] of cases) it(name, () => expect(isKnownService(prefix)).toBe(expected));
});

describe('matchActions', () => {
  const cases: Array<[name: string, service: string, pattern: string, check: (r: readonly string[]) => boolean]> = [
    ['finds an exact action in any case', 's3', 'GETOBJECT', (r) => r.length === 1 && r[0] === 'getobject'],
    ['expands a * wildcard', 's3', 'GetObject*', (r) => r.includes('getobject') && r.includes('getobjectacl')],
    ['expands a ? wildcard', 'iam', 'Get?ser', (r) => r.length === 1 && r[0] === 'getuser'],
    ['returns nothing for an unknown action', 's3', 'GetObjekt', (r) => r.length === 0],
    ['returns nothing for an unknown service', 'mycorp', '*', (r) => r.length === 0],
  ];
  for (const [name, service, pattern, check] of cases) it(name, () => expect(check(matchActions(service, pattern))).toBe(true));
});

describe('findConditionKey', () => {
  const cases: Array<[name: string, key: string, expected: { type: string } | undefined | null]> = [
    ['finds a global key in any case', 'AWS:SOURCEIP', { type: 'IPAddress' }],
    ['finds a multivalued global key', 'aws:TagKeys', { type: 'ArrayOfString' }],
    ['finds a global tag key by its prefix', 'aws:PrincipalTag/CostCenter', { type: 'String' }],
    ['finds a service key', 's3:prefix', { type: 'String' }],
    ['finds a numeric service key', 's3:max-keys', { type: 'Numeric' }],
    ['finds a ${TagKey} pattern key', 'ec2:ResourceTag/Name', { type: 'String' }],
    ['finds a <key> pattern key', 's3:ExistingObjectTag/classification', { type: 'String' }],
    ['does not find an unknown global key', 'aws:NoSuchKey', undefined],
    ['does not find an unknown key of a known service', 's3:NoSuchKey', undefined],
    ['leaves identity provider keys unchecked', 'accounts.google.com:aud', null],
    ['leaves customer namespaces unchecked', 'mycorp:Team', null],
  ];
  for (const [name, key, expected] of cases) {
    it(name, () => {
      const found = findConditionKey(key);
      if (expected === undefined || expected === null) expect(found).toBe(expected);
      else expect(found).toMatchObject(expected);
    });
  }
});

describe('globMatcher', () => {
  const cases: Array<[pattern: string, text: string, expected: boolean]> = [
    ['s3:*', 's3:getobject', true],
    ['s3:get?bject', 's3:getobject', true],
    ['s3:get?bject', 's3:getbject', false],
    ['arn:aws:s3:::b/*', 'arn:aws:s3:::b/a/b', true],
    ['a.b', 'axb', false],
    ['(x)+', '(x)+', true],
  ];
  for (const [pattern, text, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'} ${text} with ${pattern}`, () => expect(globMatcher(pattern)(text)).toBe(expected));
  }
});
