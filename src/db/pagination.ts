// Relay connections over keyset pagination. Cursors are opaque, signed, and bound
// to the account and the query that produced them: a cursor from one account or
// one list cannot be replayed against another.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { InvalidInputError, ValidationError } from '../errors.js';

export interface CursorCodec {
  encode(scope: string, key: string): string;
  /** The key inside a cursor, if it was made for this scope; InvalidInput otherwise. */
  decode(scope: string, cursor: string): string;
}

/** Builds a codec whose signing key is derived from the master key. */
export function createCursorCodec(masterKey: string): CursorCodec {
  const key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'open-iam/cursor/v1', 32));
  const mac = (scope: string, body: string) => createHmac('sha256', key).update(scope).update('\0').update(body).digest().subarray(0, 16);
  return {
    encode(scope, value) {
      const body = Buffer.from(value, 'utf8').toString('base64url');
      return `${body}.${mac(scope, body).toString('base64url')}`;
    },
    decode(scope, cursor) {
      const [body, sig] = cursor.split('.');
      if (body !== undefined && sig !== undefined) {
        const expected = mac(scope, body);
        const given = Buffer.from(sig, 'base64url');
        if (given.length === expected.length && timingSafeEqual(given, expected)) return Buffer.from(body, 'base64url').toString('utf8');
      }
      throw new InvalidInputError('Invalid Marker.');
    },
  };
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Connection<T> {
  edges: Array<{ node: T; cursor: string }>;
  nodes: T[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  /** AWS's IsTruncated. */
  isTruncated: boolean;
  /** AWS's Marker: the cursor to continue from. */
  marker: string | null;
}

/** AWS's MaxItems: 1 to 1,000, default 100. */
export function pageSize(first: number | null | undefined): number {
  if (first === undefined || first === null) return 100;
  if (!Number.isInteger(first) || first < 1 || first > 1000) {
    throw new ValidationError(`1 validation error detected: Value '${first}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`);
  }
  return first;
}

/**
 * Runs one page of a keyset query. `fetch(afterKey, take)` returns up to `take` rows
 * ordered by `keyOf` strictly after `afterKey`; `scope` binds cursors to the account and query.
 */
export async function paginate<T>(
  codec: CursorCodec,
  scope: string,
  args: PageArgs,
  keyOf: (row: T) => string,
  fetch: (afterKey: string | undefined, take: number) => Promise<T[]>,
): Promise<Connection<T>> {
  const size = pageSize(args.first);
  const afterKey = args.after ? codec.decode(scope, args.after) : undefined;
  const rows = await fetch(afterKey, size + 1);
  const hasNextPage = rows.length > size;
  const page = hasNextPage ? rows.slice(0, size) : rows;
  // Cursors are signed only when read: most callers ask for the marker alone.
  const cursorOf = (node: T | undefined) => (node === undefined ? null : codec.encode(scope, keyOf(node)));
  const first = page[0];
  const last = page[page.length - 1];
  return {
    edges: page.map((node) => ({
      node,
      get cursor() {
        return cursorOf(node)!;
      },
    })),
    nodes: page,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: afterKey !== undefined,
      get startCursor() {
        return cursorOf(first);
      },
      get endCursor() {
        return cursorOf(last);
      },
    },
    isTruncated: hasNextPage,
    get marker() {
      return hasNextPage ? cursorOf(last) : null;
    },
  };
}

/** Pages over an in-memory, already ordered list (the AWS-managed policy catalog, tags, ...). */
export function paginateList<T>(codec: CursorCodec, scope: string, args: PageArgs, keyOf: (row: T) => string, rows: T[]): Promise<Connection<T>> {
  return paginate(codec, scope, args, keyOf, async (afterKey, take) => {
    const start = afterKey === undefined ? 0 : rows.findIndex((row) => keyOf(row) > afterKey);
    return start < 0 ? [] : rows.slice(start, start + take);
  });
}
