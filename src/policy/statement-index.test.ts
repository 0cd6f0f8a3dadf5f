// Tests of the statement index: which statements a request's action reaches
// (exact names, prefixes within a service, wildcard services, NotAction), across
// the policies of a set, each once and in the set's order.

import { describe, expect, it } from 'vitest';
import { compilePolicy } from './compile.js';
import { CANDIDATE_CACHE_LIMIT, StatementIndex } from './statement-index.js';
import { doc, v2012, type StatementJson } from './test-support.js';
import type { PolicySource } from './types.js';

const allow = (action: string | string[]): StatementJson => ({ Effect: 'Allow', Action: action, Resource: '*' });

function indexOf(...policies: Array<[PolicySource, StatementJson[]]>): StatementIndex {
  return new StatementIndex(policies.map(([source, statements], policyIndex) => ({
    statements: compilePolicy(doc(v2012(...statements))).statements, source, policyIndex, policyId: `p${policyIndex}`,
  })));
}

/** The candidates of `action` as `policyIndex.statementIndex`. */
const reached = (index: StatementIndex, action: string): string[] =>
  index.candidates(action.toLowerCase()).map((c) => `${c.policyIndex}.${c.compiled.statement.index}`);

describe('StatementIndex', () => {
  const index = indexOf(
    ['identity', [allow('s3:GetObject'), allow(['s3:Get*', 'S3:GETOBJECT']), allow('ec2:*'), allow('s3:Get?bject'), allow('s3:*Object')]],
    ['identity', [allow('*'), allow('*:Describe*'), allow('s?:PutObject'), { Effect: 'Deny', NotAction: 's3:*', Resource: '*' }]],
    ['permissionsBoundary', [allow('s3:GetObject'), allow('s3:List*')]],
  );

  it('reaches statements naming the exact action, a prefix of it, a glob or any service, across policies', () => {
    expect(reached(index, 's3:GetObject')).toEqual(['0.0', '0.1', '0.3', '0.4', '1.0', '2.0']);
  });

  it('reaches a statement once when several of its patterns match', () => {
    expect(reached(index, 's3:getobject').filter((r) => r === '0.1')).toEqual(['0.1']);
  });

  it('checks what follows a prefix when the pattern is not prefix*', () => {
    expect(reached(index, 's3:GetObjectAcl')).toEqual(['0.1', '1.0']);
  });

  it('keeps services apart, including services whose name starts the same', () => {
    expect(reached(index, 's3express:GetObject')).toEqual(['1.0', '1.3']);
  });

  it('checks wildcard services and NotAction against every action', () => {
    expect(reached(index, 'ec2:DescribeInstances')).toEqual(['0.2', '1.0', '1.1', '1.3']);
    expect(reached(index, 'sq:PutObject')).toEqual(['1.0', '1.2', '1.3']);
    expect(reached(index, 'sqs:PutObject')).toEqual(['1.0', '1.3']);
  });

  it('reaches only * and NotAction for an action without a service prefix', () => {
    expect(reached(index, 'GetObject')).toEqual(['1.0', '1.3']);
  });

  it('reports where each statement came from', () => {
    const [first] = index.candidates('s3:list');
    expect(first).toMatchObject({ source: 'identity', policyIndex: 1, policyId: 'p1' });
    expect(index.candidates('s3:listbucket').at(-1)).toMatchObject({ source: 'permissionsBoundary', policyIndex: 2, policyId: 'p2' });
  });

  it('answers the same list for a repeated action, and stays bounded', () => {
    expect(index.candidates('s3:getobject')).toBe(index.candidates('s3:getobject'));
    for (let i = 0; i <= CANDIDATE_CACHE_LIMIT; i++) index.candidates(`s3:get${i}`);
    expect(reached(index, 's3:GetObject')).toEqual(['0.0', '0.1', '0.3', '0.4', '1.0', '2.0']);
  });

  it('reaches nothing when no statement names the action', () => {
    const narrow = indexOf(['identity', [allow('s3:GetObject')]]);
    expect(narrow.candidates('ec2:runinstances')).toEqual([]);
    expect(narrow.size).toBe(1);
  });
});
