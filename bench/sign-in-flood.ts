// The GraphQL benchmark's sign-in flood: signIn with the right password of the user
// "bench" at a fixed rate (BENCH_FLOOD_RATE, 50 a second by default: the issue's
// 46 a second on 2 cores, rounded up), one connection per sign-in a second, each
// request from a client address of its own (X-Forwarded-For, to a server that trusts
// it), so that the per-client throttles stay out of the way and the flood meets the
// password-hash pool. It runs in autocannon's worker thread, like the measured load.
import autocannon from 'autocannon';
import type { RunningService } from '../src/server.js';

export const FLOOD_RATE = Number(process.env.BENCH_FLOOD_RATE ?? 50);

/** How long the flood runs before the measured load starts, so that the hash queue is full by then. */
export const FLOOD_LEAD_MS = 500;

/** What one round's flood did, per second of it. */
export interface FloodRound {
  /** Sign-ins answered within the flood's time (whatever the answer). */
  answered: number;
  /** Sign-ins whose password was checked: signed in, since the password is right. */
  served: number;
  /** Sign-ins refused with Throttling because the hash queue was full. */
  refusedByPool: number;
}

/**
 * Floods `service` with sign-ins for `seconds` plus the lead, then waits until its
 * hash pool has been idle for half a second (sign-ins still on their way to it once the
 * flood stops get there by then), so the next case does not run in the flood's wake.
 */
export async function signInFlood(service: RunningService, accountId: string, password: string, seconds: number): Promise<FloodRound> {
  const pool = service.deps.passwords.pool;
  const before = pool.stats();
  const started = performance.now();
  const result = await autocannon({
    url: service.url,
    method: 'POST',
    connections: FLOOD_RATE,
    overallRate: FLOOD_RATE,
    duration: seconds + FLOOD_LEAD_MS / 1000,
    workers: 1,
    // autocannon puts a new unique id in place of every `[<id>]` of each request.
    idReplacement: true,
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '[<id>]' },
    body: JSON.stringify({
      query: 'mutation($i: SignInInput!) { signIn(input: $i) { sessionToken } }',
      variables: { i: { accountId, userName: 'bench', password } },
    }),
  });
  const elapsed = (performance.now() - started) / 1000;
  const after = pool.stats();
  await untilIdle(service, 500);
  return {
    answered: result.requests.total / elapsed,
    served: (after.started - before.started) / elapsed,
    refusedByPool: (after.throttled - before.throttled) / elapsed,
  };
}

/** Resolves once the service's hash pool has run and queued nothing for `quietMs` (or after a minute). */
async function untilIdle(service: RunningService, quietMs: number): Promise<void> {
  const pool = service.deps.passwords.pool;
  const giveUpAt = performance.now() + 60_000;
  let last = pool.stats().started;
  let quietSince = performance.now();
  while (performance.now() - quietSince < quietMs && performance.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { running, queued, started } = pool.stats();
    if (running > 0 || queued > 0 || started !== last) quietSince = performance.now();
    last = started;
  }
}
