// UUIDv7 (RFC 9562, section 5.7) for audit event ids and request ids: the
// millisecond in the first 48 bits, so ids sort by time and each new one lands at
// the end of an index instead of on a random page of it.
//
// Within one millisecond the 12 bits after the version count up from zero (the
// "fixed-length dedicated counter" of RFC 9562, section 6.2, method 1), and the
// 62 bits after the variant are random, drawn once per second (and for each return
// to an earlier millisecond). Ids are thus unique within a process by (millisecond,
// counter, bits), and between processes by their random bits, and cost no random draw of their own: drawing 16 bytes per
// id, as a v4 UUID does, cost more than the rest of an audit event.
import { randomUUID } from 'node:crypto';

/** Ids one millisecond can number: 2^12. Past them, the rest of the millisecond draws random bits per id. */
const COUNTER_LIMIT = 0x1000;

/** What the stamps of one second share, made once per second. */
interface Second {
  /** The second, in ms since the epoch (a multiple of 1000). */
  start: number;
  /** `YYYY-MM-DDTHH:MM:SS.`: the second as the start of an ISO 8601 time. */
  isoPrefix: string;
  /** `-yxxx-xxxxxxxxxxxx`: the variant and 62 random bits, drawn for this second. */
  suffix: string;
}

/** The millisecond last stamped, and what every id of it shares. */
interface Stamp {
  ms: number;
  /** The millisecond as an ISO 8601 time (the event's eventTime). */
  iso: string;
  /** `tttttttt-tttt-7`: the 48-bit time and the version digit. */
  prefix: string;
  suffix: string;
  /** Ids handed out in this millisecond so far. */
  count: number;
}

let second: Second = { start: -1, isoPrefix: '', suffix: '' };
let stamp: Stamp = { ms: -1, iso: '', prefix: '', suffix: '', count: 0 };
/** The latest millisecond stamped so far: a later one has numbered no id yet. */
let latest = -1;

/** The counter's values as three hex digits, made once. */
const COUNTER_HEX = Array.from({ length: COUNTER_LIMIT }, (_, i) => i.toString(16).padStart(3, '0'));
/** Milliseconds within a second as three decimal digits and the zone, made once. */
const MILLIS = Array.from({ length: 1000 }, (_, i) => `${i.toString().padStart(3, '0')}Z`);

/** What the ids and event times of millisecond `ms` share. */
export function stampOf(ms: number): Stamp {
  if (ms !== stamp.ms) {
    const within = ms % 1000;
    if (ms - within !== second.start) {
      // A v4 UUID's last two groups carry RFC 9562's variant bits and 62 random bits.
      second = { start: ms - within, isoPrefix: new Date(ms - within).toISOString().slice(0, 20), suffix: randomUUID().slice(18) };
    }
    // In two halves below 2^31: Number#toString(16) of a larger number takes V8's slow path for doubles.
    const hex = Math.floor(ms / 0x1000000).toString(16).padStart(6, '0') + (ms % 0x1000000).toString(16).padStart(6, '0');
    // INVARIANT: (millisecond, counter, suffix) never repeats. A millisecond after the latest
    // has numbered nothing, so its counter starts at zero under the second's bits; one stamped
    // before (two clocks interleaved, as event ids on the service's clock and request ids on
    // the machine's, or a clock set back) may have, so it gets random bits of its own.
    const suffix = ms > latest ? second.suffix : randomUUID().slice(18);
    latest = Math.max(latest, ms);
    stamp = { ms, iso: second.isoPrefix + MILLIS[within], prefix: `${hex.slice(0, 8)}-${hex.slice(8)}-7`, suffix, count: 0 };
  }
  return stamp;
}

/**
 * A new UUIDv7 of millisecond `ms`. Without one, the machine's time: request ids are
 * only unique names (their time is nobody's notion of when the call happened), so
 * they need not follow the service's clock; event ids and times are given theirs.
 */
export function uuidV7(ms = Date.now()): string {
  const s = stampOf(ms);
  const n = s.count++;
  if (n < COUNTER_LIMIT) return s.prefix + COUNTER_HEX[n] + s.suffix;
  // More than 4,096 ids in one millisecond: random bits for each further one.
  return s.prefix + randomUUID().slice(15);
}
