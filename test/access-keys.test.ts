// Access keys over HTTP: the secret shown once and stored sealed, the
// two-keys quota under concurrency, status changes, last use, and tenant isolation.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findActiveAccessKey, recordAccessKeyUse } from '../src/iam/access-keys.js';
import { openAccessKeySecret } from '../src/crypto/secrets.js';
import {
  CreateAccessKeyDocument,
  DeleteAccessKeyDocument,
  GetAccessKeyLastUsedDocument,
  GetUserAccessKeysDocument,
  GetUserNameAndArnDocument,
  ListAccessKeysDocument,
  SignInDocument,
  UpdateAccessKeyDocument,
} from './generated/graphql.js';
import { accountWithAlice, createLoginProfile, createUser } from './support/scenarios.js';
import { unchecked, useTestServer } from './support/server.js';

const server = useTestServer();

async function createKey(token: string, userName = 'alice') {
  return (await server.ok(CreateAccessKeyDocument, { input: { userName } }, token)).createAccessKey.accessKey;
}

describe('createAccessKey', () => {
  it('creates an active AKIA key for alice and returns its secret once', async () => {
    const { token } = await accountWithAlice(server);
    const key = await createKey(token);
    expect(key).toMatchObject({ userName: 'alice', status: 'Active' });
    expect(key.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(key.secretAccessKey).toMatch(/^[A-Za-z0-9]{40}$/);
    const listed = (await server.ok(ListAccessKeysDocument, { input: { userName: 'alice' } }, token)).listAccessKeys;
    expect(listed.nodes).toEqual([{ userName: 'alice', accessKeyId: key.accessKeyId, status: 'Active', createDate: key.createDate }]);
    expect(JSON.stringify(listed)).not.toContain(key.secretAccessKey);
  });

  it('offers no way to read a secret after creation', async () => {
    const { token } = await accountWithAlice(server);
    await createKey(token);
    const result = await server.gql('{ listAccessKeys(input: { userName: "alice" }) { nodes { secretAccessKey } } }', {}, token);
    expect(result.errors?.[0]?.message).toMatch(/Cannot query field "secretAccessKey"/);
  });

  it('stores the secret sealed to its account and key id, with no digest', async () => {
    const { accountId, token, aliceId } = await accountWithAlice(server);
    const key = await createKey(token);
    const row = await server.db.accessKey.findUniqueOrThrow({ where: { id: key.accessKeyId } });
    expect(row.userId).toBe(aliceId);
    expect(row.secretHash).toBeNull();
    expect(JSON.stringify(row)).not.toContain(key.secretAccessKey);
    expect(JSON.stringify(row)).not.toContain(createHash('sha256').update(key.secretAccessKey).digest('hex'));
    expect(openAccessKeySecret(server.service.deps.sealer, { accountId, accessKeyId: key.accessKeyId }, row.secretSealed!)).toBe(key.secretAccessKey);
  });

  it('keeps the secret, its digest and its sealed form out of the audit trail', async () => {
    const { accountId, token } = await accountWithAlice(server);
    const key = await createKey(token);
    const events = await server.db.auditEvent.findMany({ where: { accountId, eventName: 'CreateAccessKey' } });
    expect(events).toHaveLength(1);
    const trail = JSON.stringify(events, (_key, value) => (typeof value === 'bigint' ? String(value) : value));
    expect(trail).toContain(key.accessKeyId);
    expect(trail).not.toContain(key.secretAccessKey);
    expect(trail).not.toContain(createHash('sha256').update(key.secretAccessKey).digest('hex'));
    const row = await server.db.accessKey.findUniqueOrThrow({ where: { id: key.accessKeyId } });
    expect(trail).not.toContain(row.secretSealed!.split('.')[3]);
  });

  it('refuses a third key with LimitExceeded', async () => {
    const { token } = await accountWithAlice(server);
    await createKey(token);
    await createKey(token);
    const third = await server.gql(CreateAccessKeyDocument, { input: { userName: 'alice' } }, token);
    expect(third.errors?.[0]?.extensions?.code).toBe('LimitExceeded');
    expect(third.errors?.[0]?.message).toBe('Cannot exceed quota for AccessKeysPerUser: 2');
  });

  it('lets only two of three concurrent creates succeed', async () => {
    const { token, aliceId } = await accountWithAlice(server);
    const results = await Promise.all([1, 2, 3].map(() => server.gql(CreateAccessKeyDocument, { input: { userName: 'alice' } }, token)));
    expect(results.filter((r) => !r.errors).length).toBe(2);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'LimitExceeded').length).toBe(1);
    expect(await server.db.accessKey.count({ where: { userId: aliceId } })).toBe(2);
  });

  it('frees a slot when a key is deleted', async () => {
    const { token } = await accountWithAlice(server);
    const first = await createKey(token);
    await createKey(token);
    await server.ok(DeleteAccessKeyDocument, { input: { userName: 'alice', accessKeyId: first.accessKeyId } }, token);
    await createKey(token);
  });

  it('answers NoSuchEntity for an unknown user, and asks root to name the user', async () => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(CreateAccessKeyDocument, { input: { userName: 'bob' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(CreateAccessKeyDocument, { input: { userName: 'b ob' } }, token)).toBe('ValidationError');
    const own = await server.gql(CreateAccessKeyDocument, {}, token);
    expect(own.errors?.[0]?.extensions?.code).toBe('ValidationError');
    expect(own.errors?.[0]?.message).toBe('Must specify userName when calling with non-User credentials');
  });
});

