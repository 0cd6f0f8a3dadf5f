// Access-key secrets at rest, end to end: sealed to their account and key id (so the
// database alone verifies nothing), GetSessionToken with sealed and legacy digest-only
// keys, and what findSigningSecret (the SigV4 verifier's source of secrets) answers.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findSigningSecret } from '../src/auth/access-key-secrets.js';
import { createSealer } from '../src/crypto/seal.js';
import { hashSecret, openAccessKeySecret } from '../src/crypto/secrets.js';
import { newSecretAccessKey, newUniqueId } from '../src/iam/ids.js';
import {
  AssumeRoleDetailsDocument,
  CreateAccessKeyDocument,
  GetCallerIdentityArnDocument,
  GetSessionTokenDocument,
  UpdateAccessKeyDocument,
  type GetSessionTokenMutation,
} from './generated/graphql.js';
import { accountWithAlice, createRole, signedInUser, trustPolicy } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

/** Temporary credentials as getSessionToken and assumeRole answer them. */
type Credentials = GetSessionTokenMutation['getSessionToken']['credentials'];

const sealer = () => server.service.deps.sealer;
const find = (accessKeyId: string, now = new Date()) => findSigningSecret(server.db, sealer(), accessKeyId, now);

async function aliceWithKey() {
  const account = await accountWithAlice(server);
  const key = (await server.ok(CreateAccessKeyDocument, { input: { userName: 'alice' } }, account.token)).createAccessKey.accessKey;
  return { ...account, key };
}

/** A key as the server made them before secrets were sealed: a SHA-256 digest and nothing else. */
async function insertLegacyKey(accountId: string, userId: string) {
  const accessKeyId = newUniqueId('accessKey');
  const secretAccessKey = newSecretAccessKey();
  await server.db.accessKey.create({ data: { id: accessKeyId, accountId, userId, secretHash: hashSecret(secretAccessKey) } });
  return { accessKeyId, secretAccessKey };
}

async function getSessionToken(accessKeyId: string, secretAccessKey: string): Promise<Credentials> {
  return (await server.ok(GetSessionTokenDocument, { input: { accessKeyId, secretAccessKey } })).getSessionToken.credentials;
}

describe('a new access key at rest', () => {
  it('keeps no clear secret and no digest: only the master key opens it', async () => {
    const { accountId, key } = await aliceWithKey();
    const row = await server.db.accessKey.findUniqueOrThrow({ where: { id: key.accessKeyId } });
    expect(row.secretHash).toBeNull();
    expect(row.secretSealed).toMatch(/^v1\./);
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(key.secretAccessKey);
    expect(stored).not.toContain(hashSecret(key.secretAccessKey));
    const owner = { accountId, accessKeyId: key.accessKeyId };
    expect(openAccessKeySecret(sealer(), owner, row.secretSealed!)).toBe(key.secretAccessKey);
    const otherMasterKey = createSealer(randomBytes(32).toString('base64url'));
    expect(() => openAccessKeySecret(otherMasterKey, owner, row.secretSealed!)).toThrow(/does not open/);
  });

  it('does not open under another key id or another account', async () => {
    const { accountId, key } = await aliceWithKey();
    const { secretSealed } = await server.db.accessKey.findUniqueOrThrow({ where: { id: key.accessKeyId } });
    const other = await aliceWithKey();
    expect(() => openAccessKeySecret(sealer(), { accountId, accessKeyId: other.key.accessKeyId }, secretSealed!)).toThrow(/does not open/);
    expect(() => openAccessKeySecret(sealer(), { accountId: other.accountId, accessKeyId: key.accessKeyId }, secretSealed!)).toThrow(/does not open/);
    expect(() => openAccessKeySecret(sealer(), { accountId, accessKeyId: key.accessKeyId }, secretSealed!)).not.toThrow();
  });

  it('refuses a sealed secret copied onto another key row', async () => {
    const { token, key } = await aliceWithKey();
    const second = (await server.ok(CreateAccessKeyDocument, { input: { userName: 'alice' } }, token)).createAccessKey.accessKey;
    const { secretSealed } = await server.db.accessKey.findUniqueOrThrow({ where: { id: key.accessKeyId } });
    await server.db.accessKey.update({ where: { id: second.accessKeyId }, data: { secretSealed } });
    await expect(find(second.accessKeyId)).rejects.toThrow(`The sealed secret of access key ${second.accessKeyId} does not open`);
    expect((await server.gql(GetSessionTokenDocument, { input: { accessKeyId: second.accessKeyId, secretAccessKey: key.secretAccessKey } })).errors).toBeDefined();
  });
});

