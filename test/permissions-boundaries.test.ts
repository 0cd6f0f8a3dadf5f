// Permissions boundaries of roles and users over HTTP: put and delete with
// AWS-managed and customer-managed policies, every AWS error, the policy epoch
// bump in the same transaction, tenant isolation and authorization.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CreateRoleWithPermissionsBoundaryDocument,
  DeleteRolePermissionsBoundaryDocument,
  DeleteUserPermissionsBoundaryDocument,
  GetRolePermissionsBoundaryDocument,
  GetUserPermissionsBoundaryDocument,
  ListInstanceProfilesDocument,
  PutRolePermissionsBoundaryDocument,
  PutUserPermissionsBoundaryDocument,
} from './generated/graphql.js';
import { createUser, signedInUser } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const POWER_USER = 'arn:aws:iam::aws:policy/PowerUserAccess';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

const boundaryOf = (arn: string) => ({ permissionsBoundaryType: 'PermissionsBoundaryPolicy', permissionsBoundaryArn: arn });
const createRole = (token: string, roleName: string) => server.ok(CreateRoleWithPermissionsBoundaryDocument, { input: { roleName, assumeRolePolicyDocument: EC2_TRUST } }, token);
const roleBoundary = async (token: string, roleName: string) => (await server.ok(GetRolePermissionsBoundaryDocument, { input: { roleName } }, token)).getRole.role.permissionsBoundary;
const userBoundary = async (token: string, userName: string) => (await server.ok(GetUserPermissionsBoundaryDocument, { input: { userName } }, token)).getUser.user.permissionsBoundary;
const policyEpoch = async (accountId: string) => (await server.db.account.findUniqueOrThrow({ where: { id: accountId } })).policyEpoch;

/** Seeds a customer-managed policy row in an account (the policies API is another file's subject). */
async function seedCustomerPolicy(accountId: string, name: string): Promise<string> {
  const arn = `arn:aws:iam::${accountId}:policy/${name}`;
  const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
  await server.db.policy.create({
    data: {
      id: `ANPA${randomBytes(9).toString('hex').toUpperCase().slice(0, 17)}`,
      accountId,
      name,
      nameKey: name.toLowerCase(),
      arn,
      versions: { create: { versionId: 'v1', document } },
    },
  });
  return arn;
}

describe('the tutorial: boundaries on a role and a user', () => {
  it('sets a permissions boundary on a role and on a user, and deletes them', async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'AppServerRole');
    await createUser(server, token, 'alice');
    const start = await policyEpoch(accountId);

    expect((await server.ok(PutRolePermissionsBoundaryDocument, { input: { roleName: 'AppServerRole', permissionsBoundary: POWER_USER } }, token)).putRolePermissionsBoundary).toBe(true);
    expect(await roleBoundary(token, 'AppServerRole')).toEqual(boundaryOf(POWER_USER));
    expect((await server.ok(PutUserPermissionsBoundaryDocument, { input: { userName: 'alice', permissionsBoundary: READ_ONLY } }, token)).putUserPermissionsBoundary).toBe(true);
    expect(await userBoundary(token, 'alice')).toEqual(boundaryOf(READ_ONLY));
    expect(await policyEpoch(accountId)).toBe(start + 2);

    expect((await server.ok(DeleteRolePermissionsBoundaryDocument, { input: { roleName: 'appserverrole' } }, token)).deleteRolePermissionsBoundary).toBe(true);
    expect(await roleBoundary(token, 'AppServerRole')).toBeNull();
    expect((await server.ok(DeleteUserPermissionsBoundaryDocument, { input: { userName: 'ALICE' } }, token)).deleteUserPermissionsBoundary).toBe(true);
    expect(await userBoundary(token, 'alice')).toBeNull();
    expect(await policyEpoch(accountId)).toBe(start + 4);
  });
});

