// Runs before `npm start` and `npm test`: installs dependencies when they are
// missing or stale, then regenerates the Prisma client and the GraphQL resolver
// types when their sources changed. Plain Node, no dependencies: it runs first.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hashOf, run } from './lib.mjs';


// Dependencies: npm records what it installed in node_modules/.package-lock.json.
const installStamp = 'node_modules/.open-iam-install';
const lockHash = hashOf('package.json', 'package-lock.json');
if (!existsSync(installStamp) || readFileSync(installStamp, 'utf8') !== lockHash) {
  console.log('[bootstrap] installing dependencies...');
  const ci = process.env.CI === 'true' && existsSync('package-lock.json');
  run('npm', [ci ? 'ci' : 'install', '--no-audit', '--no-fund']);
  writeFileSync(installStamp, lockHash);
}

run(process.execPath, ['scripts/generate.mjs', '--if-stale']);
// The AWS-managed policy catalog's compact index (cached under node_modules/.cache; quick when present).
run(process.execPath, ['--import', 'tsx', 'scripts/build-aws-managed-policies.ts']);
