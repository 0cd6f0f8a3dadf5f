// The BinaryEquals condition operator: the policy value is base64; the context
// value is the base64 of the request's bytes. Compared byte for byte.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals

import { defineMatcher, type ConditionMatcher } from './matcher.js';
import { conditionOperators, type BaseOperator } from './operator-name.js';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Canonical base64 of a base64 value (padding and alphabet normalised); `undefined` when not base64. */
export function canonicalBase64(value: string): string | undefined {
  const text = value.trim().replace(/-/g, '+').replace(/_/g, '/');
  if (!BASE64.test(text)) return undefined;
  // atob/btoa (not Buffer) keep the engine free of Node-only globals.
  const unpadded = text.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  try {
    return btoa(atob(unpadded + '='.repeat((4 - (unpadded.length % 4)) % 4)));
  } catch {
    return undefined;
  }
}

/** The BinaryEquals matcher. */
export const binaryEquals: ConditionMatcher<string, string> = defineMatcher({
  operator: conditionOperators['BinaryEquals'] as BaseOperator,
  compileValue: canonicalBase64,
  prepareContextValue: canonicalBase64,
  test: (context, policy) => context === policy,
});
