// Session tokens from the outside: refused when expired, unsigned, wrongly
// signed, meant for another audience or revoked; verifiable with the JWKS alone;
// and signing keys rotate without breaking tokens already issued.
import { randomUUID } from 'node:crypto';
import { SignJWT, createLocalJWKSet, generateKeyPair, jwtVerify, type JSONWebKeySet, type JWTPayload, type JWTHeaderParameters } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueSession } from '../src/sessions/sessions.js';
import { ManualClock } from '../src/clock.js';
import {
  AssumeRoleDocument,
  GetCallerIdentityArnDocument,
  PutRolePolicyDocument,
  RevokeRoleSessionsDocument,
  RotateSigningKeyDocument,
  UpdateLoginProfileDocument,
} from './generated/graphql.js';
import { OPERATOR_TOKEN, useTestServer } from './support/server.js';
import { ask, createRole, policy, signedInUser, trustPolicy } from './support/scenarios.js';

/** The server's time: a test moves it to reach an expiry or a key's activation. */
const clock = new ManualClock();
const server = useTestServer({}, { clock });
let root: { accountId: string; token: string };
beforeAll(async () => {
  root = await server.newAccount();
});

const WHO = GetCallerIdentityArnDocument;
/** One part of a token, decoded: its header or its claims. */
const decode = <T extends JWTHeaderParameters | JWTPayload = JWTPayload>(part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as T;

describe('refused tokens', () => {
  it('refuses an expired token with ExpiredToken', async () => {
    const deps = server.service.deps;
    const past = new Date(clock.now().getTime() - 2 * 3600_000);
    const token = await deps.tokens.sign(
      { sub: `arn:aws:iam::${root.accountId}:root`, jti: randomUUID(), account: root.accountId, principal_type: 'root', principal_id: root.accountId, exp: Math.floor(past.getTime() / 1000) + 900 },
      past,
    );
    expect(await server.errorCode(WHO, {}, token)).toBe('ExpiredToken');
  });

  it('tolerates 30 seconds of clock skew on expiry, and no more', async () => {
    const deps = server.service.deps;
    const issuedAgo = async (seconds: number) =>
      (
        await issueSession(
          { ...deps, clock: new ManualClock(clock.now().getTime() - seconds * 1000) },
          { kind: 'root', accountId: root.accountId, principalArn: `arn:aws:iam::${root.accountId}:root`, principalId: root.accountId, durationSeconds: 900 },
        )
      ).sessionToken;
    expect((await server.ok(WHO, {}, await issuedAgo(910))).getCallerIdentity.arn).toBe(`arn:aws:iam::${root.accountId}:root`);
    expect(await server.errorCode(WHO, {}, await issuedAgo(945))).toBe('ExpiredToken');
  });

  it('refuses alg: none', async () => {
    const [, payload] = root.token.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    expect(await server.errorCode(WHO, {}, unsigned)).toBe('InvalidClientTokenId');
  });

  it('refuses a token signed by another key that claims our key id', async () => {
    const [header, payload] = root.token.split('.');
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(decode(payload!)).setProtectedHeader(decode<JWTHeaderParameters>(header!)).sign(privateKey);
    expect(await server.errorCode(WHO, {}, forged)).toBe('InvalidClientTokenId');
  });

  it('refuses a token for another audience, even signed with our key', async () => {
    const key = server.service.deps.keys.current();
    const claims = decode(root.token.split('.')[1]!);
    const other = await new SignJWT({ ...claims, aud: 'someone-else' }).setProtectedHeader({ alg: 'ES256', kid: key.kid }).sign(key.privateKey);
    expect(await server.errorCode(WHO, {}, other)).toBe('InvalidClientTokenId');
  });

  it('refuses a session token once the user is deleted or changes password', async () => {
    const user = await signedInUser(server, root, 'leaver', { managed: ['arn:aws:iam::aws:policy/IAMUserChangePassword'] });
    expect((await server.ok(WHO, {}, user.token)).getCallerIdentity.arn).toBe(user.arn);
    await server.ok(UpdateLoginProfileDocument, { input: { userName: 'leaver', password: 'Totally-Different-9!' } }, root.token);
    expect(await server.errorCode(WHO, {}, user.token)).toBe('InvalidClientTokenId');
  });

  it('carries what an outside verifier needs and no secret', async () => {
    const claims = decode(root.token.split('.')[1]!);
    expect(Object.keys(claims).sort()).toEqual(['account', 'aud', 'exp', 'iat', 'iss', 'jti', 'principal_id', 'principal_type', 'sub'].sort());
    expect(claims).toMatchObject({ account: root.accountId, principal_type: 'root', sub: `arn:aws:iam::${root.accountId}:root`, aud: 'open-iam' });
  });
});

describe('revocation by role', () => {
  it('revokeRoleSessions denies every older session of the role and spares new ones', async () => {
    const user = await signedInUser(server, root, 'roleuser');
    await createRole(server, root.token, 'Revocable', trustPolicy({ AWS: user.arn }));
    const s3 = JSON.stringify(policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }));
    await server.ok(PutRolePolicyDocument, { input: { roleName: 'Revocable', policyName: 's3', policyDocument: s3 } }, root.token);
    const roleArn = `arn:aws:iam::${root.accountId}:role/Revocable`;
    const assume = async () => (await server.ok(AssumeRoleDocument, { input: { roleArn, roleSessionName: 'rs' } }, user.token)).assumeRole.credentials.sessionToken;
    const old = await assume();
    expect(await ask(server, old, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('allowed');
    clock.advance(1_000); // so that `old` was issued before the revocation (DateLessThan aws:TokenIssueTime)
    await server.ok(RevokeRoleSessionsDocument, { input: { roleName: 'Revocable' } }, root.token);
    expect(await ask(server, old, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('explicitDeny');
    const fresh = await assume();
    expect(await ask(server, fresh, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('allowed');
  });
});

describe('signing key rotation', () => {
  it('publishes the new key before it signs and keeps the old one for its tokens', async () => {
    const before = (await (await fetch(`${server.origin}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    const oldKid = decode<JWTHeaderParameters>(root.token.split('.')[0]!).kid;
    const rotated = await server.ok(RotateSigningKeyDocument, {}, OPERATOR_TOKEN);
    const { kid, activatesAt } = rotated.rotateSigningKey;
    expect(new Date(activatesAt).getTime()).toBe(clock.now().getTime() + 300_000);
    const after = (await (await fetch(`${server.origin}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    expect(after.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([...before.keys.map((k) => k.kid), kid]));
    // Until it activates, tokens are still signed with the old key.
    const fresh = await server.newAccount();
    expect(decode<JWTHeaderParameters>(fresh.token.split('.')[0]!).kid).toBe(oldKid);
    // Once active, the new key signs; tokens of the old key still verify against the JWKS.
    clock.advance(300_000);
    const newest = await server.newAccount();
    const newKid = decode<JWTHeaderParameters>(newest.token.split('.')[0]!).kid;
    expect(newKid).toBe(kid);
    const jwks = createLocalJWKSet((await (await fetch(`${server.origin}/.well-known/jwks.json`)).json()) as JSONWebKeySet);
    await jwtVerify(root.token, jwks, { audience: 'open-iam' });
    await jwtVerify(newest.token, jwks, { audience: 'open-iam' });
    expect((await server.ok(WHO, {}, root.token)).getCallerIdentity.arn).toBe(`arn:aws:iam::${root.accountId}:root`);
    expect(await server.errorCode(RotateSigningKeyDocument, {}, root.token)).toBe('AccessDenied');
  });
});
