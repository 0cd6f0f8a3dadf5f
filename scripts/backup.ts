// `npm run backup [-- --out <folder>] [-- --without-master-key]`: writes a backup of the
// configured database (DATABASE_URL, or the embedded cluster in IAM_DATA_DIR, running or
// not) and, unless left out, the master key, into a new folder only its owner can read.
// Run it with the server's own environment. src/db/backup.ts says what the folder holds.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config.js';
import { BackupError, MASTER_KEY_FILE } from '../src/db/backup-format.js';
import { currentMasterKey } from '../src/db/backup-key.js';
import { writeBackup } from '../src/db/backup.js';
import { openConfiguredDatabase } from '../src/db/configured-database.js';

const usage = 'usage: npm run backup -- [--out <new folder>] [--without-master-key]';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({ options: { out: { type: 'string' }, 'without-master-key': { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n${usage}`);
    return 2;
  }
  if (args.help) {
    console.log(usage);
    return 0;
  }
  const config = loadConfig();
  const includeMasterKey = !args['without-master-key'];
  const out = resolve(args.out ?? `backups/open-iam-${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}`);
  const masterKey = currentMasterKey(config);
  const database = await openConfiguredDatabase(config);
  let manifest;
  try {
    manifest = await writeBackup({ connectionString: database.connectionString, source: database.source, out, masterKey, includeMasterKey });
  } finally {
    await database.close();
  }
  const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
  const from = database.source === 'embedded' ? `the embedded Postgres in ${config.dataDir}` : 'DATABASE_URL';
  console.log(`Backup written to ${out}: ${manifest.tables.length} tables, ${rows} rows, from ${from}.`);
  console.log(`Restore it with: npm run restore -- ${out}`);
  if (includeMasterKey) {
    console.error(
      [
        '',
        `!!! WARNING: ${resolve(out, MASTER_KEY_FILE)} is open-iam's MASTER KEY. !!!`,
        'It opens every sealed secret in this backup (token signing keys, MFA seeds, secret access keys):',
        'whoever holds this folder can sign session tokens for any user and use every access key.',
        'Treat it as the crown jewel: encrypt it before it leaves this host (e.g. gpg --symmetric or age),',
        'keep it where only you can read it, and delete copies you do not need. To keep the key out of',
        'backups (when it lives in a secret store), back up with: npm run backup -- --without-master-key',
        '',
      ].join('\n'),
    );
  } else {
    console.error(
      [
        '',
        'This backup holds NO master key (--without-master-key). A restore needs IAM_MASTER_KEY set to this',
        "server's key; without it the backup's signing keys, MFA seeds and secret access keys are lost.",
        'It still holds password hashes and account data: keep it private.',
        '',
      ].join('\n'),
    );
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof BackupError) {
      console.error(`backup: ${error.message}`);
      process.exit(error instanceof ConfigError ? 2 : 1);
    }
    console.error('backup failed:', error);
    process.exit(1);
  },
);
