// IAM roles over HTTP: the tutorial's AppServerRole, every AWS error on bad
// input (names, paths, durations, trust policies), duplicates under concurrency,
// updates, deletion conflicts, tags, pagination and tenant isolation.
import { describe, expect, it } from 'vitest';
import {
  AddRoleToInstanceProfileDocument,
  CreateInstanceProfileDocument,
  CreateRoleDetailsDocument,
  DeleteRoleDocument,
  GetRoleDetailsDocument,
  ListRolesDocument,
  ListRoleTagsDocument,
  RemoveRoleFromInstanceProfileDocument,
  TagRoleDocument,
  UntagRoleDocument,
  UpdateAssumeRolePolicyDocument,
  UpdateRoleDescriptionDocument,
  UpdateRoleDocument,
  type CreateRoleInput,
  type ListRolesQuery,
} from './generated/graphql.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const trustWith = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });

async function createRole(token: string, input: Omit<CreateRoleInput, 'assumeRolePolicyDocument'>) {
  const data = await server.ok(CreateRoleDetailsDocument, { input: { assumeRolePolicyDocument: EC2_TRUST, ...input } }, token);
  return data.createRole.role;
}

async function getRole(token: string, roleName: string) {
  return (await server.ok(GetRoleDetailsDocument, { input: { roleName } }, token)).getRole.role;
}

const createCode = (token: string, input: Partial<CreateRoleInput>) =>
  server.errorCode(CreateRoleDetailsDocument, { input: { roleName: 'r', assumeRolePolicyDocument: EC2_TRUST, ...input } }, token);

const policyEpoch = async (accountId: string) => (await server.db.account.findUniqueOrThrow({ where: { id: accountId } })).policyEpoch;

