// Test support for the evaluation tests: builds normalised PolicyDocument values
// from the IAM JSON shape without going through parsePolicy, so evaluation tests
// do not depend on the parser (a few cases pass JSON text to cover that path too).

import type { ConditionEntry, PolicyDocument, PolicyType, PrincipalElement, Statement } from './types.js';

type OneOrMany = string | string[];

/** A statement as a policy author writes it. */
export interface StatementJson {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, OneOrMany>;
  NotPrincipal?: '*' | Record<string, OneOrMany>;
  Action?: OneOrMany;
  NotAction?: OneOrMany;
  Resource?: OneOrMany;
  NotResource?: OneOrMany;
  Condition?: Record<string, Record<string, OneOrMany | boolean | number | Array<string | boolean | number>>>;
}

/** A policy as a policy author writes it. */
export interface PolicyJson {
  Version?: '2012-10-17' | '2008-10-17';
  Id?: string;
  Statement: StatementJson | StatementJson[];
}

const list = (v: OneOrMany | undefined): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);

function principal(p: StatementJson['Principal']): PrincipalElement | undefined {
  if (p === undefined) return undefined;
  if (p === '*') return '*';
  const out: Exclude<PrincipalElement, '*'> = {};
  for (const [k, v] of Object.entries(p)) (out as Record<string, string[]>)[k] = list(v) as string[];
  return out;
}

function conditions(c: StatementJson['Condition']): ConditionEntry[] {
  const out: ConditionEntry[] = [];
  for (const [operator, block] of Object.entries(c ?? {})) {
    for (const [key, raw] of Object.entries(block)) {
      const values = (Array.isArray(raw) ? raw : [raw]).map(String);
      out.push({ operator, key, values });
    }
  }
  return out;
}

/** Normalises an IAM JSON policy into a PolicyDocument (no validation). */
export function doc(json: PolicyJson, policyType: PolicyType = 'managed', policyId?: string): PolicyDocument {
  const statements = Array.isArray(json.Statement) ? json.Statement : [json.Statement];
  const normalised: Statement[] = statements.map((s, index) => {
    const st: Statement = { index, effect: s.Effect, condition: conditions(s.Condition) };
    if (s.Sid !== undefined) st.sid = s.Sid;
    const p = principal(s.Principal);
    if (p !== undefined) st.principal = p;
    const np = principal(s.NotPrincipal);
    if (np !== undefined) st.notPrincipal = np;
    if (s.Action !== undefined) st.action = list(s.Action);
    if (s.NotAction !== undefined) st.notAction = list(s.NotAction);
    if (s.Resource !== undefined) st.resource = list(s.Resource);
    if (s.NotResource !== undefined) st.notResource = list(s.NotResource);
    return st;
  });
  const out: PolicyDocument = { version: json.Version, policyType, statements: normalised };
  if (json.Id !== undefined) out.id = json.Id;
  if (policyId !== undefined) out.policyId = policyId;
  return out;
}

/** A 2012-10-17 policy of the given statements. */
export function v2012(...statements: StatementJson[]): PolicyJson {
  return { Version: '2012-10-17', Statement: statements };
}
