// Accounts, root sign-in, tokens and the well-known documents, over HTTP.
import { describe, expect, it } from 'vitest';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { CreateAccountDocument, GetCallerIdentityArnDocument, GetCallerIdentityDocument, SignInDocument, SignOutDocument } from './generated/graphql.js';
import { OPERATOR_TOKEN, ROOT_PASSWORD, useTestServer } from './support/server.js';

const server = useTestServer();


describe('createAccount', () => {
  it('creates an account with a 12-digit id when the operator token is sent', async () => {
    const data = await server.ok(CreateAccountDocument, { input: { accountName: 'Acme', email: 'ops@acme.example', password: ROOT_PASSWORD } }, OPERATOR_TOKEN);
    expect(data.createAccount.accountId).toMatch(/^\d{12}$/);
    expect(data.createAccount.rootArn).toBe(`arn:aws:iam::${data.createAccount.accountId}:root`);
  });

  it('refuses without the operator token', async () => {
    expect(await server.errorCode(CreateAccountDocument, { input: { accountName: 'X', email: 'x@acme.example', password: ROOT_PASSWORD } })).toBe('AccessDenied');
  });

  it('refuses a second account with the same email', async () => {
    const input = { accountName: 'Dup', email: 'dup@acme.example', password: ROOT_PASSWORD };
    await server.ok(CreateAccountDocument, { input }, OPERATOR_TOKEN);
    expect(await server.errorCode(CreateAccountDocument, { input: { ...input, email: 'DUP@acme.example' } }, OPERATOR_TOKEN)).toBe('EntityAlreadyExists');
  });

  it('refuses a weak root password', async () => {
    expect(await server.errorCode(CreateAccountDocument, { input: { accountName: 'W', email: 'w@acme.example', password: 'short' } }, OPERATOR_TOKEN)).toBe('PasswordPolicyViolation');
  });
});

describe('root sign-in and session tokens', () => {
  it('signs the root user in and answers getCallerIdentity', async () => {
    const { accountId, token } = await server.newAccount();
    const data = await server.ok(GetCallerIdentityDocument, {}, token);
    expect(data.getCallerIdentity).toEqual({ account: accountId, arn: `arn:aws:iam::${accountId}:root`, userId: accountId });
  });

  it('gives the same error for an unknown email and a wrong password', async () => {
    const { email } = await server.newAccount();
    const wrong = await server.gql(SignInDocument, { input: { email, password: 'Wrong-Passw0rd!' } });
    const unknown = await server.gql(SignInDocument, { input: { email: 'nobody@nowhere.example', password: 'Wrong-Passw0rd!' } });
    expect(wrong.errors?.[0]?.extensions?.code).toBe('InvalidClientTokenId');
    expect(unknown.errors?.[0]).toEqual({ ...wrong.errors?.[0] });
  });

  it('refuses a call without a token with MissingAuthenticationToken, as AWS does an unsigned request', async () => {
    expect(await server.errorCode(GetCallerIdentityArnDocument, {})).toBe('MissingAuthenticationToken');
  });

  it('refuses a tampered token', async () => {
    const { token } = await server.newAccount();
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as JWTPayload;
    payload.account = '000000000000';
    const forged = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    expect(await server.errorCode(GetCallerIdentityArnDocument, {}, forged)).toBe('InvalidClientTokenId');
  });

  it('refuses a token after signOut', async () => {
    const { token } = await server.newAccount();
    await server.ok(SignOutDocument, {}, token);
    expect(await server.errorCode(GetCallerIdentityArnDocument, {}, token)).toBe('InvalidClientTokenId');
  });

  it('issues tokens verifiable with only the published JWKS', async () => {
    const { accountId, token } = await server.newAccount();
    const discovery = (await (await fetch(`${server.origin}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
    expect(discovery.jwks_uri).toMatch(/\/\.well-known\/jwks\.json$/);
    const jwks = createRemoteJWKSet(new URL(`${server.origin}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { audience: 'open-iam' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe(`arn:aws:iam::${accountId}:root`);
    expect(payload.account).toBe(accountId);
    expect(payload.exp! - payload.iat!).toBe(3600);
  });
});

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await fetch(`${server.origin}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.origin}/readyz`)).status).toBe(200);
  });
});
