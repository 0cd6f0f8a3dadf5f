// The baselines the GraphQL benchmark compares against: a bare Apollo server
// (same Apollo version, the same node:http + executeHTTPGraphQLRequest shape as
// src/http.ts, nothing else), and a bare node:http handler answering the rows of
// listUsers(first: 20) with one plain `pg` query.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import pg from 'pg';

export interface Baseline {
  url: string;
  close(): Promise<void>;
}

const BARE_SCHEMA = `#graphql
  type Query { getCallerIdentity: GetCallerIdentityResult! }
  type GetCallerIdentityResult { account: String! arn: String! userId: String! }
`;

/** Apollo with a constant getCallerIdentity, served over node:http like our server. */
export async function startBareApollo(): Promise<Baseline> {
  const identity = { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/bench', userId: 'AIDAEXAMPLE' };
  const apollo = new ApolloServer({ typeDefs: BARE_SCHEMA, resolvers: { Query: { getCallerIdentity: () => identity } } });
  await apollo.start();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(req.headers)) if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
        const raw = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://localhost');
        const response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method!, headers, search: url.search, body: raw ? JSON.parse(raw) : undefined },
          context: async () => ({}),
        });
        for (const [key, value] of response.headers) res.setHeader(key, value);
        res.statusCode = response.status ?? 200;
        res.end(response.body.kind === 'complete' ? response.body.string : '');
      })();
    });
  });
  const url = await listen(server);
  return { url: `${url}/graphql`, close: async () => (await apollo.stop(), await closeServer(server)) };
}

/** The 20 first users of an account by name, straight from Postgres, as JSON. */
export async function startRawPgList(connectionString: string, accountId: string): Promise<Baseline> {
  const pool = new pg.Pool({ connectionString, max: 10 });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      pool
        .query('SELECT id, name, arn, path, "createdAt" FROM "User" WHERE "accountId" = $1 ORDER BY "nameKey" LIMIT 21', [accountId])
        .then(({ rows }) => {
          const nodes = rows.slice(0, 20).map((r) => ({ userName: r.name, userId: r.id, arn: r.arn, path: r.path, createDate: r.createdAt.toISOString() }));
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ data: { listUsers: { nodes, isTruncated: rows.length > 20 } } }));
        })
        .catch(() => {
          res.statusCode = 500;
          res.end();
        });
    });
  });
  const url = await listen(server);
  return { url, close: async () => (await closeServer(server), await pool.end()) };
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
