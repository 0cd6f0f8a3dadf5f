// A small OpenID Provider for the edge cases of web identity federation: it serves a
// discovery document and a JWKS over HTTP on 127.0.0.1 and signs ID tokens with jose,
// and a test can rotate its keys, publish or withhold them, sign with any algorithm or
// key, or make it hang or fail. (The happy path's real flow is test/web-identity-oidc-provider.test.ts.)
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTPayload, type CryptoKey } from 'jose';

export interface IssuerKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** How the issuer answers HTTP: normally, never (a hung IdP), or with a server error. */
export type IssuerMode = 'up' | 'hang' | 'error';

export interface JoseIssuer {
  /** The issuer URL (`iss`), `http://127.0.0.1:<port>`. */
  url: string;
  /** Requests per path (`/.well-known/openid-configuration`, `/jwks`, anything else). */
  hits: Map<string, number>;
  mode: IssuerMode;
  /** The key tokens are signed with unless told otherwise; published. */
  current: IssuerKey;
  /** Keys in the JWKS. */
  published: IssuerKey[];
  /** A new key pair, not published. */
  newKey(alg?: string): Promise<IssuerKey>;
  /** Publishes a new key and makes it current (the old one stays published). */
  rotate(): Promise<IssuerKey>;
  /** An ID token: iss, iat, exp (in 10 minutes) and the given claims; `header` adds to the protected header. */
  sign(claims: JWTPayload, options?: { key?: IssuerKey; header?: Record<string, unknown>; iat?: number; exp?: number }): Promise<string>;
  close(): Promise<void>;
}

export async function newIssuerKey(alg = 'RS256'): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomUUID();
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

/** Starts an issuer on a free loopback port. */
export async function startJoseIssuer(): Promise<JoseIssuer> {
  const hanging = new Set<ServerResponse>();
  const first = await newIssuerKey();
  const issuer: JoseIssuer = {
    url: '',
    hits: new Map(),
    mode: 'up',
    current: first,
    published: [first],
    newKey: (alg) => newIssuerKey(alg),
    async rotate() {
      const key = await newIssuerKey();
      issuer.published.push(key);
      issuer.current = key;
      return key;
    },
    async sign(claims, options = {}) {
      const key = options.key ?? issuer.current;
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ ...claims })
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...options.header })
        .setIssuer(issuer.url)
        .setIssuedAt(options.iat ?? now)
        .setExpirationTime(options.exp ?? now + 600)
        .sign(key.privateKey);
    },
    async close() {
      for (const response of hanging) response.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '/';
    issuer.hits.set(path, (issuer.hits.get(path) ?? 0) + 1);
    if (issuer.mode === 'hang') {
      hanging.add(response);
      return;
    }
    if (issuer.mode === 'error') {
      response.writeHead(503).end('unavailable');
      return;
    }
    const json = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (path === '/.well-known/openid-configuration') {
      return json({ issuer: issuer.url, jwks_uri: `${issuer.url}/jwks`, id_token_signing_alg_values_supported: ['RS256', 'ES256'] });
    }
    if (path === '/jwks') return json({ keys: issuer.published.map((key) => key.publicJwk) });
    response.writeHead(404).end();
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return issuer;
}
