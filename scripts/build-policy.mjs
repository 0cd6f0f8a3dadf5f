// Builds the embeddable policy engine: src/policy → dist/policy (ESM .js + .d.ts)
// with tsconfig.policy.json, for `import … from 'open-iam/policy'`. Run by
// `npm run build:policy` and by `prepare`, so installing this repository from git
// builds it. Plain Node, no dependencies.
//
// --if-dev-dependencies (used by `prepare`): skip when the build's devDependencies
// are not installed. `prepare` also runs on `npm install --omit=dev` in a
// checkout (a server deployment), which may lack TypeScript or @types/node and does
// not need dist/policy. A git-dependency install always has them (npm installs the
// clone with --include=dev), so it builds. The check is on the files, not on
// npm_config_omit: npm runs a git dependency's `prepare` with the consumer's
// environment, so `npm install --omit=dev git+…` would otherwise skip the build.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const required = [tsc, path.join(root, 'node_modules', '@types', 'node', 'package.json')];
const missing = required.filter((file) => !existsSync(file)).map((file) => path.relative(root, file));

if (missing.length > 0) {
  if (process.argv.includes('--if-dev-dependencies')) {
    console.log(`[build:policy] skipped: devDependencies are not installed (${missing.join(', ')})`);
    process.exit(0);
  }
  console.error(`[build:policy] missing ${missing.join(', ')}: run \`npm install\` first`);
  process.exit(1);
}

// A clean output folder, so files removed from src/policy do not linger in the package.
rmSync(path.join(root, 'dist', 'policy'), { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.policy.json')], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
