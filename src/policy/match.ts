// Wildcard matching for Action, Resource and the String/Arn condition operators:
// patterns compile once into a matcher that runs in O(pattern × text) worst case
// (a position-set NFA, never a backtracking regex), with fast paths for exact
// strings, `*`, `prefix*`, `*suffix` and star-only globs.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards

/** A compiled pattern: answers whether a text matches it. */
export type Matcher = (text: string) => boolean;

/**
 * Private-use characters that stand for a literal `*` / `?` inside a pattern.
 * Policy-variable substitution and the `${*}` / `${?}` escapes emit them so that a
 * substituted value never acts as a wildcard.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars
 */
export const LITERAL_STAR = '\uE002';
export const LITERAL_QUESTION = '\uE003';

/** How `*` and `?` may meet the colons of an ARN. */
export type ColonRule =
  /** Wildcards match any character (Action, StringLike, the resource part of ArnLike). */
  | 'free'
  /**
   * The Resource element: `?` and a `*` inside a segment stop at colons, but a `*`
   * that is the last character of a colon-delimited segment "can expand to match
   * beyond the colon boundaries".
   * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
   * (@cloud-copilot/iam-simulate lets `?` match a colon; we keep the documented
   * "within the individual segments" reading.)
   */
  | 'resource';

export interface GlobOptions {
  ignoreCase?: boolean;
  colonRule?: ColonRule;
}

const COLON = 58;
// Token kinds of the NFA.
const LIT = 0;
const STAR_ANY = 1;
const STAR_NO_COLON = 2;
const ONE_ANY = 3;
const ONE_NO_COLON = 4;

interface Tokens {
  kinds: Uint8Array;
  codes: Uint16Array;
}

/** True when the pattern contains a `*` or `?` wildcard (escaped literals excluded). */
export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

/** Replaces the literal-wildcard sentinels by the characters they stand for. */
export function unescapeLiterals(pattern: string): string {
  if (!pattern.includes(LITERAL_STAR) && !pattern.includes(LITERAL_QUESTION)) return pattern;
  return pattern.replaceAll(LITERAL_STAR, '*').replaceAll(LITERAL_QUESTION, '?');
}

function tokenize(pattern: string, colonRule: ColonRule): Tokens {
  const kinds: number[] = [];
  const codes: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') {
      // Consecutive stars mean the same as one.
      while (pattern[i + 1] === '*') i++;
      const next = pattern[i + 1];
      const lastInSegment = next === undefined || next === ':';
      kinds.push(colonRule === 'free' || lastInSegment ? STAR_ANY : STAR_NO_COLON);
      codes.push(0);
    } else if (ch === '?') {
      kinds.push(colonRule === 'free' ? ONE_ANY : ONE_NO_COLON);
      codes.push(0);
    } else {
      kinds.push(LIT);
      const literal = ch === LITERAL_STAR ? '*' : ch === LITERAL_QUESTION ? '?' : ch;
      codes.push(literal.charCodeAt(0));
    }
  }
  return { kinds: Uint8Array.from(kinds), codes: Uint16Array.from(codes) };
}

/** Step counter used by tests to prove the matcher's cost stays polynomial. */
export interface StepCounter {
  steps: number;
}

// Steps taken by the NFA in the current run; read by `runNfa` for its counter.
let nfaSteps = 0;

/**
 * Adds pattern position `i` to `list` and, through stars (which may match nothing),
 * the positions after it. Returns the new size of `list`.
 */
function addState(list: Int32Array, size: number, i: number, kinds: Uint8Array, seen: Int32Array, generation: number): number {
  const m = kinds.length;
  while (true) {
    nfaSteps++;
    if (seen[i] === generation) return size;
    seen[i] = generation;
    list[size++] = i;
    if (i < m && (kinds[i] === STAR_ANY || kinds[i] === STAR_NO_COLON)) i++;
    else return size;
  }
}

/**
 * Runs the position-set NFA of `tokens` over `text`. Each text character visits
 * each pattern position at most once, so the cost is O(|pattern| × |text|).
 */
function runNfa(tokens: Tokens, text: string, scratch: Int32Array[], counter?: StepCounter): boolean {
  const { kinds, codes } = tokens;
  const m = kinds.length;
  let current = scratch[0] as Int32Array;
  let next = scratch[1] as Int32Array;
  const seen = scratch[2] as Int32Array;
  seen.fill(-1);
  let generation = 0;
  nfaSteps = 0;
  let count = addState(current, 0, 0, kinds, seen, generation);
  for (let t = 0; t < text.length && count > 0; t++) {
    const c = text.charCodeAt(t);
    generation++;
    let nextCount = 0;
    for (let s = 0; s < count; s++) {
      const i = current[s] as number;
      nfaSteps++;
      if (i === m) continue;
      const kind = kinds[i];
      if (kind === LIT) {
        if (codes[i] === c) nextCount = addState(next, nextCount, i + 1, kinds, seen, generation);
      } else if (kind === STAR_ANY) {
        nextCount = addState(next, nextCount, i, kinds, seen, generation);
      } else if (kind === STAR_NO_COLON) {
        if (c !== COLON) nextCount = addState(next, nextCount, i, kinds, seen, generation);
      } else if (kind === ONE_ANY) {
        nextCount = addState(next, nextCount, i + 1, kinds, seen, generation);
      } else if (c !== COLON) {
        nextCount = addState(next, nextCount, i + 1, kinds, seen, generation);
      }
    }
    const swap = current;
    current = next;
    next = swap;
    count = nextCount;
  }
  if (counter) counter.steps += nfaSteps;
  for (let s = 0; s < count; s++) if (current[s] === m) return true;
  return false;
}

