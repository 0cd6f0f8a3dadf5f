// The headless Chromium the playground's browser tests drive (Debian's `chromium`, as
// ../shared/ENVIRONMENT.md describes), and where their screenshots go.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

/** Screenshots of the browser tests (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** How long a browser expectation may poll. */
export const POLL = { timeout: 15_000 };

function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      const path = execFileSync('which', [name], { encoding: 'utf8' }).trim();
      if (path) return path;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

const executablePath = findChromium();

/** In CI a missing browser is a failure (.ci/run installs it); locally the browser tests may skip. */
export const skipBrowserTests = !executablePath && !process.env.CI;

/** Starts a headless Chromium (and makes the screenshots' folder); fails when there is none. */
export async function launchChromium(): Promise<Browser> {
  if (!executablePath) throw new Error('No `chromium` on PATH: .ci/run must install it (apt-get install -y chromium).');
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
