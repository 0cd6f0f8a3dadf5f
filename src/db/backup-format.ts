// The layout of a backup folder (written by backup.ts, read by restore.ts): a manifest,
// the rows of each table in Postgres's COPY text format (gzip), and, unless left out,
// the master key that opens every sealed secret in those rows.
import { hkdfSync } from 'node:crypto';

/** Names this layout; a restore refuses any other. */
export const BACKUP_FORMAT = 'open-iam-backup/1';
export const MANIFEST_FILE = 'manifest.json';
export const MASTER_KEY_FILE = 'master.key';

/** What a backup holds, as manifest.json records it. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  /** Where the rows came from: the embedded cluster or the server named by DATABASE_URL; its `SELECT version()`. */
  source: { database: 'embedded' | 'DATABASE_URL'; serverVersion: string };
  /** The migrations applied to the source, in order: a restore rebuilds the schema from these before loading rows. */
  migrations: { name: string; checksum: string }[];
  masterKey: {
    /** True when MASTER_KEY_FILE is in the folder. */
    included: boolean;
    /** A one-way check value of the key (masterKeyCheck), so a restore can tell the right key from a wrong one. */
    check: string;
  };
  /** Every table of the schema but Prisma's bookkeeping, with its columns, rows and file. */
  tables: BackupTable[];
  /** Sequences (BIGSERIAL ids) and their positions, restored after the rows. */
  sequences: { name: string; lastValue: string | null }[];
}

export interface BackupTable {
  name: string;
  columns: string[];
  rows: number;
  /** Relative to the backup folder. */
  file: string;
  /** SHA-256 (hex) of the file as written. */
  sha256: string;
}

/** A backup or restore that cannot go on; its message says what to do. */
export class BackupError extends Error {}

/**
 * A value that identifies a master key without revealing it (HKDF with its own
 * purpose, so it is unrelated to the keys that seal secrets or sign cursors).
 */
export function masterKeyCheck(masterKey: string): string {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'open-iam/backup/key-check/v1', 16)).toString('hex');
}

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