/** Splits a star-only glob (no `?`, every star free) into its literal parts. */
function compileStarOnly(parts: string[]): Matcher {
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  const middle = parts.slice(1, -1).filter((p) => p.length > 0);
  const minLength = parts.reduce((n, p) => n + p.length, 0);
  if (middle.length === 0) {
    if (first === '' && last === '') return () => true;
    if (last === '') return (text) => text.startsWith(first);
    if (first === '') return (text) => text.endsWith(last);
    return (text) => text.length >= minLength && text.startsWith(first) && text.endsWith(last);
  }
  // Greedy leftmost placement of each middle part is optimal when every star is free.
  return (text) => {
    if (text.length < minLength || !text.startsWith(first) || !text.endsWith(last)) return false;
    let pos = first.length;
    const end = text.length - last.length;
    for (const part of middle) {
      const at = text.indexOf(part, pos);
      if (at === -1 || at + part.length > end) return false;
      pos = at + part.length;
    }
    return true;
  };
}

/**
 * Compiles a wildcard pattern: `*` matches any run of characters, `?` exactly one,
 * everything else (including the literal sentinels) itself. With `ignoreCase`,
 * the matcher lower-cases its input; callers that match many patterns against one
 * text should lower-case once and compile with `ignoreCase: false` on a lower-cased
 * pattern instead.
 */
export function compileGlob(pattern: string, options: GlobOptions = {}, counter?: StepCounter): Matcher {
  const ignoreCase = options.ignoreCase ?? false;
  const colonRule = options.colonRule ?? 'free';
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const inner = compileCaseSensitive(p, colonRule, counter);
  return ignoreCase ? (text) => inner(text.toLowerCase()) : inner;
}

function compileCaseSensitive(p: string, colonRule: ColonRule, counter?: StepCounter): Matcher {
  if (!hasWildcard(p)) {
    const literal = unescapeLiterals(p);
    return (text) => text === literal;
  }
  const tokens = tokenize(p, colonRule);
  const allFree = !tokens.kinds.some((k) => k === STAR_NO_COLON || k === ONE_NO_COLON || k === ONE_ANY);
  if (allFree && !counter) {
    const parts = p.split(/\*+/).map(unescapeLiterals);
    return compileStarOnly(parts);
  }
  // The literal text before the first wildcard is a cheap filter for the NFA.
  let prefixEnd = 0;
  while (prefixEnd < tokens.kinds.length && tokens.kinds[prefixEnd] === LIT) prefixEnd++;
  const prefix = String.fromCharCode(...tokens.codes.subarray(0, prefixEnd));
  const size = tokens.kinds.length + 1;
  const scratch = [new Int32Array(size), new Int32Array(size), new Int32Array(size)];
  return (text) => text.startsWith(prefix) && runNfa(tokens, text, scratch, counter);
}

/**
 * Compiles a pattern of the Resource / NotResource element: case-sensitive, with
 * the Resource element's colon rule.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
export function compileResourcePattern(pattern: string): Matcher {
  return compileGlob(pattern, { colonRule: 'resource' });
}

/**
 * Splits an ARN into its six colon-delimited components (`arn`, partition,
 * service, region, account, resource); the resource keeps any further colons.
 * Returns `undefined` when there are fewer than six.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */
export function splitArn(arn: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(':', start);
    if (colon === -1) return undefined;
    parts.push(arn.slice(start, colon));
    start = colon + 1;
  }
  parts.push(arn.slice(start));
  return parts;
}

/**
 * Compiles a value of the Arn* condition operators: "each of the six
 * colon-delimited components of the ARN is checked separately and each can
 * include multi-character match wildcards (*) or single-character match wildcards
 * (?)". A wildcard therefore never spans a colon among the first five components
 * (unlike the Resource element), while the sixth (resource) component is matched
 * whole, colons included. A pattern or value with fewer than six components never
 * matches. Case-sensitive.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
 */
export function compileArnPattern(pattern: string): Matcher {
  const parts = compileArnParts(pattern);
  if (!parts) return () => false;
  return (text) => {
    const value = splitArn(text);
    return value !== undefined && parts(value);
  };
}

/**
 * The component-wise matcher behind `compileArnPattern`, for callers that split
 * the context value once; `undefined` when the pattern has fewer than six components.
 */
export function compileArnParts(pattern: string): ((parts: readonly string[]) => boolean) | undefined {
  const split = splitArn(pattern);
  if (!split) return undefined;
  const [m0, m1, m2, m3, m4, m5] = split.map((part) => compileGlob(part)) as [
    Matcher, Matcher, Matcher, Matcher, Matcher, Matcher,
  ];
  return (v) =>
    m0(v[0] as string) && m1(v[1] as string) && m2(v[2] as string) &&
    m3(v[3] as string) && m4(v[4] as string) && m5(v[5] as string);
}
