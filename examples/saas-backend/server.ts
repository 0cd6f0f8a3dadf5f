// A SaaS backend that keeps its tenants' documents and lets open-iam decide who may read
// them: the worked example of README's "Authorize your own resources". Each tenant is an
// open-iam account; its people are that account's IAM users (or role sessions), and their
// permissions are ordinary IAM policies over the backend's own action and ARNs:
//
//   { "Effect": "Allow", "Action": "docs:ReadDocument",
//     "Resource": "arn:aws:docs:us-east-1:<account>:document/public/*" }
//
// On each request the backend
//   1. verifies the caller's open-iam session token itself, with the keys open-iam
//      publishes (its JWKS), so a forged or expired token never costs a call;
//   2. asks open-iam `isAuthorized` with that same token, for `docs:ReadDocument` on the
//      document's ARN: open-iam evaluates the caller's identity policies, boundary and
//      session policies with the request's context, as AWS would.
// A document belongs to one tenant, whose account is in its ARN: a policy that names
// another account's documents grants nothing there, since it is the caller's account that
// open-iam evaluates and an IAM policy's Resource names the account.
//
// Run it beside open-iam:  OPEN_IAM_URL=http://localhost:4000 npx tsx examples/saas-backend/server.ts
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

/** The backend's action for reading a document, in its own service namespace. */
export const READ_DOCUMENT = 'docs:ReadDocument';

/** The region the backend names in its ARNs. */
const REGION = 'us-east-1';

/** A document's ARN: the tenant's account, then the document's path. */
export const documentArn = (accountId: string, path: string): string => `arn:aws:docs:${REGION}:${accountId}:document/${path}`;

/** What the backend needs: where open-iam is, the audience its tokens carry, the documents to serve. */
export interface SaasBackendOptions {
  /** open-iam's base URL, e.g. http://localhost:4000. */
  openIamUrl: string;
  /** `aud` of open-iam's tokens (its IAM_AUDIENCE; `open-iam` by default). */
  audience?: string;
  /** Documents by account id, then path. */
  documents: Record<string, Record<string, string>>;
}

/** open-iam's discovery document, as much of it as a verifier needs. */
interface Discovery {
  issuer: string;
}

/** The claims of an open-iam session token this backend reads. */
interface SessionClaims extends JWTPayload {
  /** The caller's ARN (also `sub`). */
  sub: string;
  /** The caller's account: the tenant. */
  account: string;
}

/** Starts the backend on a free port (or PORT); answers its URL and a close function. */
export async function startSaasBackend(options: SaasBackendOptions, port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  // The issuer tokens name comes from open-iam's discovery document; the keys are fetched from the
  // address the backend reaches open-iam at (an internal one, perhaps), not from the public jwks_uri.
  const discovery = (await (await fetch(new URL('/.well-known/openid-configuration', options.openIamUrl))).json()) as Discovery;
  // jose fetches the keys once, caches them, and refetches (rate-limited) when a token names a key it has not seen.
  const keys = createRemoteJWKSet(new URL('/.well-known/jwks.json', options.openIamUrl));

  const verify = async (authorization: string | undefined): Promise<{ token: string; claims: SessionClaims } | null> => {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (!token) return null;
    try {
      const { payload } = await jwtVerify(token, keys, { issuer: discovery.issuer, audience: options.audience ?? 'open-iam', algorithms: ['ES256'] });
      if (typeof payload.sub !== 'string' || typeof payload.account !== 'string') return null;
      return { token, claims: payload as SessionClaims };
    } catch {
      return null;
    }
  };

  const isAuthorized = async (token: string, resource: string): Promise<{ allowed: boolean; decision: string }> => {
    const answer = await fetch(new URL('/graphql', options.openIamUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: 'query Can($input: IsAuthorizedInput!) { isAuthorized(input: $input) { allowed decision } }',
        variables: { input: { action: READ_DOCUMENT, resource } },
      }),
    });
    const body = (await answer.json()) as { data?: { isAuthorized: { allowed: boolean; decision: string } }; errors?: Array<{ message: string }> };
    // A session revoked since the token was issued is refused here, though its signature still verifies.
    if (!body.data) return { allowed: false, decision: body.errors?.[0]?.message ?? 'refused' };
    return body.data.isAuthorized;
  };

  const server = http.createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    // GET /accounts/<account>/documents/<path>
    const match = /^\/accounts\/(\d{12})\/documents\/(.+)$/.exec(req.url ?? '');
    if (req.method !== 'GET' || !match) return send(404, { error: 'not found' });
    const [, accountId, path] = match as unknown as [string, string, string];
    void (async () => {
      const caller = await verify(req.headers.authorization);
      if (!caller) return send(401, { error: 'sign in to open-iam and send its session token as a Bearer token' });
      const resource = documentArn(accountId, decodeURIComponent(path));
      const { allowed, decision } = await isAuthorized(caller.token, resource);
      if (!allowed) return send(403, { error: `${caller.claims.sub} may not ${READ_DOCUMENT} on ${resource} (${decision})` });
      const text = options.documents[accountId]?.[decodeURIComponent(path)];
      return text === undefined ? send(404, { error: 'no such document' }) : send(200, { resource, text });
    })().catch(() => send(502, { error: 'open-iam could not be reached' }));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// Run directly: serve a few documents of the tenant named by TENANT_ACCOUNT.
if (import.meta.url === `file://${process.argv[1]}`) {
  const tenant = process.env.TENANT_ACCOUNT ?? '000000000000';
  const backend = await startSaasBackend(
    { openIamUrl: process.env.OPEN_IAM_URL ?? 'http://localhost:4000', documents: { [tenant]: { 'public/welcome': 'Welcome!', 'private/plans': 'Secret plans.' } } },
    Number(process.env.PORT ?? 4100),
  );
  console.log(`SaaS backend on ${backend.url}: GET /accounts/${tenant}/documents/public/welcome with Authorization: Bearer <open-iam session token>`);
}
