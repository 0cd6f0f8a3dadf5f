// The naive reference's matching of Action, Resource and wildcard values, and its
// policy-variable substitution. Written from the AWS pages, not from the engine:
// a pattern is read into tokens (a character, `*` or `?`) on every call and matched
// by plain backtracking. No cache, no compilation, no fast path.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

import type { PolicyVersion, RequestContext } from '../types.js';

/** The wildcards of a pattern; any other token is one literal character. */
export const STAR = Symbol('*');
export const ONE = Symbol('?');

/** A pattern after reading: one literal character, or a wildcard, per token. */
export type Token = string | typeof STAR | typeof ONE;

/** Reads a pattern without variables: `*` and `?` are wildcards, everything else literal. */
export function tokensOf(text: string): Token[] {
  const tokens: Token[] = [];
  for (const ch of text) tokens.push(ch === '*' ? STAR : ch === '?' ? ONE : ch);
  return tokens;
}

/** Reads text in which `*` and `?` are literal characters. */
export const literalTokens = (text: string): Token[] => [...text];

/** The text of tokens, wildcards written as `*` and `?`. */
export const textOf = (tokens: readonly Token[]): string =>
  tokens.map((t) => (t === STAR ? '*' : t === ONE ? '?' : t)).join('');

/** True when the `*` at token `i` is the last wildcard or character of its colon-delimited segment (a run of `*` counts as one). */
function endsSegment(tokens: readonly Token[], i: number): boolean {
  let j = i + 1;
  while (tokens[j] === STAR) j++;
  return j === tokens.length || tokens[j] === ':';
}

/** Plain backtracking from pattern token `i` and text position `j` (patterns here are short). */
function matchFrom(tokens: readonly Token[], i: number, text: string, j: number, rule: 'free' | 'resource'): boolean {
  while (i < tokens.length) {
    const token = tokens[i]!;
    if (token === STAR) {
      const crossesColons = rule === 'free' || endsSegment(tokens, i);
      for (let k = j; k <= text.length; k++) {
        if (matchFrom(tokens, i + 1, text, k, rule)) return true;
        if (!crossesColons && text[k] === ':') return false;
      }
      return false;
    }
    if (j === text.length) return false;
    if (token === ONE ? rule === 'resource' && text[j] === ':' : token !== text[j]) return false;
    i++;
    j++;
  }
  return j === text.length;
}

/**
 * Whether `text` matches the tokens.
 * - `free`: `*` is any run of characters, `?` any one character (Action, StringLike).
 * - `resource`: "you can use wildcard characters (* and ?) within any ARN segment
 *   (the parts separated by colons)": `?` and a `*` stay inside their segment, except
 *   a `*` at the end of a segment, which "can expand to match beyond the colon boundaries".
 */
export function tokensMatch(tokens: readonly Token[], text: string, rule: 'free' | 'resource'): boolean {
  return matchFrom(tokens, 0, text, 0, rule);
}

/** Action matching: case-insensitive, `*` and `?` anywhere, the colon an ordinary character. */
export function actionMatches(pattern: string, action: string): boolean {
  return tokensMatch(tokensOf(pattern.toLowerCase()), action.toLowerCase(), 'free');
}

/** A context value looked up case-insensitively; the first spelling given wins. */
export function lookUp(context: RequestContext, key: string): string | string[] | undefined {
  for (const [name, value] of Object.entries(context)) if (name.toLowerCase() === key.toLowerCase()) return value;
  return undefined;
}

/**
 * Substitutes the policy variables of `value` (Version 2012-10-17 only). Returns the
 * tokens, with substituted text and the `${*}`, `${?}`, `${$}` escapes as literal
 * text, or `undefined` when a variable has no single value in the context and no
 * default ("if there is no value, the policy element that contains it does not match").
 * With `wildcards` false, every `*` and `?` is literal text (operators without wildcards).
 */
export function substitute(value: string, version: PolicyVersion, context: RequestContext, wildcards: boolean): Token[] | undefined {
  const plain = wildcards ? tokensOf : literalTokens;
  if (version !== '2012-10-17') return plain(value);
  const tokens: Token[] = [];
  let unresolved = false;
  let rest = value;
  for (;;) {
    const open = rest.indexOf('${');
    const close = open === -1 ? -1 : rest.indexOf('}', open + 2);
    if (close === -1) break;
    tokens.push(...plain(rest.slice(0, open)));
    const written = rest.slice(open, close + 1);
    const body = rest.slice(open + 2, close).trim();
    rest = rest.slice(close + 1);
    if (body === '*' || body === '?' || body === '$') {
      tokens.push(body);
      continue;
    }
    const withDefault = /^([^,]+?)\s*,\s*'([^']*)'$/.exec(body);
    const key = withDefault ? withDefault[1]!.trim() : body;
    if (key === '' || /[\s${}']/.test(key)) {
      // Not something AWS reads as a variable: the text stays as written.
      tokens.push(...plain(written));
      continue;
    }
    const found = lookUp(context, key);
    // A multivalued key cannot stand in for a variable.
    const text = typeof found === 'string' ? found : withDefault ? withDefault[2]! : undefined;
    if (text === undefined) unresolved = true;
    else tokens.push(...literalTokens(text));
  }
  tokens.push(...plain(rest));
  return unresolved ? undefined : tokens;
}
