import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_HASH_PRIORITY, documentedExampleSecrets, HASH_QUEUE_PER_TURN, loadConfig } from './config.js';

const TOKEN = 'a3f9c1d27e8b4f60a1c2d3e4f5061728';
const KEY = 'W4u9pZc2rX7vQm1kTn8sYb3eLh6dGf0jAa5oUi2wEc7';
const production = { NODE_ENV: 'production', IAM_OPERATOR_TOKEN: TOKEN, IAM_MASTER_KEY: KEY };

/** The problems loadConfig reports for `env`, or [] when it accepts it. */
function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('loadConfig: secrets', () => {
  it.each([
    { name: 'accepts random secrets in production', env: production, expected: [] },
    { name: 'accepts no secrets outside production (no operator; a generated master key)', env: {}, expected: [] },
    { name: 'accepts a documented example outside production', env: { IAM_OPERATOR_TOKEN: 'choose-a-long-operator-secret' }, expected: [] },
    {
      name: 'refuses a missing operator token in production',
      env: { ...production, IAM_OPERATOR_TOKEN: undefined },
      expected: [expect.stringMatching(/^IAM_OPERATOR_TOKEN is required when NODE_ENV=production/)],
    },
    {
      name: 'refuses a blank master key in production, saying no key is generated there',
      env: { ...production, IAM_MASTER_KEY: '  ', IAM_DATA_DIR: '/srv/iam' },
      expected: [expect.stringMatching(/^IAM_MASTER_KEY is required when NODE_ENV=production \(no key is generated into \/srv\/iam\/master\.key there\)/)],
    },
    {
      name: 'refuses a short operator token anywhere',
      env: { IAM_OPERATOR_TOKEN: 'short' },
      expected: ['IAM_OPERATOR_TOKEN must be at least 16 characters, got 5'],
    },
    {
      name: 'refuses a short master key in production',
      env: { ...production, IAM_MASTER_KEY: 'x'.repeat(31) },
      expected: ['IAM_MASTER_KEY must be at least 32 characters, got 31'],
    },
    {
      name: "refuses the compose file's old example master key in production",
      env: { ...production, IAM_MASTER_KEY: 'change-me-to-a-long-random-master-key-0123456789' },
      expected: [expect.stringMatching(/^IAM_MASTER_KEY is an example from the documentation/)],
    },
    {
      name: "refuses the README's example operator token in production",
      env: { ...production, IAM_OPERATOR_TOKEN: 'choose-a-long-operator-secret' },
      expected: [expect.stringMatching(/^IAM_OPERATOR_TOKEN is an example from the documentation/)],
    },
    {
      name: 'refuses an obvious placeholder in production',
      env: { ...production, IAM_OPERATOR_TOKEN: 'CHANGEME-0123456789abcdef' },
      expected: [expect.stringMatching(/^IAM_OPERATOR_TOKEN is an example/)],
    },
    {
      name: 'reports every problem at once, each naming its variable',
      env: { NODE_ENV: 'production', IAM_MASTER_KEY: 'change-me', PORT: 'x' },
      expected: [
        expect.stringMatching(/^IAM_MASTER_KEY must be at least 32 characters/),
        expect.stringMatching(/^IAM_OPERATOR_TOKEN is required/),
        expect.stringMatching(/^IAM_MASTER_KEY is an example/),
        expect.stringMatching(/^PORT must be an integer/),
      ],
    },
  ])('$name', ({ env, expected }) => {
    expect(problemsOf(env)).toEqual(expected);
  });

  it('refuses in production every example secret the documentation shows', () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const files = ['README.md', 'docker-compose.yml', ...readdirSync(join(root, 'docs')).map((name) => join('docs', name))];
    const examples = new Set<string>(documentedExampleSecrets);
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      // `IAM_OPERATOR_TOKEN=value`, `IAM_MASTER_KEY: value`, `${IAM_MASTER_KEY:-value}`, `Bearer value`.
      const pattern = /IAM_(?:OPERATOR_TOKEN|MASTER_KEY)(?:=|:\s+|:-)([^\s'"`$})]+)|Bearer ([^\s'"`$]+)/g;
      for (const match of text.matchAll(pattern)) examples.add(match[1] ?? match[2]!);
    }
    expect(examples.size).toBeGreaterThan(0);
    for (const example of examples) {
      expect(problemsOf({ ...production, IAM_OPERATOR_TOKEN: example }).some((p) => p.startsWith('IAM_OPERATOR_TOKEN')), example).toBe(true);
      expect(problemsOf({ ...production, IAM_MASTER_KEY: example }).some((p) => p.startsWith('IAM_MASTER_KEY')), example).toBe(true);
    }
  });
});

