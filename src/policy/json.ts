// A strict RFC 8259 JSON reader that keeps source offsets and rejects duplicate
// object keys. JSON.parse silently keeps the last of two equal keys; the IAM
// policy grammar has one value per element, so a duplicate is an error.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html

/** Where a node starts and ends in the text (UTF-16 offsets, end exclusive). */
interface Span {
  start: number;
  end: number;
}

/** An object; `entries` keep source order. */
export interface JsonObject extends Span {
  kind: 'object';
  /** Entries in source order; keys are unique (INVARIANT kept by `readJson`). */
  entries: JsonEntry[];
}
/** One `"key": value` member of an object; `keyStart` is the offset of the key's opening quote. */
export interface JsonEntry {
  key: string;
  keyStart: number;
  value: JsonNode;
}
/** An array. */
export interface JsonArray extends Span {
  kind: 'array';
  items: JsonNode[];
}
/** A string, escapes decoded. */
export interface JsonString extends Span {
  kind: 'string';
  value: string;
}
/** A number, kept as written (IAM compares numbers itself, by operator). */
export interface JsonNumber extends Span {
  kind: 'number';
  /** The number exactly as written, for example `1.50`. */
  raw: string;
}
/** `true` or `false`. */
export interface JsonBoolean extends Span {
  kind: 'boolean';
  value: boolean;
}
/** `null`. */
export interface JsonNull extends Span {
  kind: 'null';
}
/** Any JSON value, with its source span. */
export type JsonNode = JsonObject | JsonArray | JsonString | JsonNumber | JsonBoolean | JsonNull;

/** Raised by `readJson`; `offset` is where reading failed. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    readonly reason: string,
    readonly offset: number,
    /** JSON path of the value being read when reading failed. */
    readonly path: Array<string | number> = [],
  ) {
    super(`${reason} at offset ${offset}`);
  }
}

/** Deeper nesting than any policy needs; guards the recursive reader. */
const MAX_DEPTH = 64;

/**
 * Reads one JSON value from `text` (surrounding white space allowed), keeping
 * offsets. Throws `JsonSyntaxError` on anything RFC 8259 rejects and on a key
 * that appears twice in one object.
 */
export function readJson(text: string): JsonNode {
  const reader = new Reader(text);
  reader.skipSpace();
  const node = reader.value(0);
  reader.skipSpace();
  if (reader.pos < text.length) reader.fail('Unexpected text after the JSON value');
  return node;
}

/** Finds the value of `key` in an object node. */
export function getMember(node: JsonObject, key: string): JsonEntry | undefined {
  for (const entry of node.entries) if (entry.key === key) return entry;
  return undefined;
}

/** The 1-based line and column of a UTF-16 offset in `text`. */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

class Reader {
  pos = 0;
  /** Keys and indexes leading to the value being read; copied only on failure. */
  private readonly stack: Array<string | number> = [];
  constructor(private readonly text: string) {}

  fail(reason: string, at: number = this.pos, last?: string): never {
    throw new JsonSyntaxError(reason, at, last === undefined ? [...this.stack] : [...this.stack, last]);
  }

  skipSpace(): void {
    const t = this.text;
    let p = this.pos;
    while (p < t.length) {
      const c = t.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.pos = p;
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail('Nesting too deep');
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.object(depth);
      case 0x5b: // [
        return this.array(depth);
      case 0x22: {
        // "
        const start = this.pos;
        const value = this.string();
        return { kind: 'string', value, start, end: this.pos };
      }
      case 0x74: // t
        return this.literal('true', { kind: 'boolean', value: true, start: this.pos, end: this.pos + 4 });
      case 0x66: // f
        return this.literal('false', { kind: 'boolean', value: false, start: this.pos, end: this.pos + 5 });
      case 0x6e: // n
        return this.literal('null', { kind: 'null', start: this.pos, end: this.pos + 4 });
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        return this.fail(Number.isNaN(c) ? 'Unexpected end of text' : 'Unexpected character');
    }
  }

  literal<T extends JsonNode>(word: string, node: T): T {
    if (!this.text.startsWith(word, this.pos)) this.fail('Unexpected character');
    this.pos += word.length;
    return node;
  }

