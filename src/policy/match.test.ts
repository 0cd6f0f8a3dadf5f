// Table-driven tests of the wildcard matchers: plain globs (Action, StringLike),
// the Resource element's colon rule, and the Arn* operators' per-component rule.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN

import { describe, expect, it } from 'vitest';
import {
  compileArnPattern,
  compileGlob,
  compileResourcePattern,
  LITERAL_QUESTION,
  LITERAL_STAR,
  splitArn,
  type StepCounter,
} from './match.js';

type Row = [name: string, pattern: string, text: string, expected: boolean];

const globRows: Row[] = [
  ['an exact pattern matches itself', 'abc', 'abc', true],
  ['an exact pattern does not match a longer text', 'abc', 'abcd', false],
  ['an exact pattern does not match a shorter text', 'abc', 'ab', false],
  ['matching is case-sensitive by default', 'ABC', 'abc', false],
  ['the empty pattern matches only the empty text', '', '', true],
  ['the empty pattern does not match text', '', 'a', false],
  ['* matches the empty text', '*', '', true],
  ['* matches anything', '*', 'anything:at/all', true],
  ['** means the same as *', '**', 'xyz', true],
  ['prefix* matches texts with the prefix', 'ab*', 'abcdef', true],
  ['prefix* matches the prefix alone', 'ab*', 'ab', true],
  ['prefix* does not match other texts', 'ab*', 'xab', false],
  ['*suffix matches texts with the suffix', '*.txt', 'notes.txt', true],
  ['*suffix does not match other texts', '*.txt', 'notes.txt.bak', false],
  ['*middle* finds the middle anywhere', '*Object*', 'PutObjectAcl', true],
  ['*middle* needs the middle', '*Object*', 'PutBucketAcl', false],
  ['a*b*c matches in order', 'a*b*c', 'axxbyyc', true],
  ['a*b*c does not match out of order', 'a*b*c', 'acb', false],
  ['parts may not overlap', 'ab*ba', 'aba', false],
  ['parts may touch', 'ab*ba', 'abba', true],
  ['? matches exactly one character', 'a?c', 'abc', true],
  ['? does not match zero characters', 'a?c', 'ac', false],
  ['? does not match two characters', 'a?c', 'abbc', false],
  ['? matches a colon in a free glob', 'a?c', 'a:c', true],
  ['?* needs at least one character', '?*', '', false],
  ['?* matches one character', '?*', 'x', true],
  ['*? at the end needs one more character', 'ab*?', 'ab', false],
  ['*? at the end matches one more character', 'ab*?', 'abc', true],
  ['mixed * and ? match', 's3:Get?bject*', 's3:GetObjectAcl', true],
  ['a literal-star sentinel matches only a star', `a${LITERAL_STAR}`, 'a*', true],
  ['a literal-star sentinel does not act as a wildcard', `a${LITERAL_STAR}`, 'ab', false],
  ['a literal-question sentinel matches only a question mark', `a${LITERAL_QUESTION}`, 'a?', true],
  ['a literal-question sentinel does not match other characters', `a${LITERAL_QUESTION}`, 'ab', false],
  ['a sentinel next to a wildcard keeps both meanings', `${LITERAL_STAR}*`, '*abc', true],
  ['regex metacharacters are literal', 'a.b+(c)', 'a.b+(c)', true],
  ['regex metacharacters do not act as regex', 'a.b', 'axb', false],
  ['backslashes are literal', 'a\\*', 'a\\xyz', true],
  ['a pattern longer than the text does not match', 'abcdef*', 'abc', false],
  ['unicode characters are matched', 'caf*', 'café', true],
];

