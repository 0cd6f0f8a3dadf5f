// Table tests of where problems are reported: a rejected document's error and
// validatePolicy's findings, as a JSON path, a 1-based line and column, and Access
// Analyzer's location (path elements and a span: line from 1, column from 0).
import { describe, expect, it } from 'vitest';
import { isPolicyError } from './errors.js';
import { describePolicyError, locateFindings, locateStatements, type PathElement } from './locate.js';
import { parsePolicy } from './parse.js';
import { validatePolicy } from './validate.js';
import { contextKeysOf } from './context-keys.js';

/** A statement list, one element per line, so lines and columns are easy to read off. */
const doc = (...lines: string[]) => ['{', '  "Version": "2012-10-17",', '  "Statement": [{', ...lines.map((l) => `    ${l}`), '  }]', '}'].join('\n');

interface ErrorCase {
  name: string;
  text: string;
  message: string;
  jsonPath: string;
  line: number;
  column: number;
  path: PathElement[];
  /** The text the location's span covers. */
  covers: string;
}

const errorCases: ErrorCase[] = [
  {
    name: 'a JSON syntax error, at the character where reading stopped',
    text: doc('"Effect": "Allow"', '"Action": "s3:GetObject",', '"Resource": "*"'),
    message: 'Syntax errors in policy.',
    jsonPath: 'Statement[0]',
    line: 5,
    column: 5,
    path: [{ value: 'Statement' }, { index: 0 }],
    covers: '"',
  },
  {
    name: 'an unknown element, at its name',
    text: doc('"Effect": "Allow",', '"Acton": "s3:GetObject",', '"Resource": "*"'),
    message: 'Unknown field Acton',
    jsonPath: 'Statement[0].Acton',
    line: 5,
    column: 5,
    path: [{ value: 'Statement' }, { index: 0 }, { key: 'Acton' }],
    covers: '"Acton"',
  },
  {
    name: 'an unknown condition operator, at its name',
    text: doc('"Effect": "Allow",', '"Action": "s3:GetObject",', '"Resource": "*",', '"Condition": {"StringEqualz": {"aws:username": "bob"}}'),
    message: 'Syntax errors in policy.',
    jsonPath: 'Statement[0].Condition.StringEqualz',
    line: 7,
    column: 19,
    path: [{ value: 'Statement' }, { index: 0 }, { value: 'Condition' }, { key: 'StringEqualz' }],
    covers: '"StringEqualz"',
  },
  {
    name: 'a Resource that is not an ARN, at the value',
    text: doc('"Effect": "Allow",', '"Action": "s3:GetObject",', '"Resource": ["arn:aws:s3:::ok", "bucket/key"]'),
    message: 'Resource bucket/key must be in ARN format or "*".',
    jsonPath: 'Statement[0].Resource[1]',
    line: 6,
    column: 37,
    path: [{ value: 'Statement' }, { index: 0 }, { value: 'Resource' }, { index: 1 }],
    covers: '"bucket/key"',
  },
];

function rejectionOf(text: string) {
  try {
    parsePolicy(text, { policyType: 'managed' });
  } catch (error) {
    if (isPolicyError(error)) return error;
    throw error;
  }
  throw new Error('the document parsed');
}

describe('describePolicyError', () => {
  it.each(errorCases)('locates $name', (c) => {
    const error = rejectionOf(c.text);
    expect(error.message).toBe(c.message);
    const described = describePolicyError(c.text, error);
    expect({ jsonPath: described.jsonPath, line: described.line, column: described.column }).toEqual({ jsonPath: c.jsonPath, line: c.line, column: c.column });
    const [location] = described.locations;
    expect(location!.path).toEqual(c.path);
    const { start, end } = location!.span;
    expect(c.text.slice(start.offset, end.offset)).toBe(c.covers);
    // Access Analyzer counts columns from 0; the error's own column counts from 1.
    expect({ line: start.line, column: start.column + 1 }).toEqual({ line: c.line, column: c.column });
  });
});

describe('locateFindings', () => {
  it('points an unknown action of a known service at the action, with its learn-more link', () => {
    const text = doc('"Effect": "Allow",', '"Action": ["s3:GetObject", "s3:GetObjekt"],', '"Resource": "*"');
    const [finding] = locateFindings(text, validatePolicy(text, { policyType: 'managed' }));
    expect(finding).toMatchObject({
      findingType: 'ERROR',
      issueCode: 'INVALID_ACTION',
      learnMoreLink: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action',
    });
    const location = finding!.locations[0]!;
    expect(location.path).toEqual([{ value: 'Statement' }, { index: 0 }, { value: 'Action' }, { index: 1 }]);
    expect(text.slice(location.span.start.offset, location.span.end.offset)).toBe('"s3:GetObjekt"');
    expect(location.span.start).toMatchObject({ line: 5, column: 31 });
  });

  it('points a parse failure at the same place as the mutation error does', () => {
    for (const c of errorCases) {
      const findings = locateFindings(c.text, validatePolicy(c.text, { policyType: 'managed' }));
      expect(findings).toHaveLength(1);
      expect(findings[0]!.locations).toEqual(describePolicyError(c.text, rejectionOf(c.text)).locations);
    }
  });

  it('locates a document-level finding as the whole document', () => {
    const text = '{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}';
    const [finding] = locateFindings(text, validatePolicy(text, { policyType: 'managed' }));
    expect(finding!.issueCode).toBe('MISSING_VERSION');
    expect(finding!.locations).toEqual([{ path: [], span: { start: { line: 1, column: 0, offset: 0 }, end: { line: 1, column: text.length, offset: text.length } } }]);
  });
});

describe('locateStatements', () => {
  it('gives each statement its opening and closing brace, line and column from 1', () => {
    const text = '{\n  "Statement": [\n    {"Effect": "Allow", "Action": "*", "Resource": "*"},\n    {\n      "Effect": "Deny", "Action": "*", "Resource": "*"\n    }\n  ]\n}';
    expect(locateStatements(text)).toEqual([
      { start: { line: 3, column: 5 }, end: { line: 3, column: 55 } },
      { start: { line: 4, column: 5 }, end: { line: 6, column: 5 } },
    ]);
  });

  it('reads a single statement object', () => {
    expect(locateStatements('{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}')).toEqual([{ start: { line: 1, column: 15 }, end: { line: 1, column: 65 } }]);
  });
});

describe('contextKeysOf', () => {
  const parse = (statement: object, version = '2012-10-17') => parsePolicy(JSON.stringify({ Version: version, Statement: [statement] }), { policyType: 'managed' });
  it.each([
    { name: 'lists condition keys once, case-insensitively, first spelling kept', statement: { Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1', 's3:prefix': 'a' }, StringLike: { 'AWS:requestedregion': 'us-*' } } }, expected: ['aws:RequestedRegion', 's3:prefix'] },
    { name: 'lists policy variables of Resource and of condition values', statement: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/${aws:username}/*', Condition: { StringEquals: { 's3:prefix': "${aws:PrincipalTag/team, 'none'}" } } }, expected: ['aws:username', 's3:prefix', 'aws:PrincipalTag/team'] },
    { name: 'skips the ${*} escape', statement: { Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/${*}' }, expected: [] },
  ])('$name', ({ statement, expected }) => expect(contextKeysOf([parse(statement)])).toEqual(expected));

  it('reads ${...} as text in a 2008-10-17 document', () => {
    expect(contextKeysOf([parse({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/${aws:username}' }, '2008-10-17')])).toEqual([]);
  });
});
