// The playground's analysis pane in a real (headless) Chromium: an administrator signs in
// through the page, asks who can do an action (paging with "More"), what a user can do, and
// what a policy change would newly allow and deny (a truncated one too), and the page shows
// what the API answers for the same questions; a user without the analyses' permissions sees
// AccessDenied. Screenshots go to test/artifacts/ (git-ignored).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, POLL, launchChromium, skipBrowserTests } from './support/browser.js';
import { createLoginProfile, createRole, createUser, policy, trustPolicy } from './support/scenarios.js';
import { startTestServer, type TestServer } from './support/server.js';
import {
  AddUserToGroupDocument,
  CreateGroupDocument,
  ListAllowedActionsDocument,
  ListPrincipalsWithAccessDocument,
  PreviewAttachUserPolicyDocument,
  PreviewAddUserToGroupDocument,
  PreviewPutGroupPolicyDocument,
  PreviewPutRolePolicyDocument,
  PreviewPutUserPolicyDocument,
  PutGroupPolicyDocument,
  PutRolePolicyDocument,
  PutUserPolicyDocument,
} from './generated/graphql.js';

const PASSWORD = 'Analyst-Passw0rd!7';
const REPORTS = 'arn:aws:s3:::reports/*';
const Q1 = 'arn:aws:s3:::reports/q1.csv';
/** Members of a group whose preview of a Deny on `*` passes the bound on evaluations (about 24,000 pairs each, 200,000 in all). */
const CROWD = 10;

const skip = skipBrowserTests;

