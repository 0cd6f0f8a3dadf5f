// The playground's policy pane in a real (headless) Chromium: an IAM user signs in,
// opens the pane, sees validatePolicy's findings inline as the document changes
// (clicking one selects the text it is about), formats the JSON, and simulates the
// document as themselves. Screenshots go to test/artifacts/ (git-ignored).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, POLL, launchChromium, skipBrowserTests } from './support/browser.js';
import { createLoginProfile, createUser, policy } from './support/scenarios.js';
import { startTestServer, type TestServer } from './support/server.js';
import { PutUserPolicyDocument } from './generated/graphql.js';

const PASSWORD = 'Writer-Passw0rd!7';

const skip = skipBrowserTests;

describe.skipIf(skip)('the playground’s policy pane in a browser', () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let accountId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    const root = await server.newAccount('Policy pane');
    accountId = root.accountId;
    await createUser(server, root.token, 'author');
    await createLoginProfile(server, root.token, 'author', PASSWORD);
    const authoring = policy(
      { Effect: 'Allow', Action: 'access-analyzer:ValidatePolicy', Resource: '*' },
      { Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: `arn:aws:iam::${accountId}:user/author` },
    );
    await server.ok(PutUserPolicyDocument, { input: { userName: 'author', policyName: 'authoring', policyDocument: JSON.stringify(authoring) } }, root.token);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) pageErrors.push(message.text());
    });
    await page.goto(server.url);
    await page.locator('.graphiql-container').waitFor();
    await page.locator('#mode').selectOption('user');
    await page.locator('#account').fill(accountId);
    await page.locator('#user-name').fill('author');
    await page.locator('#password').fill(PASSWORD);
    await page.locator('#sign-in-button').click();
    await page.locator('#signed-in').waitFor({ state: 'visible' });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const editor = () => page.locator('#policy-text');
  const issueCodes = () => page.locator('#policy-findings .finding').evaluateAll((items) => items.map((i) => i.getAttribute('data-issue-code')));

  it('opens with an example whose unknown action is an inline finding; clicking it selects the action', async () => {
    await page.locator('#policy-toggle').click();
    await expect.poll(issueCodes, POLL).toEqual(['INVALID_ACTION']);
    const finding = page.locator('#policy-findings .finding.ERROR');
    expect(await finding.innerText()).toMatch(/INVALID_ACTION line 9, column 9\s+The action s3:GetObjekt does not exist\. learn more/);
    expect(await finding.locator('a').getAttribute('href')).toBe(
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action',
    );
    await finding.locator('code').click();
    const selected = await editor().evaluate((el) => {
      const area = el as unknown as { value: string; selectionStart: number; selectionEnd: number };
      return area.value.slice(area.selectionStart, area.selectionEnd);
    });
    expect(selected).toBe('"s3:GetObjekt"');
    await page.screenshot({ path: `${ARTIFACTS}playground-policy-findings.png` });
  });

  it('locates a JSON syntax error as it is typed, and formats the document once it is JSON', async () => {
    await editor().fill('{"Version": "2012-10-17",\n"Statement": {"Effect": "Allow" "Action": "s3:GetObject", "Resource": "*"}}');
    await expect.poll(issueCodes, POLL).toEqual(['JSON_SYNTAX_ERROR']);
    expect(await page.locator('#policy-findings .finding').innerText()).toContain('line 2, column 33');
    await editor().fill('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}');
    await expect.poll(() => page.locator('#policy-findings .finding.clean').count(), POLL).toBe(1);
    await page.locator('#policy-format').click();
    expect(await editor().inputValue()).toBe(JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' } }, null, 2));
  });

  it('simulates the document as the signed-in user', async () => {
    await editor().fill(JSON.stringify(policy({ Sid: 'ReadReports', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }), null, 2));
    await page.locator('#sim-actions').fill('s3:GetObject, s3:PutObject');
    await page.locator('#sim-resources').fill('arn:aws:s3:::reports/q1.csv');
    await page.locator('#simulate').click();
    await page.locator('#sim-results table').waitFor();
    const rows = await page.locator('#sim-results tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual([
      ['s3:GetObject', 'arn:aws:s3:::reports/q1.csv', 'allowed', 'ReadReports in PolicyInputList.1 (line 4)'],
      ['s3:PutObject', 'arn:aws:s3:::reports/q1.csv', 'implicitDeny', ''],
    ]);
    expect(await page.locator('#sim-results p').innerText()).toContain(`As arn:aws:iam::${accountId}:user/author`);
    await page.screenshot({ path: `${ARTIFACTS}playground-policy-simulation.png` });
  });

  it('raised no script errors and no Content-Security-Policy violations', () => {
    expect(pageErrors).toEqual([]);
  });
});
