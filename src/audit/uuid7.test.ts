// UUIDv7 ids: unique however the milliseconds asked for interleave.
import { describe, expect, it } from 'vitest';
import { uuidV7 } from './uuid7.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV7', () => {
  it('numbers the ids of one millisecond in order, under the time', () => {
    const ms = Date.UTC(2026, 11, 7, 12, 0, 0, 250);
    const ids = Array.from({ length: 5 }, () => uuidV7(ms + 10_000));
    for (const id of ids) expect(id).toMatch(V7);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays unique when two clocks interleave within one second (a service clock held still, the machine\'s moving on)', () => {
    const held = Date.UTC(2026, 11, 7, 12, 0, 1, 100);
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      ids.add(uuidV7(held));
      ids.add(uuidV7(held + 1 + i));
    }
    expect(ids.size).toBe(400);
  });

  it('stays unique when the clock is set back', () => {
    const start = Date.UTC(2026, 11, 7, 12, 0, 2, 0);
    const ids = new Set<string>();
    for (let round = 0; round < 3; round++) for (let ms = start; ms < start + 20; ms++) for (let i = 0; i < 3; i++) ids.add(uuidV7(ms));
    expect(ids.size).toBe(180);
  });
});
