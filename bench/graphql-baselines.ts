// The baselines the GraphQL benchmark compares against: a bare Apollo server
// (same Apollo version, the same node:http + executeHTTPGraphQLRequest shape as
// src/http.ts, nothing else), the same bare Apollo answering listUsers(first: 20)
// with one plain `pg` query or one Prisma query, and a bare node:http handler
// answering those rows with one plain `pg` query and no GraphQL at all.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { GraphQLScalarType } from 'graphql';
import pg from 'pg';
import { createDb } from '../src/db/client.js';

export interface Baseline {
  url: string;
  close(): Promise<void>;
}

const BARE_SCHEMA = `#graphql
  type Query { getCallerIdentity: GetCallerIdentityResult! }
  type GetCallerIdentityResult { account: String! arn: String! userId: String! }
`;

const LIST_SCHEMA = `#graphql
  scalar DateTime
  type Query { listUsers(first: Int): UserConnection! }
  type UserConnection { nodes: [User!]! isTruncated: Boolean! marker: String }
  type User { userName: String! userId: String! arn: String! path: String! createDate: DateTime! }
`;

/** The columns listUsers shows, ordered and limited like listUsers(first: 20). */
const LIST_SQL = 'SELECT id, name, arn, path, "createdAt" FROM "User" WHERE "accountId" = $1 ORDER BY "nameKey" LIMIT 21';

/** Apollo with a constant getCallerIdentity, served over node:http like our server. */
export async function startBareApollo(): Promise<Baseline> {
  const identity = { account: '123456789012', arn: 'arn:aws:iam::123456789012:user/bench', userId: 'AIDAEXAMPLE' };
  return serveApollo(new ApolloServer({ typeDefs: BARE_SCHEMA, resolvers: { Query: { getCallerIdentity: () => identity } } }));
}

/**
 * Bare Apollo answering listUsers(first: 20) of one account from one query, by
 * plain `pg` or by Prisma: no authentication, no authorization, no audit, no cursors.
 */
export async function startApolloList(connectionString: string, accountId: string, via: 'pg' | 'prisma'): Promise<Baseline> {
  type Row = { userName: string; userId: string; arn: string; path: string; createDate: Date };
  let fetchRows: () => Promise<Row[]>;
  let release: () => Promise<void>;
  if (via === 'pg') {
    const pool = new pg.Pool({ connectionString, max: 10 });
    fetchRows = async () => (await pool.query(LIST_SQL, [accountId])).rows.map((r) => ({ userName: r.name, userId: r.id, arn: r.arn, path: r.path, createDate: r.createdAt }));
    release = () => pool.end();
  } else {
    const db = createDb(connectionString);
    fetchRows = async () =>
      (await db.user.findMany({ where: { accountId }, orderBy: { nameKey: 'asc' }, take: 21 })).map((u) => ({ userName: u.name, userId: u.id, arn: u.arn, path: u.path, createDate: u.createdAt }));
    release = () => db.$disconnect();
  }
  const resolvers = {
    DateTime: new GraphQLScalarType({ name: 'DateTime', serialize: (value) => (value as Date).toISOString() }),
    Query: {
      listUsers: async () => {
        const rows = await fetchRows();
        return { nodes: rows.slice(0, 20), isTruncated: rows.length > 20, marker: null };
      },
    },
  };
  const served = await serveApollo(new ApolloServer({ typeDefs: LIST_SCHEMA, resolvers }));
  return { url: served.url, close: async () => (await served.close(), await release()) };
}

async function serveApollo(apollo: ApolloServer): Promise<Baseline> {
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
        .query(LIST_SQL, [accountId])
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
