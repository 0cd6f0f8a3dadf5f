// The database the configuration names, for tools that run beside the server (backup,
// restore): the server at DATABASE_URL, or the embedded cluster in IAM_DATA_DIR, which
// is reached where a server already runs it and started (then stopped) otherwise.
import type { Config } from '../config.js';
import { runningEmbeddedPostgres, startEmbeddedPostgres } from './embedded.js';

export interface ConfiguredDatabase {
  connectionString: string;
  source: 'embedded' | 'DATABASE_URL';
  /** Stops the embedded cluster if this call started it. */
  close(): Promise<void>;
}

/** The embedded cluster's database, as the server names it (src/main.ts). */
export const EMBEDDED_DATABASE = 'iam';

/** Opens the configured database; `onLog` receives the embedded server's log lines. */
export async function openConfiguredDatabase(config: Config, onLog?: (line: string) => void): Promise<ConfiguredDatabase> {
  if (config.databaseUrl) return { connectionString: config.databaseUrl, source: 'DATABASE_URL', close: async () => {} };
  const running = runningEmbeddedPostgres(config.dataDir, EMBEDDED_DATABASE);
  if (running) return { connectionString: running, source: 'embedded', close: async () => {} };
  const embedded = await startEmbeddedPostgres({ dir: config.dataDir, port: config.embeddedPostgresPort, database: EMBEDDED_DATABASE, onLog });
  return { connectionString: embedded.connectionString, source: 'embedded', close: () => embedded.stop() };
}
