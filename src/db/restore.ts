// Restores a backup (backup.ts) into an empty database: the backup's own migrations
// rebuild its schema, COPY loads its rows, sequences take their positions again, all in
// one transaction (a failed restore leaves the database as empty as it was); then the
// migrations newer than the backup run as at a server's start.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { BACKUP_FORMAT, BackupError, MANIFEST_FILE, MASTER_KEY_FILE, masterKeyCheck, quoteIdent, type BackupManifest } from './backup-format.js';
import { ADVISORY_LOCK_ID, MIGRATIONS_TABLE, applyMigration, migrate, readMigrations, type Migration } from './migrate.js';

/** A backup folder read and checked: its manifest, and its master key when it holds one. */
export interface Backup {
  dir: string;
  manifest: BackupManifest;
  masterKey: string | undefined;
}

/** Reads a backup folder and checks every file against the manifest before anything is written anywhere. */
export async function readBackup(dir: string): Promise<Backup> {
  const folder = resolve(dir);
  const manifestPath = join(folder, MANIFEST_FILE);
  if (!existsSync(manifestPath)) throw new BackupError(`${folder} is not an open-iam backup (no ${MANIFEST_FILE})`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) throw new BackupError(`${folder} is a backup in format "${String(manifest.format)}"; this version reads ${BACKUP_FORMAT}`);
  for (const table of manifest.tables) {
    const path = join(folder, table.file);
    if (!existsSync(path)) throw new BackupError(`The backup is incomplete: ${table.file} is missing`);
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
    if (hash.digest('hex') !== table.sha256) throw new BackupError(`The backup is damaged: ${table.file} does not match its checksum in ${MANIFEST_FILE}`);
  }
  let masterKey: string | undefined;
  if (manifest.masterKey.included) {
    const keyPath = join(folder, MASTER_KEY_FILE);
    if (!existsSync(keyPath)) throw new BackupError(`The backup is incomplete: ${MASTER_KEY_FILE} is missing`);
    masterKey = readFileSync(keyPath, 'utf8').trim();
    if (masterKeyCheck(masterKey) !== manifest.masterKey.check) throw new BackupError(`The backup is damaged: its ${MASTER_KEY_FILE} is not the key its rows were sealed with`);
  }
  return { dir: folder, manifest, masterKey };
}

/**
 * The backup's migrations as this version has them. A backup made by a newer version
 * (a migration this one lacks) or by a version whose migration differs is refused:
 * its rows fit a schema this version cannot build.
 */
export function migrationsFor(manifest: BackupManifest, migrationsDir?: string): Migration[] {
  const known = new Map(readMigrations(migrationsDir).map((migration) => [migration.name, migration]));
  return manifest.migrations.map(({ name, checksum }) => {
    const migration = known.get(name);
    if (!migration) throw new BackupError(`The backup was made by a newer open-iam (migration ${name} is unknown here): restore it with that version or a later one`);
    if (migration.checksum !== checksum) throw new BackupError(`Migration ${name} differs from the one the backup was made with: restore it with the open-iam version that made it`);
    return migration;
  });
}

export interface RestoreResult {
  /** Rows loaded per table. */
  rows: Record<string, number>;
  /** Migrations newer than the backup, applied after its rows. */
  migratedAfter: string[];
}

/** Restores `backup` into the empty database at `connectionString`. */
export async function restoreBackup(backup: Backup, connectionString: string, migrationsDir?: string): Promise<RestoreResult> {
  const migrations = migrationsFor(backup.manifest, migrationsDir);
  const client = new pg.Client({ connectionString });
  client.on('error', () => {});
  const rows: Record<string, number> = {};
  await client.connect();
  try {
    await client.query('BEGIN');
    // The same lock as migrations: a server started on this database meanwhile waits for the restore.
    await client.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK_ID]);
    await refuseUnlessEmpty(client);
    await client.query(MIGRATIONS_TABLE);
    for (const migration of migrations) await applyMigration(client, migration);
    for (const name of await loadOrder(client, backup.manifest.tables.map((table) => table.name))) {
      const table = backup.manifest.tables.find((candidate) => candidate.name === name)!;
      const sink = client.query(copyFrom(`COPY ${quoteIdent(table.name)} (${table.columns.map(quoteIdent).join(', ')}) FROM STDIN`));
      await pipeline(createReadStream(join(backup.dir, table.file)), createGunzip(), sink);
      if (sink.rowCount !== table.rows) throw new BackupError(`${table.name}: loaded ${sink.rowCount} rows, the backup lists ${table.rows}`);
      rows[table.name] = sink.rowCount;
    }
    for (const sequence of backup.manifest.sequences) {
      if (sequence.lastValue !== null) await client.query('SELECT setval($1::regclass, $2::bigint, true)', [quoteIdent(sequence.name), sequence.lastValue]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
  const { applied } = await migrate(connectionString, migrationsDir);
  return { rows, migratedAfter: applied };
}

async function refuseUnlessEmpty(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S') ORDER BY 1 LIMIT 3`,
  );
  if (rows.length > 0) {
    throw new BackupError(
      `The target database is not empty (it has ${rows.map((row) => row.name).join(', ')}…): restore into a new one — ` +
        'for the embedded Postgres an IAM_DATA_DIR that does not exist yet, for DATABASE_URL a database made with CREATE DATABASE. ' +
        'Nothing was changed.',
    );
  }
}

/** The tables in an order where each comes after those its foreign keys reference (the schema has no cycles). */
async function loadOrder(client: pg.Client, tables: string[]): Promise<string[]> {
  const { rows } = await client.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint k
     JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid
     JOIN pg_namespace n ON n.oid = child.relnamespace AND n.nspname = current_schema()
     WHERE k.contype = 'f' AND k.conrelid <> k.confrelid`,
  );
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string): void => {
    if (ordered.includes(table)) return;
    if (visiting.has(table)) throw new BackupError(`Foreign keys form a cycle through ${table}; this restore cannot order the tables`);
    visiting.add(table);
    for (const edge of rows) if (edge.child === table && tables.includes(edge.parent)) visit(edge.parent);
    visiting.delete(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}
