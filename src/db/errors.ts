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

/** Driver adapter error kinds that mean "no usable connection", not "this statement failed". */
const UNREACHABLE_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
/** SQLSTATEs of the same: shutdown (57P01-03), connection exceptions (08), too many connections (53300). */
const UNREACHABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const UNREACHABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * True when the database could not be reached or dropped the connection (an outage,
 * which readiness reports once), as opposed to a failed statement (a defect, logged each time).
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    const cause = (error.meta as { driverAdapterError?: { cause?: { kind?: string; code?: string } } } | undefined)?.driverAdapterError?.cause;
    return cause !== undefined && (UNREACHABLE_KINDS.has(cause.kind ?? '') || (cause.kind === 'postgres' && UNREACHABLE_SQLSTATES.has(cause.code ?? '')));
  }
  // node-postgres's own errors (the audit trail's COPY): a SQLSTATE or a socket's error code.
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (UNREACHABLE_SQLSTATES.has(code) || UNREACHABLE_SOCKET_CODES.has(code));
}
