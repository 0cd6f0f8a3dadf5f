import { describe, expect, it } from 'vitest';
import { ThrottlingError } from '../errors.js';
import { HashPool } from './hash-pool.js';

/** A piece of work that ends when the test says so. */
function gate<T>(value: T) {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { work: async () => (await opened, value), open };
}

/** Lets every settled promise's callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('HashPool', () => {
  it('runs at most `concurrency` at once and the rest in arrival order', async () => {
    const pool = new HashPool({ concurrency: 2, queueLimit: 10 });
    const gates = Array.from({ length: 5 }, (_, i) => gate(i));
    const order: number[] = [];
    let running = 0;
    let most = 0;
    const runs = gates.map((g, i) =>
      pool.run(async () => {
        running++;
        most = Math.max(most, running);
        order.push(i);
        try {
          return await g.work();
        } finally {
          running--;
        }
      }),
    );
    await settle();
    expect(pool.stats()).toMatchObject({ running: 2, queued: 3 });
    for (const g of [...gates].reverse()) {
      g.open();
      await settle();
    }
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(pool.stats()).toMatchObject({ running: 0, queued: 0, started: 5, throttled: 0 });
  });

  it('hands a freed turn to the oldest waiter, not to a newcomer arriving meanwhile', async () => {
    const pool = new HashPool({ concurrency: 1, queueLimit: 1 });
    const first = gate('first');
    const second = gate('waiter');
    const started: string[] = [];
    const running = pool.run(first.work);
    const waiter = pool.run(() => (started.push('waiter'), second.work()));
    first.open();
    await running;
    // The turn is already the waiter's: a newcomer now finds the pool busy and the queue empty, so it waits.
    const newcomer = pool.run(async () => (started.push('newcomer'), 'newcomer'));
    await settle();
    expect(started).toEqual(['waiter']);
    expect(pool.stats()).toMatchObject({ running: 1, queued: 1 });
    second.open();
    expect(await Promise.all([waiter, newcomer])).toEqual(['waiter', 'newcomer']);
    expect(started).toEqual(['waiter', 'newcomer']);
  });

  it('refuses with Throttling and a retry time once the queue is full, and serves what it queued', async () => {
    const pool = new HashPool({ concurrency: 1, queueLimit: 2 });
    const g = gate('done');
    const accepted = [pool.run(g.work), pool.run(g.work), pool.run(g.work)];
    const refused = pool.run(g.work);
    await expect(refused).rejects.toBeInstanceOf(ThrottlingError);
    const error = (await refused.catch((e: unknown) => e)) as ThrottlingError;
    expect(error.code).toBe('Throttling');
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(error.extensions).toEqual({ code: 'Throttling', retryAfterSeconds: error.retryAfterSeconds });
    expect(error.message).toMatch(/^Rate exceeded: .*\. Retry in \d+ seconds?\.$/);
    expect(() => pool.checkCapacity()).toThrow(ThrottlingError);
    g.open();
    expect(await Promise.all(accepted)).toEqual(['done', 'done', 'done']);
    expect(() => pool.checkCapacity()).not.toThrow();
    expect(pool.stats()).toMatchObject({ started: 3, throttled: 2, queued: 0, running: 0 });
  });

  it('frees the turn of work that fails', async () => {
    const pool = new HashPool({ concurrency: 1, queueLimit: 0 });
    await expect(pool.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await pool.run(async () => 'next')).toBe('next');
  });

  it('reports each hash its wait and run times, and the wait in its stats', async () => {
    const pool = new HashPool({ concurrency: 1, queueLimit: 1 });
    const timings: Array<{ waitMs: number; runMs: number }> = [];
    pool.onSettled = (timing) => timings.push(timing);
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    await Promise.all([pool.run(() => sleep(30)), pool.run(() => sleep(30))]);
    expect(timings).toHaveLength(2);
    expect(timings[0]!.runMs).toBeGreaterThanOrEqual(25);
    expect(timings[1]!.waitMs).toBeGreaterThanOrEqual(25);
    expect(pool.stats().waitSecondsTotal).toBeGreaterThanOrEqual(0.025);
  });

  it('names a retry time that grows with the backlog', () => {
    const at = (queued: number) => {
      const pool = new HashPool({ concurrency: 1, queueLimit: queued });
      for (let i = 0; i <= queued; i++) void pool.run(() => new Promise(() => {}));
      try {
        pool.checkCapacity();
      } catch (error) {
        return (error as ThrottlingError).retryAfterSeconds;
      }
      throw new Error('expected a refusal');
    };
    expect(at(2)).toBe(1);
    expect(at(100)).toBeGreaterThan(at(2));
  });
});
