// Sign-in throttling: aliased bursts are refused whole by validation, bursts of
// separate requests are throttled after the threshold (the right password fails
// too during the lockout), lockouts back off exponentially and end, and clients
// and users are counted apart. Client addresses come from X-Forwarded-For
// (IAM_TRUST_PROXY=true), so each test is its own client.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignInThrottle, defaultThrottleRules } from '../src/auth/throttle.js';
import { ManualClock } from '../src/clock.js';
import { ThrottleStore } from '../src/auth/throttle-store.js';
import { createLogger } from '../src/log.js';
import { ThrottlingError } from '../src/errors.js';
import { SignInDocument } from './generated/graphql.js';
import { accountWithAlice as aliceIn, createLoginProfile, createUser } from './support/scenarios.js';
import { type GraphQLResponse, textOf, useTestServer } from './support/server.js';

/** The server's time: lockouts end when a test moves it. */
const clock = new ManualClock();
const server = useTestServer({ IAM_TRUST_PROXY: 'true' }, { clock });

const PASSWORD = 'Initial-Secret-42';

/** A client address of its own for each test. */
function newClientIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

async function post(body: unknown, ip: string): Promise<GraphQLResponse> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify(body),
  });
  return (await response.json()) as GraphQLResponse;
}

function signIn(ip: string, accountId: string, password: string, userName = 'alice') {
  return post({ query: textOf(SignInDocument), variables: { input: { accountId, userName, password } } }, ip);
}

/** A fresh account with alice, whose console password is PASSWORD. */
const accountWithAlice = () => aliceIn(server, { password: PASSWORD });

/** Runs `tasks` with at most `limit` in flight. */
async function bounded<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}

const codeOf = (r: GraphQLResponse) => r.errors?.[0]?.extensions?.code;

