// The only reader of process.env. Every variable is validated at start-up and all
// problems are reported at once; the README's configuration table lists them.
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';

export interface Config {
  /** Postgres connection string; absent means "start the embedded Postgres". */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  /** Folder for the embedded Postgres cluster and locally generated keys. */
  dataDir: string;
  embeddedPostgresPort: number;
  /** Bearer secret that authorizes `createAccount`; absent disables it (outside production, where it is required). */
  operatorToken: string | undefined;
  /** Key that seals secrets at rest (signing keys, MFA seeds); generated into dataDir when absent, outside production. */
  masterKey: string | undefined;
  /** `iss` of the tokens we sign. */
  issuer: string;
  /** `aud` of the tokens we sign and accept. */
  audience: string;
  /** Lifetime of sign-in sessions, seconds. */
  signInSessionSeconds: number;
  /** Clock skew tolerated when verifying tokens, seconds. */
  clockSkewSeconds: number;
  /**
   * Accept OIDC providers (and their JWKS) at plain `http://` on a loopback host
   * (127.0.0.0/8, ::1, localhost), port included: for development and tests only. Off by default.
   */
  oidcAllowHttpLoopback: boolean;
  /** Longest wait for an identity provider's discovery document or JWKS, milliseconds. */
  oidcTimeoutMs: number;
  /** Shortest time between two fetches of a provider's JWKS when a token names a key it lacks, seconds. */
  oidcJwksCooldownSeconds: number;
  production: boolean;
  introspection: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Take the client address from X-Forwarded-For (behind a trusted proxy only). */
  trustProxy: boolean;
  /** Largest request body accepted, bytes. */
  maxBodyBytes: number;
  /**
   * Where /metrics is served on a listener of its own, to anyone who reaches it
   * (METRICS_ADDRESS, `host:port` or a port on HOST); absent: on the service's own
   * address, to the operator's bearer secret only.
   */
  metricsAddress: { host: string; port: number } | undefined;
  /** Where OpenTelemetry traces go (OTEL_EXPORTER_OTLP_ENDPOINT, OTLP over HTTP); absent: tracing is not even loaded. */
  otlpEndpoint: string | undefined;
  /** The `service.name` of the traces (OTEL_SERVICE_NAME). */
  otelServiceName: string;
  /** Password hashes (argon2) that run at once (src/crypto/hash-pool.ts). */
  hashConcurrency: number;
  /** Password hashes that may wait for a turn; past them, Throttling. */
  hashQueue: number;
  /**
   * CPU priority of the password-hashing threads (Linux, where it is per thread): `idle`
   * (SCHED_IDLE) or a nice value from 0 to 19, so that other work comes first for the cores.
   */
  hashPriority: 'idle' | number;
  /**
   * How long an entry of an in-process cache (verified tokens, principals' policies,
   * sessions, epochs, keys) stays once no request uses it, seconds: the one idle time
   * of every cache (src/service-metrics.ts sweeps them).
   */
  cacheIdleSeconds: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

/**
 * Secrets written in our documentation and examples (README.md, docker-compose.yml's
 * old defaults): anyone can read them, so production refuses them. test/config.test.ts
 * checks that every example the documentation shows is in this list or refused anyway.
 */
export const documentedExampleSecrets: readonly string[] = Object.freeze([
  'change-me-operator-token',
  'change-me-to-a-long-random-master-key-0123456789',
  'choose-a-long-operator-secret',
]);

/** Shortest secrets accepted, in characters. */
export const MIN_OPERATOR_TOKEN_LENGTH = 16;
export const MIN_MASTER_KEY_LENGTH = 32;

/** True for a documented example or an obvious placeholder ("change-me", "changeme", "example"). */
function isExampleSecret(value: string): boolean {
  return documentedExampleSecrets.includes(value) || /change-?me|example|placeholder/i.test(value);
}

/** Reads and validates the configuration; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string) => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const int = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return fallback;
  };

  const databaseUrl = read('DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// URL');
  }
  const production = read('NODE_ENV') === 'production';
  const dataDir = resolve(read('IAM_DATA_DIR') ?? '.data');
  const operatorToken = read('IAM_OPERATOR_TOKEN');
  if (operatorToken !== undefined && operatorToken.length < MIN_OPERATOR_TOKEN_LENGTH) {
    problems.push(`IAM_OPERATOR_TOKEN must be at least ${MIN_OPERATOR_TOKEN_LENGTH} characters, got ${operatorToken.length}`);
  }
  const masterKey = read('IAM_MASTER_KEY');
  if (masterKey !== undefined && masterKey.length < MIN_MASTER_KEY_LENGTH) {
    problems.push(`IAM_MASTER_KEY must be at least ${MIN_MASTER_KEY_LENGTH} characters, got ${masterKey.length}`);
  }
  if (production) problems.push(...productionSecretProblems(operatorToken, masterKey, dataDir));
  const oidcAllowHttpLoopback = bool('IAM_OIDC_ALLOW_HTTP_LOOPBACK', false);
  if (production && oidcAllowHttpLoopback) {
    problems.push('IAM_OIDC_ALLOW_HTTP_LOOPBACK must be off when NODE_ENV=production: identity providers are reached over HTTPS only');
  }
  const port = int('PORT', 4000, 0, 65535);
  const logLevel = (read('LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "${logLevel}"`);
  }
  const { hashConcurrency, hashQueue, hashPriority } = readHashPool(int, read('IAM_HASH_PRIORITY'), problems);
  const host = read('HOST') ?? '127.0.0.1';
  const metricsAddress = readListenAddress('METRICS_ADDRESS', read('METRICS_ADDRESS'), host, problems);
  const otlpEndpoint = read('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (otlpEndpoint !== undefined && !/^https?:\/\/[^/]/.test(otlpEndpoint)) {
    problems.push(`OTEL_EXPORTER_OTLP_ENDPOINT must be an http:// or https:// URL (an OTLP/HTTP collector, e.g. http://collector:4318), got "${otlpEndpoint}"`);
  }
  const issuer = read('IAM_ISSUER') ?? `http://localhost:${port}`;
  try {
    new URL(issuer);
  } catch {
    problems.push(`IAM_ISSUER must be a URL, got "${issuer}"`);
  }
  const config: Config = {
    databaseUrl,
    host,
    port,
    dataDir,
    embeddedPostgresPort: int('EMBEDDED_PG_PORT', 54329, 1, 65535),
    operatorToken,
    masterKey,
    issuer,
    audience: read('IAM_AUDIENCE') ?? 'open-iam',
    signInSessionSeconds: int('IAM_SIGNIN_SESSION_SECONDS', 3600, 900, 43200),
    clockSkewSeconds: int('IAM_CLOCK_SKEW_SECONDS', 30, 0, 300),
    oidcAllowHttpLoopback,
    oidcTimeoutMs: int('IAM_OIDC_TIMEOUT_MS', 3000, 100, 10_000),
    oidcJwksCooldownSeconds: int('IAM_OIDC_JWKS_COOLDOWN_SECONDS', 30, 1, 3600),
    production,
    introspection: bool('IAM_INTROSPECTION', !production),
    logLevel,
    trustProxy: bool('IAM_TRUST_PROXY', false),
    maxBodyBytes: int('IAM_MAX_BODY_BYTES', 262_144, 1024, 10_485_760),
    metricsAddress,
    otlpEndpoint,
    otelServiceName: read('OTEL_SERVICE_NAME') ?? 'open-iam',
    hashConcurrency,
    hashQueue,
    hashPriority,
    cacheIdleSeconds: int('IAM_CACHE_IDLE_SECONDS', 600, 1, 86_400),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Password hashes allowed to wait per hash running, by default: about a second's wait at argon2id's 50-60 ms. */
export const HASH_QUEUE_PER_TURN = 16;

/**
 * The password-hash pool: its size, its queue and its threads' priority. Each hash keeps
 * a core busy for tens of milliseconds on a thread of its own (src/crypto/hash-threads.ts):
 * by default one core is left to the rest of the server (1 hash at once on 2 cores, 3 on 4),
 * at least one hash runs, and the hashing threads run under SCHED_IDLE, so that during a
 * sign-in flood requests, Postgres and the event loop come first for every core, while an
 * idle machine hashes at full speed.
 */
function readHashPool(int: (name: string, fallback: number, min: number, max: number) => number, priority: string | undefined, problems: string[]) {
  const hashConcurrency = int('IAM_HASH_CONCURRENCY', Math.max(1, availableParallelism() - 1), 1, 1024);
  const hashQueue = int('IAM_HASH_QUEUE', HASH_QUEUE_PER_TURN * hashConcurrency, 0, 100_000);
  let hashPriority: 'idle' | number = DEFAULT_HASH_PRIORITY;
  if (priority === 'idle') hashPriority = 'idle';
  else if (priority !== undefined && /^\d{1,2}$/.test(priority) && Number(priority) <= 19) hashPriority = Number(priority);
  else if (priority !== undefined) problems.push(`IAM_HASH_PRIORITY must be idle or a nice value from 0 to 19, got "${priority}"`);
  return { hashConcurrency, hashQueue, hashPriority };
}

/**
 * The hashing threads' priority by default: SCHED_IDLE (sched(7)), below every nice value. A
 * core with nothing else to run hashes at full speed; any other thread that wakes on it takes it
 * at once. Nice 19 kept a hash's thread on the core for its time slice, and each wake-up of a
 * request's threads could wait behind it. Measured on a 2-core machine during a flood of 50
 * sign-ins a second (bench:graphql, issue 21), getCallerIdentity's throughput over its quiet
 * figure, side by side in three runs: SCHED_IDLE 0.60x, 0.61x, 0.50x against nice 19 0.49x,
 * 0.65x, 0.45x and nice 0 0.45x, 0.32x, 0.40x, with as many sign-ins served (README, Benchmarks).
 */
export const DEFAULT_HASH_PRIORITY = 'idle';

/** A listen address: `host:port`, `[ipv6]:port`, or a port alone (on `defaultHost`). */
function readListenAddress(name: string, raw: string | undefined, defaultHost: string, problems: string[]): { host: string; port: number } | undefined {
  if (raw === undefined) return undefined;
  const match = /^(?:(?:\[([0-9a-fA-F:.]+)\]|([^:\s]+)):)?(\d{1,5})$/.exec(raw);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) {
    problems.push(`${name} must be host:port, [ipv6]:port or a port, got "${raw}"`);
    return undefined;
  }
  return { host: match[1] ?? match[2] ?? defaultHost, port };
}

