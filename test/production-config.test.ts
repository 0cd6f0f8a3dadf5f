// `npm start` in production with unsafe secrets: the process refuses to start, names
// each variable and why, and exits before touching a database.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { mainArgs } from './support/main.js';

describe('starting with NODE_ENV=production', () => {
  it('refuses a missing master key and an example operator token, listing both, with exit code 2', () => {
    const { NODE_ENV: _test, IAM_MASTER_KEY: _key, IAM_OPERATOR_TOKEN: _token, ...env } = process.env;
    const run = spawnSync(process.execPath, mainArgs(), {
      env: { ...env, NODE_ENV: 'production', IAM_OPERATOR_TOKEN: 'choose-a-long-operator-secret', DATABASE_URL: 'postgresql://nobody@127.0.0.1:1/none' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Invalid configuration:');
    expect(run.stderr).toMatch(/- IAM_OPERATOR_TOKEN is an example from the documentation/);
    expect(run.stderr).toMatch(/- IAM_MASTER_KEY is required when NODE_ENV=production/);
  });
});