describe('loadConfig: the password-hash pool', () => {
  it('leaves a core to the rest of the server by default, runs at least one hash, at the lowest priority (SCHED_IDLE)', () => {
    const { hashConcurrency, hashQueue, hashPriority } = loadConfig({});
    expect(hashConcurrency).toBe(Math.max(1, availableParallelism() - 1));
    expect(hashQueue).toBe(HASH_QUEUE_PER_TURN * hashConcurrency);
    expect(hashPriority).toBe(DEFAULT_HASH_PRIORITY);
    expect(DEFAULT_HASH_PRIORITY).toBe('idle');
  });

  it('takes IAM_HASH_CONCURRENCY, IAM_HASH_QUEUE (0: no hash waits) and IAM_HASH_PRIORITY (idle, or a nice value; 0: the server\'s own priority)', () => {
    expect(loadConfig({ IAM_HASH_CONCURRENCY: '2', IAM_HASH_QUEUE: '0' })).toMatchObject({ hashConcurrency: 2, hashQueue: 0 });
    expect(loadConfig({ IAM_HASH_CONCURRENCY: '3' }).hashQueue).toBe(3 * HASH_QUEUE_PER_TURN);
    // Hashes no longer run on libuv's threadpool: its size does not bound them.
    expect(loadConfig({ IAM_HASH_CONCURRENCY: '8', UV_THREADPOOL_SIZE: '4' }).hashConcurrency).toBe(8);
    expect(loadConfig({ IAM_HASH_PRIORITY: 'idle' }).hashPriority).toBe('idle');
    expect(loadConfig({ IAM_HASH_PRIORITY: '0' }).hashPriority).toBe(0);
    expect(loadConfig({ IAM_HASH_PRIORITY: '19' }).hashPriority).toBe(19);
  });

  it.each([
    { name: 'refuses no hash at all', env: { IAM_HASH_CONCURRENCY: '0' }, expected: ['IAM_HASH_CONCURRENCY must be an integer from 1 to 1024, got "0"'] },
    { name: 'refuses a negative queue', env: { IAM_HASH_QUEUE: '-1' }, expected: ['IAM_HASH_QUEUE must be an integer from 0 to 100000, got "-1"'] },
    { name: 'refuses a nice value past 19', env: { IAM_HASH_PRIORITY: '20' }, expected: ['IAM_HASH_PRIORITY must be idle or a nice value from 0 to 19, got "20"'] },
    { name: 'refuses a negative nice value (a higher priority than the server)', env: { IAM_HASH_PRIORITY: '-5' }, expected: ['IAM_HASH_PRIORITY must be idle or a nice value from 0 to 19, got "-5"'] },
    { name: 'refuses another policy name', env: { IAM_HASH_PRIORITY: 'batch' }, expected: ['IAM_HASH_PRIORITY must be idle or a nice value from 0 to 19, got "batch"'] },
  ])('$name', ({ env, expected }) => {
    expect(problemsOf(env)).toEqual(expected);
  });
});

describe('loadConfig: metrics and traces', () => {
  it.each([
    { name: 'serves metrics on the service address when METRICS_ADDRESS is unset', env: {}, expected: undefined },
    { name: 'takes a port alone on HOST', env: { METRICS_ADDRESS: '9464', HOST: '0.0.0.0' }, expected: { host: '0.0.0.0', port: 9464 } },
    { name: 'takes host:port', env: { METRICS_ADDRESS: '10.0.0.5:9464' }, expected: { host: '10.0.0.5', port: 9464 } },
    { name: 'takes [ipv6]:port', env: { METRICS_ADDRESS: '[::1]:9464' }, expected: { host: '::1', port: 9464 } },
  ])('$name', ({ env, expected }) => {
    expect(loadConfig(env).metricsAddress).toEqual(expected);
  });

  it.each([
    { name: 'refuses a port out of range', env: { METRICS_ADDRESS: 'localhost:70000' }, expected: ['METRICS_ADDRESS must be host:port, [ipv6]:port or a port, got "localhost:70000"'] },
    { name: 'refuses a URL for an address', env: { METRICS_ADDRESS: 'http://localhost:9464' }, expected: ['METRICS_ADDRESS must be host:port, [ipv6]:port or a port, got "http://localhost:9464"'] },
    { name: 'refuses an OTLP endpoint that is not an http(s) URL', env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }, expected: [expect.stringMatching(/^OTEL_EXPORTER_OTLP_ENDPOINT must be an http:\/\/ or https:\/\/ URL/)] },
  ])('$name', ({ env, expected }) => {
    expect(problemsOf(env)).toEqual(expected);
  });

  it('loads no tracing without an OTLP endpoint, and names the service open-iam by default', () => {
    expect(loadConfig({})).toMatchObject({ otlpEndpoint: undefined, otelServiceName: 'open-iam' });
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'iam-eu' })).toMatchObject({ otlpEndpoint: 'http://collector:4318', otelServiceName: 'iam-eu' });
  });
});

describe('loadConfig: OIDC providers', () => {
  it('refuses plain-http issuers, waits 3 s for a provider and refetches a JWKS at most every 30 s by default', () => {
    expect(loadConfig({})).toMatchObject({ oidcAllowHttpLoopback: false, oidcTimeoutMs: 3000, oidcJwksCooldownSeconds: 30 });
  });

  it('takes IAM_OIDC_ALLOW_HTTP_LOOPBACK, IAM_OIDC_TIMEOUT_MS and IAM_OIDC_JWKS_COOLDOWN_SECONDS', () => {
    const env = { IAM_OIDC_ALLOW_HTTP_LOOPBACK: 'true', IAM_OIDC_TIMEOUT_MS: '500', IAM_OIDC_JWKS_COOLDOWN_SECONDS: '5' };
    expect(loadConfig(env)).toMatchObject({ oidcAllowHttpLoopback: true, oidcTimeoutMs: 500, oidcJwksCooldownSeconds: 5 });
  });

  it('refuses plain-http issuers in production, and timeouts out of range', () => {
    expect(problemsOf({ ...production, IAM_OIDC_ALLOW_HTTP_LOOPBACK: 'true' })).toEqual([expect.stringMatching(/^IAM_OIDC_ALLOW_HTTP_LOOPBACK must be off when NODE_ENV=production/)]);
    expect(problemsOf({ IAM_OIDC_TIMEOUT_MS: '60000' })).toEqual(['IAM_OIDC_TIMEOUT_MS must be an integer from 100 to 10000, got "60000"']);
  });
});
