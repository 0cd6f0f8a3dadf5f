// The engine's cache registry (caches.ts), through the public API: every cache is
// listed with its size, a lookup marks it used, a release empties it, and the
// engine decides and validates as before once its caches were released.

import { describe, expect, it } from 'vitest';
import { matchActions } from './catalog.js';
import { compilePolicySet, engineCaches, evaluate, validatePolicy, type EngineCache, type RequestFacts } from './index.js';

const ACCT = '111122223333';
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['s3:Get*', 'iam:List*'], Resource: ['arn:aws:s3:::reports-*/*', '*'] },
    { Effect: 'Deny', Action: 'iam:Delete*', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } },
  ],
});
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:user/alice` }, Action: 'sts:AssumeRole' }],
});

const REQUESTS: Array<[string, RequestFacts, string]> = [
  ['a granted read', { principalArn: `arn:aws:iam::${ACCT}:user/alice`, action: 's3:GetObject', resourceArn: 'arn:aws:s3:::reports-2026/q4.csv' }, 'allowed'],
  ['an action no statement names', { principalArn: `arn:aws:iam::${ACCT}:user/alice`, action: 's3:PutObject', resourceArn: 'arn:aws:s3:::reports-2026/q4.csv' }, 'implicitDeny'],
  [
    'a delete without MFA',
    { principalArn: `arn:aws:iam::${ACCT}:user/alice`, action: 'iam:DeleteUser', resourceArn: `arn:aws:iam::${ACCT}:user/bob`, context: { 'aws:MultiFactorAuthPresent': 'false' } },
    'explicitDeny',
  ],
];

/** The work that fills every cache: text compiled, principals read, patterns matched, keys looked up, validation. */
function decideAll(): { decisions: string[]; trust: string; findings: string[]; actions: readonly string[] } {
  const set = compilePolicySet({ identityPolicies: [POLICY] });
  const decisions = REQUESTS.map(([, request]) => evaluate(set, request).decision);
  const trust = evaluate(compilePolicySet({ resourcePolicy: TRUST }), {
    principalArn: `arn:aws:iam::${ACCT}:user/alice`,
    action: 'sts:AssumeRole',
    resourceArn: `arn:aws:iam::${ACCT}:role/deployer`,
    resourceOwnerAccount: ACCT,
  }).decision;
  const findings = validatePolicy(POLICY, { policyType: 'managed' }).map((finding) => `${finding.findingType}:${finding.issueCode}`);
  // The catalog's expansion of an action pattern (the access advisor's, and the validator's for some findings).
  const actions = matchActions('iam', 'List*');
  return { decisions, trust, findings, actions };
}

const sizes = (caches: readonly EngineCache[]) => Object.fromEntries(caches.map((cache) => [cache.name, cache.size]));

describe('engineCaches', () => {
  it('lists each cache of the engine once, by a name usable as a metric label', () => {
    const names = engineCaches().map((cache) => cache.name);
    expect(names.sort()).toEqual(['policy_action_patterns', 'policy_condition_keys', 'policy_globs', 'policy_principals', 'policy_texts']);
    for (const name of names) expect(name).toMatch(/^\w+$/);
  });

  it('holds entries once used, marks a lookup used until asked, empties on release, and decides as before after', () => {
    const caches = engineCaches();
    const before = decideAll();
    expect(before.decisions).toEqual(REQUESTS.map(([, , decision]) => decision));
    expect(before.trust).toBe('allowed');
    for (const cache of caches) expect(cache.size, cache.name).toBeGreaterThan(0);
    // Every cache was looked up; asking clears the mark.
    for (const cache of caches) expect(cache.takeUsed(), cache.name).toBe(true);
    for (const cache of caches) expect(cache.takeUsed(), cache.name).toBe(false);

    for (const cache of caches) cache.release();
    expect(Object.values(sizes(caches))).toEqual(caches.map(() => 0));
    // Released: nothing was used by releasing.
    for (const cache of caches) expect(cache.takeUsed(), cache.name).toBe(false);

    // The same answers, the caches filled again.
    expect(decideAll()).toEqual(before);
    for (const cache of caches) expect(cache.size, cache.name).toBeGreaterThan(0);
    for (const cache of caches) expect(cache.takeUsed(), cache.name).toBe(true);
  });

  it('answers from a released cache what it answered from a full one, request by request', () => {
    const set = compilePolicySet({ identityPolicies: [POLICY] });
    for (const [label, request, decision] of REQUESTS) {
      const warm = evaluate(set, request);
      for (const cache of engineCaches()) cache.release();
      const cold = evaluate(compilePolicySet({ identityPolicies: [POLICY] }), request);
      expect(cold, label).toEqual(warm);
      expect(cold.decision, label).toBe(decision);
    }
  });
});