describe('getSessionToken', () => {
  it('verifies a new key against its sealed secret', async () => {
    const { key, aliceArn } = await aliceWithKey();
    const credentials = await getSessionToken(key.accessKeyId, key.secretAccessKey);
    expect((await server.ok(GetCallerIdentityArnDocument, {}, credentials.sessionToken)).getCallerIdentity.arn).toBe(aliceArn);
    const wrong = { accessKeyId: key.accessKeyId, secretAccessKey: newSecretAccessKey() };
    expect(await server.errorCode(GetSessionTokenDocument, { input: wrong })).toBe('SignatureDoesNotMatch');
  });

  it('still verifies a legacy digest-only key, and refuses a wrong secret for it', async () => {
    const { accountId, aliceId, aliceArn } = await accountWithAlice(server);
    const legacy = await insertLegacyKey(accountId, aliceId);
    const credentials = await getSessionToken(legacy.accessKeyId, legacy.secretAccessKey);
    expect((await server.ok(GetCallerIdentityArnDocument, {}, credentials.sessionToken)).getCallerIdentity.arn).toBe(aliceArn);
    const wrong = { accessKeyId: legacy.accessKeyId, secretAccessKey: newSecretAccessKey() };
    expect(await server.errorCode(GetSessionTokenDocument, { input: wrong })).toBe('SignatureDoesNotMatch');
  });

  it('stores the temporary secret sealed on the session row, not as a digest', async () => {
    const { accountId, key } = await aliceWithKey();
    const credentials = await getSessionToken(key.accessKeyId, key.secretAccessKey);
    const session = await server.db.session.findUniqueOrThrow({ where: { accessKeyId: credentials.accessKeyId } });
    expect(session.secretHash).toBeNull();
    expect(JSON.stringify(session)).not.toContain(credentials.secretAccessKey);
    expect(openAccessKeySecret(sealer(), { accountId, accessKeyId: credentials.accessKeyId }, session.secretSealed!)).toBe(credentials.secretAccessKey);
  });
});

describe('findSigningSecret', () => {
  it('answers a new long-term key with its secret and status', async () => {
    const { accountId, aliceId, token, key } = await aliceWithKey();
    expect(await find(key.accessKeyId)).toEqual({
      kind: 'long-term',
      secretAccessKey: key.secretAccessKey,
      accessKey: { id: key.accessKeyId, status: 'Active', userId: aliceId, accountId },
    });
    await server.ok(UpdateAccessKeyDocument, { input: { userName: 'alice', accessKeyId: key.accessKeyId, status: 'Inactive' } }, token);
    expect(await find(key.accessKeyId)).toMatchObject({ kind: 'long-term', accessKey: { status: 'Inactive' } });
  });

  it('answers a legacy key as legacy, with a message that says to rotate it', async () => {
    const { accountId, aliceId } = await accountWithAlice(server);
    const legacy = await insertLegacyKey(accountId, aliceId);
    const found = await find(legacy.accessKeyId);
    expect(found).toMatchObject({
      kind: 'legacy',
      credential: 'long-term',
      accessKey: { id: legacy.accessKeyId, status: 'Active', userId: aliceId, accountId },
    });
    expect(found?.kind === 'legacy' && found.message).toMatch(/Rotate it/);
    expect(JSON.stringify(found)).not.toContain(legacy.secretAccessKey);
  });

  it('answers GetSessionToken credentials as temporary: active, then revoked when their key is deactivated, expired after expiration', async () => {
    const { accountId, token, key } = await aliceWithKey();
    const credentials = await getSessionToken(key.accessKeyId, key.secretAccessKey);
    const session = await server.db.session.findUniqueOrThrow({ where: { accessKeyId: credentials.accessKeyId } });
    expect(await find(credentials.accessKeyId)).toEqual({
      kind: 'temporary',
      secretAccessKey: credentials.secretAccessKey,
      sessionId: session.id,
      session: { id: session.id, accountId, status: 'active', expiresAt: new Date(credentials.expiration) },
    });
    expect(await find(credentials.accessKeyId, new Date(credentials.expiration))).toMatchObject({ session: { status: 'expired' } });
    await server.ok(UpdateAccessKeyDocument, { input: { userName: 'alice', accessKeyId: key.accessKeyId, status: 'Inactive' } }, token);
    expect(await find(credentials.accessKeyId)).toMatchObject({ kind: 'temporary', session: { status: 'revoked' } });
  });

  it('answers assumeRole credentials as temporary with their secret', async () => {
    const root = await server.newAccount();
    const alice = await signedInUser(server, root, 'alice');
    const role = await createRole(server, root.token, 'Signer', trustPolicy({ AWS: alice.arn }));
    const credentials: Credentials = (await server.ok(AssumeRoleDetailsDocument, { input: { roleArn: role.arn, roleSessionName: 'signer' } }, alice.token)).assumeRole.credentials;
    expect(await find(credentials.accessKeyId)).toMatchObject({
      kind: 'temporary',
      secretAccessKey: credentials.secretAccessKey,
      session: { accountId: root.accountId, status: 'active' },
    });
  });

  it('answers a session issued before sealing as legacy temporary credentials', async () => {
    const { key } = await aliceWithKey();
    const credentials = await getSessionToken(key.accessKeyId, key.secretAccessKey);
    await server.db.session.update({
      where: { accessKeyId: credentials.accessKeyId },
      data: { secretSealed: null, secretHash: hashSecret(credentials.secretAccessKey) },
    });
    const found = await find(credentials.accessKeyId);
    expect(found).toMatchObject({ kind: 'legacy', credential: 'temporary', session: { status: 'active' } });
    expect(found?.kind === 'legacy' && found.message).toMatch(/Request new temporary credentials/);
    expect((await server.ok(GetCallerIdentityArnDocument, {}, credentials.sessionToken)).getCallerIdentity.arn).toMatch(/:user\/alice$/);
  });

  it('answers null for an unknown key id or one that is not an access key id', async () => {
    expect(await find(newUniqueId('accessKey'))).toBeNull();
    expect(await find(newUniqueId('temporaryAccessKey'))).toBeNull();
    expect(await find('AIDAJQABLZS4A3QDU576Q')).toBeNull();
  });
});
