// The policy benchmark's scaling workload: one principal with 1, 10, 100 or 1,000
// identity-policy statements, all in the s3 service (so an index by service alone
// would scan them all), packed under the managed-policy quota; and three kinds of
// request against it: an s3 action no statement names (no match), the action only
// the last statement names (last-statement match), and an action of a service no
// statement names (other service).

import { withFiller, type BenchRequest, type Expected, type PolicyJson, type StatementJson } from './workload.js';

export const SCALING_SIZES = [1, 10, 100, 1000] as const;

/** A kind of request of the scaling table, with the decision every evaluator must reach. */
export interface ScalingScenario {
  name: string;
  expected: Expected;
  requests: BenchRequest[];
}

const VERBS = ['Get', 'Put', 'List', 'Delete', 'Describe', 'Tag', 'Restore', 'Replicate'];

/**
 * `count` statements: the first `count - 1` each name their own s3 actions
 * (`s3:<Verb><i>Object`, one in three as a prefix `s3:<Verb><i>*`) on their own
 * bucket, one in four with a condition; the last names `s3:GetObject` on `app-data`.
 */
export function createScalingPolicies(count: number): PolicyJson[] {
  const statements: StatementJson[] = [];
  for (let i = 0; i < count - 1; i++) {
    const verb = VERBS[i % VERBS.length]!;
    const statement: StatementJson = {
      Sid: `S${i}`,
      Effect: 'Allow',
      Action: i % 3 === 0 ? `s3:${verb}${i}*` : [`s3:${verb}${i}Object`, `s3:${verb}${i}Bucket`],
      Resource: `arn:aws:s3:::bucket-${i}/*`,
    };
    if (i % 4 === 0) statement.Condition = { StringEquals: { 'aws:RequestedRegion': i % 8 === 0 ? 'us-east-1' : 'eu-west-1' } };
    statements.push(statement);
  }
  statements.push({ Sid: 'Last', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::app-data/*' });
  return withFiller([], statements);
}

const requests = (action: string): BenchRequest[] =>
  Array.from({ length: 8 }, (_, j) => ({
    action,
    resourceArn: `arn:aws:s3:::app-data/reports/${j}.csv`,
    context: { 'aws:RequestedRegion': j % 2 === 0 ? 'us-east-1' : 'eu-west-1' },
  }));

/** The three kinds of request of the scaling table. */
export function createScalingScenarios(): ScalingScenario[] {
  return [
    { name: 'no match', expected: 'implicitDeny', requests: requests('s3:PutObject') },
    { name: 'last-statement match', expected: 'allowed', requests: requests('s3:GetObject') },
    { name: 'other service', expected: 'implicitDeny', requests: requests('sqs:SendMessage') },
  ];
}
