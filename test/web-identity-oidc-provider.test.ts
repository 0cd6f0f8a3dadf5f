// The happy path of web identity federation with a real OpenID Provider: `oidc-provider`
// (a certified implementation) runs in this process on loopback HTTP, a user signs in through
// its authorization code flow (with PKCE), the relying party redeems the code for an ID token,
// and open-iam exchanges that token for role credentials (AssumeRoleWithWebIdentity).
// https://openid.net/specs/openid-connect-core-1_0.html#CodeFlowAuth
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssumeRoleWithWebIdentityDocument, CreateOpenIDConnectProviderDocument, GetCallerIdentityDocument } from './generated/graphql.js';
import { createRole, policy } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer({ IAM_OIDC_ALLOW_HTTP_LOOPBACK: 'true' });
const CLIENT_ID = 'open-iam-app';
const CLIENT_SECRET = 'a-client-secret-for-tests-only-0123456789';
const REDIRECT_URI = 'http://127.0.0.1:1/callback';

let issuer: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const provider = new Provider(issuer, {
    clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: 'signing-1', alg: 'RS256', use: 'sig' }] },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
  });
  const handle = provider.callback();
  http.on('request', (request: IncomingMessage, response: ServerResponse) => void handle(request, response));
  close = () => new Promise<void>((resolve) => http.close(() => resolve()));
});
afterAll(async () => {
  await close?.();
});

/** A user agent's cookies for one origin: enough for the provider's interaction and session cookies. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/** Follows the browser's side of the authorization code flow until the provider redirects to the client with a code. */
async function signInAndGetIdToken(subject: string): Promise<string> {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    nonce: randomBytes(8).toString('hex'),
    state: randomBytes(8).toString('hex'),
  });
  let location = `${issuer}/auth?${query}`;
  let code: string | undefined;
  for (let step = 0; step < 12 && !code; step++) {
    let response = await fetch(location, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.take(response);
    if (response.status === 200 && /\/interaction\//.test(location)) {
      // The provider's own sign-in and consent pages (devInteractions): submit as the user would.
      const html = await response.text();
      const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1] ?? (html.includes('name="login"') ? 'login' : 'consent');
      const form = new URLSearchParams(prompt === 'login' ? { prompt, login: subject, password: 'irrelevant' } : { prompt });
      response = await fetch(location, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: form });
      jar.take(response);
    }
    const next = response.headers.get('location');
    if (!next) throw new Error(`the provider stopped at ${location} with HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
    location = new URL(next, location).toString();
    if (location.startsWith(REDIRECT_URI)) code = new URL(location).searchParams.get('code') ?? undefined;
  }
  if (!code) throw new Error('no authorization code');
  const token = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier }),
  });
  const body = (await token.json()) as { id_token?: string; error?: string };
  if (!body.id_token) throw new Error(`no ID token: ${JSON.stringify(body)}`);
  return body.id_token;
}

describe('web identity federation with oidc-provider', () => {
  it('exchanges an ID token from a real sign-in for credentials of a role that trusts the provider', async () => {
    const root = await server.newAccount();
    const created = await server.ok(CreateOpenIDConnectProviderDocument, { input: { url: issuer, clientIDList: [CLIENT_ID] } }, root.token);
    const providerArn = created.createOpenIDConnectProvider.openIDConnectProviderArn;
    const key = issuer.replace('http://', '');
    const role = await createRole(
      server,
      root.token,
      'AppUsers',
      policy({ Effect: 'Allow', Principal: { Federated: providerArn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${key}:aud`]: CLIENT_ID, [`${key}:sub`]: 'alice' } } }),
    );

    const idToken = await signInAndGetIdToken('alice');
    expect(decodeJwt(idToken)).toMatchObject({ iss: issuer, sub: 'alice', aud: CLIENT_ID });

    const result = await server.ok(AssumeRoleWithWebIdentityDocument, { input: { roleArn: role.arn, roleSessionName: 'alice', webIdentityToken: idToken } });
    const answer = result.assumeRoleWithWebIdentity;
    expect(answer).toMatchObject({ subjectFromWebIdentityToken: 'alice', provider: issuer, audience: CLIENT_ID, assumedRoleUser: { arn: `arn:aws:sts::${root.accountId}:assumed-role/AppUsers/alice` } });
    const me = await server.ok(GetCallerIdentityDocument, {}, answer.credentials.sessionToken);
    expect(me.getCallerIdentity.arn).toBe(`arn:aws:sts::${root.accountId}:assumed-role/AppUsers/alice`);

    // Another user of the same provider is refused by the trust policy's condition on sub.
    const bobToken = await signInAndGetIdToken('bob');
    const refused = await server.gql(AssumeRoleWithWebIdentityDocument, { input: { roleArn: role.arn, roleSessionName: 'bob', webIdentityToken: bobToken } });
    expect(refused.errors?.[0]?.extensions?.code).toBe('AccessDenied');
  });
});
