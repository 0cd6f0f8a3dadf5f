// Property-based laws of the engine (fast-check): Deny never adds access, Allow
// never removes it, boundaries and session policies never add access, the form of
// a policy (statement order, white space, string-or-array) never changes a
// decision, and the wildcard matchers agree with a tiny reference matcher while
// staying polynomial on hostile patterns.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resourcePolicyRequired } from './decide.js';
import { compilePolicySet, evaluate } from './evaluate.js';
import { compileGlob, compileResourcePattern, type StepCounter } from './match.js';
import { differentialCaseArb } from './reference/arbitraries.js';
import { doc, type PolicyJson, type StatementJson } from './test-support.js';
import type { PolicySetInput, RequestFacts } from './types.js';

/** A request and the policies it is decided against, in one value. */
type EvaluationRequest = RequestFacts & PolicySetInput;

/** Decides `request` against its own policies: compiles them, then evaluates. */
const evaluateRequest = (request: EvaluationRequest) => evaluate(compilePolicySet(request), request);

const ACTIONS = ['s3:GetObject', 's3:PutObject', 'ec2:RunInstances', 'ec2:DescribeInstances', 'iam:CreateUser'];
const ACTION_PATTERNS = ['*', 's3:*', 's3:Get*', 's3:GetObject', 'S3:putobject', 'ec2:*', 'ec2:Describe*', '*:*Object', 's?:PutObject', 'iam:*'];
const RESOURCES = ['arn:aws:s3:::b/k', 'arn:aws:s3:::b/x/y', 'arn:aws:s3:::c/k', 'arn:aws:ec2:us-east-1:111122223333:instance/i-1', '*'];
const RESOURCE_PATTERNS = ['*', 'arn:aws:s3:::b/*', 'arn:aws:s3:::b/k', 'arn:aws:ec2:*:*:instance/*', 'arn:aws:s3:::*', 'arn:aws:*', 'arn:aws:s3:::?/k'];
const USER = 'arn:aws:iam::111122223333:user/alice';

const conditionArb = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom<StatementJson['Condition']>(
    { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } },
    { StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'ap-south-1'] } },
    { Bool: { 'aws:SecureTransport': 'true' } },
    { StringEqualsIfExists: { 'aws:RequestedRegion': 'us-east-1' } },
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } },
    { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'env' } },
    { Null: { 'aws:SecureTransport': 'false' } },
  ),
);

const listArb = (items: string[]) => fc.uniqueArray(fc.constantFrom(...items), { minLength: 1, maxLength: 3 });

const statementArb: fc.Arbitrary<StatementJson> = fc
  .record({
    effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Deny'),
    notAction: fc.boolean(),
    actions: listArb(ACTION_PATTERNS),
    notResource: fc.boolean(),
    resources: listArb(RESOURCE_PATTERNS),
    condition: conditionArb,
  })
  .map(({ effect, notAction, actions, notResource, resources, condition }) => {
    const st: StatementJson = { Effect: effect };
    if (notAction) st.NotAction = actions;
    else st.Action = actions;
    if (notResource) st.NotResource = resources;
    else st.Resource = resources;
    if (condition) st.Condition = condition;
    return st;
  });

const allowArb = statementArb.map((s) => ({ ...s, Effect: 'Allow' as const }));
const denyArb = statementArb.map((s) => ({ ...s, Effect: 'Deny' as const }));
const policyArb = fc.array(statementArb, { minLength: 0, maxLength: 5 }).map((s): PolicyJson => ({ Version: '2012-10-17', Statement: s }));
const policiesArb = fc.array(policyArb, { minLength: 1, maxLength: 3 });

