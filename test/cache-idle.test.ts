// Idle release of the in-process caches, through HTTP. The service reads a ManualClock
// and keeps entries 2 s once unused (IAM_CACHE_IDLE_SECONDS=2, so its sweep runs every
// second of real time): what no request used for 2 s of the clock leaves
// iam_cache_entries, what was used stays, and a released principal is decided as before.
// The policy engine's caches (policy_*) are released whole once none of their lookups
// happened for the idle time, and listed in iam_cache_entries too.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { CreateAccessKeyIdAndSecretDocument, ListUsersDocument, SignInDocument } from './generated/graphql.js';
import { sendQuery, type KeyPair } from './support/aws.js';
import { policy, signedInUser } from './support/scenarios.js';
import { OPERATOR_TOKEN, useTestServer } from './support/server.js';

const clock = new ManualClock();
const server = useTestServer({ IAM_CACHE_IDLE_SECONDS: '2' }, { clock });

const CACHES = ['tokens', 'policies', 'sessions', 'epochs', 'access_keys', 'signing_keys', 'audit_identities'] as const;
/** The policy engine's caches (src/policy/caches.ts). */
const ENGINE_CACHES = ['policy_texts', 'policy_principals', 'policy_globs', 'policy_action_patterns', 'policy_condition_keys'] as const;

/** The gauges of /metrics named `name`, by their `cache` label (or the unlabelled value under ''). */
async function gauges(name: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.origin}/metrics`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } })).text();
  const found: Record<string, number> = {};
  for (const match of text.matchAll(new RegExp(`^${name}(?:\\{cache="(\\w+)"\\})? (\\S+)$`, 'gm'))) found[match[1] ?? ''] = Number(match[2]);
  return found;
}

/** Polls /metrics until `done` holds for the cache sizes (the sweep runs on a timer), at most 10 s. */
async function entriesOnceSwept(done: (sizes: Record<string, number>) => boolean): Promise<Record<string, number>> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const sizes = await gauges('iam_cache_entries');
    if (done(sizes) || Date.now() > deadline) return sizes;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const listUsers = (token: string) => server.gql(ListUsersDocument, {}, token);

describe('idle cache entries', () => {
  it('releases what no request used for the idle time, keeps what was used, and decides a released principal as before', async () => {
    const root = await server.newAccount();
    const reader = await signedInUser(server, root, 'reader', { inline: { read: policy({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }) } });
    const idle = await signedInUser(server, root, 'idle');
    await server.ok(ListUsersDocument, {}, reader.token);
    expect((await listUsers(idle.token)).errors?.[0]?.extensions?.code).toBe('AccessDenied');
    const key: KeyPair = (await server.ok(CreateAccessKeyIdAndSecretDocument, { input: { userName: 'reader' } }, root.token)).createAccessKey.accessKey;
    expect((await sendQuery(server, key, { Action: 'ListUsers', Version: '2010-05-08' }, { at: clock.now() })).status).toBe(200);

    const loaded = await gauges('iam_cache_entries');
    for (const cache of CACHES) expect(loaded[cache], cache).toBeGreaterThan(0);
    expect(loaded.policies).toBe(2); // reader (by token and by key alike) and idle
    // The engine's caches are listed, among them the principals its decisions read (the others fill
    // as policy text is compiled and validated: src/policy/caches.test.ts).
    for (const cache of ENGINE_CACHES) expect(loaded[cache], cache).toBeGreaterThanOrEqual(0);
    expect(loaded.policy_principals).toBe(2);

    // The reader's session is used 1.5 s in, the rest (idle's session, root's, the key) never again.
    clock.advance(1500);
    await server.ok(ListUsersDocument, {}, reader.token);
    clock.advance(1000);
    const swept = await entriesOnceSwept((sizes) => sizes.policies === 1);
    expect(swept.policies).toBe(1);
    expect(swept.tokens).toBe(1);
    expect(swept.sessions).toBe(1);
    expect(swept.epochs).toBe(1);
    expect(swept).toMatchObject({ access_keys: 0, signing_keys: 0 });

    // Released, then loaded again on the next request: the same decisions.
    expect((await listUsers(idle.token)).errors?.[0]?.extensions?.code).toBe('AccessDenied');
    await server.ok(ListUsersDocument, {}, reader.token);
    expect((await sendQuery(server, key, { Action: 'ListUsers', Version: '2010-05-08' }, { at: clock.now() })).status).toBe(200);
    const reloaded = await gauges('iam_cache_entries');
    expect(reloaded.policies).toBe(2);
    expect(reloaded.tokens).toBe(2);
    expect(reloaded.access_keys).toBe(1);

    expect(reloaded.policy_principals).toBe(2);

    // Nobody for longer than the idle time: every cache empties. The engine's caches count
    // as used at the first sweep that finds their lookups' mark (the engine keeps no clock):
    // one sweep (a second of real time) passes before the clock moves.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    clock.advance(2500);
    const all = [...CACHES, ...ENGINE_CACHES];
    const empty = await entriesOnceSwept((sizes) => all.every((cache) => sizes[cache] === 0));
    expect(Object.fromEntries(all.map((cache) => [cache, empty[cache]]))).toEqual(Object.fromEntries(all.map((cache) => [cache, 0])));
    // And the tokens still work, their sessions read from the database again.
    await server.ok(ListUsersDocument, {}, reader.token);
    expect((await listUsers(idle.token)).errors?.[0]?.extensions?.code).toBe('AccessDenied');
  });

  it("keeps the sign-in throttle's keys while a failure counts, and lets go of them after", async () => {
    const { email } = await server.newAccount();
    expect(await server.errorCode(SignInDocument, { input: { email, password: 'not-the-password' } })).toBe('InvalidClientTokenId');
    // A sweep or two later, the failure's keys (user, client, both) are still counted.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await gauges('iam_sign_in_throttle_keys'))['']).toBeGreaterThanOrEqual(3);
    // Past every window and lockout of the throttle's rules (15 minutes at most).
    clock.advance(20 * 60_000);
    const deadline = Date.now() + 10_000;
    let keys = (await gauges('iam_sign_in_throttle_keys'))[''];
    while (keys !== 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      keys = (await gauges('iam_sign_in_throttle_keys'))[''];
    }
    expect(keys).toBe(0);
  });
});
