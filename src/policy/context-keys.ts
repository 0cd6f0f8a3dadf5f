// The context keys policies refer to: every condition key, and every policy
// variable of a Version 2012-10-17 document (a simulation needs a value for both).
// IAM's GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy answer this list.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetContextKeysForCustomPolicy.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html

import type { PolicyDocument } from './types.js';
import { parseTemplate } from './variables.js';

/**
 * The context keys `documents` refer to, each once (keys compare case-insensitively;
 * the first spelling is kept), in the order they first appear: statement by
 * statement, Resource and NotResource variables, then each condition's key and the
 * variables of its values. `${*}`, `${?}` and `${$}` are escapes, not keys.
 */
export function contextKeysOf(documents: readonly PolicyDocument[]): string[] {
  const keys = new Map<string, string>();
  const add = (key: string) => {
    const lower = key.toLowerCase();
    if (!keys.has(lower)) keys.set(lower, key);
  };
  const addVariables = (doc: PolicyDocument, values: readonly string[] | undefined) => {
    for (const value of values ?? []) {
      for (const part of parseTemplate(value, doc.version).parts) if (typeof part !== 'string') add(part.key);
    }
  };
  for (const doc of documents) {
    for (const statement of doc.statements) {
      addVariables(doc, statement.resource);
      addVariables(doc, statement.notResource);
      for (const entry of statement.condition) {
        add(entry.key);
        addVariables(doc, entry.values);
      }
    }
  }
  return [...keys.values()];
}