const requestArb = fc.record({
  action: fc.constantFrom(...ACTIONS),
  resourceArn: fc.constantFrom(...RESOURCES),
  context: fc.record(
    {
      'aws:RequestedRegion': fc.constantFrom('us-east-1', 'eu-west-1'),
      'aws:SecureTransport': fc.constantFrom('true', 'false'),
      'aws:TagKeys': fc.uniqueArray(fc.constantFrom('env', 'team', 'cost'), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  ),
});

type Req = { action: string; resourceArn: string; context: Record<string, string | string[]> };

function decide(policies: PolicyJson[], req: Req, extra: Partial<EvaluationRequest> = {}) {
  return evaluateRequest({ principalArn: USER, ...req, identityPolicies: policies.map((p) => doc(p)), ...extra }).decision;
}

const withStatement = (policies: PolicyJson[], index: number, st: StatementJson): PolicyJson[] =>
  policies.map((p, i) => (i === index % policies.length ? { ...p, Statement: [...(p.Statement as StatementJson[]), st] } : p));

const RUNS = { numRuns: 400 };

describe('laws of evaluation', () => {
  it('adding a Deny statement never adds access', () => {
    fc.assert(
      fc.property(policiesArb, denyArb, fc.nat(), requestArb, (policies, st, at, req) => {
        const before = decide(policies, req);
        const after = decide(withStatement(policies, at, st), req);
        if (after === 'allowed') expect(before).toBe('allowed');
        if (before === 'explicitDeny') expect(after).toBe('explicitDeny');
      }),
      RUNS,
    );
  });

  it('adding an Allow statement never removes access', () => {
    fc.assert(
      fc.property(policiesArb, allowArb, fc.nat(), requestArb, (policies, st, at, req) => {
        const before = decide(policies, req);
        const after = decide(withStatement(policies, at, st), req);
        if (before === 'allowed') expect(after).toBe('allowed');
        if (before === 'explicitDeny') expect(after).toBe('explicitDeny');
      }),
      RUNS,
    );
  });

  it('a permissions boundary never adds access', () => {
    fc.assert(
      fc.property(policiesArb, policyArb, requestArb, (policies, boundary, req) => {
        const without = decide(policies, req);
        const withBoundary = decide(policies, req, { permissionsBoundary: doc(boundary) });
        if (withBoundary === 'allowed') expect(without).toBe('allowed');
      }),
      RUNS,
    );
  });

  it('a session policy never adds access', () => {
    fc.assert(
      fc.property(policiesArb, policyArb, requestArb, (policies, session, req) => {
        const principalArn = 'arn:aws:sts::111122223333:assumed-role/R/s';
        const without = decide(policies, req, { principalArn });
        const withSession = decide(policies, req, { principalArn, sessionPolicy: doc(session, 'session') });
        if (withSession === 'allowed') expect(without).toBe('allowed');
      }),
      RUNS,
    );
  });

  // "IAM role trust policies and KMS key policies are exceptions to this logic, because they must explicitly
  // allow access for principals." https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_accounts.html
  it('identity-based policies alone never let anyone assume a role or use a KMS key, whatever they allow', () => {
    const guarded = fc.constantFrom(
      { action: 'sts:AssumeRole', resourceArn: 'arn:aws:iam::111122223333:role/app/R' },
      { action: 'sts:AssumeRoleWithWebIdentity', resourceArn: 'arn:aws:iam::111122223333:role/R' },
      { action: 'STS:TagSession', resourceArn: 'arn:aws:iam::111122223333:role/R' },
      { action: 'kms:Decrypt', resourceArn: 'arn:aws:kms:us-east-1:111122223333:key/k-1' },
    );
    const principals = fc.constantFrom(USER, 'arn:aws:sts::111122223333:assumed-role/R/s', 'arn:aws:iam::111122223333:root');
    fc.assert(
      fc.property(policiesArb, fc.option(policyArb, { nil: undefined }), guarded, principals, fc.constantFrom(undefined, '111122223333'), (policies, boundary, req, principalArn, owner) => {
        // Every identity-side policy allows everything, besides what was generated.
        const everything = [...policies, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } as PolicyJson];
        const allowAll = doc({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
        const request = { ...req, context: {}, principalArn, ...(owner ? { resourceOwnerAccount: owner } : {}) };
        const extra: Partial<EvaluationRequest> = { principalArn, permissionsBoundary: boundary ? allowAll : null, ...(owner ? { resourceOwnerAccount: owner } : {}) };
        expect(decide(everything, request, extra)).not.toBe('allowed');
      }),
      RUNS,
    );
  });

  it('an allowed role assumption or KMS key request always rests on a resource-based statement', () => {
    fc.assert(
      fc.property(differentialCaseArb(5, 10), ({ policies, requests }) => {
        const set = compilePolicySet({
          identityPolicies: policies.identityPolicies,
          permissionsBoundary: policies.permissionsBoundary ?? null,
          sessionPolicy: policies.sessionPolicy ?? null,
          resourcePolicy: policies.resourcePolicy ?? null,
        });
        for (const request of requests) {
          if (resourcePolicyRequired(request.action.toLowerCase(), request.resourceArn) === undefined) continue;
          const result = evaluate(set, request);
          if (result.decision === 'allowed') expect(result.matchedStatements.some((m) => m.source === 'resource')).toBe(true);
        }
      }),
      RUNS,
    );
  });

  // "If AWS cannot resolve a variable this might cause the entire statement to be invalid."
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value
  it('a statement whose variable has no value never changes a decision, Allow or Deny, Resource or NotResource', () => {
    const unresolved = fc.record({
      effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Deny'),
      not: fc.boolean(),
      value: fc.constantFrom('arn:aws:s3:::b/${aws:username}', 'arn:aws:s3:::${aws:PrincipalTag/team}/*', '${aws:userid}', 'arn:aws:*:*:*:${aws:TagKeys}'),
      actions: listArb(ACTION_PATTERNS),
    }).map(({ effect, not, value, actions }): StatementJson => (not ? { Effect: effect, Action: actions, NotResource: value } : { Effect: effect, Action: actions, Resource: value }));
    fc.assert(
      fc.property(policiesArb, unresolved, fc.nat(), requestArb, (policies, st, at, req) => {
        // aws:TagKeys (a list) cannot stand for a variable; the other keys are absent from the generated context.
        expect(decide(withStatement(policies, at, st), req)).toBe(decide(policies, req));
      }),
      RUNS,
    );
  });

  it('statement order and policy order never change a decision', () => {
    fc.assert(
      fc.property(policiesArb, requestArb, fc.nat(), (policies, req, seed) => {
        const shuffled = [...policies].reverse().map((p) => {
          const s = [...(p.Statement as StatementJson[])];
          for (let i = s.length - 1; i > 0; i--) {
            const j = (seed + i * 7) % (i + 1);
            [s[i], s[j]] = [s[j]!, s[i]!];
          }
          return { ...p, Statement: s };
        });
        expect(decide(shuffled, req)).toBe(decide(policies, req));
      }),
      RUNS,
    );
  });

  it('white space and string-versus-array forms never change a decision (JSON text)', () => {
    const singletons = (p: PolicyJson): PolicyJson => ({
      ...p,
      Statement: (p.Statement as StatementJson[]).map((s) => {
        const out: Record<string, unknown> = { ...s };
        for (const k of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
          const v = s[k];
          if (Array.isArray(v) && v.length === 1) out[k] = v[0];
        }
        return out as unknown as StatementJson;
      }),
    });
    fc.assert(
      fc.property(policiesArb, requestArb, (policies, req) => {
        const nonEmpty = policies.filter((p) => (p.Statement as StatementJson[]).length > 0);
        // IAM rejects a wildcard in the service prefix ("Vendor s? is not valid") at parse time.
        const text = JSON.stringify(nonEmpty);
        // So does a wildcard in a Resource ARN's service ("Resource vendor must be fully qualified").
        fc.pre(nonEmpty.length > 0 && !text.includes('s?:') && !text.includes('*:*Object') && !text.includes('"arn:aws:*"'));
        const compact = nonEmpty.map((p) => JSON.stringify(p));
        const pretty = nonEmpty.map((p) => JSON.stringify(singletons(p), null, 4).replace(/\n/g, '\r\n\t'));
        const a = evaluateRequest({ principalArn: USER, ...req, identityPolicies: compact }).decision;
        const b = evaluateRequest({ principalArn: USER, ...req, identityPolicies: pretty }).decision;
        const c = decide(nonEmpty, req);
        expect(b).toBe(a);
        expect(c).toBe(a);
      }),
      { numRuns: 200 },
    );
  });
});

/** Reference glob matcher: textbook dynamic programming, O(|p|·|t|). */
function referenceMatch(pattern: string, text: string, resourceRule: boolean): boolean {
  // Collapse runs of stars, as the documented semantics do not distinguish them.
  const p = pattern.replace(/\*+/g, '*');
  const n = p.length;
  const m = text.length;
  let prev = new Array<boolean>(m + 1).fill(false);
  prev[0] = true;
  // dp over pattern prefixes: prev[j] = p[0..i) matches text[0..j)
  for (let i = 0; i < n; i++) {
    const ch = p[i];
    const cur = new Array<boolean>(m + 1).fill(false);
    const starCrosses = !resourceRule || p[i + 1] === undefined || p[i + 1] === ':';
    for (let j = 0; j <= m; j++) {
      if (ch === '*') {
        cur[j] = prev[j]! || (j > 0 && cur[j - 1]! && (starCrosses || text[j - 1] !== ':'));
      } else if (j > 0) {
        const c = text[j - 1];
        cur[j] = prev[j - 1]! && (ch === '?' ? !resourceRule || c !== ':' : ch === c);
      }
    }
    prev = cur;
  }
  return prev[m]!;
}

const alphabet = fc.constantFrom('a', 'b', ':', '/');
const patternChars = fc.constantFrom('a', 'b', ':', '/', '*', '?');
const textArb = fc.array(alphabet, { maxLength: 12 }).map((a) => a.join(''));
const patternArb = fc.array(patternChars, { maxLength: 10 }).map((a) => a.join(''));

describe('wildcard matcher against a reference matcher', () => {
  it('agrees with the reference on free globs (fast paths)', () => {
    fc.assert(fc.property(patternArb, textArb, (p, t) => compileGlob(p)(t) === referenceMatch(p, t, false)), { numRuns: 3000 });
  });

  it('agrees with the reference on free globs (NFA path)', () => {
    fc.assert(fc.property(patternArb, textArb, (p, t) => compileGlob(p, {}, { steps: 0 })(t) === referenceMatch(p, t, false)), { numRuns: 3000 });
  });

  it('agrees with the reference under the Resource element’s colon rule', () => {
    fc.assert(fc.property(patternArb, textArb, (p, t) => compileResourcePattern(p)(t) === referenceMatch(p, t, true)), { numRuns: 3000 });
  });

  it('stays polynomial on hostile patterns of hundreds of * and ?', () => {
    const hostile = fc.record({
      pattern: fc.array(fc.constantFrom('*', '?', 'a', 'b'), { minLength: 100, maxLength: 400 }).map((a) => a.join('')),
      text: fc.array(fc.constantFrom('a', 'b'), { minLength: 100, maxLength: 1000 }).map((a) => a.join('')),
    });
    fc.assert(
      fc.property(hostile, ({ pattern, text }) => {
        const counter: StepCounter = { steps: 0 };
        const matched = compileGlob(pattern, {}, counter)(text);
        expect(counter.steps).toBeLessThanOrEqual(3 * (pattern.length + 1) * (text.length + 1));
        expect(matched).toBe(referenceMatch(pattern, text, false));
      }),
      { numRuns: 50 },
    );
  });
});
