// Writes a backup of the database: every table's rows through COPY, read in one
// repeatable-read snapshot (as pg_dump reads), into a new folder only its owner can
// open. Plain COPY needs no pg_dump, whose version must not be older than the server's
// (the embedded cluster is PostgreSQL 18 and ships no client programs).
// https://www.postgresql.org/docs/current/app-pgdump.html ("cannot dump from PostgreSQL servers newer than its own major version")
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { BACKUP_FORMAT, BackupError, MANIFEST_FILE, MASTER_KEY_FILE, masterKeyCheck, quoteIdent, type BackupManifest, type BackupTable } from './backup-format.js';
import { ADVISORY_LOCK_ID } from './migrate.js';

export interface BackupOptions {
  connectionString: string;
  source: BackupManifest['source']['database'];
  /** The folder to create; it must not exist yet. */
  out: string;
  /** The key the source's secrets are sealed with. */
  masterKey: string;
  /** Write the key into the folder (false when the key is kept in a secret store). */
  includeMasterKey: boolean;
}

/** Writes the backup; the folder appears complete or not at all (it is written beside, then renamed). */
export async function writeBackup(options: BackupOptions): Promise<BackupManifest> {
  const out = resolve(options.out);
  if (existsSync(out)) throw new BackupError(`${out} already exists: name a new folder (--out)`);
  mkdirSync(dirname(out), { recursive: true });
  const partial = join(dirname(out), `.${basename(out)}.partial-${process.pid}`);
  mkdirSync(join(partial, 'data'), { recursive: true, mode: 0o700 });
  const client = new pg.Client({ connectionString: options.connectionString });
  // A dropped connection fails the statement under way; without a listener it would also end the process.
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    // Held until COMMIT: a server starting with newer code waits to migrate until the rows are read.
    await client.query('SELECT pg_advisory_xact_lock_shared($1)', [ADVISORY_LOCK_ID]);
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      createdAt: new Date().toISOString(),
      source: { database: options.source, serverVersion: (await client.query<{ version: string }>('SELECT version()')).rows[0]!.version },
      migrations: await appliedMigrations(client),
      masterKey: { included: options.includeMasterKey, check: masterKeyCheck(options.masterKey) },
      tables: [],
      sequences: [],
    };
    const tables = await tablesOf(client);
    if (tables.length > 0) await client.query(`LOCK TABLE ${tables.map((t) => quoteIdent(t.name)).join(', ')} IN ACCESS SHARE MODE`);
    for (const table of tables) manifest.tables.push(await copyTable(client, table, partial));
    manifest.sequences = (
      await client.query<{ name: string; lastValue: string | null }>(
        `SELECT sequencename AS name, last_value::text AS "lastValue" FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1`,
      )
    ).rows;
    await client.query('COMMIT');
    if (options.includeMasterKey) writeFileSync(join(partial, MASTER_KEY_FILE), options.masterKey + '\n', { mode: 0o600 });
    writeFileSync(join(partial, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    renameSync(partial, out);
    return manifest;
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    throw error;
  } finally {
    await client.end().catch(() => {});
  }
}

async function appliedMigrations(client: pg.Client): Promise<BackupManifest['migrations']> {
  const found = await client.query<{ present: boolean }>("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present");
  if (!found.rows[0]!.present) throw new BackupError('This database has no open-iam schema (no _prisma_migrations table): check DATABASE_URL or IAM_DATA_DIR');
  const { rows } = await client.query<{ name: string; checksum: string }>(
    'SELECT migration_name AS name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name',
  );
  return rows;
}

/** The tables of the current schema (Prisma's bookkeeping aside) and their stored columns. */
async function tablesOf(client: pg.Client): Promise<{ name: string; columns: string[] }[]> {
  const { rows } = await client.query<{ name: string; columns: string[] }>(`
    SELECT c.relname AS name, array_agg(a.attname::text ORDER BY a.attnum) AS columns
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
    WHERE c.relkind IN ('r', 'p') AND c.relname <> '_prisma_migrations'
    GROUP BY c.relname ORDER BY c.relname`);
  return rows;
}

/** Streams one table's rows (COPY text format) through gzip into the folder, hashing what is written. */
async function copyTable(client: pg.Client, table: { name: string; columns: string[] }, folder: string): Promise<BackupTable> {
  const file = `data/${table.name}.copy.gz`;
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const source = client.query(copyTo(`COPY ${quoteIdent(table.name)} (${table.columns.map(quoteIdent).join(', ')}) TO STDOUT`));
  await pipeline(source, createGzip(), hashing, createWriteStream(join(folder, file), { mode: 0o600 }));
  return { name: table.name, columns: table.columns, rows: source.rowCount, file, sha256: hash.digest('hex') };
}
