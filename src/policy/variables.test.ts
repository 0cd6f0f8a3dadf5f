// Table-driven tests of policy-variable parsing and substitution.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

import { describe, expect, it } from 'vitest';
import { ContextView } from './context.js';
import { LITERAL_QUESTION, LITERAL_STAR } from './match.js';
import type { PolicyVersion, RequestContext } from './types.js';
import { parseTemplate, resolveTemplate, supportsVariables } from './variables.js';

interface Row {
  name: string;
  value: string;
  version?: PolicyVersion;
  context?: RequestContext;
  /** Expected substitution with wildcards escaped (Resource, StringLike). */
  escaped: string | undefined;
  /** Expected substitution for exact operators (StringEquals); defaults to `escaped` with sentinels turned back. */
  plain?: string | undefined;
  missing?: string[];
}

const rows: Row[] = [
  { name: 'text without variables is unchanged', value: 'arn:aws:s3:::bucket/*', escaped: 'arn:aws:s3:::bucket/*' },
  { name: 'substitutes aws:username', value: 'home/${aws:username}/', context: { 'aws:username': 'alice' }, escaped: 'home/alice/' },
  { name: 'substitutes several variables', value: '${aws:PrincipalAccount}/${aws:username}', context: { 'aws:PrincipalAccount': '1', 'aws:username': 'a' }, escaped: '1/a' },
  { name: 'substitutes a variable at the start and the end', value: '${a:x}mid${a:y}', context: { 'a:x': 'L', 'a:y': 'R' }, escaped: 'LmidR' },
  { name: 'looks keys up without regard to case', value: '${AWS:USERNAME}', context: { 'aws:username': 'alice' }, escaped: 'alice' },
  { name: 'substitutes a tag key with a slash', value: '${aws:PrincipalTag/cost-center}', context: { 'aws:PrincipalTag/cost-center': '42' }, escaped: '42' },
  { name: 'an absent key without default cannot be resolved', value: 'home/${aws:username}/', escaped: undefined, missing: ['aws:username'] },
  { name: 'an absent key with a default takes the default', value: "home/${aws:username, 'guest'}/", escaped: 'home/guest/', missing: [] },
  { name: 'the default may be empty', value: "a${aws:username,''}b", escaped: 'ab' },
  { name: 'the default allows spaces around the comma', value: "${aws:username ,  'x y'}", escaped: 'x y' },
  { name: 'a present key ignores the default', value: "${aws:username, 'guest'}", context: { 'aws:username': 'alice' }, escaped: 'alice' },
  { name: 'a multivalued key cannot be resolved', value: '${aws:TagKeys}', context: { 'aws:TagKeys': ['a'] }, escaped: undefined, missing: [] },
  { name: 'a multivalued key falls back to the default', value: "${aws:TagKeys, 'none'}", context: { 'aws:TagKeys': ['a', 'b'] }, escaped: 'none' },
  { name: '${*} is a literal star', value: 'a${*}b', escaped: `a${LITERAL_STAR}b`, plain: 'a*b' },
  { name: '${?} is a literal question mark', value: 'a${?}b', escaped: `a${LITERAL_QUESTION}b`, plain: 'a?b' },
  { name: '${$} is a literal dollar sign', value: 'a${$}b', escaped: 'a$b' },
  { name: 'wildcards in a substituted value become literals', value: 'x/${aws:username}', context: { 'aws:username': 'a*?' }, escaped: `x/a${LITERAL_STAR}${LITERAL_QUESTION}`, plain: 'x/a*?' },
  { name: 'wildcards written in the policy stay wildcards', value: '${aws:username}/*', context: { 'aws:username': 'a' }, escaped: 'a/*' },
  { name: 'an unterminated ${ is literal text', value: 'a${aws:username', context: { 'aws:username': 'x' }, escaped: 'a${aws:username' },
  { name: 'an empty ${} is literal text', value: 'a${}b', escaped: 'a${}b' },
  { name: 'a malformed default is literal text', value: "${aws:username, guest}", context: { 'aws:username': 'x' }, escaped: "${aws:username, guest}" },
  { name: 'Version 2008-10-17 keeps variables as literal text', value: '${aws:username}', version: '2008-10-17', context: { 'aws:username': 'a' }, escaped: '${aws:username}' },
  { name: 'no Version keeps variables as literal text', value: '${aws:username}', version: undefined, context: { 'aws:username': 'a' }, escaped: '${aws:username}' },
  { name: 'no Version keeps ${*} as literal text with a wildcard', value: 'a${*}', version: undefined, escaped: 'a${*}' },
  { name: 'a substituted value may contain ${ without recursion', value: '${aws:username}', context: { 'aws:username': '${aws:userid}', 'aws:userid': 'X' }, escaped: '${aws:userid}' },
];

describe('parseTemplate / resolveTemplate', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => {
    const version = 'version' in row ? row.version : '2012-10-17';
    const template = parseTemplate(row.value, version);
    const context = new ContextView(row.context);
    expect(resolveTemplate(template, context, true)).toBe(row.escaped);
    const plain = 'plain' in row ? row.plain : row.escaped;
    expect(resolveTemplate(template, new ContextView(row.context), false)).toBe(plain);
    if (row.missing) expect(context.missing).toEqual(row.missing);
  });

  it('marks templates that hold variables', () => {
    expect(parseTemplate('a${aws:username}', '2012-10-17').hasVariables).toBe(true);
    expect(parseTemplate('a${*}', '2012-10-17').hasVariables).toBe(false);
    expect(parseTemplate('a${aws:username}', '2008-10-17').hasVariables).toBe(false);
  });

  it.each([
    ['2012-10-17', true],
    ['2008-10-17', false],
    [undefined, false],
  ] as const)('Version %s supports variables: %s', (version, expected) => {
    expect(supportsVariables(version)).toBe(expected);
  });
});
