// No parameter of this API (like no parameter of AWS's) accepts a NUL character,
// and Postgres refuses one in any text it is sent. Left to reach the database, a
// NUL would fail the call with ServiceFailure instead of answering what is wrong
// with it. This finds one in an operation's string literals or its variables,
// before anything runs.
import { type DocumentNode, Kind, visit } from 'graphql';

/** Documents already known to hold no NUL in their literals (Apollo reuses parsed documents). */
const clean = new WeakSet<DocumentNode>();

/** True when a string literal of `document` or a string anywhere in `variables` holds a NUL character. */
export function holdsNul(document: DocumentNode, variables: unknown): boolean {
  if (!clean.has(document)) {
    let found = false;
    visit(document, {
      [Kind.STRING](node) {
        if (node.value.includes('\u0000')) found = true;
      },
    });
    if (found) return true;
    clean.add(document);
  }
  return valueHoldsNul(variables);
}

function valueHoldsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(valueHoldsNul);
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) if (key.includes('\u0000') || valueHoldsNul(item)) return true;
  }
  return false;
}
