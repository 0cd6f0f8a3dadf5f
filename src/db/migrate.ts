// Applies the SQL migrations under prisma/migrations/ in order, recording each in
// `_prisma_migrations` exactly as Prisma Migrate does, so `prisma migrate deploy`
// and this runner agree on what has been applied.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

/** Prisma Migrate's bookkeeping table, created the way Prisma creates it. */
export const MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum"              VARCHAR(64) NOT NULL,
  "finished_at"           TIMESTAMPTZ,
  "migration_name"        VARCHAR(255) NOT NULL,
  "logs"                  TEXT,
  "rolled_back_at"        TIMESTAMPTZ,
  "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Any constant works; it only has to be the same in every process of this service.
 * Backups hold it shared, so no migration changes the schema while they read.
 */
export const ADVISORY_LOCK_ID = 7_202_611_240;

export interface MigrationResult {
  applied: string[];
}

/**
 * Applies every migration not yet recorded as finished. Safe to call from several
 * processes at once: an advisory lock serialises them.
 */
export async function migrate(connectionString: string, migrationsDir = join(process.cwd(), 'prisma', 'migrations')): Promise<MigrationResult> {
  const client = new pg.Client({ connectionString });
  // A dropped connection fails the statement under way; without a listener it would also end the process.
  client.on('error', () => {});
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ADVISORY_LOCK_ID]);
    await client.query(MIGRATIONS_TABLE);
    const done = await client.query<{ migration_name: string; checksum: string }>(
      'SELECT migration_name, checksum FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const finished = new Map(done.rows.map((row) => [row.migration_name, row.checksum]));
    for (const migration of readMigrations(migrationsDir)) {
      const { name, checksum } = migration;
      const recorded = finished.get(name);
      if (recorded !== undefined) {
        if (recorded !== checksum) throw new Error(`Migration ${name} was changed after it was applied (checksum mismatch).`);
        continue;
      }
      await client.query('BEGIN');
      try {
        await applyMigration(client, migration);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
      applied.push(name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_LOCK_ID]).catch(() => {});
    await client.end();
  }
  return { applied };
}

/** One migration of prisma/migrations/: its folder's name, its SQL and that SQL's SHA-256 as Prisma records it. */
export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** The migrations under `dir`, in the order they apply. */
export function readMigrations(dir = join(process.cwd(), 'prisma', 'migrations')): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Runs one migration and records it as finished, inside the caller's transaction
 * (`_prisma_migrations` must exist: MIGRATIONS_TABLE).
 */
export async function applyMigration(client: pg.ClientBase, migration: Migration): Promise<void> {
  const id = randomUUID();
  try {
    await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ($1, $2, $3)', [id, migration.checksum, migration.name]);
    await client.query(migration.sql);
    await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
  } catch (error) {
    throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
  }
}
