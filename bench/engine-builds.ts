// Loads the policy engine twice for the benchmark: as compiled by `build:policy`'s
// configuration (plain tsc output, what `open-iam/policy` users and the server,
// `npm start` and the Docker image, execute) and as TypeScript source through tsx
// (what `npm start` ran until it ran dist/). They differ: tsx compiles with esbuild's keepNames, which wraps
// every arrow function created at run time in a `__name(fn, "…")` property write.

import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CompiledPolicySet } from '../src/policy/evaluate.js';
import type { EvaluationResult, Finding, PolicyDocument, PolicySetInput, PolicyType, RequestFacts } from '../src/policy/types.js';

/** The part of `open-iam/policy` the benchmark calls. */
export interface Engine {
  parsePolicy(text: string, options: { policyType: PolicyType; policyId?: string }): PolicyDocument;
  validatePolicy(text: string, options: { policyType: PolicyType; policyId?: string }): Finding[];
  compilePolicySet(input: PolicySetInput): CompiledPolicySet;
  evaluate(set: CompiledPolicySet, request: RequestFacts): EvaluationResult;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Under node_modules so the output resolves the engine's dependencies and git ignores it. */
const builtDir = path.join(root, 'node_modules/.cache/open-iam-bench/policy');

async function importEngine(url: string): Promise<Engine | Error> {
  try {
    const engine = (await import(url)) as Partial<Engine>;
    if (typeof engine.evaluate !== 'function' || typeof engine.compilePolicySet !== 'function' || typeof engine.parsePolicy !== 'function' || typeof engine.validatePolicy !== 'function') {
      return new Error(`${url} does not export parsePolicy, validatePolicy, compilePolicySet and evaluate`);
    }
    return engine as Engine;
  } catch (error) {
    return error as Error;
  }
}

/** The TypeScript source, transformed on load by tsx. */
export function loadSourceEngine(): Promise<Engine | Error> {
  return importEngine(pathToFileURL(path.join(root, 'src/policy/index.ts')).href);
}

/** Compiles src/policy with tsconfig.policy.json (as `npm run build:policy` does) into a cache folder, then loads it. */
export async function loadBuiltEngine(): Promise<Engine | Error> {
  rmSync(builtDir, { recursive: true, force: true });
  try {
    execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', path.join(root, 'tsconfig.policy.json'), '--outDir', builtDir], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    const output = (error as { stdout?: Buffer }).stdout?.toString().trim();
    return new Error(`tsc -p tsconfig.policy.json failed${output ? `:\n${output}` : ''}`);
  }
  return importEngine(pathToFileURL(path.join(builtDir, 'index.js')).href);
}
