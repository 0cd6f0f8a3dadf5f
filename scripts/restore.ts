// `npm run restore -- <backup folder>`: restores a backup (npm run backup) into the
// configured database, which must be empty: DATABASE_URL naming a new database, or an
// IAM_DATA_DIR whose embedded cluster does not exist yet. The backup's master key goes
// into IAM_DATA_DIR/master.key unless IAM_MASTER_KEY is set (it must then be that key).
// Migrations newer than the backup are applied after its rows.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config.js';
import { BackupError } from '../src/db/backup-format.js';
import { masterKeyForRestore } from '../src/db/backup-key.js';
import { openConfiguredDatabase } from '../src/db/configured-database.js';
import { readBackup, restoreBackup } from '../src/db/restore.js';

const usage = 'usage: npm run restore -- <backup folder>';

async function main(): Promise<number> {
  let positionals;
  try {
    positionals = parseArgs({ allowPositionals: true, options: {} }).positionals;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (positionals.length !== 1) {
    console.error(usage);
    return 2;
  }
  const config = loadConfig();
  // Everything is checked before the database is touched: the files, the migrations, the key.
  const backup = await readBackup(positionals[0]!);
  const key = masterKeyForRestore(config, backup);
  const database = await openConfiguredDatabase(config);
  let result;
  try {
    // Before the rows: a restore that fails later can be run again (the key then matches).
    if (key.writeTo && !existsSync(key.writeTo)) {
      mkdirSync(dirname(key.writeTo), { recursive: true });
      writeFileSync(key.writeTo, key.key + '\n', { mode: 0o600 });
    }
    result = await restoreBackup(backup, database.connectionString);
  } finally {
    await database.close();
  }
  const rows = Object.values(result.rows).reduce((sum, count) => sum + count, 0);
  const into = database.source === 'embedded' ? `the embedded Postgres in ${config.dataDir}` : 'DATABASE_URL';
  console.log(`Restored ${backup.dir} (made ${backup.manifest.createdAt}) into ${into}: ${Object.keys(result.rows).length} tables, ${rows} rows.`);
  if (result.migratedAfter.length > 0) console.log(`Applied the migrations newer than the backup: ${result.migratedAfter.join(', ')}.`);
  if (key.writeTo) {
    console.log(`The backup's master key is in ${key.writeTo} (mode 0600).`);
    if (config.databaseUrl) console.log('Servers on this database need that key: set IAM_MASTER_KEY to its contents (required with NODE_ENV=production).');
  }
  console.log('Start the server with the same environment: npm start');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof BackupError) {
      console.error(`restore: ${error.message}`);
      process.exit(error instanceof ConfigError ? 2 : 1);
    }
    console.error('restore failed:', error);
    process.exit(1);
  },
);
