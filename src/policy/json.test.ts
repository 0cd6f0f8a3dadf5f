// Table-driven tests of the strict JSON reader: RFC 8259 conformance, source
// positions, and duplicate keys (which JSON.parse silently accepts).
// https://www.rfc-editor.org/rfc/rfc8259
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
import { describe, expect, it } from 'vitest';
import { JsonSyntaxError, lineColumnOf, readJson, type JsonNode } from './json.js';

/** Plain JS value of a node, for comparing with JSON.parse. */
function plain(node: JsonNode): unknown {
  switch (node.kind) {
    case 'object':
      return Object.fromEntries(node.entries.map((e) => [e.key, plain(e.value)]));
    case 'array':
      return node.items.map(plain);
    case 'number':
      return Number(node.raw);
    case 'null':
      return null;
    default:
      return node.value;
  }
}

describe('readJson', () => {
  const valid = [
    '{}',
    '[]',
    ' {"a" : [1, -2.5e+3, 0, 0.5, true, false, null, "x"]} ',
    '"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"',
    '{"a":{"b":{"c":[[[]]]}}}',
    '-0',
    '1E5',
  ];
  for (const text of valid) it(`reads ${text} like JSON.parse`, () => expect(plain(readJson(text))).toEqual(JSON.parse(text)));

  const invalid: Array<[name: string, text: string, offset: number]> = [
    ['rejects empty text', '', 0],
    ['rejects a trailing comma in an object', '{"a":1,}', 7],
    ['rejects a trailing comma in an array', '[1,]', 3],
    ['rejects a leading zero', '01', 1],
    ['rejects a bare decimal point', '1.', 1],
    ['rejects an unquoted key', '{a:1}', 1],
    ['rejects single quotes', "'a'", 0],
    ['rejects an invalid escape', '"\\x"', 1],
    ['rejects a short \\u escape', '"\\u12"', 1],
    ['rejects an unterminated string', '"abc', 0],
    ['rejects NaN', 'NaN', 0],
    ['rejects a second value', '{} {}', 3],
    ['rejects a missing colon', '{"a" 1}', 5],
    ['rejects a duplicate key at the second occurrence', '{"a":1,"b":2,"a":3}', 13],
    ['rejects duplicate keys written with different escapes', '{"a":1,"\\u0061":2}', 7],
  ];
  for (const [name, text, offset] of invalid) {
    it(name, () => {
      expect(() => readJson(text)).toThrow(JsonSyntaxError);
      try {
        readJson(text);
      } catch (e) {
        expect((e as JsonSyntaxError).offset).toBe(offset);
      }
    });
  }

  it('detects duplicates in objects with many keys', () => {
    const keys = Array.from({ length: 40 }, (_, i) => `"k${i}":${i}`);
    expect(() => readJson(`{${keys.join(',')},"k3":0}`)).toThrow(/Duplicate key "k3"/);
  });

  it('reports the JSON path of a duplicate key', () => {
    try {
      readJson('{"Statement":[{"Effect":"Allow"},{"Effect":"Allow","Effect":"Deny"}]}');
      expect.unreachable();
    } catch (e) {
      expect((e as JsonSyntaxError).path).toEqual(['Statement', 1, 'Effect']);
    }
  });

  it('keeps the written form of numbers', () => {
    const node = readJson('[1.50, 1e3]');
    expect(node.kind === 'array' && node.items.map((n) => (n.kind === 'number' ? n.raw : ''))).toEqual(['1.50', '1e3']);
  });

  it('records where each node starts and ends', () => {
    const text = '{"a": [true]}';
    const node = readJson(text);
    if (node.kind !== 'object') throw new Error('not an object');
    const value = node.entries[0]?.value;
    expect([node.entries[0]?.keyStart, value?.start, value?.end]).toEqual([1, 6, 12]);
  });

  it('rejects nesting deeper than any policy needs', () => {
    expect(() => readJson('['.repeat(100) + ']'.repeat(100))).toThrow(/Nesting too deep/);
  });
});

describe('lineColumnOf', () => {
  const cases: Array<[text: string, offset: number, line: number, column: number]> = [
    ['abc', 0, 1, 1],
    ['abc', 2, 1, 3],
    ['a\nbc', 2, 2, 1],
    ['a\r\nbc\nd', 6, 3, 1],
  ];
  for (const [text, offset, line, column] of cases) {
    it(`puts offset ${offset} of ${JSON.stringify(text)} at ${line}:${column}`, () => expect(lineColumnOf(text, offset)).toEqual({ line, column }));
  }
});
