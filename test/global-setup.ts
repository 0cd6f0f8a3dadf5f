// Starts one Postgres for the whole test run (embedded, or the server named by
// DATABASE_URL), applies the migrations to a template database once, and hands
// its address to the test files, which clone the template into fresh databases.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the Postgres server's maintenance database. */
    adminUrl: string;
    /** Name of the migrated template database. */
    templateDb: string;
  }
}

let embedded: EmbeddedPostgresHandle | undefined;
let dir: string | undefined;

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  let adminUrl: string;
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    adminUrl = url.toString();
  } else {
    dir = mkdtempSync(join(tmpdir(), 'open-iam-test-'));
    const port = 55000 + Math.floor(Math.random() * 5000);
    embedded = await startEmbeddedPostgres({ dir, port, database: 'postgres', ephemeral: true });
    adminUrl = embedded.connectionString;
  }
  const templateDb = `iam_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${templateDb}`);
  await admin.query(`CREATE DATABASE ${templateDb}`);
  await admin.end();
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${templateDb}`;
  await migrate(templateUrl.toString());
  project.provide('adminUrl', adminUrl);
  project.provide('templateDb', templateDb);

  return async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'iam_t%'`);
    for (const row of rows) {
      if (row.datname === templateDb || row.datname.startsWith(`iam_test_${process.pid}_`)) {
        await client.query(`DROP DATABASE IF EXISTS ${row.datname} WITH (FORCE)`).catch(() => {});
      }
    }
    await client.end();
    await embedded?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
