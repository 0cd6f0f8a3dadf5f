// The AWS side of the end-to-end tests: an account with an administrator's key pair,
// the JS SDK's IAM and STS clients pointed at the test server, and raw signed
// Query-protocol requests for what no SDK sends (bad input, unknown actions).
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import type { HttpRequest } from '@smithy/types';
import { SignatureV4 } from '@smithy/signature-v4';
import { AttachUserPolicyDocument, CreateAccessKeyIdAndSecretDocument } from '../generated/graphql.js';
import { createUser } from './scenarios.js';
import type { TestServer } from './server.js';

/** A key pair as the SDK takes it. */
export interface KeyPair {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A new account whose IAM user `admin` has AdministratorAccess and an access key. */
export async function accountWithAdminKey(server: TestServer, name = 'Aws'): Promise<{ accountId: string; rootToken: string; admin: KeyPair }> {
  const { accountId, token } = await server.newAccount(name);
  await createUser(server, token, 'admin');
  await server.ok(AttachUserPolicyDocument, { input: { userName: 'admin', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }, token);
  const data = await server.ok(CreateAccessKeyIdAndSecretDocument, { input: { userName: 'admin' } }, token);
  return { accountId, rootToken: token, admin: data.createAccessKey.accessKey };
}

const clientConfig = (server: TestServer, credentials: KeyPair) => ({ endpoint: server.origin, region: 'us-east-1', credentials, maxAttempts: 1 });

/** The SDK's IAM client, signing with `credentials`, talking to the test server. */
export const iamClient = (server: TestServer, credentials: KeyPair): IAMClient => new IAMClient(clientConfig(server, credentials));

/** The SDK's STS client, signing with `credentials`, talking to the test server. */
export const stsClient = (server: TestServer, credentials: KeyPair): STSClient => new STSClient(clientConfig(server, credentials));

/** A Query-protocol answer: status, headers and XML text. */
export interface QueryAnswer {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * Sends `params` as a form POST to `/`, signed with `credentials` for `service` (unsigned
 * when `credentials` is null); `headers` are added after signing, and `sentBody` replaces
 * the body that was signed (a request tampered with on the way).
 */
export async function sendQuery(
  server: TestServer,
  credentials: KeyPair | null,
  params: string | Record<string, string>,
  options: { service?: string; at?: Date; headers?: Record<string, string>; sentBody?: string } = {},
): Promise<QueryAnswer> {
  const url = new URL(server.origin);
  const body = typeof params === 'string' ? params : new URLSearchParams(params).toString();
  let request: HttpRequest = {
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
    query: {},
  };
  if (credentials) {
    const signer = new SignatureV4({ service: options.service ?? 'iam', region: 'us-east-1', credentials, sha256: Hash.bind(null, 'sha256') });
    request = await signer.sign(request, options.at ? { signingDate: options.at } : {});
  }
  const response = await fetch(`${server.origin}/`, { method: 'POST', headers: { ...(request.headers as Record<string, string>), ...options.headers }, body: options.sentBody ?? body });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The text of the first `<tag>` of an XML answer. */
export function xmlText(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}
