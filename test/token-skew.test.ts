// Session tokens issued in the future: a token whose `iat` lies beyond the
// tolerated clock skew (IAM_CLOCK_SKEW_SECONDS, 30 s) is refused, within it accepted.
import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { issueSession } from '../src/sessions/sessions.js';
import { GetCallerIdentityArnDocument } from './generated/graphql.js';
import { useTestServer } from './support/server.js';

/** The server's time: tokens are issued by a clock set ahead of it. */
const clock = new ManualClock();
const server = useTestServer({}, { clock });
let root: { accountId: string; token: string };
beforeAll(async () => {
  root = await server.newAccount();
});

const WHO = GetCallerIdentityArnDocument;

/** A root session token signed with the server's key, issued `seconds` ahead of the server's clock. */
async function issuedAhead(seconds: number): Promise<string> {
  const deps = server.service.deps;
  const { sessionToken } = await issueSession(
    { ...deps, clock: new ManualClock(clock.now().getTime() + seconds * 1000) },
    { kind: 'root', accountId: root.accountId, principalArn: `arn:aws:iam::${root.accountId}:root`, principalId: root.accountId, durationSeconds: 900 },
  );
  return sessionToken;
}

describe('tokens issued in the future', () => {
  it('refuses a token whose iat lies 120 seconds ahead with InvalidClientTokenId', async () => {
    expect(await server.errorCode(WHO, {}, await issuedAhead(120))).toBe('InvalidClientTokenId');
  });

  it('accepts a token whose iat lies 20 seconds ahead (within the skew)', async () => {
    expect((await server.ok(WHO, {}, await issuedAhead(20))).getCallerIdentity.arn).toBe(`arn:aws:iam::${root.accountId}:root`);
  });

  it('refuses a future token again when it is presented a second time', async () => {
    const token = await issuedAhead(120);
    expect(await server.errorCode(WHO, {}, token)).toBe('InvalidClientTokenId');
    expect(await server.errorCode(WHO, {}, token)).toBe('InvalidClientTokenId');
  });
});
