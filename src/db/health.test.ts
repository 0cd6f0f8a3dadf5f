import { describe, expect, it } from 'vitest';
import type { Logger } from '../log.js';
import { DatabaseHealth } from './health.js';

/** A DatabaseHealth on a hand-moved clock whose probe the test answers; records what it logs. */
function setUp(options: { timeoutMs?: number } = {}) {
  let now = 1_000_000;
  const logged: string[] = [];
  const log = (message: unknown, second?: unknown) => logged.push(String(typeof message === 'string' ? message : second));
  const logger = { warn: log, info: log } as unknown as Logger;
  const probes: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  const health = new DatabaseHealth(() => new Promise<void>((resolve, reject) => probes.push({ resolve, reject })), logger, {
    intervalMs: 1_000,
    timeoutMs: options.timeoutMs ?? 60_000,
    now: () => now,
  });
  return { health, probes, logged, advance: (ms: number) => (now += ms) };
}

describe('DatabaseHealth', () => {
  it('sends one probe for concurrent checks and reuses its answer within the interval', async () => {
    const { health, probes, advance } = setUp();
    const checks = Array.from({ length: 10 }, () => health.check());
    expect(probes).toHaveLength(1);
    probes[0]!.resolve();
    expect((await Promise.all(checks)).every((status) => status.reachable)).toBe(true);
    advance(999);
    await health.check();
    expect(probes).toHaveLength(1);
    advance(1);
    const next = health.check();
    expect(probes).toHaveLength(2);
    probes[1]!.resolve();
    await next;
  });

  it('logs an outage once when it starts and once when it ends, however many probes fail', async () => {
    const { health, probes, logged, advance } = setUp();
    for (let i = 0; i < 5; i++) {
      const check = health.check();
      probes.at(-1)!.reject(new Error('connect ECONNREFUSED'));
      expect((await check).reachable).toBe(false);
      advance(1_000);
    }
    const back = health.check();
    probes.at(-1)!.resolve();
    expect((await back).reachable).toBe(true);
    expect(logged).toEqual(['database unreachable: /readyz answers 503 until it is back', 'database reachable again']);
  });

  it('counts a probe with no answer within the timeout as unreachable, and starts no second one meanwhile', async () => {
    const { health, probes, advance } = setUp({ timeoutMs: 10 });
    expect((await health.check()).reachable).toBe(false);
    advance(5_000);
    expect((await health.check()).reachable).toBe(false);
    expect(probes).toHaveLength(1);
    probes[0]!.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(health.reachable).toBe(true);
  });

  it('probes at once after suspect while reachable, but not during an outage', async () => {
    const { health, probes } = setUp();
    const first = health.check();
    probes[0]!.resolve();
    await first;
    health.suspect();
    const second = health.check();
    expect(probes).toHaveLength(2);
    probes[1]!.reject(new Error('gone'));
    await second;
    health.suspect();
    await health.check();
    expect(probes).toHaveLength(2);
  });
});
