// Table-driven tests of `decide`, the combining step, on hand-made hits.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_accounts.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html

import { describe, expect, it } from 'vitest';
import { compileStatement } from './compile.js';
import { createHits, decide, resourcePolicyRequired, type DecisionFacts, type Hit, type Hits } from './decide.js';
import type { GrantKind } from './principal.js';
import { doc, v2012 } from './test-support.js';
import type { Decision } from './types.js';

const policy = doc(v2012({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: '*', Resource: '*' }));
const allowSt = compileStatement(policy.statements[0]!, policy);
const denySt = compileStatement(policy.statements[1]!, policy);
const hit = (source: Hit['source'], grant?: GrantKind, deny = false): Hit => ({ compiled: deny ? denySt : allowSt, source, policyIndex: 0, policyId: undefined, grant });

type Spec = { deny?: boolean; identity?: boolean; boundary?: boolean; session?: boolean; resource?: GrantKind };
function hits(spec: Spec): Hits {
  const h = createHits();
  if (spec.deny) h.denies.push(hit('identity', undefined, true));
  if (spec.identity) h.identityAllows.push(hit('identity'));
  if (spec.boundary) h.boundaryAllows.push(hit('permissionsBoundary'));
  if (spec.session) h.sessionAllows.push(hit('session'));
  if (spec.resource) h.resourceAllows.push(hit('resource', spec.resource));
  return h;
}

const same = (f: Partial<DecisionFacts> = {}): DecisionFacts => ({ hasBoundary: false, hasSessionPolicy: false, crossAccount: false, ...f });
const rows: Array<[string, Spec, DecisionFacts, Decision]> = [
  ['nothing applies: implicit deny', {}, same(), 'implicitDeny'],
  ['a deny beats every allow', { deny: true, identity: true, resource: 'direct' }, same(), 'explicitDeny'],
  ['an identity allow alone allows', { identity: true }, same(), 'allowed'],
  ['a boundary without its allow limits the identity allow', { identity: true }, same({ hasBoundary: true }), 'implicitDeny'],
  ['identity and boundary allows allow', { identity: true, boundary: true }, same({ hasBoundary: true }), 'allowed'],
  ['a boundary allow without identity allow grants nothing', { boundary: true }, same({ hasBoundary: true }), 'implicitDeny'],
  ['a session policy without its allow limits the identity allow', { identity: true }, same({ hasSessionPolicy: true }), 'implicitDeny'],
  ['identity, boundary and session allows allow', { identity: true, boundary: true, session: true }, same({ hasBoundary: true, hasSessionPolicy: true }), 'allowed'],
  ['a direct resource grant allows alone', { resource: 'direct' }, same(), 'allowed'],
  ['a direct resource grant ignores the boundary', { resource: 'direct' }, same({ hasBoundary: true, hasSessionPolicy: true }), 'allowed'],
  ['a role grant allows alone without boundary', { resource: 'role' }, same(), 'allowed'],
  ['a role grant is limited by the boundary', { resource: 'role' }, same({ hasBoundary: true }), 'implicitDeny'],
  ['a role grant passes a boundary that allows', { resource: 'role', boundary: true }, same({ hasBoundary: true }), 'allowed'],
  ['a role grant is limited by the session policy', { resource: 'role' }, same({ hasSessionPolicy: true }), 'implicitDeny'],
  ['a public grant allows alone', { resource: 'public' }, same(), 'allowed'],
  ['a public grant is limited by the boundary', { resource: 'public' }, same({ hasBoundary: true }), 'implicitDeny'],
  ['an account grant alone grants nothing', { resource: 'account' }, same(), 'implicitDeny'],
  ['an account grant with an identity allow allows', { resource: 'account', identity: true }, same(), 'allowed'],
  ['across accounts, identity alone is not enough', { identity: true }, same({ crossAccount: true }), 'implicitDeny'],
  ['across accounts, a direct resource grant alone is not enough', { resource: 'direct' }, same({ crossAccount: true }), 'implicitDeny'],
  ['across accounts, both sides allow', { identity: true, resource: 'account' }, same({ crossAccount: true }), 'allowed'],
  ['across accounts, the boundary still limits the identity side', { identity: true, resource: 'direct' }, same({ crossAccount: true, hasBoundary: true }), 'implicitDeny'],
  ['across accounts, a deny wins', { deny: true, identity: true, resource: 'direct' }, same({ crossAccount: true }), 'explicitDeny'],
  // Role trust and KMS key policies must allow: "IAM role trust policies and KMS key policies are exceptions to this
  // logic, because they must explicitly allow access for principals."
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_accounts.html
  ['trust/key policy: an identity allow alone allows nothing', { identity: true }, same({ resourceMustAllow: true }), 'implicitDeny'],
  ['trust/key policy: an account grant with an identity allow allows', { identity: true, resource: 'account' }, same({ resourceMustAllow: true }), 'allowed'],
  ['trust/key policy: an account grant alone allows nothing', { resource: 'account' }, same({ resourceMustAllow: true }), 'implicitDeny'],
  ['trust/key policy: a direct grant allows alone', { resource: 'direct' }, same({ resourceMustAllow: true }), 'allowed'],
  ['trust/key policy: a deny still wins', { deny: true, resource: 'direct' }, same({ resourceMustAllow: true }), 'explicitDeny'],
  ['trust/key policy: across accounts both sides are still needed', { resource: 'direct' }, same({ resourceMustAllow: true, crossAccount: true }), 'implicitDeny'],
  // "If a permissions boundary is set for the user, then it must allow the sts:AssumeRole action."
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
  ['trust policy: a direct grant is limited by the boundary', { resource: 'direct' }, same({ resourceMustAllow: true, boundaryLimitsDirectGrants: true, hasBoundary: true }), 'implicitDeny'],
  ['trust policy: a direct grant passes a boundary that allows', { resource: 'direct', boundary: true }, same({ resourceMustAllow: true, boundaryLimitsDirectGrants: true, hasBoundary: true }), 'allowed'],
  ['trust policy: a direct grant is not limited by a session policy', { resource: 'direct' }, same({ resourceMustAllow: true, boundaryLimitsDirectGrants: true, hasSessionPolicy: true }), 'allowed'],
];

