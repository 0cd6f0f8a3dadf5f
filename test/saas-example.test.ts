// The worked example of README's "Authorize your own resources", run as its users would:
// examples/saas-backend/server.ts serves two tenants' documents, verifies open-iam session
// tokens with the published JWKS and asks isAuthorized for docs:ReadDocument on its own ARNs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentArn, startSaasBackend } from '../examples/saas-backend/server.js';
import { ask, policy, signedInUser } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

describe('a SaaS backend authorizing its own documents through open-iam', () => {
  let backend: { url: string; close: () => Promise<void> };
  let tenantA: string;
  let tenantB: string;
  let alice: string;
  let bob: string;
  let mallory: string;

  beforeAll(async () => {
    const a = await server.newAccount('tenant-a');
    const b = await server.newAccount('tenant-b');
    tenantA = a.accountId;
    tenantB = b.accountId;
    const readPublic = policy({ Effect: 'Allow', Action: 'docs:ReadDocument', Resource: documentArn(tenantA, 'public/*') });
    alice = (await signedInUser(server, a, 'alice', { inline: { 'read-public': readPublic } })).token;
    bob = (await signedInUser(server, a, 'bob')).token;
    // Tenant B's administrator grants its own user every document, in every account.
    mallory = (await signedInUser(server, b, 'mallory', { inline: { everything: policy({ Effect: 'Allow', Action: 'docs:*', Resource: '*' }) } })).token;
    backend = await startSaasBackend({
      openIamUrl: server.origin,
      documents: {
        [tenantA]: { 'public/welcome': 'Welcome!', 'private/plans': 'Secret plans.' },
        [tenantB]: { 'public/hello': 'Hello from B.' },
      },
    });
  });
  afterAll(async () => {
    await backend?.close();
  });

  const read = async (accountId: string, path: string, token?: string) => {
    const answer = await fetch(`${backend.url}/accounts/${accountId}/documents/${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: answer.status, body: (await answer.json()) as { text?: string; error?: string } };
  };

  it('serves a document the caller\'s policy allows', async () => {
    expect(await read(tenantA, 'public/welcome', alice)).toEqual({ status: 200, body: { resource: documentArn(tenantA, 'public/welcome'), text: 'Welcome!' } });
  });

  it('refuses a document outside the policy\'s Resource, saying why', async () => {
    const answer = await read(tenantA, 'private/plans', alice);
    expect(answer.status).toBe(403);
    expect(answer.body.error).toContain('implicitDeny');
  });

  it('refuses a user with no policy', async () => {
    expect((await read(tenantA, 'public/welcome', bob)).status).toBe(403);
  });

  it('refuses another tenant\'s user even when its own account grants it every document', async () => {
    expect((await read(tenantA, 'public/welcome', mallory)).status).toBe(403);
    expect((await read(tenantB, 'public/hello', mallory)).status).toBe(200);
    // The decision is open-iam's, not the backend's: the ARN names tenant A, so the request is
    // cross-account, and no resource-based policy of tenant A allows it.
    expect(await ask(server, mallory, 'docs:ReadDocument', documentArn(tenantA, 'public/welcome'))).toBe('implicitDeny');
    expect(await ask(server, mallory, 'docs:ReadDocument', documentArn(tenantB, 'public/hello'))).toBe('allowed');
    expect(await ask(server, mallory, 'docs:ReadDocument', 'arn:aws:docs:::document/unowned')).toBe('allowed');
  });

  it('answers 401 to a request with no token, a forged token, or a token of another issuer', async () => {
    expect((await read(tenantA, 'public/welcome')).status).toBe(401);
    const [header, payload] = alice.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), account: tenantB })).toString('base64url')}.${alice.split('.')[2]}`;
    expect((await read(tenantA, 'public/welcome', forged)).status).toBe(401);
    expect((await read(tenantA, 'public/welcome', 'not-a-jwt')).status).toBe(401);
  });
});