describe('createRole', () => {
  it('creates AppServerRole trusted by ec2.amazonaws.com with AWS defaults', async () => {
    const { accountId, token } = await server.newAccount();
    const role = await createRole(token, { roleName: 'AppServerRole' });
    expect(role).toMatchObject({
      roleName: 'AppServerRole',
      arn: `arn:aws:iam::${accountId}:role/AppServerRole`,
      path: '/',
      description: null,
      maxSessionDuration: 3600,
      assumeRolePolicyDocument: EC2_TRUST,
      permissionsBoundary: null,
      roleLastUsed: { lastUsedDate: null, region: null },
      tags: [],
    });
    expect(role.roleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(Date.parse(role.createDate)).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.parse(role.assumeRolePolicyDocument).Statement[0].Principal).toEqual({ Service: 'ec2.amazonaws.com' });
  });

  it('stores path, description, maximum session duration, boundary and tags given at creation', async () => {
    const { accountId, token } = await server.newAccount();
    const boundary = 'arn:aws:iam::aws:policy/PowerUserAccess';
    const role = await createRole(token, {
      roleName: 'batch',
      path: '/application/jobs/',
      description: 'Runs nightly jobs',
      maxSessionDuration: 43200,
      permissionsBoundary: boundary,
      tags: [{ key: 'team', value: 'data' }, { key: 'Cost', value: '' }],
    });
    expect(role).toMatchObject({
      arn: `arn:aws:iam::${accountId}:role/application/jobs/batch`,
      path: '/application/jobs/',
      description: 'Runs nightly jobs',
      maxSessionDuration: 43200,
      permissionsBoundary: { permissionsBoundaryType: 'PermissionsBoundaryPolicy', permissionsBoundaryArn: boundary },
      tags: [{ key: 'Cost', value: '' }, { key: 'team', value: 'data' }],
    });
  });

  it('accepts a 64-character name and refuses 65 characters with ValidationError', async () => {
    const { token } = await server.newAccount();
    await createRole(token, { roleName: 'r'.repeat(64) });
    const result = await server.gql(CreateRoleDetailsDocument, { input: { roleName: 'r'.repeat(65), assumeRolePolicyDocument: EC2_TRUST } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('ValidationError');
    expect(result.errors?.[0]?.message).toContain("at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64");
  });

  it.each([
    ['an empty name', { roleName: '' }],
    ['a name with a space', { roleName: 'app server' }],
    ['a name with a slash', { roleName: 'app/server' }],
    ['a path without slashes', { path: 'application' }],
    ['a path without the trailing slash', { path: '/application' }],
    ['a path with a space', { path: '/my app/' }],
    ['a maximum session duration of 3599 seconds', { maxSessionDuration: 3599 }],
    ['a maximum session duration of 43201 seconds', { maxSessionDuration: 43201 }],
    ['a description of 1001 characters', { description: 'd'.repeat(1001) }],
    ['a tag key of 129 characters', { tags: [{ key: 'k'.repeat(129), value: 'v' }] }],
    ['an empty trust policy', { assumeRolePolicyDocument: '' }],
  ])('refuses %s with ValidationError', async (_name, input) => {
    const { token } = await server.newAccount();
    expect(await createCode(token, input)).toBe('ValidationError');
  });

  it('names the parameter and AWS bound in the maxSessionDuration error', async () => {
    const { token } = await server.newAccount();
    const low = await server.gql(CreateRoleDetailsDocument, { input: { roleName: 'r', assumeRolePolicyDocument: EC2_TRUST, maxSessionDuration: 3599 } }, token);
    expect(low.errors?.[0]?.message).toBe(
      "1 validation error detected: Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    );
    const high = await server.gql(CreateRoleDetailsDocument, { input: { roleName: 'r', assumeRolePolicyDocument: EC2_TRUST, maxSessionDuration: 43201 } }, token);
    expect(high.errors?.[0]?.message).toContain('Member must have value less than or equal to 43200');
  });

  it.each([
    ['without a Principal', trustWith({ Effect: 'Allow', Action: 'sts:AssumeRole' })],
    ['that is not JSON', '{"Version": "2012-10-17", "Statement": ['],
    ['naming a non-STS action', trustWith({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 's3:GetObject' })],
    ['with a Resource element', trustWith({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Resource: '*' })],
    ['with an unknown Effect', trustWith({ Effect: 'Maybe', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' })],
  ])('refuses a trust policy %s with MalformedPolicyDocument', async (_name, document) => {
    const { token } = await server.newAccount();
    expect(await createCode(token, { roleName: 'bad-trust', assumeRolePolicyDocument: document })).toBe('MalformedPolicyDocument');
    expect(await server.errorCode(GetRoleDetailsDocument, { input: { roleName: 'bad-trust' } }, token)).toBe('NoSuchEntity');
  });

  it('refuses a trust policy over 2,048 characters with LimitExceeded', async () => {
    const { token } = await server.newAccount();
    const services = Array.from({ length: 120 }, (_, i) => `service${i}.amazonaws.com`);
    const document = trustWith({ Effect: 'Allow', Principal: { Service: services }, Action: 'sts:AssumeRole' });
    expect(await createCode(token, { assumeRolePolicyDocument: document })).toBe('LimitExceeded');
  });

  it('refuses a duplicate name case-insensitively with EntityAlreadyExists', async () => {
    const { token } = await server.newAccount();
    await createRole(token, { roleName: 'AppServerRole' });
    const result = await server.gql(CreateRoleDetailsDocument, { input: { roleName: 'appserverrole', assumeRolePolicyDocument: EC2_TRUST } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
    expect(result.errors?.[0]?.message).toBe('Role with name appserverrole already exists.');
  });

  it('lets exactly one of several concurrent creates of the same name succeed', async () => {
    const { token } = await server.newAccount();
    const names = ['Racer', 'racer', 'RACER', 'rAcEr', 'Racer'];
    const results = await Promise.all(
      names.map((roleName) => server.gql(CreateRoleDetailsDocument, { input: { roleName, assumeRolePolicyDocument: EC2_TRUST, tags: [{ key: 'k', value: roleName }] } }, token)),
    );
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'EntityAlreadyExists').length).toBe(names.length - 1);
    const list = await server.ok(ListRolesDocument, {}, token);
    expect(list.listRoles.nodes.length).toBe(1);
  });

  it('holds the quota of 1,000 roles per account under concurrent creates', async () => {
    const { accountId, token } = await server.newAccount();
    await server.db.role.createMany({
      data: Array.from({ length: 999 }, (_, i) => ({
        id: `AROASEEDED${String(i).padStart(11, '0')}`,
        accountId,
        name: `seeded${i}`,
        nameKey: `seeded${i}`,
        arn: `arn:aws:iam::${accountId}:role/seeded${i}`,
        assumeRolePolicy: EC2_TRUST,
      })),
    });
    const results = await Promise.all(['last-a', 'last-b', 'last-c'].map((roleName) => server.gql(CreateRoleDetailsDocument, { input: { roleName, assumeRolePolicyDocument: EC2_TRUST } }, token)));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    const refused = results.filter((r) => r.errors);
    expect(refused.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['LimitExceeded', 'LimitExceeded']);
    expect(refused[0]!.errors?.[0]?.message).toBe('Cannot exceed quota for RolesPerAccount: 1000');
    expect(await server.db.role.count({ where: { accountId } })).toBe(1000);
  });

  it('refuses a permissions boundary that does not exist with NoSuchEntity and leaves no role behind', async () => {
    const { accountId, token } = await server.newAccount();
    const code = await createCode(token, { roleName: 'bounded', permissionsBoundary: `arn:aws:iam::${accountId}:policy/Nope` });
    expect(code).toBe('NoSuchEntity');
    expect(await createCode(token, { roleName: 'bounded', permissionsBoundary: 'arn:aws:iam::aws:policy/NoSuchAwsPolicy' })).toBe('NoSuchEntity');
    expect(await server.errorCode(GetRoleDetailsDocument, { input: { roleName: 'bounded' } }, token)).toBe('NoSuchEntity');
    expect(await server.db.role.count({ where: { accountId } })).toBe(0);
  });

  it('refuses duplicate tag keys with InvalidInput and leaves no role behind', async () => {
    const { accountId, token } = await server.newAccount();
    expect(await createCode(token, { roleName: 'tagged', tags: [{ key: 'Team', value: 'a' }, { key: 'team', value: 'b' }] })).toBe('InvalidInput');
    expect(await server.db.role.count({ where: { accountId } })).toBe(0);
  });
});

describe('getRole and listRoles', () => {
  it('finds a role by its name in any letter case', async () => {
    const { token } = await server.newAccount();
    const created = await createRole(token, { roleName: 'AppServerRole' });
    const found = await getRole(token, 'APPSERVERROLE');
    expect(found).toEqual(created);
  });

  it('answers NoSuchEntity with AWS message for an unknown role', async () => {
    const { token } = await server.newAccount();
    const result = await server.gql(GetRoleDetailsDocument, { input: { roleName: 'ghost' } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(result.errors?.[0]?.message).toBe('The role with name ghost cannot be found.');
  });

  it('pages through roles in name order with first/after, isTruncated and marker', async () => {
    const { token } = await server.newAccount();
    for (const roleName of ['echo', 'Alpha', 'delta', 'charlie', 'Bravo']) await createRole(token, { roleName });
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: ListRolesQuery['listRoles'] = (await server.ok(ListRolesDocument, { first: 2, after }, token)).listRoles;
      seen.push(...page.nodes.map((n) => n.roleName));
      expect(page.isTruncated).toBe(page.pageInfo.hasNextPage);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(page.marker).toBe(page.isTruncated ? page.pageInfo.endCursor : null);
      after = page.marker;
      pages++;
    } while (after);
    expect(seen).toEqual(['Alpha', 'Bravo', 'charlie', 'delta', 'echo']);
    expect(pages).toBe(3);
  });

  it('filters by path prefix', async () => {
    const { token } = await server.newAccount();
    await createRole(token, { roleName: 'web', path: '/app/web/' });
    await createRole(token, { roleName: 'db', path: '/app/db/' });
    await createRole(token, { roleName: 'ops', path: '/ops/' });
    const names = async (pathPrefix: string) =>
      (await server.ok(ListRolesDocument, { input: { pathPrefix } }, token)).listRoles.nodes.map((n) => n.roleName);
    expect(await names('/app/')).toEqual(['db', 'web']);
    expect(await names('/app/web/')).toEqual(['web']);
    expect(await names('/')).toEqual(['db', 'ops', 'web']);
    expect(await server.errorCode(ListRolesDocument, { input: { pathPrefix: 'app' } }, token)).toBe('ValidationError');
  });

  it('matches the path prefix literally, with no LIKE wildcards', async () => {
    const { token } = await server.newAccount();
    await createRole(token, { roleName: 'underscore', path: '/a_b/' });
    await createRole(token, { roleName: 'percent', path: '/a%b/' });
    await createRole(token, { roleName: 'plain', path: '/axb/' });
    const names = async (pathPrefix: string) =>
      (await server.ok(ListRolesDocument, { input: { pathPrefix } }, token)).listRoles.nodes.map((n) => n.roleName);
    expect(await names('/a_')).toEqual(['underscore']);
    expect(await names('/a%')).toEqual(['percent']);
  });

  it('refuses a cursor from another account or another query, and first outside 1 to 1,000', async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    for (const roleName of ['one', 'two', 'three']) {
      await createRole(a.token, { roleName });
      await createRole(b.token, { roleName });
    }
    const marker = (await server.ok(ListRolesDocument, { first: 1 }, a.token)).listRoles.marker;
    expect(marker).toBeTruthy();
    expect(await server.errorCode(ListRolesDocument, { first: 1, after: marker }, b.token)).toBe('InvalidInput');
    expect(await server.errorCode(ListRolesDocument, { first: 1, after: marker, input: { pathPrefix: '/x/' } }, a.token)).toBe('InvalidInput');
    expect(await server.errorCode(ListRolesDocument, { first: 0 }, a.token)).toBe('ValidationError');
    expect(await server.errorCode(ListRolesDocument, { first: 1001 }, a.token)).toBe('ValidationError');
  });
});

describe('updateRole, updateRoleDescription and updateAssumeRolePolicy', () => {
  it('changes the description and maximum session duration, leaving absent members as they are', async () => {
    const { token } = await server.newAccount();
    await createRole(token, { roleName: 'app', description: 'first' });
    expect((await server.ok(UpdateRoleDocument, { input: { roleName: 'app', maxSessionDuration: 7200 } }, token)).updateRole).toBe(true);
    expect(await getRole(token, 'app')).toMatchObject({ description: 'first', maxSessionDuration: 7200 });
    await server.ok(UpdateRoleDocument, { input: { roleName: 'APP', description: 'second' } }, token);
    expect(await getRole(token, 'app')).toMatchObject({ description: 'second', maxSessionDuration: 7200 });
  });

  it('refuses out-of-range durations with ValidationError and an unknown role with NoSuchEntity', async () => {
    const { token } = await server.newAccount();
    await createRole(token, { roleName: 'app' });
    expect(await server.errorCode(UpdateRoleDocument, { input: { roleName: 'app', maxSessionDuration: 3599 } }, token)).toBe('ValidationError');
    expect(await server.errorCode(UpdateRoleDocument, { input: { roleName: 'app', maxSessionDuration: 43201 } }, token)).toBe('ValidationError');
    expect(await server.errorCode(UpdateRoleDocument, { input: { roleName: 'app', description: 'x'.repeat(1001) } }, token)).toBe('ValidationError');
    expect(await server.errorCode(UpdateRoleDocument, { input: { roleName: 'ghost', description: 'x' } }, token)).toBe('NoSuchEntity');
    expect((await getRole(token, 'app')).maxSessionDuration).toBe(3600);
  });

  it('updates the description and returns the role', async () => {
    const { token } = await server.newAccount();
    await createRole(token, { roleName: 'app' });
    const data = await server.ok(UpdateRoleDescriptionDocument, { input: { roleName: 'app', description: 'Serves the web app' } }, token);
    expect(data.updateRoleDescription.role).toEqual({ roleName: 'app', description: 'Serves the web app' });
    expect(await server.errorCode(UpdateRoleDescriptionDocument, { input: { roleName: 'ghost', description: 'x' } }, token)).toBe('NoSuchEntity');
  });

  it('replaces the trust policy', async () => {
    const { token } = await server.newAccount();
    const { accountId } = await server.newAccount();
    await createRole(token, { roleName: 'app' });
    const document = trustWith({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    expect((await server.ok(UpdateAssumeRolePolicyDocument, { input: { roleName: 'app', policyDocument: document } }, token)).updateAssumeRolePolicy).toBe(true);
    expect((await getRole(token, 'app')).assumeRolePolicyDocument).toBe(document);
  });

  it.each([
    ['without a Principal', trustWith({ Effect: 'Allow', Action: 'sts:AssumeRole' })],
    ['with a non-STS action', trustWith({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'iam:PassRole' })],
    ['with sts:*', trustWith({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:*' })],
    ['that is not JSON', 'not json'],
  ])('refuses a trust policy %s with MalformedPolicyDocument and keeps the old one', async (_name, document) => {
    const { token } = await server.newAccount();
    await createRole(token, { roleName: 'app' });
    expect(await server.errorCode(UpdateAssumeRolePolicyDocument, { input: { roleName: 'app', policyDocument: document } }, token)).toBe('MalformedPolicyDocument');
    expect((await getRole(token, 'app')).assumeRolePolicyDocument).toBe(EC2_TRUST);
  });

  it('answers NoSuchEntity when the role does not exist', async () => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(UpdateAssumeRolePolicyDocument, { input: { roleName: 'ghost', policyDocument: EC2_TRUST } }, token)).toBe('NoSuchEntity');
  });
});

describe('deleteRole', () => {
  it('deletes a role with its tags, revokes its sessions and bumps the account policy epoch', async () => {
    const { accountId, token } = await server.newAccount();
    const role = await createRole(token, { roleName: 'app', tags: [{ key: 'a', value: '1' }] });
    const session = await server.db.session.create({
      data: { id: `s-${role.roleId}`, accountId, kind: 'assumed-role', principalArn: `arn:aws:sts::${accountId}:assumed-role/app/s`, principalId: `${role.roleId}:s`, roleId: role.roleId, expiresAt: new Date(Date.now() + 3_600_000) },
    });
    const before = await policyEpoch(accountId);
    expect((await server.ok(DeleteRoleDocument, { input: { roleName: 'APP' } }, token)).deleteRole).toBe(true);
    expect(await server.errorCode(GetRoleDetailsDocument, { input: { roleName: 'app' } }, token)).toBe('NoSuchEntity');
    expect(await server.db.tag.count({ where: { resourceType: 'role', resourceId: role.roleId } })).toBe(0);
    expect(await policyEpoch(accountId)).toBe(before + 1);
    expect((await server.db.session.findUniqueOrThrow({ where: { id: session.id } })).revokedAt).not.toBeNull();
    expect(await server.errorCode(DeleteRoleDocument, { input: { roleName: 'app' } }, token)).toBe('NoSuchEntity');
    await createRole(token, { roleName: 'app' });
  });

  it('refuses while the role is in an instance profile', async () => {
    const { token } = await server.newAccount();
    await createRole(token, { roleName: 'app' });
    await server.ok(CreateInstanceProfileDocument, { input: { instanceProfileName: 'profile' } }, token);
    await server.ok(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: 'profile', roleName: 'app' } }, token);
    const result = await server.gql(DeleteRoleDocument, { input: { roleName: 'app' } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
    expect(result.errors?.[0]?.message).toBe('Cannot delete entity, must remove roles from instance profile first.');
    await getRole(token, 'app');
    await server.ok(RemoveRoleFromInstanceProfileDocument, { input: { instanceProfileName: 'profile', roleName: 'app' } }, token);
    await server.ok(DeleteRoleDocument, { input: { roleName: 'app' } }, token);
  });

  it('refuses while a managed policy is attached, then while an inline policy remains', async () => {
    const { accountId, token } = await server.newAccount();
    const role = await createRole(token, { roleName: 'app' });
    const attachment = { accountId, entityType: 'role', entityId: role.roleId, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' };
    await server.db.policyAttachment.create({ data: attachment });
    await server.db.inlinePolicy.create({ data: { accountId, entityType: 'role', entityId: role.roleId, name: 'inline', document: '{}' } });
    const attached = await server.gql(DeleteRoleDocument, { input: { roleName: 'app' } }, token);
    expect(attached.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
    expect(attached.errors?.[0]?.message).toBe('Cannot delete entity, must detach all policies first.');
    await server.db.policyAttachment.deleteMany({ where: { entityType: 'role', entityId: role.roleId } });
    const inline = await server.gql(DeleteRoleDocument, { input: { roleName: 'app' } }, token);
    expect(inline.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
    expect(inline.errors?.[0]?.message).toBe('Cannot delete entity, must delete policies first.');
    await getRole(token, 'app');
    await server.db.inlinePolicy.deleteMany({ where: { entityType: 'role', entityId: role.roleId } });
    await server.ok(DeleteRoleDocument, { input: { roleName: 'app' } }, token);
  });
});

describe('role tags', () => {
  it('adds, overwrites case-insensitively, lists in key order and removes tags', async () => {
    const { token } = await server.newAccount();
    await createRole(token, { roleName: 'app', tags: [{ key: 'Team', value: 'web' }] });
    await server.ok(TagRoleDocument, { input: { roleName: 'app', tags: [{ key: 'team', value: 'platform' }, { key: 'env', value: 'prod' }] } }, token);
    const tags = (await server.ok(ListRoleTagsDocument, { input: { roleName: 'app' } }, token)).listRoleTags;
    expect(tags).toEqual({ nodes: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'platform' }], isTruncated: false, marker: null });
    await server.ok(UntagRoleDocument, { input: { roleName: 'app', tagKeys: ['ENV', 'unknown'] } }, token);
    expect((await getRole(token, 'app')).tags).toEqual([{ key: 'team', value: 'platform' }]);
  });

  it('pages through tags', async () => {
    const { token } = await server.newAccount();
    await createRole(token, { roleName: 'app', tags: ['c', 'a', 'b'].map((key) => ({ key, value: key })) });
    const first = (await server.ok(ListRoleTagsDocument, { input: { roleName: 'app' }, first: 2 }, token)).listRoleTags;
    expect(first.nodes.map((t) => t.key)).toEqual(['a', 'b']);
    expect(first.isTruncated).toBe(true);
    const rest = (await server.ok(ListRoleTagsDocument, { input: { roleName: 'app' }, first: 2, after: first.marker }, token)).listRoleTags;
    expect(rest).toEqual({ nodes: [{ key: 'c', value: 'c' }], isTruncated: false, marker: null });
  });

  it('refuses a 51st tag with LimitExceeded, bad tags with ValidationError and unknown roles with NoSuchEntity', async () => {
    const { token } = await server.newAccount();
    const fifty = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await createRole(token, { roleName: 'app', tags: fifty });
    expect(await server.errorCode(TagRoleDocument, { input: { roleName: 'app', tags: [{ key: 'one-more', value: 'v' }] } }, token)).toBe('LimitExceeded');
    expect(await server.errorCode(TagRoleDocument, { input: { roleName: 'app', tags: [{ key: '', value: 'v' }] } }, token)).toBe('ValidationError');
    expect(await server.errorCode(TagRoleDocument, { input: { roleName: 'ghost', tags: [{ key: 'a', value: 'v' }] } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(UntagRoleDocument, { input: { roleName: 'ghost', tagKeys: ['a'] } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(ListRoleTagsDocument, { input: { roleName: 'ghost' } }, token)).toBe('NoSuchEntity');
    expect((await getRole(token, 'app')).tags.length).toBe(50);
  });
});

describe('tenant isolation', () => {
  it("keeps account A's roles invisible and untouchable from account B", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    await createRole(a.token, { roleName: 'secret', description: 'A only', tags: [{ key: 'owner', value: 'a' }] });
    const attempts: Array<[string, () => Promise<string | undefined>]> = [
      ['getRole', () => server.errorCode(GetRoleDetailsDocument, { input: { roleName: 'secret' } }, b.token)],
      ['updateRole', () => server.errorCode(UpdateRoleDocument, { input: { roleName: 'secret', description: 'pwned' } }, b.token)],
      ['updateRoleDescription', () => server.errorCode(UpdateRoleDescriptionDocument, { input: { roleName: 'secret', description: 'pwned' } }, b.token)],
      ['updateAssumeRolePolicy', () => server.errorCode(UpdateAssumeRolePolicyDocument, { input: { roleName: 'secret', policyDocument: EC2_TRUST } }, b.token)],
      ['tagRole', () => server.errorCode(TagRoleDocument, { input: { roleName: 'secret', tags: [{ key: 'owner', value: 'b' }] } }, b.token)],
      ['untagRole', () => server.errorCode(UntagRoleDocument, { input: { roleName: 'secret', tagKeys: ['owner'] } }, b.token)],
      ['listRoleTags', () => server.errorCode(ListRoleTagsDocument, { input: { roleName: 'secret' } }, b.token)],
      ['deleteRole', () => server.errorCode(DeleteRoleDocument, { input: { roleName: 'secret' } }, b.token)],
    ];
    for (const [operation, attempt] of attempts) {
      expect(await attempt(), operation).toBe('NoSuchEntity');
    }
    expect((await server.ok(ListRolesDocument, {}, b.token)).listRoles.nodes).toEqual([]);
    expect(await getRole(a.token, 'secret')).toMatchObject({ description: 'A only', tags: [{ key: 'owner', value: 'a' }] });
    const own = await createRole(b.token, { roleName: 'secret' });
    expect(own.arn).toBe(`arn:aws:iam::${b.accountId}:role/secret`);
  });
});