describe('listAccessKeys and User.accessKeys', () => {
  it('pages through a user’s keys and shows them on the user', async () => {
    const { token } = await accountWithAlice(server);
    const a = await createKey(token);
    const b = await createKey(token);
    const ids = [a.accessKeyId, b.accessKeyId].sort();
    const first = (await server.ok(ListAccessKeysDocument, { input: { userName: 'alice' }, first: 1 }, token)).listAccessKeys;
    expect(first.nodes.map((k) => k.accessKeyId)).toEqual([ids[0]]);
    expect(first.isTruncated).toBe(true);
    const second = (await server.ok(ListAccessKeysDocument, { input: { userName: 'alice' }, first: 1, after: first.marker }, token)).listAccessKeys;
    expect(second.nodes.map((k) => k.accessKeyId)).toEqual([ids[1]]);
    expect(second.isTruncated).toBe(false);
    const nested = (await server.ok(GetUserAccessKeysDocument, { input: { userName: 'alice' } }, token)).getUser.user.accessKeys;
    expect(nested.map((k) => k.accessKeyId)).toEqual(ids);
  });

  it('refuses a cursor made for another user’s keys', async () => {
    const { token } = await accountWithAlice(server);
    await createUser(server, token, 'bob');
    await createKey(token);
    await createKey(token);
    await createKey(token, 'bob');
    const page = (await server.ok(ListAccessKeysDocument, { input: { userName: 'alice' }, first: 1 }, token)).listAccessKeys;
    expect(await server.errorCode(ListAccessKeysDocument, { input: { userName: 'bob' }, first: 1, after: page.marker }, token)).toBe('InvalidInput');
  });

  it('answers NoSuchEntity for an unknown user and ValidationError for root without a name', async () => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(ListAccessKeysDocument, { input: { userName: 'bob' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(ListAccessKeysDocument, {}, token)).toBe('ValidationError');
  });
});

describe('updateAccessKey and deleteAccessKey', () => {
  it('deactivates and reactivates a key', async () => {
    const { token } = await accountWithAlice(server);
    const key = await createKey(token);
    await server.ok(UpdateAccessKeyDocument, { input: { userName: 'alice', accessKeyId: key.accessKeyId, status: 'Inactive' } }, token);
    expect((await server.ok(ListAccessKeysDocument, { input: { userName: 'alice' } }, token)).listAccessKeys.nodes[0]!.status).toBe('Inactive');
    expect(await findActiveAccessKey(server.db, key.accessKeyId)).toBeUndefined();
    await server.ok(UpdateAccessKeyDocument, { input: { userName: 'alice', accessKeyId: key.accessKeyId, status: 'Active' } }, token);
    expect((await findActiveAccessKey(server.db, key.accessKeyId))?.user.name).toBe('alice');
  });

  it('refuses an unknown status', async () => {
    const { token } = await accountWithAlice(server);
    const key = await createKey(token);
    const result = await server.gql(unchecked(UpdateAccessKeyDocument), { input: { userName: 'alice', accessKeyId: key.accessKeyId, status: 'Disabled' } }, token);
    expect(result.errors?.length).toBeGreaterThan(0);
  });

  it('answers NoSuchEntity for an unknown key or a key of another user', async () => {
    const { token } = await accountWithAlice(server);
    await createUser(server, token, 'bob');
    const key = await createKey(token);
    const missing = await server.gql(DeleteAccessKeyDocument, { input: { userName: 'alice', accessKeyId: 'AKIAAAAAAAAAAAAAAAAA' } }, token);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(missing.errors?.[0]?.message).toBe('The Access Key with id AKIAAAAAAAAAAAAAAAAA cannot be found.');
    expect(await server.errorCode(DeleteAccessKeyDocument, { input: { userName: 'bob', accessKeyId: key.accessKeyId } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(UpdateAccessKeyDocument, { input: { userName: 'bob', accessKeyId: key.accessKeyId, status: 'Inactive' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteAccessKeyDocument, { input: { userName: 'alice', accessKeyId: 'short' } }, token)).toBe('ValidationError');
    await server.ok(DeleteAccessKeyDocument, { input: { userName: 'alice', accessKeyId: key.accessKeyId } }, token);
    expect(await server.errorCode(DeleteAccessKeyDocument, { input: { userName: 'alice', accessKeyId: key.accessKeyId } }, token)).toBe('NoSuchEntity');
  });
});

describe('getAccessKeyLastUsed', () => {
  it('reports N/A until the key is used, then the date, service and region', async () => {
    const { token } = await accountWithAlice(server);
    const key = await createKey(token);
    expect((await server.ok(GetAccessKeyLastUsedDocument, { id: key.accessKeyId }, token)).getAccessKeyLastUsed).toEqual({
      userName: 'alice',
      accessKeyLastUsed: { lastUsedDate: null, serviceName: 'N/A', region: 'N/A' },
    });
    await recordAccessKeyUse(server.db, key.accessKeyId, 'sts', 'us-east-1', new Date());
    const used = (await server.ok(GetAccessKeyLastUsedDocument, { id: key.accessKeyId }, token)).getAccessKeyLastUsed.accessKeyLastUsed;
    expect(used).toMatchObject({ serviceName: 'sts', region: 'us-east-1' });
    expect(Date.parse(used.lastUsedDate!)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('answers NoSuchEntity for an unknown key', async () => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(GetAccessKeyLastUsedDocument, { id: 'AKIAAAAAAAAAAAAAAAAA' }, token)).toBe('NoSuchEntity');
  });
});

describe('tenant isolation', () => {
  it('keeps another account from listing, changing or inspecting alice’s keys', async () => {
    const a = await accountWithAlice(server);
    const b = await server.newAccount();
    await createUser(server, b.token, 'alice');
    const key = await createKey(a.token);
    expect((await server.ok(ListAccessKeysDocument, { input: { userName: 'alice' } }, b.token)).listAccessKeys.nodes).toEqual([]);
    expect(await server.errorCode(UpdateAccessKeyDocument, { input: { userName: 'alice', accessKeyId: key.accessKeyId, status: 'Inactive' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteAccessKeyDocument, { input: { userName: 'alice', accessKeyId: key.accessKeyId } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(GetAccessKeyLastUsedDocument, { id: key.accessKeyId }, b.token)).toBe('NoSuchEntity');
    expect((await server.ok(ListAccessKeysDocument, { input: { userName: 'alice' } }, a.token)).listAccessKeys.nodes[0]!.status).toBe('Active');
  });
});

describe('a user managing their own access keys', () => {
  const PASSWORD = 'Correct-Horse-1';

  /** Alice with a console password and an inline policy allowing `actions` on her own user only. */
  async function signedInAlice(actions: string[], extraStatements: object[] = []) {
    const { accountId, token, aliceId } = await accountWithAlice(server);
    await createUser(server, token, 'bob');
    await createLoginProfile(server, token, 'alice', PASSWORD);
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: actions, Resource: `arn:aws:iam::${accountId}:user/alice` }, ...extraStatements],
    });
    // Seeded directly: inline policies belong to another part of the API.
    await server.db.inlinePolicy.create({ data: { accountId, entityType: 'user', entityId: aliceId, name: 'self', document } });
    await server.db.account.update({ where: { id: accountId }, data: { policyEpoch: { increment: 1 } } });
    const signedIn = await server.ok(SignInDocument, { input: { accountId, userName: 'alice', password: PASSWORD } });
    return { accountId, rootToken: token, alice: signedIn.signIn.sessionToken };
  }

  it('creates, lists and reads keys of the caller when no user name is given', async () => {
    const { accountId, alice } = await signedInAlice(['iam:CreateAccessKey', 'iam:ListAccessKeys', 'iam:GetUser', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey']);
    const key = (await server.ok(CreateAccessKeyDocument, {}, alice)).createAccessKey.accessKey;
    expect(key.userName).toBe('alice');
    expect((await server.ok(ListAccessKeysDocument, {}, alice)).listAccessKeys.nodes.map((k) => k.accessKeyId)).toEqual([key.accessKeyId]);
    expect((await server.ok(GetUserNameAndArnDocument, {}, alice)).getUser.user).toEqual({ userName: 'alice', arn: `arn:aws:iam::${accountId}:user/alice` });
    await server.ok(UpdateAccessKeyDocument, { input: { accessKeyId: key.accessKeyId, status: 'Inactive' } }, alice);
    await server.ok(DeleteAccessKeyDocument, { input: { accessKeyId: key.accessKeyId } }, alice);
    expect((await server.ok(ListAccessKeysDocument, {}, alice)).listAccessKeys.nodes).toEqual([]);
  });

  it('is denied on another user’s keys', async () => {
    const { alice } = await signedInAlice(['iam:CreateAccessKey', 'iam:ListAccessKeys']);
    expect(await server.errorCode(CreateAccessKeyDocument, { input: { userName: 'bob' } }, alice)).toBe('AccessDenied');
    expect(await server.errorCode(ListAccessKeysDocument, { input: { userName: 'bob' } }, alice)).toBe('AccessDenied');
  });

  it('authorizes getAccessKeyLastUsed on the key owner’s ARN', async () => {
    // The guard can only check `*` for this field (see the report on resources.ts); the
    // resolver then authorizes on the owner's ARN, so a Deny on bob's ARN applies.
    const { rootToken, alice } = await signedInAlice(['iam:GetUser'], [
      { Effect: 'Allow', Action: 'iam:GetAccessKeyLastUsed', Resource: '*' },
      { Effect: 'Deny', Action: 'iam:GetAccessKeyLastUsed', Resource: 'arn:aws:iam::*:user/bob' },
    ]);
    const own = await createKey(rootToken, 'alice');
    const bobs = await createKey(rootToken, 'bob');
    expect((await server.ok(GetAccessKeyLastUsedDocument, { id: own.accessKeyId }, alice)).getAccessKeyLastUsed.userName).toBe('alice');
    expect(await server.errorCode(GetAccessKeyLastUsedDocument, { id: bobs.accessKeyId }, alice)).toBe('AccessDenied');
  });
});
