// Tests of compiling and caching policies: the service index, the caches for
// documents and JSON text, and statements that can never match.

import { describe, expect, it } from 'vitest';
import { compilePolicy, loadPolicy } from './compile.js';
import { doc, v2012 } from './test-support.js';

describe('compilePolicy', () => {
  const policy = doc(v2012(
    { Effect: 'Allow', Action: ['s3:GetObject', 'S3:PutObject'], Resource: '*' },
    { Effect: 'Allow', Action: ['sqs:SendMessage', 's3:ListBucket'], Resource: '*' },
    { Effect: 'Allow', Action: '*', Resource: '*' },
    { Effect: 'Allow', Action: 's?:Get*', Resource: '*' },
    { Effect: 'Deny', NotAction: 'iam:*', Resource: '*' },
  ));
  const compiled = compilePolicy(policy);

  it('indexes statements by lower-cased service prefix', () => {
    expect([...compiled.byService.keys()].sort()).toEqual(['s3', 'sqs']);
    expect(compiled.byService.get('s3')?.map((s) => s.statement.index)).toEqual([0, 1]);
    expect(compiled.byService.get('sqs')?.map((s) => s.statement.index)).toEqual([1]);
  });

  it('puts *, wildcard prefixes and NotAction in the catch-all list', () => {
    expect(compiled.catchAll.map((s) => s.statement.index)).toEqual([2, 3, 4]);
  });

  it('compiles the same document object once', () => {
    expect(compilePolicy(policy)).toBe(compiled);
  });

  it('matches actions of an indexed statement case-insensitively', () => {
    const [first] = compiled.byService.get('s3') ?? [];
    expect(first?.matchAction('s3:putobject')).toBe(true);
    expect(first?.matchAction('s3:deleteobject')).toBe(false);
  });

  it('a statement with neither Action nor NotAction matches no action', () => {
    const odd = compilePolicy(doc(v2012({ Effect: 'Allow', Resource: '*' })));
    expect(odd.catchAll[0]?.matchAction('s3:getobject')).toBe(false);
  });
});

describe('loadPolicy', () => {
  const text = JSON.stringify(v2012({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }));

  it('parses and caches JSON text', () => {
    expect(loadPolicy(text, 'managed')).toBe(loadPolicy(text, 'managed'));
  });

  it('keeps a separate cache entry per policy type', () => {
    expect(loadPolicy(text, 'managed')).not.toBe(loadPolicy(text, 'session'));
  });

  it('compiles a document without parsing', () => {
    const policy = doc(v2012({ Effect: 'Allow', Action: 's3:*', Resource: '*' }));
    expect(loadPolicy(policy, 'managed').document).toBe(policy);
  });

  it('throws for text that does not parse', () => {
    expect(() => loadPolicy('{"Statement": 5}', 'managed')).toThrow();
  });
});
