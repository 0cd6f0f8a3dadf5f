// The Prisma client over node-postgres (`@prisma/adapter-pg`): the Rust-free
// client generated into src/generated/prisma by `npm run generate`.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;
/** A client or an interactive transaction: services accept either. */
export type DbTx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

const pools = new WeakMap<Db, pg.Pool>();

/** Opens a pooled Prisma client on `connectionString`. */
export function createDb(connectionString: string, poolSize = 10): Db {
  const pool = new pg.Pool({ connectionString, max: poolSize });
  // Minimal error messages: Prisma's default ones quote the failing call with its
  // arguments, which may hold password hashes or sealed seeds, and errors get logged.
  const db = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }), errorFormat: 'minimal' });
  pools.set(db, pool);
  return db;
}

/**
 * The node-postgres pool under a client made by `createDb`, for the few bulk
 * statements where Prisma's per-query work is the cost (the audit trail's batches).
 */
export function poolOf(db: Db): pg.Pool | undefined {
  return pools.get(db);
}