describe('putRolePermissionsBoundary and putUserPermissionsBoundary', () => {
  it('accepts a customer-managed policy of the account and replaces an earlier boundary', async () => {
    const { accountId, token } = await server.newAccount();
    const custom = await seedCustomerPolicy(accountId, 'Boundary');
    await createRole(token, 'app');
    await createUser(server, token, 'bob');
    await server.ok(PutRolePermissionsBoundaryDocument, { input: { roleName: 'app', permissionsBoundary: POWER_USER } }, token);
    await server.ok(PutRolePermissionsBoundaryDocument, { input: { roleName: 'app', permissionsBoundary: custom } }, token);
    expect(await roleBoundary(token, 'app')).toEqual(boundaryOf(custom));
    await server.ok(PutUserPermissionsBoundaryDocument, { input: { userName: 'bob', permissionsBoundary: custom } }, token);
    expect(await userBoundary(token, 'bob')).toEqual(boundaryOf(custom));
  });

  it('accepts a customer-managed policy as the boundary given to createRole', async () => {
    const { accountId, token } = await server.newAccount();
    const custom = await seedCustomerPolicy(accountId, 'Boundary');
    const role = (await server.ok(CreateRoleWithPermissionsBoundaryDocument, { input: { roleName: 'app', assumeRolePolicyDocument: EC2_TRUST, permissionsBoundary: custom } }, token)).createRole.role;
    expect(role.permissionsBoundary).toEqual(boundaryOf(custom));
  });

  it('refuses a policy that does not exist with NoSuchEntity and AWS message, changing nothing', async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'app');
    await createUser(server, token, 'bob');
    const start = await policyEpoch(accountId);
    const missing = `arn:aws:iam::${accountId}:policy/Missing`;
    const result = await server.gql(PutRolePermissionsBoundaryDocument, { input: { roleName: 'app', permissionsBoundary: missing } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(result.errors?.[0]?.message).toBe(`Policy ${missing} does not exist or is not attachable.`);
    expect(await server.errorCode(PutRolePermissionsBoundaryDocument, { input: { roleName: 'app', permissionsBoundary: 'arn:aws:iam::aws:policy/NotAnAwsPolicy' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(PutUserPermissionsBoundaryDocument, { input: { userName: 'bob', permissionsBoundary: missing } }, token)).toBe('NoSuchEntity');
    expect(await roleBoundary(token, 'app')).toBeNull();
    expect(await userBoundary(token, 'bob')).toBeNull();
    expect(await policyEpoch(accountId)).toBe(start);
  });

  it('refuses a malformed or non-policy ARN', async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'app');
    await createUser(server, token, 'bob');
    expect(await server.errorCode(PutRolePermissionsBoundaryDocument, { input: { roleName: 'app', permissionsBoundary: 'PowerUserAccess' } }, token)).toBe('ValidationError');
    expect(await server.errorCode(PutUserPermissionsBoundaryDocument, { input: { userName: 'bob', permissionsBoundary: 'short' } }, token)).toBe('ValidationError');
    expect(await server.errorCode(PutRolePermissionsBoundaryDocument, { input: { roleName: 'app', permissionsBoundary: `arn:aws:iam::${accountId}:role/app` } }, token)).toBe('InvalidInput');
  });

  it('answers NoSuchEntity for an unknown role or user, and ValidationError for a bad name', async () => {
    const { token } = await server.newAccount();
    const role = await server.gql(PutRolePermissionsBoundaryDocument, { input: { roleName: 'ghost', permissionsBoundary: POWER_USER } }, token);
    expect(role.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(role.errors?.[0]?.message).toBe('The role with name ghost cannot be found.');
    const user = await server.gql(PutUserPermissionsBoundaryDocument, { input: { userName: 'ghost', permissionsBoundary: POWER_USER } }, token);
    expect(user.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(user.errors?.[0]?.message).toBe('The user with name ghost cannot be found.');
    expect(await server.errorCode(DeleteRolePermissionsBoundaryDocument, { input: { roleName: 'ghost' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteUserPermissionsBoundaryDocument, { input: { userName: 'ghost' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(PutRolePermissionsBoundaryDocument, { input: { roleName: 'bad name', permissionsBoundary: POWER_USER } }, token)).toBe('ValidationError');
    expect(await server.errorCode(PutUserPermissionsBoundaryDocument, { input: { userName: 'u'.repeat(65), permissionsBoundary: POWER_USER } }, token)).toBe('ValidationError');
  });

  it('treats deleting an absent boundary as done, without bumping the policy epoch', async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'app');
    await createUser(server, token, 'bob');
    const start = await policyEpoch(accountId);
    expect((await server.ok(DeleteRolePermissionsBoundaryDocument, { input: { roleName: 'app' } }, token)).deleteRolePermissionsBoundary).toBe(true);
    expect((await server.ok(DeleteUserPermissionsBoundaryDocument, { input: { userName: 'bob' } }, token)).deleteUserPermissionsBoundary).toBe(true);
    expect(await policyEpoch(accountId)).toBe(start);
  });
});

describe('tenant isolation', () => {
  it("refuses another account's customer-managed policy as a boundary", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    const foreign = await seedCustomerPolicy(a.accountId, 'AOnly');
    await createRole(b.token, 'app');
    await createUser(server, b.token, 'bob');
    expect(await server.errorCode(PutRolePermissionsBoundaryDocument, { input: { roleName: 'app', permissionsBoundary: foreign } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(PutUserPermissionsBoundaryDocument, { input: { userName: 'bob', permissionsBoundary: foreign } }, b.token)).toBe('NoSuchEntity');
    const create = await server.gql(CreateRoleWithPermissionsBoundaryDocument, { input: { roleName: 'other', assumeRolePolicyDocument: EC2_TRUST, permissionsBoundary: foreign } }, b.token);
    expect(create.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
  });

  it("lets account B neither set nor delete the boundaries of A's role and user", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    await createRole(a.token, 'app');
    await createUser(server, a.token, 'alice');
    await server.ok(PutRolePermissionsBoundaryDocument, { input: { roleName: 'app', permissionsBoundary: READ_ONLY } }, a.token);
    await server.ok(PutUserPermissionsBoundaryDocument, { input: { userName: 'alice', permissionsBoundary: READ_ONLY } }, a.token);
    const bStart = await policyEpoch(b.accountId);
    expect(await server.errorCode(PutRolePermissionsBoundaryDocument, { input: { roleName: 'app', permissionsBoundary: POWER_USER } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteRolePermissionsBoundaryDocument, { input: { roleName: 'app' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(PutUserPermissionsBoundaryDocument, { input: { userName: 'alice', permissionsBoundary: POWER_USER } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteUserPermissionsBoundaryDocument, { input: { userName: 'alice' } }, b.token)).toBe('NoSuchEntity');
    expect(await roleBoundary(a.token, 'app')).toEqual(boundaryOf(READ_ONLY));
    expect(await userBoundary(a.token, 'alice')).toEqual(boundaryOf(READ_ONLY));
    expect(await policyEpoch(b.accountId)).toBe(bStart);
  });
});

describe('authorization', () => {
  it("caps a user's permissions as soon as a boundary is put, and lifts the cap when it is deleted", async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'app');
    const devToken = (await signedInUser(server, { accountId, token }, 'dev', { managed: ['arn:aws:iam::aws:policy/IAMFullAccess'] })).token;
    const create = (roleName: string) => server.gql(CreateRoleWithPermissionsBoundaryDocument, { input: { roleName, assumeRolePolicyDocument: EC2_TRUST } }, devToken);

    expect((await create('before')).errors).toBeUndefined();
    await server.ok(PutUserPermissionsBoundaryDocument, { input: { userName: 'dev', permissionsBoundary: READ_ONLY } }, token);
    expect((await create('capped')).errors?.[0]?.extensions?.code).toBe('AccessDenied');
    expect(await roleBoundary(devToken, 'app')).toBeNull();
    await server.ok(DeleteUserPermissionsBoundaryDocument, { input: { userName: 'dev' } }, token);
    expect((await create('after')).errors).toBeUndefined();
  });

  it('denies an IAM user without policies every role, instance profile and boundary action', async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'app');
    const mallory = (await signedInUser(server, { accountId, token }, 'mallory')).token;
    expect(await server.errorCode(GetRolePermissionsBoundaryDocument, { input: { roleName: 'app' } }, mallory)).toBe('AccessDenied');
    expect(await server.errorCode(CreateRoleWithPermissionsBoundaryDocument, { input: { roleName: 'mine', assumeRolePolicyDocument: EC2_TRUST } }, mallory)).toBe('AccessDenied');
    expect(await server.errorCode(PutUserPermissionsBoundaryDocument, { input: { userName: 'mallory', permissionsBoundary: POWER_USER } }, mallory)).toBe('AccessDenied');
    expect(await server.errorCode(DeleteRolePermissionsBoundaryDocument, { input: { roleName: 'app' } }, mallory)).toBe('AccessDenied');
    expect(await server.errorCode(ListInstanceProfilesDocument, {}, mallory)).toBe('AccessDenied');
    expect(await roleBoundary(token, 'app')).toBeNull();
  });
});
