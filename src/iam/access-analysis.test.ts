// The change preview's comparison as laws, over random policies (fast-check): adding a
// Deny never grants, an identical document changes nothing, a superset of Allows never
// removes, and a change undone answers the same pairs the other way round.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy, type PolicyDocument } from '../policy/index.js';
import { comparePreview, type AnalysisPrincipal, type PrincipalAccessChange } from './access-analysis.js';
import type { IdentityPolicy } from './principal-policies.js';

const ACCOUNT = '111122223333';
const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 'iam:ListUsers', 'iam:GetUser', 'iam:CreateUser', 'sts:AssumeRole'];
const RESOURCES = ['*', 'arn:aws:s3:::b/x', 'arn:aws:s3:::b/*', 'arn:aws:s3:::c/y', `arn:aws:iam::${ACCOUNT}:user/alice`];

const statementArb = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'),
  action: fc.subarray(['s3:GetObject', 's3:Put*', 's3:*', 'iam:List*', 'iam:GetUser', 'iam:*', '*'], { minLength: 1 }),
  notAction: fc.boolean(),
  resource: fc.subarray(['*', 'arn:aws:s3:::b/*', 'arn:aws:s3:::c/*', `arn:aws:iam::${ACCOUNT}:user/*`], { minLength: 1 }),
  notResource: fc.boolean(),
}).map(({ Effect, action, notAction, resource, notResource }) => ({
  Effect,
  [notAction ? 'NotAction' : 'Action']: action,
  [notResource ? 'NotResource' : 'Resource']: resource,
}));
const documentArb = fc.array(statementArb, { minLength: 1, maxLength: 4 });

let counter = 0;
function parsed(statements: object[]): IdentityPolicy {
  const name = `p${counter++}`;
  const document: PolicyDocument = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), { policyType: 'managed', policyId: name });
  return { document, origin: { kind: 'inline', entityType: 'user', entityId: 'u', name } };
}

function principal(identity: IdentityPolicy[], boundary: PolicyDocument | null = null): AnalysisPrincipal {
  return { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, type: 'user', name: 'alice', identity, boundary };
}

function change(before: IdentityPolicy[], after: IdentityPolicy[], boundary: PolicyDocument | null = null): PrincipalAccessChange {
  const p = principal(before, boundary);
  const preview = comparePreview([{ principal: p, after, afterBoundary: boundary }], ACTIONS, RESOURCES, ACCOUNT);
  expect(preview.truncated).toBe(false);
  return preview.principals[0]!;
}

const boundaryArb = fc.option(documentArb.map((s) => parsed(s).document), { nil: null });

describe('comparePreview laws', () => {
  it('adding a Deny never grants', () => {
    fc.assert(
      fc.property(documentArb, documentArb, boundaryArb, (base, added, boundary) => {
        const denies = added.map((s) => ({ ...s, Effect: 'Deny' }));
        const before = [parsed(base)];
        expect(change(before, [...before, parsed(denies)], boundary).newlyAllowed).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('an identical document changes nothing', () => {
    fc.assert(
      fc.property(documentArb, boundaryArb, (base, boundary) => {
        const result = change([parsed(base)], [parsed(base)], boundary);
        expect(result.newlyAllowed).toEqual([]);
        expect(result.newlyDenied).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('a superset of Allow statements never removes access', () => {
    fc.assert(
      fc.property(documentArb, documentArb, boundaryArb, (base, added, boundary) => {
        const allows = added.map((s) => ({ ...s, Effect: 'Allow' }));
        expect(change([parsed(base)], [parsed([...base, ...allows])], boundary).newlyDenied).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('undoing a change answers the same pairs the other way round', () => {
    fc.assert(
      fc.property(documentArb, documentArb, (a, b) => {
        const forth = change([parsed(a)], [parsed(b)]);
        const back = change([parsed(b)], [parsed(a)]);
        expect(back.newlyAllowed).toEqual(forth.newlyDenied);
        expect(back.newlyDenied).toEqual(forth.newlyAllowed);
      }),
      { numRuns: 150 },
    );
  });

  it("asks an action about its own service's resources and `*` only, and stops at the bound", () => {
    const allowAll = [parsed([{ Effect: 'Allow', Action: '*', Resource: '*' }])];
    const granted = change([], allowAll).newlyAllowed;
    expect(granted).toContainEqual({ action: 's3:GetObject', resource: 'arn:aws:s3:::b/x' });
    expect(granted).not.toContainEqual({ action: 's3:GetObject', resource: `arn:aws:iam::${ACCOUNT}:user/alice` });
    expect(granted).toContainEqual({ action: 'sts:AssumeRole', resource: '*' });
    const many = Array.from({ length: 300_000 }, (_, i) => `s3:Action${i}`);
    const preview = comparePreview([{ principal: principal([]), after: allowAll, afterBoundary: null }], many, ['*'], ACCOUNT);
    expect(preview.truncated).toBe(true);
    expect(preview.principals[0]!.newlyAllowed.length).toBe(200_000);
  });
});