/**
 * What NODE_ENV=production adds: both secrets set explicitly, and neither an example
 * from our documentation. The master key is not generated into the data folder there:
 * a generated key lives beside the data it protects (one backup holds both, and a
 * container's folder can vanish with the container, taking every sealed secret with it),
 * and processes sharing a database each need the same key.
 */
function productionSecretProblems(operatorToken: string | undefined, masterKey: string | undefined, dataDir: string): string[] {
  const problems: string[] = [];
  if (operatorToken === undefined) {
    problems.push(`IAM_OPERATOR_TOKEN is required when NODE_ENV=production: set a random secret of ${MIN_OPERATOR_TOKEN_LENGTH}+ characters (e.g. openssl rand -hex 24)`);
  } else if (isExampleSecret(operatorToken)) {
    problems.push('IAM_OPERATOR_TOKEN is an example from the documentation (or a placeholder), which anyone can read: set a random secret (e.g. openssl rand -hex 24)');
  }
  if (masterKey === undefined) {
    problems.push(
      `IAM_MASTER_KEY is required when NODE_ENV=production (no key is generated into ${join(dataDir, 'master.key')} there): ` +
        `set a random key of ${MIN_MASTER_KEY_LENGTH}+ characters (e.g. openssl rand -base64 48), or, if this server already ran with a generated key, that file's contents (its sealed secrets need that key)`,
    );
  } else if (isExampleSecret(masterKey)) {
    problems.push('IAM_MASTER_KEY is an example from the documentation (or a placeholder), which anyone can read: set a random key (e.g. openssl rand -base64 48)');
  }
  return problems;
}
