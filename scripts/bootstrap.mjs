// Runs before `npm start` and `npm test`: installs dependencies when they are
// missing or stale, then regenerates the Prisma client and the GraphQL resolver
// types when their sources changed. Plain Node, no dependencies: it runs first.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';

const hashOf = (...files) => {
  const hash = createHash('sha256');
  for (const file of files) hash.update(existsSync(file) ? readFileSync(file) : '');
  return hash.digest('hex');
};
const run = (command, args, env = {}) => {
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

// Dependencies: npm records what it installed in node_modules/.package-lock.json.
const installStamp = 'node_modules/.open-iam-install';
const lockHash = hashOf('package.json', 'package-lock.json');
if (!existsSync(installStamp) || readFileSync(installStamp, 'utf8') !== lockHash) {
  console.log('[bootstrap] installing dependencies...');
  const ci = process.env.CI === 'true' && existsSync('package-lock.json');
  run('npm', [ci ? 'ci' : 'install', '--no-audit', '--no-fund']);
  const { writeFileSync } = await import('node:fs');
  writeFileSync(installStamp, lockHash);
}

run(process.execPath, ['scripts/generate.mjs', '--if-stale']);
// The AWS-managed policy catalog's compact index (cached under node_modules/.cache; quick when present).
run(process.execPath, ['--import', 'tsx', 'scripts/build-aws-managed-policies.ts']);