  object(depth: number): JsonObject {
    const start = this.pos;
    this.pos++; // {
    const entries: JsonEntry[] = [];
    // Small objects (every policy element) are checked linearly; big ones via a Set.
    let seen: Set<string> | undefined;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return { kind: 'object', entries, start, end: this.pos };
    }
    for (;;) {
      if (this.text.charCodeAt(this.pos) !== 0x22) this.fail('Expected a double-quoted key');
      const keyStart = this.pos;
      const key = this.string();
      if (seen) {
        if (seen.has(key)) this.fail(`Duplicate key "${key}"`, keyStart, key);
        seen.add(key);
      } else {
        for (const e of entries) if (e.key === key) this.fail(`Duplicate key "${key}"`, keyStart, key);
        if (entries.length >= 16) seen = new Set([...entries.map((e) => e.key), key]);
      }
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x3a) this.fail('Expected ":" after a key');
      this.pos++;
      this.skipSpace();
      this.stack.push(key);
      entries.push({ key, keyStart, value: this.value(depth + 1) });
      this.stack.pop();
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        this.skipSpace();
      } else if (c === 0x7d) {
        this.pos++;
        return { kind: 'object', entries, start, end: this.pos };
      } else this.fail('Expected "," or "}"');
    }
  }

  array(depth: number): JsonArray {
    const start = this.pos;
    this.pos++; // [
    const items: JsonNode[] = [];
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return { kind: 'array', items, start, end: this.pos };
    }
    for (;;) {
      this.stack.push(items.length);
      items.push(this.value(depth + 1));
      this.stack.pop();
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        this.skipSpace();
      } else if (c === 0x5d) {
        this.pos++;
        return { kind: 'array', items, start, end: this.pos };
      } else this.fail('Expected "," or "]"');
    }
  }

  /** Reads a string token starting at the opening quote; returns its value. */
  string(): string {
    const t = this.text;
    let p = this.pos + 1;
    let chunkStart = p;
    let out = '';
    for (;;) {
      if (p >= t.length) this.fail('Unterminated string', this.pos);
      const c = t.charCodeAt(p);
      if (c === 0x22) {
        out += t.slice(chunkStart, p);
        this.pos = p + 1;
        return out;
      }
      if (c < 0x20) this.fail('Control character in string', p);
      if (c === 0x5c) {
        out += t.slice(chunkStart, p);
        const e = t.charCodeAt(p + 1);
        switch (e) {
          case 0x22: out += '"'; break;
          case 0x5c: out += '\\'; break;
          case 0x2f: out += '/'; break;
          case 0x62: out += '\b'; break;
          case 0x66: out += '\f'; break;
          case 0x6e: out += '\n'; break;
          case 0x72: out += '\r'; break;
          case 0x74: out += '\t'; break;
          case 0x75: {
            const hex = t.slice(p + 2, p + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\u escape', p);
            out += String.fromCharCode(parseInt(hex, 16));
            p += 4;
            break;
          }
          default:
            this.fail('Invalid escape', p);
        }
        p += 2;
        chunkStart = p;
        continue;
      }
      p++;
    }
  }

  number(): JsonNumber {
    const t = this.text;
    const start = this.pos;
    let p = start;
    if (t.charCodeAt(p) === 0x2d) p++;
    const first = t.charCodeAt(p);
    if (first === 0x30) p++;
    else if (first >= 0x31 && first <= 0x39) p = this.digits(p);
    else this.fail('Invalid number', p);
    if (t.charCodeAt(p) === 0x2e) {
      const after = this.digits(p + 1);
      if (after === p + 1) this.fail('Invalid number', p);
      p = after;
    }
    const e = t.charCodeAt(p);
    if (e === 0x65 || e === 0x45) {
      p++;
      const s = t.charCodeAt(p);
      if (s === 0x2b || s === 0x2d) p++;
      const after = this.digits(p);
      if (after === p) this.fail('Invalid number', p);
      p = after;
    }
    this.pos = p;
    return { kind: 'number', raw: t.slice(start, p), start, end: p };
  }

  digits(from: number): number {
    let p = from;
    while (p < this.text.length) {
      const c = this.text.charCodeAt(p);
      if (c >= 0x30 && c <= 0x39) p++;
      else break;
    }
    return p;
  }
}
