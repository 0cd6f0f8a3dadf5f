// A flood of password checks meets the bounded password-hash pool (src/crypto/hash-pool.ts):
// a server that hashes one password at a time and lets two wait answers the rest with
// Throttling and a time to retry, still serves those it queued, fails nothing otherwise,
// and audits every refused sign-in. Sign-in and login profiles share the pool; the AWS
// Query protocol says when to retry in its message and a Retry-After header.
// Client addresses come from X-Forwarded-For (IAM_TRUST_PROXY=true): each sign-in of the
// flood is its own client, so the per-client throttle stays out of the way.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LookupEventOutcomesDocument, SignInDocument } from './generated/graphql.js';
import { accountWithAdminKey, sendQuery, xmlText } from './support/aws.js';
import { accountWithAlice, createLoginProfile, createUser } from './support/scenarios.js';
import { textOf, useTestServer } from './support/server.js';

const server = useTestServer({ IAM_HASH_CONCURRENCY: '1', IAM_HASH_QUEUE: '2', IAM_TRUST_PROXY: 'true' });

const PASSWORD = 'Flood-Passw0rd-42!';
const FLOOD = 30;

/** A sign-in's answer, with the throttle's hint where there is one. */
interface SignInAnswer {
  data?: { signIn: { sessionToken: string } } | null;
  errors?: Array<{ message: string; extensions?: { code?: string; retryAfterSeconds?: unknown } }>;
}

function newClientIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

async function signIn(accountId: string, ip: string): Promise<SignInAnswer> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ query: textOf(SignInDocument), variables: { input: { accountId, userName: 'alice', password: PASSWORD } } }),
  });
  return (await response.json()) as SignInAnswer;
}

/** "Retry in N second(s)." at the end of a Throttling message: N. */
function retryInMessage(message: string): number | undefined {
  const match = /Retry in (\d+) seconds?\.$/.exec(message);
  return match ? Number(match[1]) : undefined;
}

describe('a flood of sign-ins', () => {
  it('is answered past the queue with Throttling and a retry time; those queued sign in; nothing else fails', async () => {
    const { accountId, token } = await accountWithAlice(server, { password: PASSWORD });
    const answers = await Promise.all(Array.from({ length: FLOOD }, () => signIn(accountId, newClientIp())));

    const signedIn = answers.filter((answer) => answer.data?.signIn.sessionToken);
    const throttled = answers.flatMap((answer) => answer.errors ?? []).filter((error) => error.extensions?.code === 'Throttling');
    expect(signedIn.length + throttled.length).toBe(FLOOD);
    // The hash running and the two waiting, at least, get through.
    expect(signedIn.length).toBeGreaterThanOrEqual(3);
    expect(throttled.length).toBeGreaterThanOrEqual(1);
    expect(throttled.some((error) => error.message.startsWith('Rate exceeded: too many passwords are being checked at once.'))).toBe(true);
    for (const error of throttled) {
      expect(error.extensions?.retryAfterSeconds).toEqual(expect.any(Number));
      expect(error.extensions!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(retryInMessage(error.message)).toBe(error.extensions!.retryAfterSeconds);
    }
    expect(server.service.deps.passwords.pool.stats()).toMatchObject({ running: 0, queued: 0 });

    // Every refused sign-in is in the account's trail, as a failed ConsoleLogin.
    await server.service.deps.audit.flush();
    const trail = await server.ok(LookupEventOutcomesDocument, { input: { eventName: 'ConsoleLogin', errorCode: 'Throttling' }, first: 50 }, token);
    expect(trail.lookupEvents.nodes).toHaveLength(throttled.length);

    // The refusals counted as no attempt: the pool is free again, and alice signs in at once.
    expect((await signIn(accountId, newClientIp())).data?.signIn.sessionToken).toEqual(expect.any(String));
  });
});

describe('login profiles share the pool', () => {
  it('answers a flood of UpdateLoginProfile over the AWS Query protocol with Throttling, a retry time and Retry-After, writing nothing for those refused', async () => {
    const { rootToken, admin } = await accountWithAdminKey(server, 'Flood');
    const alice = await createUser(server, rootToken, 'alice');
    await createLoginProfile(server, rootToken, 'alice', PASSWORD);
    const answers = await Promise.all(
      Array.from({ length: FLOOD }, (_, i) =>
        sendQuery(server, admin, { Action: 'UpdateLoginProfile', Version: '2010-05-08', UserName: 'alice', Password: `Changed-Passw0rd-${i}!` }),
      ),
    );

    const updated = answers.filter((answer) => answer.status === 200);
    const refused = answers.filter((answer) => answer.status !== 200);
    expect(updated.length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    for (const answer of refused) {
      expect(answer.status).toBe(400);
      expect(xmlText(answer.body, 'Code')).toBe('Throttling');
      expect(xmlText(answer.body, 'Type')).toBe('Sender');
      const seconds = retryInMessage(xmlText(answer.body, 'Message') ?? '');
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(answer.headers.get('retry-after')).toBe(String(seconds));
    }
    // One password in the history per update that was answered 200, besides the first: none for a refusal.
    expect(await server.db.passwordHistory.count({ where: { userId: alice.userId } })).toBe(1 + updated.length);
  });
});
