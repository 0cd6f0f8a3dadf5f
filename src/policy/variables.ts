// Policy variables: `${key}` placeholders in Resource / NotResource and in the
// values of string, ARN and Bool condition operators, replaced by request-context
// values at evaluation time; `${key, 'default'}` defaults; `${*}`, `${?}`, `${$}`
// escapes. Only Version 2012-10-17 knows them: elsewhere `${...}` is literal text.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

import type { ContextView } from './context.js';
import { LITERAL_QUESTION, LITERAL_STAR } from './match.js';
import type { PolicyVersion } from './types.js';

/** A `${key}` or `${key, 'default'}` placeholder. */
export interface VariableRef {
  key: string;
  lowerKey: string;
  defaultValue: string | undefined;
}

/** A string value split into literal text and variable references. */
export interface Template {
  readonly parts: ReadonlyArray<string | VariableRef>;
  /** True when at least one part is a variable reference. */
  readonly hasVariables: boolean;
}

/** What the `${*}`, `${?}` and `${$}` escapes stand for. */
const ESCAPES: Readonly<Record<string, string>> = Object.freeze({ '*': '*', '?': '?', $: '$' });

const DEFAULT_SYNTAX = /^([^,]+?)\s*,\s*'([^']*)'$/;

/** True when the document's version lets `${...}` act as a policy variable. */
export function supportsVariables(version: PolicyVersion): boolean {
  return version === '2012-10-17';
}

/**
 * Splits `value` into literal text and variable references. Escapes become
 * literal text (`${*}` a literal star: the caller's wildcard matcher must see it
 * as such, so `*` and `?` produced by escapes are the literal sentinels of
 * match.ts). With a version other than 2012-10-17 the whole value is literal.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
 */
export function parseTemplate(value: string, version: PolicyVersion): Template {
  if (!supportsVariables(version) || !value.includes('${')) return { parts: [value], hasVariables: false };
  const parts: Array<string | VariableRef> = [];
  let literal = '';
  let hasVariables = false;
  let i = 0;
  while (i < value.length) {
    const open = value.indexOf('${', i);
    if (open === -1) break;
    const close = value.indexOf('}', open + 2);
    if (close === -1) break;
    literal += value.slice(i, open);
    const body = value.slice(open + 2, close).trim();
    const escaped = Object.hasOwn(ESCAPES, body) ? ESCAPES[body] : undefined;
    if (escaped !== undefined) {
      literal += escaped === '*' ? LITERAL_STAR : escaped === '?' ? LITERAL_QUESTION : escaped;
    } else {
      const ref = parseReference(body);
      if (ref) {
        if (literal) parts.push(literal);
        literal = '';
        parts.push(ref);
        hasVariables = true;
      } else {
        // Not a variable AWS would recognise: keep the text as written.
        literal += value.slice(open, close + 1);
      }
    }
    i = close + 1;
  }
  literal += value.slice(i);
  if (literal || parts.length === 0) parts.push(literal);
  return { parts, hasVariables };
}

function parseReference(body: string): VariableRef | undefined {
  if (body.length === 0) return undefined;
  const withDefault = DEFAULT_SYNTAX.exec(body);
  const key = withDefault ? (withDefault[1] as string).trim() : body;
  if (!key || /[\s${}']/.test(key)) return undefined;
  return { key, lowerKey: key.toLowerCase(), defaultValue: withDefault ? withDefault[2] : undefined };
}

/**
 * Replaces each variable of `template` by its context value. Returns `undefined`
 * when a variable's key is absent (or multivalued: multivalued context keys cannot
 * be used as policy variables) and has no default: AWS then treats the element as
 * not matching. Absent keys without a default are recorded as missing.
 * With `escapeWildcards`, `*` and `?` inside substituted values become literal
 * sentinels so a context value never acts as a wildcard; otherwise the sentinels
 * of `${*}` / `${?}` are turned back into plain characters.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value
 */
export function resolveTemplate(template: Template, context: ContextView, escapeWildcards: boolean): string | undefined {
  let out = '';
  let unresolved = false;
  for (const part of template.parts) {
    if (typeof part === 'string') {
      out += escapeWildcards ? part : part.replaceAll(LITERAL_STAR, '*').replaceAll(LITERAL_QUESTION, '?');
      continue;
    }
    const raw = context.getRaw(part.key, part.lowerKey);
    // A list is a multivalued key, which cannot stand in for a variable.
    const value = typeof raw === 'string' ? raw : part.defaultValue;
    if (value === undefined) {
      if (raw === undefined) context.noteMissing(part.key, part.lowerKey);
      unresolved = true;
      continue;
    }
    out += escapeWildcards ? value.replaceAll('*', LITERAL_STAR).replaceAll('?', LITERAL_QUESTION) : value;
  }
  return unresolved ? undefined : out;
}
