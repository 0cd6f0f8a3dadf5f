// Which master key a backup takes and a restore leaves in place. The key opens every
// sealed secret (signing keys, MFA seeds, secret access keys): rows restored under
// another key are useless, so a restore checks the key before it writes anything.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { BackupError, masterKeyCheck } from './backup-format.js';
import type { Backup } from './restore.js';

/** Where a server without IAM_MASTER_KEY keeps its generated key (src/main.ts). */
export const localMasterKeyFile = (config: Config): string => join(config.dataDir, 'master.key');

/** The key the configured server seals with: IAM_MASTER_KEY, else the data folder's generated key. */
export function currentMasterKey(config: Config): string {
  if (config.masterKey) return config.masterKey;
  const file = localMasterKeyFile(config);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  throw new BackupError(`No master key: IAM_MASTER_KEY is unset and ${file} does not exist. Run the backup with the server's own environment.`);
}

/** The key to restore with, and the file to write it to when the data folder is to hold it. */
export function masterKeyForRestore(config: Config, backup: Backup): { key: string; writeTo?: string } {
  const expected = backup.manifest.masterKey.check;
  if (config.masterKey) {
    if (masterKeyCheck(config.masterKey) !== expected) {
      throw new BackupError("IAM_MASTER_KEY is not the key this backup's secrets are sealed with: set it to the source server's key (the backup's master.key, when it holds one). Nothing was changed.");
    }
    return { key: config.masterKey };
  }
  const file = localMasterKeyFile(config);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (masterKeyCheck(key) !== expected) throw new BackupError(`${file} holds another master key than the backup's: restore into a new IAM_DATA_DIR. Nothing was changed.`);
    return { key };
  }
  if (backup.masterKey === undefined) {
    throw new BackupError("This backup holds no master key (it was made with --without-master-key): set IAM_MASTER_KEY to the source server's key. Nothing was changed.");
  }
  return { key: backup.masterKey, writeTo: file };
}
