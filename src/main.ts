// Composition root: load config → start tracing if configured → open the database
// (embedded Postgres when no DATABASE_URL) → apply migrations → start the service →
// stop cleanly on SIGTERM. Everything past the configuration is imported once tracing
// has started: its instrumentations hook http, pg and graphql as they load.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { Db } from './db/client.js';
import type { EmbeddedPostgresHandle } from './db/embedded.js';
import type { Logger } from './log.js';

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
  const db = createDb(databaseUrl);
  let service: Awaited<ReturnType<typeof startService>>;
  try {
    const { applied } = await migrate(databaseUrl);
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    service = await startService({
      config,
      db,
      databaseUrl,
      logger,
      masterKey: config.masterKey ?? localMasterKey(config.dataDir),
      ...(tracing ? { observer: tracing.observer } : {}),
    });
  } catch (error) {
    // Not left running behind a server that failed to start (its port taken, say).
    await db.$disconnect().catch(() => {});
    await embedded?.stop().catch(() => {});
    throw error;
  }
  if (!config.operatorToken) await warnNoOperator(db, logger);

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
  process.on('SIGINT', () => {
    // Ctrl-C in a terminal signals the whole process group: the embedded Postgres is
    // shutting down too, so the change feed losing its connection is expected, not an outage.
    if (embedded) void service.deps.notifications?.stop();
    void stop('SIGINT');
  });
}

/** Says at start-up that createAccount is off and how to turn it on; with no account yet, nothing can be done. */
async function warnNoOperator(db: Db, logger: Logger): Promise<void> {
  const accounts = await db.account.count();
  const how = 'start the server with IAM_OPERATOR_TOKEN set to a secret of 16 characters or more (e.g. IAM_OPERATOR_TOKEN=$(openssl rand -hex 24) npm start) and send it as Authorization: Bearer <token> to createAccount';
  if (accounts === 0) logger.warn(`createAccount is disabled (no IAM_OPERATOR_TOKEN) and there is no account yet, so no one can sign in: ${how}`);
  else logger.info(`createAccount is disabled (no IAM_OPERATOR_TOKEN); the ${accounts} existing account(s) can sign in. To create accounts, ${how}`);
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
  // What a user can act on is said in one line; anything else keeps its stack.
  if (error instanceof Error && error.name === 'EmbeddedPostgresError') console.error(error.message);
  else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    const { address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
    console.error(`open-iam did not start: ${address ?? ''}:${port ?? ''} is already in use (another open-iam?): stop it, or set PORT (or HOST, METRICS_ADDRESS) to a free address`);
  } else console.error(error);
  process.exit(1);
});
