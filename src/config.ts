// The only reader of process.env. Every variable is validated at start-up and all
// problems are reported at once; the README's configuration table lists them.
import { resolve } from 'node:path';

export interface Config {
  /** Postgres connection string; absent means "start the embedded Postgres". */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  /** Folder for the embedded Postgres cluster and locally generated keys. */
  dataDir: string;
  embeddedPostgresPort: number;
  /** Bearer secret that authorizes `createAccount`; absent disables it. */
  operatorToken: string | undefined;
  /** Key that seals secrets at rest (signing keys, MFA seeds); generated into dataDir when absent. */
  masterKey: string | undefined;
  /** `iss` of the tokens we sign. */
  issuer: string;
  /** `aud` of the tokens we sign and accept. */
  audience: string;
  /** Lifetime of sign-in sessions, seconds. */
  signInSessionSeconds: number;
  /** Clock skew tolerated when verifying tokens, seconds. */
  clockSkewSeconds: number;
  production: boolean;
  introspection: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Take the client address from X-Forwarded-For (behind a trusted proxy only). */
  trustProxy: boolean;
  /** Largest request body accepted, bytes. */
  maxBodyBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

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
  const operatorToken = read('IAM_OPERATOR_TOKEN');
  if (operatorToken !== undefined && operatorToken.length < 16) {
    problems.push('IAM_OPERATOR_TOKEN must be at least 16 characters');
  }
  const masterKey = read('IAM_MASTER_KEY');
  if (masterKey !== undefined && masterKey.length < 32) {
    problems.push('IAM_MASTER_KEY must be at least 32 characters');
  }
  const production = read('NODE_ENV') === 'production';
  const port = int('PORT', 4000, 0, 65535);
  const logLevel = (read('LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "${logLevel}"`);
  }
  const issuer = read('IAM_ISSUER') ?? `http://localhost:${port}`;
  try {
    new URL(issuer);
  } catch {
    problems.push(`IAM_ISSUER must be a URL, got "${issuer}"`);
  }
  const config: Config = {
    databaseUrl,
    host: read('HOST') ?? '127.0.0.1',
    port,
    dataDir: resolve(read('IAM_DATA_DIR') ?? '.data'),
    embeddedPostgresPort: int('EMBEDDED_PG_PORT', 54329, 1, 65535),
    operatorToken,
    masterKey,
    issuer,
    audience: read('IAM_AUDIENCE') ?? 'open-iam',
    signInSessionSeconds: int('IAM_SIGNIN_SESSION_SECONDS', 3600, 900, 43200),
    clockSkewSeconds: int('IAM_CLOCK_SKEW_SECONDS', 30, 0, 300),
    production,
    introspection: bool('IAM_INTROSPECTION', !production),
    logLevel,
    trustProxy: bool('IAM_TRUST_PROXY', false),
    maxBodyBytes: int('IAM_MAX_BODY_BYTES', 262_144, 1024, 10_485_760),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
