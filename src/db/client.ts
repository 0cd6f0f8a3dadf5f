// The Prisma client over node-postgres (`@prisma/adapter-pg`): the Rust-free
// client generated into src/generated/prisma by `npm run generate`.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;
/** A client or an interactive transaction: services accept either. */
export type DbTx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

const pools = new WeakMap<DbTx, pg.Pool>();

export interface DbOptions {
  poolSize?: number;
  /** Called with each SQL statement Prisma sends (tests that count queries). */
  onQuery?: (sql: string) => void;
}

/** Opens a pooled Prisma client on `connectionString`. */
export function createDb(connectionString: string, { poolSize = 10, onQuery }: DbOptions = {}): Db {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // INVARIANT: the pool always has an 'error' listener. An idle connection that Postgres
  // drops (a restart, a failover) is reported here after the pool has discarded it; with no
  // listener that event would end the process. Nothing to log per connection: the outage
  // shows in readiness, which logs it once (src/db/health.ts), and the next query reconnects.
  pool.on('error', () => {});
  // Minimal error messages: Prisma's default ones quote the failing call with its
  // arguments, which may hold password hashes or sealed seeds, and errors get logged.
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  const db = onQuery
    ? new PrismaClient({ adapter, errorFormat: 'minimal', log: [{ emit: 'event', level: 'query' }] })
    : new PrismaClient({ adapter, errorFormat: 'minimal' });
  if (onQuery) (db as PrismaClient<'query'>).$on('query', (event) => onQuery(event.query));
  pools.set(db, pool);
  return db;
}

/**
 * The node-postgres pool under a client made by `createDb`, for the few bulk
 * statements Prisma cannot send or where its per-query work is the cost (the
 * audit trail's COPY).
 */
export function poolOf(db: Db): pg.Pool {
  const pool = pools.get(db);
  if (!pool) throw new Error('poolOf: the client was not made by createDb');
  return pool;
}