describe('compileGlob', () => {
  it.each(globRows)('%s (%j vs %j)', (_name, pattern, text, expected) => {
    expect(compileGlob(pattern)(text)).toBe(expected);
    // The NFA path (taken whenever a step counter is given) agrees with the fast paths.
    expect(compileGlob(pattern, {}, { steps: 0 })(text)).toBe(expected);
  });

  const ignoreCaseRows: Row[] = [
    ['ignoreCase matches across letter case', 'S3:Get*', 's3:getobject', true],
    ['ignoreCase still needs the letters', 'S3:Get*', 's3:putobject', false],
    ['ignoreCase applies to exact patterns', 'IAM:CreateUser', 'iam:createuser', true],
  ];
  it.each(ignoreCaseRows)('%s (%j vs %j)', (_name, pattern, text, expected) => {
    expect(compileGlob(pattern, { ignoreCase: true })(text)).toBe(expected);
  });

  it('runs a hostile pattern in polynomial steps', () => {
    const pattern = `${'*a?'.repeat(200)}b`;
    const text = 'a'.repeat(2000);
    const counter: StepCounter = { steps: 0 };
    expect(compileGlob(pattern, {}, counter)(text)).toBe(false);
    // Each text character visits each pattern position at most a bounded number of times.
    expect(counter.steps).toBeLessThanOrEqual(3 * (pattern.length + 1) * (text.length + 1));
  });

  it('answers a classic exponential-backtracking case quickly (star-only fast path)', () => {
    const pattern = `${'a*'.repeat(100)}b`;
    expect(compileGlob(pattern)('a'.repeat(5000))).toBe(false);
  });
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
const resourceRows: Row[] = [
  ['* alone matches any ARN', '*', 'arn:aws:s3:::bucket/key', true],
  ['an exact ARN matches itself', 'arn:aws:iam::111122223333:user/Bob', 'arn:aws:iam::111122223333:user/Bob', true],
  ['the IAM user name in an ARN is case-sensitive', 'arn:aws:iam::111122223333:user/Bob', 'arn:aws:iam::111122223333:user/bob', false],
  ['a * ending the last segment matches slashes', 'arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c', true],
  ['a * ending the last segment matches colons after it', 'arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a:b', true],
  ['a * ending a middle segment spans colons', 'arn:aws:iam::*:user/Bob', 'arn:aws:iam::111122223333:user/Bob', true],
  ['a * ending a middle segment may even absorb several segments', 'arn:aws:*:user/Bob', 'arn:aws:iam::111122223333:user/Bob', true],
  ['a * ending the pattern absorbs the remaining segments', 'arn:aws:iam::*', 'arn:aws:iam::111122223333:user/Bob', true],
  ['a * ending a segment before a colon', 'arn:aws:logs:us-east-1:111122223333:log-group:app*', 'arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:x', true],
  ['a * inside a segment stays within the segment', 'arn:aws:sqs:us-east-1:*q', 'arn:aws:sqs:us-east-1:111122223333:q', false],
  ['a * inside a segment matches within it', 'arn:aws:sqs:us-*-1:111122223333:q', 'arn:aws:sqs:us-east-1:111122223333:q', true],
  ['a * inside the resource segment does not cross a colon', 'arn:aws:s3:::a*b', 'arn:aws:s3:::a:xb', false],
  ['a * inside the resource segment matches without colons', 'arn:aws:s3:::a*b', 'arn:aws:s3:::a/xb', true],
  ['? matches one character of a segment', 'arn:aws:s3:::bucket/ke?', 'arn:aws:s3:::bucket/key', true],
  ['? does not match a colon', 'arn:aws:s3:::a?b', 'arn:aws:s3:::a:b', false],
  ['a documented S3 example matches deeper paths', 'arn:aws:s3:::amzn-s3-demo-bucket/*/test/*', 'arn:aws:s3:::amzn-s3-demo-bucket/1///test///object.jpg', true],
  ['a documented S3 example matches an empty first part', 'arn:aws:s3:::amzn-s3-demo-bucket/*/test/*', 'arn:aws:s3:::amzn-s3-demo-bucket//test/object.jpg', true],
  ['a documented S3 example does not match 1-test', 'arn:aws:s3:::amzn-s3-demo-bucket/*/test/*', 'arn:aws:s3:::amzn-s3-demo-bucket/1-test/object.jpg', false],
  ['a documented S3 example does not match a missing slash', 'arn:aws:s3:::amzn-s3-demo-bucket/*/test/*', 'arn:aws:s3:::amzn-s3-demo-bucket/test/object.jpg', false],
  ['a prefix pattern does not match a different bucket', 'arn:aws:s3:::shared-*/*', 'arn:aws:s3:::other/x', false],
  ['a prefix pattern matches bucket and key', 'arn:aws:s3:::shared-*/*', 'arn:aws:s3:::shared-assets/img/logo.png', true],
  ['matching is case-sensitive', 'arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/x', false],
];

describe('compileResourcePattern (Resource element)', () => {
  it.each(resourceRows)('%s (%j vs %j)', (_name, pattern, text, expected) => {
    expect(compileResourcePattern(pattern)(text)).toBe(expected);
  });
});

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
const arnRows: Row[] = [
  ['matches an exact ARN', 'arn:aws:sns:us-east-1:111122223333:topic', 'arn:aws:sns:us-east-1:111122223333:topic', true],
  ['is case-sensitive', 'arn:aws:sns:us-east-1:111122223333:Topic', 'arn:aws:sns:us-east-1:111122223333:topic', false],
  ['a * component matches that component', 'arn:aws:sns:*:111122223333:topic', 'arn:aws:sns:eu-west-1:111122223333:topic', true],
  ['every component wildcarded matches any ARN', 'arn:*:*:*:*:*', 'arn:aws:iam::111122223333:role/x', true],
  ['a trailing * does not absorb missing components (unlike Resource)', 'arn:aws:iam::*', 'arn:aws:iam::111122223333:user/Bob', false],
  ['a * never spans a colon among the first five components', 'arn:aws:*:111122223333:role/x', 'arn:aws:iam::111122223333:role/x', false],
  ['* alone is not an ARN pattern and matches nothing', '*', 'arn:aws:iam::111122223333:user/Bob', false],
  ['the resource component keeps its colons', 'arn:aws:logs:*:*:log-group:app:*', 'arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:x', true],
  ['a * inside the resource component spans colons there (unlike Resource)', 'arn:aws:s3:::a*b', 'arn:aws:s3:::a:xb', true],
  ['? matches one character in a component', 'arn:aws:ec2:*:*:instance/i-?????', 'arn:aws:ec2:us-east-1:111122223333:instance/i-12345', true],
  ['? counts characters in a component', 'arn:aws:ec2:*:*:instance/i-?????', 'arn:aws:ec2:us-east-1:111122223333:instance/i-123456', false],
  ['an empty region component matches only empty', 'arn:aws:iam::*:role/*', 'arn:aws:iam::111122223333:role/Admin', true],
  ['an empty region component does not match a region', 'arn:aws:iam::*:role/*', 'arn:aws:iam:us-east-1:111122223333:role/Admin', false],
  ['a value with fewer than six components matches nothing', 'arn:aws:iam::*:*', 'arn:aws:iam::111122223333', false],
  ['a non-ARN value matches nothing', 'arn:aws:iam::*:*', 'not-an-arn', false],
  ['a wildcard in the partition matches other partitions', 'arn:aws*:s3:::bucket', 'arn:aws-cn:s3:::bucket', true],
];

describe('compileArnPattern (Arn* condition operators)', () => {
  it.each(arnRows)('%s (%j vs %j)', (_name, pattern, text, expected) => {
    expect(compileArnPattern(pattern)(text)).toBe(expected);
  });
});

describe('splitArn', () => {
  it.each([
    ['splits the six components', 'arn:aws:s3:::bucket/key', ['arn', 'aws', 's3', '', '', 'bucket/key']],
    ['keeps colons in the resource component', 'arn:aws:logs:r:1:log-group:a:b', ['arn', 'aws', 'logs', 'r', '1', 'log-group:a:b']],
    ['returns undefined for fewer than six components', 'arn:aws:s3', undefined],
  ] as const)('%s', (_name, arn, expected) => {
    expect(splitArn(arn)).toEqual(expected);
  });
});
