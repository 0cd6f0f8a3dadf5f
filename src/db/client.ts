// The Prisma client over node-postgres (`@prisma/adapter-pg`): the Rust-free
// client generated into src/generated/prisma by `npm run generate`.
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;
/** A client or an interactive transaction: services accept either. */
export type DbTx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/** Opens a pooled Prisma client on `connectionString`. */
export function createDb(connectionString: string, poolSize = 10): Db {
  // Minimal error messages: Prisma's default ones quote the failing call with its
  // arguments, which may hold password hashes or sealed seeds, and errors get logged.
  return new PrismaClient({ adapter: new PrismaPg({ connectionString, max: poolSize }), errorFormat: 'minimal' });
}
