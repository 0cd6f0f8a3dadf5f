// The playground in a real (headless) Chromium: the page and all its assets come
// from this server, the sign-in panel signs root in and out, GraphiQL sends the
// session's token, and a denied call shows AccessDenied. Screenshots go to
// test/artifacts/ (git-ignored).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, POLL, launchChromium, skipBrowserTests } from './support/browser.js';
import { CreateAccessKeyDocument, CreateOpenIDConnectProviderDocument, GetCallerIdentityArnDocument } from './generated/graphql.js';
import { type JoseIssuer, startJoseIssuer } from './support/jose-issuer.js';
import { createLoginProfile, createRole, createUser, policy } from './support/scenarios.js';
import { ROOT_PASSWORD, startTestServer, type TestServer } from './support/server.js';

const INTERN_PASSWORD = 'Trainee-Passw0rd!7';

const skip = skipBrowserTests;
if (skip) console.warn('playground.browser.test.ts skipped: no `chromium` on PATH (apt-get install -y chromium). In CI this fails.');

describe.skipIf(skip)('the playground in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let root: { accountId: string; email: string; token: string };
  let internKey: { accessKeyId: string; secretAccessKey: string };
  const requested: URL[] = [];
  const graphqlRequests: Array<{ body: string; authorization: string | undefined }> = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    // Loopback http issuers, for the web identity sign-in's test issuer.
    server = await startTestServer({ IAM_OIDC_ALLOW_HTTP_LOOPBACK: 'true' });
    root = await server.newAccount('Playground');
    await createUser(server, root.token, 'intern');
    await createLoginProfile(server, root.token, 'intern', INTERN_PASSWORD);
    internKey = (await server.ok(CreateAccessKeyDocument, { input: { userName: 'intern' } }, root.token)).createAccessKey.accessKey;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) pageErrors.push(message.text());
    });
    page.on('request', (request) => {
      requested.push(new URL(request.url()));
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') {
        graphqlRequests.push({ body: request.postData() ?? '', authorization: request.headers().authorization });
      }
    });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const responseText = () => page.locator('.graphiql-response').innerText();
  /** The signed-in ARN once the panel shows a session (or the panel's error, to fail with it). */
  const signedInAs = async () => ((await page.locator('#signed-in').isVisible()) ? page.locator('#who').textContent() : `not signed in: ${await page.locator('#status').textContent()}`);
  const run = async () => {
    const before = graphqlRequests.length;
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => graphqlRequests.length, POLL).toBeGreaterThan(before);
  };

  it('serves GraphiQL from this server to a browser asking /graphql for HTML', async () => {
    const response = await page.goto(server.url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.locator('.graphiql-container').waitFor();
    await expect.poll(() => page.locator('#examples option').count(), POLL).toBeGreaterThan(20);
    // GraphiQL's own introspection query loaded the schema (the Docs panel and completion need it).
    await expect.poll(() => graphqlRequests.some((r) => r.body.includes('IntrospectionQuery')), POLL).toBe(true);
    await page.waitForTimeout(300);
    expect(await responseText()).not.toMatch(/exceeds the limit|error/i);
    // API clients asking for JSON still get GraphQL.
    const api = await fetch(`${server.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('signs root in and shows who is signed in and when the session expires', async () => {
    await page.locator('#mode').selectOption('root');
    await page.locator('#email').fill(root.email);
    await page.locator('#password').fill(ROOT_PASSWORD);
    await page.locator('#sign-in-button').click();
    await expect.poll(signedInAs, POLL).toBe(`arn:aws:iam::${root.accountId}:root`);
    const expires = await page.locator('#expires').getAttribute('datetime');
    const remaining = new Date(expires!).getTime() - Date.now();
    expect(remaining).toBeGreaterThan(50 * 60_000);
    expect(remaining).toBeLessThanOrEqual(3600_000);
    expect(await page.locator('#expires').textContent()).toMatch(/in (59|60) min/);
  });

  it('runs getCallerIdentity through GraphiQL with the session token', async () => {
    await run();
    await expect.poll(responseText, POLL).toContain(`arn:aws:iam::${root.accountId}:root`);
    const sent = graphqlRequests.at(-1)!;
    expect(sent.body).toContain('getCallerIdentity');
    expect(sent.authorization).toMatch(/^Bearer ey/);
    await page.screenshot({ path: `${ARTIFACTS}playground-root.png` });
  });

  it('signs out: the token is revoked on the server and forgotten by the page', async () => {
    const token = graphqlRequests.at(-1)!.authorization!.slice('Bearer '.length);
    await page.locator('#sign-out').click();
    await page.locator('#sign-in').waitFor({ state: 'visible' });
    await expect.poll(() => graphqlRequests.some((r) => r.body.includes('PlaygroundSignOut')), POLL).toBe(true);
    await expect.poll(async () => (await server.gql(GetCallerIdentityArnDocument, {}, token)).errors?.[0]?.extensions?.code, POLL).toBeTruthy();
    await run();
    expect(graphqlRequests.at(-1)!.authorization).toBeUndefined();
  });

  it('signs in with an access key through getSessionToken', async () => {
    await page.locator('#mode').selectOption('key');
    await page.locator('#access-key-id').fill(internKey.accessKeyId);
    await page.locator('#secret-access-key').fill(internKey.secretAccessKey);
    await page.locator('#sign-in-button').click();
    await expect.poll(signedInAs, POLL).toBe(`arn:aws:iam::${root.accountId}:user/intern`);
    expect(graphqlRequests.some((r) => r.body.includes('getSessionToken'))).toBe(true);
    await page.locator('#sign-out').click();
    await page.locator('#sign-in').waitFor({ state: 'visible' });
  });

  it('signs in with a web identity token through assumeRoleWithWebIdentity', async () => {
    const issuer: JoseIssuer = await startJoseIssuer();
    try {
      const provider = (await server.ok(CreateOpenIDConnectProviderDocument, { input: { url: issuer.url, clientIDList: ['playground'] } }, root.token)).createOpenIDConnectProvider;
      const role = await createRole(server, root.token, 'PlaygroundWeb', policy({ Effect: 'Allow', Principal: { Federated: provider.openIDConnectProviderArn }, Action: 'sts:AssumeRoleWithWebIdentity' }));
      await page.locator('#mode').selectOption('web');
      await page.locator('#web-role-arn').fill(role.arn);
      await page.locator('#web-session-name').fill('web-user');
      await page.locator('#web-identity-token').fill(await issuer.sign({ sub: 'web-user', aud: 'playground' }));
      await page.locator('#sign-in-button').click();
      await expect.poll(signedInAs, POLL).toBe(`arn:aws:sts::${root.accountId}:assumed-role/PlaygroundWeb/web-user`);
      expect(await page.locator('#web-identity-token').inputValue()).toBe('');
      await page.locator('#sign-out').click();
      await page.locator('#sign-in').waitFor({ state: 'visible' });
    } finally {
      await issuer.close();
    }
  });

  it('signs in an IAM user with no policies, whose createUser is denied', async () => {
    await page.locator('#mode').selectOption('user');
    await page.locator('#account').fill(root.accountId);
    await page.locator('#user-name').fill('intern');
    await page.locator('#password').fill(INTERN_PASSWORD);
    await page.locator('#sign-in-button').click();
    await expect.poll(signedInAs, POLL).toBe(`arn:aws:iam::${root.accountId}:user/intern`);
    // The tour's "Create the user alice" step, picked from the examples list.
    const option = page.locator('#examples option', { hasText: 'Create the user alice' });
    await page.locator('#examples').selectOption((await option.getAttribute('value'))!);
    await expect.poll(() => page.locator('#example-note').textContent(), POLL).toContain('aws iam create-user');
    await page.locator('.graphiql-container').waitFor();
    await run();
    await expect.poll(responseText, POLL).toContain('AccessDenied');
    expect(graphqlRequests.at(-1)!.body).toContain('createUser');
    await page.screenshot({ path: `${ARTIFACTS}playground-denied.png` });
  });

  it('keeps no password, secret or header typed into GraphiQL in browser storage, across a reload', async () => {
    const typedPassword = 'Typed-Secret-Passw0rd!9';
    const typedHeader = 'Bearer typed-header-secret-42';
    // (Expressions as text: this project's TypeScript has no DOM library.)
    const storageText = () => page.evaluate<string>('JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } })');
    const shownEditor = () => page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror');
    const typeInto = async (tab: 'Variables' | 'Headers', text: string) => {
      await page.locator('.graphiql-editor-tools').getByRole('button', { name: tab }).click();
      await shownEditor().click();
      await page.keyboard.press('Control+A');
      await page.keyboard.type(text);
      await expect.poll(() => shownEditor().innerText(), POLL).toContain(text.slice(10));
    };
    await typeInto('Variables', `"input": { "userName": "bob", "password": "${typedPassword}" }`);
    await typeInto('Headers', `"authorization": "${typedHeader}"`);
    // The query is what the browser keeps: proof that GraphiQL does write there.
    await page.locator('.graphiql-query-editor .CodeMirror').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n# kept-query-marker\n');
    await expect.poll(storageText, POLL).toContain('kept-query-marker');
    expect(await storageText()).not.toContain(typedPassword);
    expect(await storageText()).not.toContain('typed-header-secret');
    await page.reload();
    await page.locator('.graphiql-container').waitFor();
    expect(await page.locator('.graphiql-query-editor').innerText()).toContain('kept-query-marker');
    const after = await storageText();
    expect(after).not.toContain(typedPassword);
    expect(after).not.toContain('typed-header-secret');
    // The reload signed the page out: the session token never was in storage either.
    expect(after).not.toMatch(/eyJ[\w-]{20,}/);
  });

  it('raised no script errors and no Content-Security-Policy violations', () => {
    expect(pageErrors).toEqual([]);
  });

  it('loaded nothing from any other host', () => {
    expect(requested.length).toBeGreaterThan(5);
    const origins = new Set(requested.filter((u) => u.protocol !== 'data:').map((u) => u.hostname));
    expect([...origins]).toEqual(['127.0.0.1']);
  });
});

// As under NODE_ENV=production: introspection off, so GraphiQL's schema request is refused.
describe.skipIf(skip)('the playground on a server that does not publish its schema', () => {
  let server: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    server = await startTestServer({ IAM_INTROSPECTION: 'false' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('says in the Docs panel why it is empty before sign-in, and loads the schema once signed in', async () => {
    const root = await server.newAccount('Docs');
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.locator('.graphiql-container').waitFor();
    await expect.poll(() => page.locator('#status').textContent(), POLL).toContain('sign in above');
    await page.getByRole('button', { name: /Documentation Explorer/ }).click();
    await page.locator('.graphiql-doc-explorer-error').waitFor();
    const said = await page.evaluate<string>(`getComputedStyle(document.querySelector('.graphiql-doc-explorer-error'), '::after').content`);
    expect(said).toContain('signed-in callers only');
    expect(said).toContain('IAM_INTROSPECTION=true');
    await page.screenshot({ path: `${ARTIFACTS}playground-docs-off.png` });
    await page.locator('#mode').selectOption('root');
    await page.locator('#email').fill(root.email);
    await page.locator('#password').fill(ROOT_PASSWORD);
    await page.locator('#sign-in-button').click();
    await page.locator('#signed-in').waitFor({ state: 'visible' });
    // GraphiQL asked for the schema again with the session's token: the Docs panel lists the root types.
    if (!(await page.locator('.graphiql-doc-explorer').isVisible())) await page.getByRole('button', { name: /Documentation Explorer/ }).click();
    await expect.poll(() => page.locator('.graphiql-doc-explorer').innerText(), POLL).toContain('Query');
    expect(await page.locator('.graphiql-doc-explorer-error').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}playground-docs-signed-in.png` });
    await page.close();
  });
});

