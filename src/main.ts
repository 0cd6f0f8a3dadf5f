// Composition root: load config → start tracing if configured → open the database
// (embedded Postgres when no DATABASE_URL) → apply migrations → start the service →
// stop cleanly on SIGTERM. Everything past the configuration is imported once tracing
// has started: its instrumentations hook http, pg and graphql as they load.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { EmbeddedPostgresHandle } from './db/embedded.js';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  // Without an OTLP endpoint, nothing of OpenTelemetry is loaded.
  const tracing = config.otlpEndpoint ? await (await import('./tracing.js')).startTracing(config) : undefined;
  const [{ createLogger }, { createDb }, { startEmbeddedPostgres }, { migrate }, { startService }] = await Promise.all([
    import('./log.js'),
    import('./db/client.js'),
    import('./db/embedded.js'),
    import('./db/migrate.js'),
    import('./server.js'),
  ]);
  const logger = createLogger(config.logLevel);
  if (tracing) logger.info({ endpoint: config.otlpEndpoint }, 'tracing: sending spans over OTLP/HTTP');
  let embedded: EmbeddedPostgresHandle | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    logger.info({ dataDir: config.dataDir, port: config.embeddedPostgresPort }, 'no DATABASE_URL: starting embedded Postgres');
    embedded = await startEmbeddedPostgres({
      dir: config.dataDir,
      port: config.embeddedPostgresPort,
      database: 'iam',
      onLog: (line) => logger.debug({ postgres: line }),
    });
    databaseUrl = embedded.connectionString;
  }
  const { applied } = await migrate(databaseUrl);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');
  const db = createDb(databaseUrl);
  const service = await startService({
    config,
    db,
    databaseUrl,
    logger,
    masterKey: config.masterKey ?? localMasterKey(config.dataDir),
    ...(tracing ? { observer: tracing.observer } : {}),
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing requests in flight');
    await service.close();
    await db.$disconnect();
    await embedded?.stop();
    await tracing?.shutdown();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** Without IAM_MASTER_KEY, a key is generated once and kept in the data folder. */
function localMasterKey(dataDir: string): string {
  const file = join(dataDir, 'master.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
