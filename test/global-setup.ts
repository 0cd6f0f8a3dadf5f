// Starts one Postgres for the whole test run (embedded, or the server named by
// DATABASE_URL), applies the migrations to a template database once, and hands
// its address to the test files, which clone the template into fresh databases.
// Its teardown looks for every secret the tests used in every line the test servers
// logged (test/support/secrets.ts) and fails the run if it finds one.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { findLeaks } from './support/secrets.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the Postgres server's maintenance database. */
    adminUrl: string;
    /** Name of the migrated template database. */
    templateDb: string;
    /** This run's folder of server logs and noted secrets (test/support/secrets.ts). */
    logDir: string;
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
  // One folder per run: several runs may share the tree at once.
  const logDir = fileURLToPath(new URL(`./artifacts/logs/run-${process.pid}-${Date.now()}`, import.meta.url));
  project.provide('logDir', logDir);

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
    if (!existsSync(logDir)) return;
    const { secrets, files, leaks } = findLeaks(logDir);
    if (leaks.length > 0) {
      // An error thrown here is printed but leaves the run's exit code at 0: this fails it.
      console.error(`\n${leaks.length} secret(s) the tests used reached the server logs (kept in ${logDir}): ${leaks.slice(0, 20).map((l) => `${l.secret} in ${l.file}`).join(', ')}`);
      process.exit(1);
    }
    console.log(`log check: none of ${secrets} secrets in ${files} server logs`);
    rmSync(logDir, { recursive: true, force: true });
  };
}
