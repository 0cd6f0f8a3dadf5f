// The server's entry point as `npm start` and the Docker image run it: dist/main.js,
// compiled from src/ by scripts/build.mjs, here again only when the sources changed
// since the last build (`npm test` builds before the suite; a test file run alone may not).
import { execFileSync } from 'node:child_process';
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
  return [path.join(repo, 'dist/main.js')];
}
