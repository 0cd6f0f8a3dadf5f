// GetSessionToken with an access key is a credential check, like a console sign-in: its
// caller is anonymous until the key is verified, so its event names whose key was tried
// (CloudTrail's IAMUser userIdentity with the key id) and lands in that user's account,
// success and failure alike, with the secret and the new credentials hidden.
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateAccessKeyDocument, GetSessionTokenDocument, LookupEventsDocument } from './generated/graphql.js';
import { createUser, type Account, type CreatedUser } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();
let account: Account;
let user: CreatedUser;
let key: { accessKeyId: string; secretAccessKey: string };
beforeAll(async () => {
  account = await server.newAccount();
  user = await createUser(server, account.token, 'keyholder');
  const created = (await server.ok(CreateAccessKeyDocument, { input: { userName: 'keyholder' } }, account.token)).createAccessKey.accessKey;
  key = { accessKeyId: created.accessKeyId, secretAccessKey: created.secretAccessKey };
});

/** The account's GetSessionToken events, newest first. */
async function sessionTokenEvents() {
  await server.service.deps.audit.flush();
  return (await server.ok(LookupEventsDocument, { input: { eventName: 'GetSessionToken' }, first: 50 }, account.token)).lookupEvents.nodes;
}

describe('getSessionToken with an access key', () => {
  it("writes an event in the key's account naming the key's user, without the secret or the credentials", async () => {
    const { credentials } = (await server.ok(GetSessionTokenDocument, { input: key })).getSessionToken;
    const [event] = await sessionTokenEvents();
    expect(event).toMatchObject({ eventName: 'GetSessionToken', eventSource: 'sts.amazonaws.com', errorCode: null });
    expect(JSON.parse(event!.userIdentity)).toEqual({
      type: 'IAMUser',
      accountId: account.accountId,
      principalId: user.userId,
      arn: user.arn,
      userName: 'keyholder',
      accessKeyId: key.accessKeyId,
    });
    const text = JSON.stringify(event);
    expect(text).toContain(key.accessKeyId);
    for (const secret of [key.secretAccessKey, credentials.secretAccessKey, credentials.sessionToken]) expect(text).not.toContain(secret);
  });

  it("writes the failure of a wrong secret (SignatureDoesNotMatch) in the key's account, without the secret tried", async () => {
    const wrong = `${key.secretAccessKey.slice(0, -4)}XXXX`;
    expect(await server.errorCode(GetSessionTokenDocument, { input: { accessKeyId: key.accessKeyId, secretAccessKey: wrong } })).toBe('SignatureDoesNotMatch');
    const [event] = await sessionTokenEvents();
    expect(event).toMatchObject({ eventName: 'GetSessionToken', errorCode: 'SignatureDoesNotMatch' });
    expect(JSON.parse(event!.userIdentity)).toMatchObject({ type: 'IAMUser', accountId: account.accountId, userName: 'keyholder', accessKeyId: key.accessKeyId });
    expect(JSON.stringify(event)).not.toContain(wrong);
    expect(JSON.stringify(event)).not.toContain(key.secretAccessKey);
  });

  it('writes the failure of an unknown key id in no account (it names none)', async () => {
    const before = await server.db.auditEvent.count({ where: { eventName: 'GetSessionToken', accountId: null } });
    expect(await server.errorCode(GetSessionTokenDocument, { input: { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: key.secretAccessKey } })).toBe('InvalidClientTokenId');
    const after = await server.db.auditEvent.findMany({ where: { eventName: 'GetSessionToken', accountId: null } });
    expect(after).toHaveLength(before + 1);
    expect(JSON.stringify(after)).not.toContain(key.secretAccessKey);
  });
});
