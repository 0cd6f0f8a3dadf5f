// Compiles the server: src → dist (plain JavaScript that `node dist/main.js` runs,
// what `npm start` and the Docker image run), with the files the code reads beside
// itself (src/aws/model/*.json, src/iam/data/*.txt, src/playground/static/*) and the
// policy package's declarations (dist/policy, `open-iam/policy`). Needs the
// generated code (scripts/generate.mjs) and the devDependencies (TypeScript).
// Plain Node, no dependencies.
//
//   --if-stale          skip when dist was built from the same sources
//   --allow-type-errors emit despite type errors, printing them as a warning (the
//                       bootstrap before `npm start` and `npm test`: type errors do not
//                       change the JavaScript, and tsx ran such code before). Without
//                       it, as in the Docker image, a type error fails the build.
//
// The output is written to a temporary folder and swapped in at the end, so a
// server or test running dist/ never sees half a build.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashOf } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stampFile = path.join(dist, '.build-stamp');
/** Files under src/ that the compiled code reads at run time, copied as they are. */
const isAsset = (file) => !file.endsWith('.ts') && !file.endsWith('.md') && !path.basename(file).startsWith('.');

const ifStale = process.argv.includes('--if-stale');
const allowTypeErrors = process.argv.includes('--allow-type-errors');

/** Every file under `dir`, relative to `root`, sorted. */
function filesUnder(dir) {
  if (!existsSync(path.join(root, dir))) return [];
  return readdirSync(path.join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .sort();
}

const sources = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.policy.json', 'scripts/build.mjs', ...filesUnder('src')];
// File names count too: a renamed or deleted file changes the output.
const stamp = `${hashOf(...sources.map((file) => path.join(root, file)))}:${createHash('sha256').update(sources.join('\n')).digest('hex')}`;
const fresh = () => existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
if (ifStale && fresh()) process.exit(0);

const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
if (!existsSync(tsc)) {
  console.error('[build] TypeScript is not installed: run `npm install` (the build needs the devDependencies)');
  process.exit(1);
}

// One build at a time (test files that start dist/main.js may ask at once); a lock
// older than ten minutes is a crashed build's.
const lock = path.join(root, 'node_modules', '.cache', 'open-iam-build.lock');
mkdirSync(path.dirname(lock), { recursive: true });
for (;;) {
  try {
    mkdirSync(lock);
    break;
  } catch {
    if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 10 * 60_000) rmSync(lock, { recursive: true, force: true });
    else await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
process.on('exit', () => rmSync(lock, { recursive: true, force: true }));
// Built meanwhile by whoever held the lock.
if (ifStale && fresh()) process.exit(0);

const started = performance.now();
const scratch = path.join(root, 'node_modules', '.cache', `open-iam-build-${process.pid}`);
const out = path.join(scratch, 'dist');
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
try {
  const typeErrors = [
    compile(['-p', 'tsconfig.build.json', '--outDir', out]),
    // The policy package's own build, for its declarations (`exports["./policy"].types`).
    compile(['-p', 'tsconfig.policy.json', '--outDir', path.join(out, 'policy'), '--declaration', '--emitDeclarationOnly']),
  ].some((failed) => failed);
  for (const file of filesUnder('src').filter(isAsset)) {
    const target = path.join(out, path.relative('src', file));
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(root, file), target);
  }
  writeFileSync(path.join(out, '.build-stamp'), stamp);
  if (existsSync(dist)) renameSync(dist, path.join(scratch, 'old'));
  renameSync(out, dist);
  console.log(`[build] dist/ compiled${typeErrors ? ' despite type errors (above)' : ''} (${Math.round(performance.now() - started)} ms)`);
} catch (error) {
  console.error(`[build] ${error.message}`);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

/** Runs tsc; throws on errors unless --allow-type-errors and it emitted anyway. Returns whether it reported errors. */
function compile(args) {
  const result = spawnSync(process.execPath, [tsc, ...args, ...(allowTypeErrors ? ['--noEmitOnError', 'false'] : [])], { cwd: root, stdio: 'inherit' });
  if (result.status === 0) return false;
  // tsc exits with 2 when it reported errors but emitted, 1 when it emitted nothing.
  if (allowTypeErrors && result.status === 2) {
    console.warn(`[build] type errors in \`tsc ${args.join(' ')}\`: the JavaScript was emitted anyway; \`npm run typecheck\` lists them`);
    return true;
  }
  throw new Error(`\`tsc ${args.join(' ')}\` failed: nothing was written to dist/`);
}
