// Translation of database errors where they arise: no Prisma error reaches a client.
import { Prisma } from '../generated/prisma/client.js';

/** True for a unique-constraint violation (Prisma P2002), optionally on a column whose name contains `field`. */
export function isUniqueViolation(error: unknown, field?: string): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') return false;
  if (field === undefined) return true;
  return JSON.stringify(error.meta ?? {}).toLowerCase().includes(field.toLowerCase());
}

/** True when a write hit a missing row (P2025) or a foreign key (P2003). */
export function isMissingRecord(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && (error.code === 'P2025' || error.code === 'P2003');
}

/** True for a serialization failure or deadlock, which a transaction may retry. */
export function isRetryableConflict(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2034';
}
