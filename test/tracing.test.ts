// Traces as an operator gets them: src/main.ts started with OTEL_EXPORTER_OTLP_ENDPOINT
// sends OpenTelemetry spans over OTLP/HTTP to a small receiver here: each request's HTTP
// span carries its operation, caller, account and authorization decision, with GraphQL's
// and pg's spans in the same trace. No variable value reaches a span.
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateAccountDocument, ListAccountAliasesDocument, SignInDocument } from './generated/graphql.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { textOf, type GraphQLResponse } from './support/server.js';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

const OPERATOR = 'tracing-operator-token-0123456789';
const PASSWORD = 'Traced-Passw0rd-x!';

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; boolValue?: boolean; intValue?: string | number; arrayValue?: { values: Array<{ stringValue?: string }> } };
}
interface OtlpSpan {
  traceId: string;
  name: string;
  attributes: OtlpAttribute[];
}
interface OtlpExport {
  resourceSpans: Array<{ resource: { attributes: OtlpAttribute[] }; scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }>;
}

/** The spans received, with their instrumentation scope. */
const received: Array<OtlpSpan & { scope: string; service: string }> = [];
let receiver: http.Server;
let child: ChildProcess | undefined;
let database: TestDatabase;
let url = '';
let output = '';

function attribute(span: OtlpSpan, key: string): unknown {
  const value = span.attributes.find((a) => a.key === key)?.value;
  if (!value) return undefined;
  if (value.arrayValue) return value.arrayValue.values.map((v) => v.stringValue);
  return value.stringValue ?? value.boolValue ?? value.intValue;
}

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url === '/v1/traces' && /json/.test(req.headers['content-type'] ?? '')) {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as OtlpExport;
        for (const resource of body.resourceSpans) {
          const service = String(resource.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue);
          for (const scope of resource.scopeSpans) for (const span of scope.spans) received.push({ ...span, scope: scope.scope.name, service });
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  database = await createTestDatabase();
  const port = await freePort();
  url = `http://127.0.0.1:${port}/graphql`;
  const { NODE_ENV: _test, ...env } = process.env;
  child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], {
    env: {
      ...env,
      DATABASE_URL: database.url,
      PORT: String(port),
      IAM_OPERATOR_TOKEN: OPERATOR,
      LOG_LEVEL: 'info',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
      OTEL_SERVICE_NAME: 'open-iam-under-test',
      // Spans leave within a tenth of a second rather than the default five.
      OTEL_BSP_SCHEDULE_DELAY: '100',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('open-iam listening')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child!.stdout!.on('data', onData);
    child!.stderr!.on('data', onData);
    child!.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}, 120_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
  await database?.drop();
});

/** A port nothing listens on now (the system's choice), for the server to take. */
async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function gql<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token?: string): Promise<GraphQLResponse<TResult>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: textOf(document), variables }),
  });
  return (await response.json()) as GraphQLResponse<TResult>;
}

/** Waits until a received span satisfies `test` (spans leave in batches). */
async function spanWhere(test: (span: (typeof received)[number]) => boolean): Promise<(typeof received)[number]> {
  for (let i = 0; i < 100; i++) {
    const found = received.find(test);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no such span among ${received.length}: ${received.map((s) => s.name).join(', ')}\n${output}`);
}

describe('traces over OTLP/HTTP', () => {
  it('sends a span per request with its operation, caller, account and authorization decision, and GraphQL and pg spans beneath', async () => {
    const created = await gql(CreateAccountDocument, { input: { accountName: 'Traced', email: 'traced@example.com', password: PASSWORD } }, OPERATOR);
    expect(created.errors).toBeUndefined();
    const accountId = created.data!.createAccount.accountId;
    const token = (await gql(SignInDocument, { input: { email: 'traced@example.com', password: PASSWORD } })).data!.signIn.sessionToken;
    expect((await gql(ListAccountAliasesDocument, {}, token)).errors).toBeUndefined();

    const request = await spanWhere((span) => span.scope.includes('instrumentation-http') && (attribute(span, 'iam.operations') as string[] | undefined)?.[0] === 'listAccountAliases');
    expect(request.service).toBe('open-iam-under-test');
    expect(attribute(request, 'iam.decision')).toBe('allowed');
    expect(attribute(request, 'iam.principal')).toBe(`arn:aws:iam::${accountId}:root`);
    expect(attribute(request, 'iam.account')).toBe(accountId);
    expect(attribute(request, 'iam.outcome')).toBe('ok');
    const graphql = await spanWhere((span) => span.traceId === request.traceId && span.scope.includes('instrumentation-graphql'));
    expect(graphql.name).toMatch(/graphql/);
    const signIn = await spanWhere((span) => span.scope.includes('instrumentation-http') && (attribute(span, 'iam.operations') as string[] | undefined)?.[0] === 'signIn');
    await spanWhere((span) => span.traceId === signIn.traceId && span.scope.includes('instrumentation-pg'));
    // Neither the password nor the token travels in a span.
    const everything = JSON.stringify(received);
    expect(everything.includes(PASSWORD)).toBe(false);
    expect(everything.includes(token)).toBe(false);
    expect(everything.includes(OPERATOR)).toBe(false);
  });
});