describe('aliased bursts', () => {
  it('refuses 1,000 aliased signIn fields in one request whole, counting no attempt', async () => {
    const { accountId } = await accountWithAlice();
    const ip = newClientIp();
    const fields = Array.from({ length: 1000 }, (_, i) => `a${i}: signIn(input: { accountId: "${accountId}", userName: "alice", password: "Wrong-${i}" }) { sessionToken }`);
    const result = await post({ query: `mutation { ${fields.join(' ')} }` }, ip);
    expect(result.data ?? null).toBeNull();
    expect(result.errors?.length).toBeGreaterThan(0);
    // Nothing was tried: the right password still works at once, from the same client.
    expect((await signIn(ip, accountId, PASSWORD)).errors).toBeUndefined();
  });

  it('refuses even two credential checks in one operation, with fragments and mixed fields', async () => {
    const { accountId } = await accountWithAlice();
    const ip = newClientIp();
    const input = `{ accountId: "${accountId}", userName: "alice", password: "${PASSWORD}" }`;
    const documents = [
      `mutation { a: signIn(input: ${input}) { sessionToken } b: signIn(input: ${input}) { sessionToken } }`,
      `mutation { a: signIn(input: ${input}) { sessionToken } ...F } fragment F on Mutation { b: signIn(input: ${input}) { sessionToken } }`,
      `mutation { a: signIn(input: ${input}) { sessionToken } ... on Mutation { changePassword(input: { oldPassword: "x", newPassword: "y" }) } }`,
      `mutation { signIn(input: ${input}) { sessionToken } getSessionToken(input: { accessKeyId: "AKIAAAAAAAAAAAAAAAAA", secretAccessKey: "x" }) { credentials { sessionToken } } }`,
    ];
    for (const query of documents) {
      const result = await post({ query }, ip);
      expect(result.data ?? null).toBeNull();
      expect(codeOf(result)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(result.errors?.[0]?.message).toMatch(/may check credentials only once/);
    }
    expect(await server.db.session.count({ where: { accountId, kind: 'user' } })).toBe(0);
  });
});

describe('bursts of separate requests', () => {
  it('throttles 1,000 wrong passwords (20 at a time) after the threshold; the right password fails during the lockout', async () => {
    const { accountId } = await accountWithAlice();
    const ip = newClientIp();
    const started = Date.now();
    const results = await bounded(1000, 20, (i) => signIn(ip, accountId, `Wrong-Password-${i}`));
    const codes = results.map(codeOf);
    const tried = codes.filter((c) => c === 'InvalidClientTokenId').length;
    expect(codes.filter((c) => c !== 'InvalidClientTokenId' && c !== 'Throttling')).toEqual([]);
    // 5 failures allowed, then a lockout that doubles with every probe (1 s, 2 s, 4 s...).
    expect(tried).toBeGreaterThanOrEqual(defaultThrottleRules.userIp.threshold);
    expect(tried).toBeLessThanOrEqual(defaultThrottleRules.userIp.threshold + Math.ceil(Math.log2((Date.now() - started) / 1000 + 2)) + 1);
    const right = await signIn(ip, accountId, PASSWORD);
    expect(codeOf(right)).toBe('Throttling');
    // AWS's "Rate exceeded", and when to retry: the end of the lockout, in the message and in extensions.
    const retryAfterSeconds = (right.errors?.[0]?.extensions as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
    expect(retryAfterSeconds).toEqual(expect.any(Number));
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(retryAfterSeconds).toBeLessThanOrEqual(defaultThrottleRules.userIp.maxLockMs / 1000);
    expect(right.errors?.[0]?.message).toBe(
      `Rate exceeded: too many failed attempts with these credentials or from this client. Retry in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`,
    );
  });

  it('counts users apart: another user signs in from the same client meanwhile', async () => {
    const { accountId, token } = await accountWithAlice();
    await createUser(server, token, 'bob');
    await createLoginProfile(server, token, 'bob', PASSWORD);
    const ip = newClientIp();
    await bounded(10, 5, (i) => signIn(ip, accountId, `Wrong-Password-${i}`));
    expect(codeOf(await signIn(ip, accountId, PASSWORD))).toBe('Throttling');
    expect((await signIn(ip, accountId, PASSWORD, 'bob')).errors).toBeUndefined();
  });

  it('lets the user in from another client while one client is locked out', async () => {
    const { accountId } = await accountWithAlice();
    const attacker = newClientIp();
    await bounded(10, 5, (i) => signIn(attacker, accountId, `Wrong-Password-${i}`));
    expect(codeOf(await signIn(attacker, accountId, PASSWORD))).toBe('Throttling');
    expect((await signIn(newClientIp(), accountId, PASSWORD)).errors).toBeUndefined();
  });

  it('treats unknown users like known ones: same error, same throttling', async () => {
    const { accountId } = await accountWithAlice();
    const ip = newClientIp();
    const results = await bounded(8, 1, (i) => signIn(ip, accountId, `Wrong-Password-${i}`, 'nobody'));
    expect(results.slice(0, 5).map(codeOf)).toEqual(Array(5).fill('InvalidClientTokenId'));
    expect(results.slice(0, 5).map((r) => r.errors?.[0]?.message)).toEqual(Array(5).fill('The credentials you provided are not valid.'));
    expect(results.slice(5).map(codeOf)).toEqual(Array(3).fill('Throttling'));
    const unknownAccount = await signIn(newClientIp(), '999999999999', PASSWORD);
    expect(codeOf(unknownAccount)).toBe('InvalidClientTokenId');
    expect(unknownAccount.errors?.[0]?.message).toBe('The credentials you provided are not valid.');
  });
});

describe('SignInThrottle (clock-driven)', () => {
  const subject = { principal: 'user:123456789012:alice', sourceIp: '10.0.0.1' };
  const fail = (t: SignInThrottle) => t.begin(subject).failed();
  /** The retry time the throttle names when it refuses the subject. */
  const retryAfter = (t: SignInThrottle): number => {
    try {
      t.begin(subject).abandoned();
    } catch (error) {
      if (error instanceof ThrottlingError) return error.retryAfterSeconds;
      throw error;
    }
    throw new Error('expected a refusal');
  };

  it('locks out after the threshold, backs off exponentially, and lets the right password in once the lockout ends', () => {
    let now = 1_000_000;
    const throttle = new SignInThrottle(defaultThrottleRules, () => now);
    for (let i = 0; i < 5; i++) fail(throttle);
    expect(retryAfter(throttle)).toBe(1);
    now += 1_000; // the first lockout is 1 s
    fail(throttle); // a probe fails: the next lockout doubles
    expect(retryAfter(throttle)).toBe(2);
    now += 1_000;
    expect(retryAfter(throttle)).toBe(1);
    now += 1_000;
    const attempt = throttle.begin(subject);
    attempt.succeeded();
    // Success clears the user's counts.
    for (let i = 0; i < 4; i++) fail(throttle);
    expect(() => throttle.begin(subject).succeeded()).not.toThrow();
  });

  it('counts attempts in flight, so a concurrent burst cannot pass the threshold', () => {
    const throttle = new SignInThrottle(defaultThrottleRules, () => 0);
    const inFlight = Array.from({ length: 5 }, () => throttle.begin(subject));
    // No lockout yet: the attempts under way end within a second.
    expect(retryAfter(throttle)).toBe(1);
    for (const attempt of inFlight) attempt.failed();
    expect(() => throttle.begin(subject)).toThrow(ThrottlingError);
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const throttle = new SignInThrottle(defaultThrottleRules, () => now);
    for (let i = 0; i < 4; i++) fail(throttle);
    now += defaultThrottleRules.userIp.windowMs + 1;
    for (let i = 0; i < 4; i++) fail(throttle);
    expect(() => throttle.begin(subject).failed()).not.toThrow();
  });

  it('caps the per-user lockout that a distributed attacker can impose', () => {
    let now = 0;
    const throttle = new SignInThrottle(defaultThrottleRules, () => now);
    for (let i = 0; i < 200; i++) {
      try {
        throttle.begin({ principal: subject.principal, sourceIp: `10.1.${i >> 8}.${i & 255}` }).failed();
      } catch {
        now += defaultThrottleRules.user.maxLockMs;
      }
    }
    now += defaultThrottleRules.user.maxLockMs;
    expect(() => throttle.begin({ principal: subject.principal, sourceIp: '192.0.2.1' }).succeeded()).not.toThrow();
  });

  it('shares counts between processes: failures split across two add up, and a success in one clears both', () => {
    const now = 5_000_000;
    const one = new SignInThrottle(defaultThrottleRules, () => now);
    const two = new SignInThrottle(defaultThrottleRules, () => now);
    const shared: string[] = [];
    one.share = (outcome) => (shared.push(JSON.stringify(outcome)), two.applyShared(JSON.parse(JSON.stringify(outcome))));
    two.share = (outcome) => (shared.push(JSON.stringify(outcome)), one.applyShared(JSON.parse(JSON.stringify(outcome))));
    for (let i = 0; i < 3; i++) fail(one);
    for (let i = 0; i < 2; i++) fail(two);
    expect(() => one.begin(subject)).toThrow(ThrottlingError);
    expect(() => two.begin(subject)).toThrow(ThrottlingError);
    // What travels names no user and no address.
    expect(shared.join()).not.toMatch(/alice|10\.0\.0\.1/);

    const other = { principal: 'user:123456789012:bob', sourceIp: '10.0.0.2' };
    for (let i = 0; i < 4; i++) one.begin(other).failed();
    two.begin(other).succeeded();
    for (let i = 0; i < 4; i++) one.begin(other).failed();
    expect(() => one.begin(other).succeeded()).not.toThrow();
  });

  it('ignores a shared outcome for a scope it does not know', () => {
    const throttle = new SignInThrottle(defaultThrottleRules, () => 0);
    expect(() => throttle.applyShared({ outcome: 'failed', keys: [['nonsense' as 'user', 'x']], at: 0 })).not.toThrow();
  });
});

describe('failures stored in Postgres', () => {
  const logger = createLogger('silent');
  /** A new process's throttle: empty, then loaded from the database as the service does at start. */
  async function restarted(now: number): Promise<SignInThrottle> {
    const throttle = new SignInThrottle(defaultThrottleRules, () => now);
    await new ThrottleStore(server.db, logger, throttle.horizonMs).load(throttle, now);
    return throttle;
  }
  function isThrottled(throttle: SignInThrottle, subject: { principal: string; sourceIp: string }): boolean {
    try {
      throttle.begin(subject).abandoned();
      return false;
    } catch (error) {
      if (error instanceof ThrottlingError) return true;
      throw error;
    }
  }

  it('are replayed by a process that starts: a lockout survives a restart, and a success clears it there too', async () => {
    const ip = newClientIp();
    const { accountId } = await accountWithAlice();
    const alice = { principal: `user:${accountId}:alice`, sourceIp: ip };
    for (let i = 0; i < 5; i++) expect(codeOf(await signIn(ip, accountId, 'Wrong-Passw0rd!'))).toBe('InvalidClientTokenId');
    const lockedAt = clock.now().getTime();
    expect(codeOf(await signIn(ip, accountId, PASSWORD))).toBe('Throttling');
    // Stored as they happen, without delaying the answers: poll briefly for the last one.
    await expect.poll(async () => isThrottled(await restarted(lockedAt), alice), { timeout: 2_000 }).toBe(true);
    expect(isThrottled(await restarted(lockedAt), { principal: `user:${accountId}:bob`, sourceIp: ip })).toBe(false);

    // Once the 1-second lockout ends, the right password gets in and clears alice's counts, stored ones too:
    // a process that starts then counts her failures from zero, so four more do not lock her out.
    clock.advance(1_100);
    expect(codeOf(await signIn(ip, accountId, PASSWORD))).toBeUndefined();
    await expect
      .poll(async () => {
        const throttle = await restarted(clock.now().getTime());
        for (let i = 0; i < 4; i++) throttle.begin(alice).failed();
        return isThrottled(throttle, alice);
      }, { timeout: 2_000 })
      .toBe(false);
  });

  it('are deleted past the horizon when a process starts', async () => {
    const horizonMs = new SignInThrottle().horizonMs;
    const store = new ThrottleStore(server.db, logger, horizonMs);
    const longAgo = Date.now() - 2 * horizonMs;
    const old = new SignInThrottle(defaultThrottleRules, () => longAgo);
    old.ledger = store;
    const subject = { principal: `user:${'9'.repeat(12)}:old`, sourceIp: newClientIp() };
    for (let i = 0; i < 5; i++) await expect(old.run(subject, wrongPassword)).rejects.toThrow('wrong password');
    expect(await server.db.signInFailure.count({ where: { at: new Date(longAgo) } })).toBe(15);
    await restarted(Date.now());
    expect(await server.db.signInFailure.count({ where: { at: new Date(longAgo) } })).toBe(0);
  });
});

/** A credential check that fails. */
const wrongPassword = () => Promise.reject(new Error('wrong password'));

describe('attempts in flight, counted in Postgres', () => {
  const logger = createLogger('silent');
  /** A process's throttle: its own counts, no change feed, and the shared ledger. */
  function newProcess(now?: () => number): SignInThrottle {
    const throttle = new SignInThrottle(defaultThrottleRules, now);
    throttle.ledger = new ThrottleStore(server.db, logger, throttle.horizonMs);
    return throttle;
  }

  it('admits no more concurrent attempts over two processes than one process would, and the lockout that follows holds in a third', async () => {
    const processes = [newProcess(), newProcess()];
    const subject = { principal: `user:${'8'.repeat(12)}:carol`, sourceIp: newClientIp() };
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = 0;
    // Ten concurrent attempts, five at each process: each process alone would let its five in.
    const attempts = Array.from({ length: 10 }, (_, i) =>
      processes[i % 2]!.run(subject, async () => {
        entered++;
        await gate;
        throw new Error('wrong password');
      }).catch((error: Error) => error.constructor.name));
    await expect.poll(() => entered, { timeout: 5_000 }).toBe(5);
    release();
    const outcomes = await Promise.all(attempts);
    expect(outcomes.filter((name) => name === 'ThrottlingError')).toHaveLength(5);
    expect(entered).toBe(5);

    // The five failures lock the user and client out, also in a process that heard nothing of them.
    await expect(newProcess().run(subject, async () => 'signed in')).rejects.toThrow(ThrottlingError);
    // Every attempt that ended took its claim with it.
    expect(await server.db.signInAttempt.count()).toBe(0);
  });

  it('sends one claim at a time to Postgres, so a burst from one client cannot hold the pool waiting on its locks', async () => {
    const throttle = newProcess();
    const store = throttle.ledger as unknown as { claimNow: (...args: unknown[]) => Promise<string | undefined> };
    const claimNow = store.claimNow.bind(store);
    let open = 0;
    let most = 0;
    store.claimNow = async (...args) => {
      most = Math.max(most, ++open);
      try {
        return await claimNow(...args);
      } finally {
        open--;
      }
    };
    // Twenty users at once from one client: every claim locks the client's key.
    const ip = newClientIp();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => throttle.run({ principal: `user:${'6'.repeat(12)}:u${i}`, sourceIp: ip }, async () => 'signed in')));
    expect(results).toEqual(Array(20).fill('signed in'));
    expect(most).toBe(1);
  });

  it('stops counting an attempt its process never ended, once a minute has passed', async () => {
    const subject = { principal: `user:${'7'.repeat(12)}:dave`, sourceIp: newClientIp() };
    const startedAt = Date.now();
    const dead = newProcess(() => startedAt);
    // Five attempts claimed by a process that stops before they end.
    for (let i = 0; i < 5; i++) void dead.run(subject, () => new Promise<never>(() => {}));
    await expect.poll(() => server.db.signInAttempt.count({ where: { startedAt: new Date(startedAt) } }), { timeout: 5_000 }).toBe(15);
    await expect(newProcess(() => startedAt + 1_000).run(subject, async () => 'signed in')).rejects.toThrow(ThrottlingError);
    await expect(newProcess(() => startedAt + 61_000).run(subject, async () => 'signed in')).resolves.toBe('signed in');
  });
});
