// Tests of compiling and caching policies: the caches for documents and JSON text,
// action matching, and statements that can never match.

import { describe, expect, it } from 'vitest';
import { compilePolicy, loadPolicy } from './compile.js';
import { doc, v2012 } from './test-support.js';

describe('compilePolicy', () => {
  const policy = doc(v2012(
    { Effect: 'Allow', Action: ['s3:GetObject', 'S3:PutObject'], Resource: '*' },
    { Effect: 'Deny', NotAction: 'iam:*', Resource: '*' },
  ));
  const compiled = compilePolicy(policy);

  it('compiles every statement, in document order', () => {
    expect(compiled.statements.map((s) => s.statement.index)).toEqual([0, 1]);
  });

  it('compiles the same document object once', () => {
    expect(compilePolicy(policy)).toBe(compiled);
  });

  it('matches actions case-insensitively', () => {
    expect(compiled.statements[0]?.matchAction('s3:putobject')).toBe(true);
    expect(compiled.statements[0]?.matchAction('s3:deleteobject')).toBe(false);
  });

  it('matches NotAction as every action but the listed ones', () => {
    expect(compiled.statements[1]?.matchAction('s3:getobject')).toBe(true);
    expect(compiled.statements[1]?.matchAction('iam:createuser')).toBe(false);
  });

  it('a statement with neither Action nor NotAction matches no action', () => {
    const odd = compilePolicy(doc(v2012({ Effect: 'Allow', Resource: '*' })));
    expect(odd.statements[0]?.matchAction('s3:getobject')).toBe(false);
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
