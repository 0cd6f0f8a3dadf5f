// The request context as the engine reads it: condition-key lookup that ignores
// the letter case of key names, and the record of keys a statement needed but the
// context lacked (SimulatePrincipalPolicy's MissingContextValues).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html#Condition-case-sensitivity

import type { RequestContext } from './types.js';

/** A context value as the engine sees it: always a list. */
export type ContextValues = readonly string[];

/**
 * Read-only view of one request's context. Key names are case-insensitive
 * ("condition key names are not case-sensitive"); values are kept exactly as given.
 * The lower-cased index is built lazily, on the first lookup that needs it.
 */
export class ContextView {
  private readonly raw: RequestContext;
  private index: Map<string, string | string[]> | undefined;
  /** Keys (as written in the policy) that a statement referenced and the context lacked. */
  readonly missing: string[] = [];
  private readonly missingLower: string[] = [];

  constructor(raw: RequestContext | undefined) {
    this.raw = raw ?? {};
  }

  /**
   * The value of `key` as given (string or list), or `undefined` when absent.
   * `lowerKey` must be `key.toLowerCase()`; callers precompute it.
   */
  getRaw(key: string, lowerKey: string): string | string[] | undefined {
    const raw = this.raw;
    if (Object.hasOwn(raw, key)) return raw[key];
    if (this.index === undefined) {
      const index = new Map<string, string | string[]>();
      for (const k of Object.keys(raw)) {
        const lower = k.toLowerCase();
        // INVARIANT: the first spelling wins when a context repeats a key in two cases.
        if (!index.has(lower)) index.set(lower, raw[k] as string | string[]);
      }
      this.index = index;
    }
    return this.index.get(lowerKey);
  }

  /** The values of `key` as a list, or `undefined` when the key is absent. */
  get(key: string, lowerKey: string): ContextValues | undefined {
    const value = this.getRaw(key, lowerKey);
    if (value === undefined) return undefined;
    return typeof value === 'string' ? [value] : value;
  }

  /** Records `key` (as written in the policy) as needed but absent; deduplicated case-insensitively. */
  noteMissing(key: string, lowerKey: string): void {
    // A handful of keys at most: a list beats a Set here.
    if (this.missingLower.includes(lowerKey)) return;
    this.missingLower.push(lowerKey);
    this.missing.push(key);
  }
}
