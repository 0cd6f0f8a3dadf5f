// The project's licence rule, checked on the lock file (every package npm installs, with
// the licence its package.json declares): the dependencies we choose are MIT, Apache-2.0,
// BSD or ISC, and nothing (A)GPL, LGPL, SSPL or source-available reaches the tree, however deep.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

interface LockedPackage {
  license?: string;
  dev?: boolean;
}
const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, LockedPackage> };
const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

const CHOSEN = /^(MIT|Apache-2\.0|BSD-2-Clause|BSD-3-Clause|ISC|0BSD)$/;
const NEVER = /\b(A?GPL|LGPL|SSPL|BUSL|Commons-Clause|Elastic)\b/i;

const installed = Object.entries(lock.packages)
  .filter(([path]) => path !== '')
  .map(([path, entry]) => ({ name: path.replace(/^.*node_modules\//, ''), license: entry.license ?? '(none declared)' }));

describe('licences', () => {
  it('every direct dependency is MIT, Apache-2.0, BSD or ISC', () => {
    const direct = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.devDependencies)];
    const outside = direct
      .map((name) => ({ name, license: lock.packages[`node_modules/${name}`]?.license ?? '(not installed)' }))
      .filter(({ license }) => !CHOSEN.test(license));
    expect(outside).toEqual([]);
  });

  it('nothing (A)GPL, LGPL, SSPL or source-available is installed, at any depth', () => {
    expect(installed.length).toBeGreaterThan(100);
    expect(installed.filter(({ license }) => NEVER.test(license))).toEqual([]);
  });
});
