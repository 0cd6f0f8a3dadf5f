// The server's entry point as `npm start` and the Docker image run it: dist/main.js,
// compiled from src/ by scripts/build.mjs, here again only when the sources changed
// since the last build (`npm test` builds before the suite; a test file run alone may not).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let built = false;

/** The arguments for `node` that start the compiled server, building it first when stale. */
export function mainArgs(): string[] {
  if (!built) {
    execFileSync(process.execPath, [path.join(repo, 'scripts/build.mjs'), '--if-stale', '--allow-type-errors'], { cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    built = true;
  }
  return [...startNodeFlags(), path.join(repo, 'dist/main.js')];
}

/** The flags `npm start` gives node (package.json's start script; the Dockerfile's CMD gives the same). */
export function startNodeFlags(): string[] {
  const start = (JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const flags = /\bnode((?:\s+--\S+)*)\s+dist\/main\.js/.exec(start);
  if (!flags) throw new Error('package.json\'s start script no longer runs `node [flags] dist/main.js`');
  return flags[1]!.split(/\s+/).filter(Boolean);
}