describe('decide', () => {
  it.each(rows)('%s', (_name, spec, facts, expected) => {
    expect(decide(hits(spec), facts).decision).toBe(expected);
  });

  it('reports only the deny statements for an explicit deny', () => {
    const outcome = decide(hits({ deny: true, identity: true }), same());
    expect(outcome.deciding.map((h) => h.compiled.deny)).toEqual([true]);
  });

  it('reports identity, boundary and resource allows for an allow', () => {
    const outcome = decide(hits({ identity: true, boundary: true, resource: 'account' }), same({ hasBoundary: true }));
    expect(outcome.deciding.map((h) => h.source)).toEqual(['identity', 'permissionsBoundary', 'resource']);
  });
});

describe('resourcePolicyRequired', () => {
  it.each([
    ['sts:assumerole', 'arn:aws:iam::111122223333:role/app/Deployer', 'trust'],
    ['sts:assumerolewithwebidentity', 'arn:aws:iam::111122223333:role/R', 'trust'],
    ['sts:tagsession', 'arn:aws:iam::111122223333:role/R', 'trust'],
    ['sts:tagsession', 'arn:aws:sts::111122223333:federated-user/dana', undefined],
    ['sts:getcalleridentity', '*', undefined],
    ['kms:decrypt', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd', 'kms'],
    ['kms:createalias', 'arn:aws:kms:us-east-1:111122223333:alias/app', undefined],
    ['kms:createkey', '*', undefined],
    ['s3:getobject', 'arn:aws:iam::111122223333:role/R', undefined],
  ] as const)('%s on %s → %s', (action, resource, expected) => {
    expect(resourcePolicyRequired(action, resource)).toBe(expected);
  });
});