// The routes themselves, without a browser (these run everywhere).
describe('the playground routes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('serves the page only to a GET asking for HTML; API clients still reach GraphQL', async () => {
    const page = await fetch(server.url, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('/playground/assets/graphiql.min.js');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    const api = await fetch(server.url, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('serves each asset with its content type, and nothing else under the prefix', async () => {
    const types: Record<string, string> = {
      'graphiql.min.js': 'text/javascript; charset=utf-8',
      'graphiql.min.css': 'text/css; charset=utf-8',
      'react.production.min.js': 'text/javascript; charset=utf-8',
      'react-dom.production.min.js': 'text/javascript; charset=utf-8',
      'playground.js': 'text/javascript; charset=utf-8',
      'playground.css': 'text/css; charset=utf-8',
      'tour.json': 'application/json; charset=utf-8',
    };
    for (const [name, type] of Object.entries(types)) {
      const response = await fetch(`${server.origin}/playground/assets/${name}`);
      expect(response.status, name).toBe(200);
      expect(response.headers.get('content-type'), name).toBe(type);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect((await response.arrayBuffer()).byteLength, name).toBeGreaterThan(100);
    }
    for (const path of ['..%2F..%2Fpackage.json', '%2e%2e/%2e%2e/package.json', 'graphiql.min.js.map', 'constructor', '__proto__', '']) {
      expect((await fetch(`${server.origin}/playground/assets/${path}`)).status, path).toBe(404);
    }
  });

  it('lists the tour steps as examples', async () => {
    const examples = (await (await fetch(`${server.origin}/playground/assets/tour.json`)).json()) as Array<{ title: string; as: string; query: string }>;
    expect(examples.length).toBeGreaterThan(20);
    expect(examples[0]).toMatchObject({ as: 'operator' });
    expect(examples.map((e) => e.title)).toContain('3. Create the user alice');
  });
});
