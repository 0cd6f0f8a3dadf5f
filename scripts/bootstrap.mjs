// Runs before `npm start` and `npm test`: installs dependencies when they are
// missing or stale, regenerates the Prisma client and the GraphQL resolver types
// when their sources changed, and compiles src/ to dist/ (what `npm start` runs)
// when it changed. Plain Node, no dependencies: it runs first.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hashOf, onPath, run } from './lib.mjs';


// Dependencies: npm records what it installed in node_modules/.package-lock.json.
const installStamp = 'node_modules/.open-iam-install';
const lockHash = hashOf('package.json', 'package-lock.json');
if (!existsSync(installStamp) || readFileSync(installStamp, 'utf8') !== lockHash) {
  console.log('[bootstrap] installing dependencies...');
  const ci = process.env.CI === 'true' && existsSync('package-lock.json');
  // With the devDependencies even under NODE_ENV=production (where npm leaves them out,
  // and prunes them): generating code and compiling need them. A lean deployment
  // without them is the Docker image's (README, "Running with Docker").
  run('npm', [ci ? 'ci' : 'install', '--include=dev', '--no-audit', '--no-fund']);
  writeFileSync(installStamp, lockHash);
}

run(process.execPath, ['scripts/generate.mjs', '--if-stale']);
run(process.execPath, ['scripts/build.mjs', '--if-stale', '--allow-type-errors']);
// The AWS-managed policy catalog's compact index (cached under node_modules/.cache; quick when present).
run(process.execPath, ['scripts/build-aws-managed-policies.mjs']);

// `npm test` (--browser): the playground's browser test drives Debian's Chromium.
// Installed when missing and this machine allows it (root, with apt-get); otherwise
// that one test file skips locally and fails in CI.
if (process.argv.includes('--browser') && !onPath('chromium') && !onPath('chromium-browser')) {
  if (process.getuid?.() === 0 && onPath('apt-get')) {
    console.log('[bootstrap] installing Chromium for the playground browser test...');
    run('apt-get', ['update'], { DEBIAN_FRONTEND: 'noninteractive' });
    run('apt-get', ['install', '-y', 'chromium'], { DEBIAN_FRONTEND: 'noninteractive' });
  } else {
    console.warn('[bootstrap] no Chromium on PATH: the playground browser test will skip (apt-get install -y chromium).');
  }
}