describe.skipIf(skip)('the playground’s analysis pane in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let root: { accountId: string; token: string };
  const pageErrors: string[] = [];
  const arn = (kind: string, name: string) => `arn:aws:iam::${root.accountId}:${kind}/${name}`;

  beforeAll(async () => {
    server = await startTestServer();
    root = await server.newAccount('Analysis pane');
    // admin: the analyses and iam:* (the previews need what their mutations need).
    // reader: reads the reports bucket, and may not run the analyses.
    await createUser(server, root.token, 'admin');
    await createLoginProfile(server, root.token, 'admin', PASSWORD);
    const analyst = policy({ Effect: 'Allow', Action: ['iam:*', 'open-iam:ListPrincipalsWithAccess', 'open-iam:ListAllowedActions'], Resource: '*' });
    await server.ok(PutUserPolicyDocument, { input: { userName: 'admin', policyName: 'analyst', policyDocument: JSON.stringify(analyst) } }, root.token);
    await createUser(server, root.token, 'reader');
    await createLoginProfile(server, root.token, 'reader', PASSWORD);
    const read = policy({ Sid: 'ReadReports', Effect: 'Allow', Action: 's3:GetObject', Resource: REPORTS });
    await server.ok(PutUserPolicyDocument, { input: { userName: 'reader', policyName: 'read-reports', policyDocument: JSON.stringify(read) } }, root.token);
    await createRole(server, root.token, 'reporter', trustPolicy({ Service: 'lambda.amazonaws.com' }));
    await server.ok(PutRolePolicyDocument, { input: { roleName: 'reporter', policyName: 'read', policyDocument: JSON.stringify(read) } }, root.token);
    await server.ok(CreateGroupDocument, { input: { groupName: 'crowd' } }, root.token);
    for (let i = 0; i < CROWD; i++) {
      await createUser(server, root.token, `member${i}`);
      await server.ok(AddUserToGroupDocument, { input: { groupName: 'crowd', userName: `member${i}` } }, root.token);
    }
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1500, height: 950 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) pageErrors.push(message.text());
    });
    await page.goto(server.url);
    await page.locator('.graphiql-container').waitFor();
    await signIn('admin');
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signIn(userName: string) {
    await page.locator('#mode').selectOption('user');
    await page.locator('#account').fill(root.accountId);
    await page.locator('#user-name').fill(userName);
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#sign-in-button').click();
    await page.locator('#signed-in').waitFor({ state: 'visible' });
    expect(await page.locator('#who').textContent()).toBe(arn('user', userName));
  }

  /** The "who can" table as [principal, type, granted by] rows. */
  const whoCanRows = () => page.locator('#who-results tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const whoCanApi = async (actionName: string, resourceArn: string) =>
    (await server.ok(ListPrincipalsWithAccessDocument, { input: { actionName, resourceArn } }, root.token)).listPrincipalsWithAccess;

  async function whoCan(action: string, resource: string) {
    await page.locator('#tab-who').click();
    await page.locator('#who-action').fill(action);
    await page.locator('#who-resource').fill(resource);
    await page.locator('#who-run').click();
  }

  it('who can: lists the principals the API lists, page by page, with the statements that grant', async () => {
    await page.locator('#analysis-toggle').click();
    await page.locator('#who-first').fill('2');
    await whoCan('s3:GetObject', Q1);
    await page.locator('#who-results table').waitFor();
    await expect.poll(async () => (await whoCanRows()).length, POLL).toBe(2);
    // The next page is of the question asked, whatever has been typed since.
    await page.locator('#who-action').fill('s3:PutObject');
    await page.locator('#who-more').click();
    await expect.poll(async () => (await whoCanRows()).length, POLL).toBe(3);
    expect(await page.locator('#who-more').count()).toBe(0);
    const api = await whoCanApi('s3:GetObject', Q1);
    const rows = await whoCanRows();
    expect(rows.map((r) => r[0])).toEqual(api.principals.map((p) => p.principalArn));
    expect(rows.map((r) => r[0])).toEqual([arn('role', 'reporter'), `arn:aws:iam::${root.accountId}:root`, arn('user', 'reader')]);
    expect(rows.map((r) => r[1])).toEqual(api.principals.map((p) => p.principalType));
    expect(rows.find((r) => r[0] === arn('user', 'reader'))).toEqual([arn('user', 'reader'), 'user', 'ReadReports in read-reports (user)']);
    expect(rows.find((r) => r[0] === arn('role', 'reporter'))![2]).toBe('ReadReports in read (role)');
    expect(rows.find((r) => r[1] === 'root')![2]).toBe('the root user (every action on its account)');
    await page.screenshot({ path: `${ARTIFACTS}playground-analysis-who-can.png` });
  });

  it('who can: the reader is not listed for an action its policy does not allow', async () => {
    await page.locator('#who-first').fill('50');
    await whoCan('s3:PutObject', Q1);
    await page.locator('#who-results table').waitFor();
    const rows = await whoCanRows();
    expect(rows.map((r) => r[0])).toEqual((await whoCanApi('s3:PutObject', Q1)).principals.map((p) => p.principalArn));
    expect(rows.map((r) => r[0])).not.toContain(arn('user', 'reader'));
    expect(rows.map((r) => r[0])).toEqual([`arn:aws:iam::${root.accountId}:root`]);
  });

  it('what can: per service, the actions the API answers for the reader on a report', async () => {
    await page.locator('#tab-what').click();
    expect(await page.locator('#analysis-who').isHidden()).toBe(true);
    // The principal starts as the signed-in caller.
    expect(await page.locator('#what-principal').inputValue()).toBe(arn('user', 'admin'));
    await page.locator('#what-principal').fill(arn('user', 'reader'));
    await page.locator('#what-resource').fill(Q1);
    await page.locator('#what-run').click();
    await page.locator('#what-results section.service').first().waitFor();
    const shown = await page.locator('#what-results section.service').evaluateAll((sections) =>
      sections.map((s) => [s.getAttribute('data-service'), [...s.querySelectorAll('li')].map((li) => li.textContent)]),
    );
    const api = (await server.ok(ListAllowedActionsDocument, { input: { principalArn: arn('user', 'reader'), resourceArn: Q1 } }, root.token)).listAllowedActions;
    expect(shown).toEqual(api.services.map((s) => [s.service, s.actions]));
    expect(shown).toEqual([['s3', ['s3:GetObject']]]);
    expect(await page.locator('#what-results h4').innerText()).toMatch(/^s3 — .+ \(1\)$/);
  });

  it("preview: putting a Deny (from the policy pane's editor) shows the reader's newly denied requests, as the API answers", async () => {
    const deny = JSON.stringify(policy({ Sid: 'NoReports', Effect: 'Deny', Action: 's3:GetObject', Resource: REPORTS }), null, 2);
    await page.locator('#policy-toggle').click();
    await page.locator('#policy-text').fill(deny);
    await page.locator('#tab-preview').click();
    await page.locator('#preview-op').selectOption('putUserPolicy');
    await page.locator('#preview-userName').fill('reader');
    await page.locator('#preview-policyName').fill('deny-reports');
    await page.locator('#preview-from-policy').click();
    expect(await page.locator('#preview-policyDocument').inputValue()).toBe(deny);
    await page.locator('#preview-run').click();
    await page.locator('#preview-results .domain').waitFor();
    const api = (await server.ok(PreviewPutUserPolicyDocument, { input: { userName: 'reader', policyName: 'deny-reports', policyDocument: deny } }, root.token)).previewPutUserPolicy;
    expect(api.principals.map((p) => p.principalArn)).toEqual([arn('user', 'reader')]);
    expect(api.principals[0]!.newlyDenied).toContainEqual({ action: 's3:GetObject', resource: REPORTS });
    const section = page.locator(`#preview-results section[data-principal-arn="${arn('user', 'reader')}"]`);
    const denied = await section.locator('.newly-denied tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(denied).toEqual(api.principals[0]!.newlyDenied.map((c) => [c.action, c.resource]));
    expect(await section.locator('.newly-allowed h5').innerText()).toBe('Newly allowed (0)');
    expect(await section.locator('.newly-allowed .empty').innerText()).toBe('Nothing newly allowed.');
    expect(await section.locator('.newly-denied h5').innerText()).toBe(`Newly denied (${api.principals[0]!.newlyDenied.length})`);
    expect(await page.locator('#preview-results .domain').innerText()).toBe(`Nothing was written. Domain: ${api.actionCount} actions × ${api.resourceCount} resources.`);
    expect(api.truncated).toBe(false);
    expect(await page.locator('#preview-results .truncated').count()).toBe(0);
    await page.screenshot({ path: `${ARTIFACTS}playground-analysis-preview.png` });
    // Nothing was written: the reader may still read the reports.
    expect((await whoCanApi('s3:GetObject', Q1)).principals.map((p) => p.principalArn)).toContain(arn('user', 'reader'));
  });

  it('preview: attaching an AWS-managed policy shows what it newly allows, and a malformed document its error code', async () => {
    const policyArn = 'arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess';
    await page.locator('#preview-op').selectOption('attachUserPolicy');
    // The user name typed for putUserPolicy is kept; the document field is gone.
    expect(await page.locator('#preview-userName').inputValue()).toBe('reader');
    expect(await page.locator('#preview-policyDocument').count()).toBe(0);
    await page.locator('#preview-policyArn').fill(policyArn);
    await page.locator('#preview-run').click();
    await page.locator('#preview-results .domain').waitFor();
    const api = (await server.ok(PreviewAttachUserPolicyDocument, { input: { userName: 'reader', policyArn } }, root.token)).previewAttachUserPolicy;
    const allowed = api.principals[0]!.newlyAllowed;
    expect(allowed).toContainEqual({ action: 's3:ListBucket', resource: '*' });
    const section = page.locator(`#preview-results section[data-principal-arn="${arn('user', 'reader')}"]`);
    expect(await section.locator('.newly-allowed h5').innerText()).toBe(`Newly allowed (${allowed.length})`);
    const rows = await section.locator('.newly-allowed tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual(allowed.slice(0, 500).map((c) => [c.action, c.resource]));
    expect(await section.locator('.more-rows').count()).toBe(allowed.length > 500 ? 1 : 0); // the page shows 500 rows at most
    expect(await section.locator('.newly-denied .empty').innerText()).toBe('Nothing newly denied.');

    await page.locator('#preview-op').selectOption('putRolePolicy');
    await page.locator('#preview-roleName').fill('reporter');
    await page.locator('#preview-policyName').fill('broken');
    await page.locator('#preview-policyDocument').fill('{"Version": "2012-10-17", "Statement": [');
    await page.locator('#preview-run').click();
    const error = page.locator('#preview-results .error');
    await error.waitFor();
    const code = (await server.gql(PreviewPutRolePolicyDocument, { input: { roleName: 'reporter', policyName: 'broken', policyDocument: '{"Version": "2012-10-17", "Statement": [' } }, root.token)).errors?.[0]?.extensions?.code;
    expect(code).toBe('MalformedPolicyDocument');
    expect(await error.getAttribute('data-code')).toBe(code);
    expect(await error.innerText()).toMatch(/^MalformedPolicyDocument: /);
  });

  it('preview: a change whose comparison passes the bound says so visibly', async () => {
    const denyAll = JSON.stringify(policy({ Effect: 'Deny', Action: '*', Resource: '*' }));
    await page.locator('#preview-op').selectOption('putGroupPolicy');
    await page.locator('#preview-groupName').fill('crowd');
    await page.locator('#preview-policyName').fill('deny-all');
    await page.locator('#preview-policyDocument').fill(denyAll);
    await page.locator('#preview-run').click();
    await page.locator('#preview-results .domain').waitFor({ timeout: 60_000 });
    const api = (await server.ok(PreviewPutGroupPolicyDocument, { input: { groupName: 'crowd', policyName: 'deny-all', policyDocument: denyAll } }, root.token)).previewPutGroupPolicy;
    expect(api.truncated).toBe(true);
    expect(await page.locator('#preview-results .truncated').innerText()).toMatch(/^Truncated: /);
    expect(await page.locator('#preview-results .domain').innerText()).toBe(`Nothing was written. Domain: ${api.actionCount} actions × ${api.resourceCount} resources.`);
    const shown = await page.locator('#preview-results section.principal-change').evaluateAll((sections) => sections.map((s) => s.getAttribute('data-principal-arn')));
    expect(shown).toEqual(api.principals.map((p) => p.principalArn));
    // The members had nothing allowed, so a Deny takes nothing away.
    expect(api.principals.every((p) => p.newlyAllowed.length === 0 && p.newlyDenied.length === 0)).toBe(true);
    // Cut short, "no change" is only what was compared.
    expect(await page.locator('#preview-results section.principal-change h4').first().innerText()).toMatch(/ — no change found$/);
    await page.screenshot({ path: `${ARTIFACTS}playground-analysis-truncated.png` });
  }, 90_000);

  it('preview: adding the reader to a group shows what the group\'s policy newly allows, as the API answers', async () => {
    await server.ok(CreateGroupDocument, { input: { groupName: 'writers' } }, root.token);
    const write = policy({ Effect: 'Allow', Action: 's3:PutObject', Resource: REPORTS });
    await server.ok(PutGroupPolicyDocument, { input: { groupName: 'writers', policyName: 'write', policyDocument: JSON.stringify(write) } }, root.token);
    await page.locator('#preview-op').selectOption('addUserToGroup');
    await page.locator('#preview-groupName').fill('writers');
    await page.locator('#preview-userName').fill('reader');
    await page.locator('#preview-run').click();
    await page.locator('#preview-results .domain').waitFor();
    const api = (await server.ok(PreviewAddUserToGroupDocument, { input: { groupName: 'writers', userName: 'reader' } }, root.token)).previewAddUserToGroup;
    expect(api.principals[0]!.newlyAllowed).toContainEqual({ action: 's3:PutObject', resource: REPORTS });
    const section = page.locator(`#preview-results section[data-principal-arn="${arn('user', 'reader')}"]`);
    const rows = await section.locator('.newly-allowed tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual(api.principals[0]!.newlyAllowed.map((c) => [c.action, c.resource]));
  });

  it('a user without the permissions sees AccessDenied with its message, and signing out clears the results', async () => {
    await page.locator('#sign-out').click();
    await page.locator('#sign-in').waitFor({ state: 'visible' });
    expect(await page.locator('#preview-results').innerHTML()).toBe('');
    expect(await page.locator('#who-results').innerHTML()).toBe('');
    await signIn('reader');
    await whoCan('s3:GetObject', Q1);
    const error = page.locator('#who-results .error');
    await error.waitFor();
    expect(await error.getAttribute('data-code')).toBe('AccessDenied');
    expect(await error.innerText()).toMatch(new RegExp(`^AccessDenied: .*${arn('user', 'reader')}.*open-iam:ListPrincipalsWithAccess`));
    await page.locator('#tab-preview').click();
    await page.locator('#preview-run').click();
    await expect.poll(() => page.locator('#preview-results .error').getAttribute('data-code'), POLL).toBe('AccessDenied');
    await page.screenshot({ path: `${ARTIFACTS}playground-analysis-denied.png` });
  });

  it('keeps no token, password or analysis in the browser’s storage, and raised no script or Content-Security-Policy errors', async () => {
    const stored = await page.evaluate(() => {
      const storages = globalThis as unknown as Record<'localStorage' | 'sessionStorage', Record<string, string>>;
      return JSON.stringify([Object.entries(storages.localStorage), Object.entries(storages.sessionStorage)]);
    });
    expect(stored).toContain('graphiql:'); // GraphiQL's queries are kept, so the storage was read
    expect(stored).not.toMatch(/eyJ[\w-]+\.eyJ/); // a JWT
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain('NoReports');
    expect(stored).not.toContain('reports/q1.csv');
    expect(pageErrors).toEqual([]);
  });
});
