// Postgres's COPY text format, as `COPY … FROM STDIN` reads it through pg-copy-streams:
// one field escaped, a text[] literal, a byte buffer that rows are built in, and sending them.
// https://www.postgresql.org/docs/current/sql-copy.html (File Formats, Text Format)
import { from as copyFrom } from 'pg-copy-streams';
import { type Db, poolOf } from '../db/client.js';

/** Characters COPY's text format escapes: the column and row delimiters, and the escape itself. */
const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A value as one field of COPY's text format; `null` as SQL NULL. */
export function copyField(value: string | null): string {
  if (value === null) return '\\N';
  return COPY_SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]!) : value;
}

/** Strings as a Postgres array literal, every element quoted (still to be escaped by `copyField`). */
export function arrayLiteral(values: Iterable<string>): string {
  let literal = '';
  for (const value of values) literal += `${literal ? ',' : ''}"${value.replace(/["\\]/g, '\\$&')}"`;
  return `{${literal}}`;
}

/** COPY text being appended to, piece by piece, in one growing byte buffer outside the JavaScript heap. */
export class BatchBuffer {
  private bytes: Buffer;
  private length = 0;
  /** Pieces appended so far. */
  count = 0;

  constructor(initialBytes: number) {
    this.bytes = Buffer.allocUnsafe(initialBytes);
  }

  /** Appends `text` as UTF-8. */
  append(text: string): void {
    // 3 bytes per UTF-16 unit bounds its UTF-8 length.
    this.reserve(text.length * 3);
    this.length += this.bytes.write(text, this.length, 'utf8');
    this.count++;
  }

  /** Appends `text`, ASCII only, after a comma unless it is the first item. */
  appendItem(text: string): void {
    this.reserve(text.length + 1);
    if (this.count > 0) this.bytes[this.length++] = 44;
    this.length += this.bytes.write(text, this.length, 'latin1');
    this.count++;
  }

  private reserve(bytes: number): void {
    const needed = this.length + bytes;
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
  }

  /** The bytes appended so far (a view, not a copy). */
  contents(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * Runs `sql`, a `COPY … FROM STDIN` in text format, with `data` as its input, on a
 * connection of `db`'s pool; rejects with Postgres's error.
 */
export async function copyFromStdin(db: Db, sql: string, data: Buffer): Promise<void> {
  // COPY through node-postgres: Prisma has no COPY, and its per-query work
  // is what batching saves.
  const client = await poolOf(db).connect();
  // A checked-out connection is not covered by the pool's 'error' listener: if Postgres goes
  // away mid-COPY the client emits 'error' as well as failing the COPY, which alone would end
  // the process. The COPY's own rejection carries the error; the broken connection is discarded.
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  try {
    await copyIn(client.query(copyFrom(sql)), data);
  } finally {
    client.removeListener('error', onError);
    client.release(broken);
  }
}

/**
 * Sends `data` down a COPY stream and resolves once Postgres has taken it. Written
 * directly: stream.pipeline costs each batch an AbortController, and its abort at
 * the end a DOMException with a stack trace.
 */
function copyIn(stream: NodeJS.WritableStream, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('error', reject);
    stream.once('finish', resolve);
    stream.end(data);
  });
}
