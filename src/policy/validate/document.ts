// Document-level checks: a missing Version, and statements that repeat another
// statement's permissions exactly.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html

import type { Statement } from '../types.js';
import type { CheckContext } from './context.js';

/** MISSING_VERSION: without Version, 2008-10-17 rules apply and policy variables are read literally. */
export function checkVersion(ctx: CheckContext): void {
  if (ctx.doc.version === undefined) {
    ctx.report('WARNING', 'MISSING_VERSION', 'We recommend that you specify the Version element to help you with debugging permission issues.', []);
  }
}

/** REDUNDANT_STATEMENT: a statement whose effect, principals, actions, resources and conditions equal an earlier one's. */
export function checkRedundantStatements(ctx: CheckContext): void {
  const seen = new Map<string, Statement>();
  for (const statement of ctx.doc.statements) {
    const key = canonical(statement);
    const first = seen.get(key);
    if (first) {
      ctx.report('SUGGESTION', 'REDUNDANT_STATEMENT', 'The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement.', ctx.statementPath(first.index), ctx.statementPath(statement.index));
    } else seen.set(key, statement);
  }
}

/** Order-insensitive text of a statement's meaning (Sid excluded; actions and condition keys compared case-insensitively). */
function canonical(s: Statement): string {
  const sorted = (values: string[] | undefined, lower = false) => (values ? [...new Set(values.map((v) => (lower ? v.toLowerCase() : v)))].sort() : null);
  const principal = (p: Statement['principal']) =>
    p === undefined ? null : p === '*' ? '*' : Object.keys(p).sort().map((k) => [k, sorted(p[k as keyof typeof p])]);
  return JSON.stringify([
    s.effect,
    principal(s.principal),
    principal(s.notPrincipal),
    sorted(s.action, true),
    sorted(s.notAction, true),
    sorted(s.resource),
    sorted(s.notResource),
    s.condition.map((c) => [c.operator, c.key.toLowerCase(), [...c.values].sort()]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  ]);
}
