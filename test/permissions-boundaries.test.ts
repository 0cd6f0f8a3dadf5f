// Permissions boundaries of roles and users over HTTP: put and delete with
// AWS-managed and customer-managed policies, every AWS error, the policy epoch
// bump in the same transaction, tenant isolation and authorization.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { useTestServer } from './support/server.js';

const server = useTestServer();

const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const POWER_USER = 'arn:aws:iam::aws:policy/PowerUserAccess';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

const BOUNDARY = 'permissionsBoundary { permissionsBoundaryType permissionsBoundaryArn }';
const CREATE_ROLE = `mutation($input: CreateRoleInput!) { createRole(input: $input) { role { roleName ${BOUNDARY} } } }`;
const GET_ROLE = `query($input: GetRoleInput!) { getRole(input: $input) { role { ${BOUNDARY} } } }`;
const CREATE_USER = 'mutation($input: CreateUserInput!) { createUser(input: $input) { user { userName } } }';
const GET_USER = `query($input: GetUserInput) { getUser(input: $input) { user { ${BOUNDARY} } } }`;
const PUT_ROLE = 'mutation($input: PutRolePermissionsBoundaryInput!) { putRolePermissionsBoundary(input: $input) }';
const DELETE_ROLE = 'mutation($input: DeleteRolePermissionsBoundaryInput!) { deleteRolePermissionsBoundary(input: $input) }';
const PUT_USER = 'mutation($input: PutUserPermissionsBoundaryInput!) { putUserPermissionsBoundary(input: $input) }';
const DELETE_USER = 'mutation($input: DeleteUserPermissionsBoundaryInput!) { deleteUserPermissionsBoundary(input: $input) }';

const boundaryOf = (arn: string) => ({ permissionsBoundaryType: 'PermissionsBoundaryPolicy', permissionsBoundaryArn: arn });
const createRole = (token: string, roleName: string) => server.ok(CREATE_ROLE, { input: { roleName, assumeRolePolicyDocument: EC2_TRUST } }, token);
const createUser = (token: string, userName: string) => server.ok(CREATE_USER, { input: { userName } }, token);
const roleBoundary = async (token: string, roleName: string) => (await server.ok(GET_ROLE, { input: { roleName } }, token)).getRole.role.permissionsBoundary;
const userBoundary = async (token: string, userName: string) => (await server.ok(GET_USER, { input: { userName } }, token)).getUser.user.permissionsBoundary;
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
    await createUser(token, 'alice');
    const start = await policyEpoch(accountId);

    expect((await server.ok(PUT_ROLE, { input: { roleName: 'AppServerRole', permissionsBoundary: POWER_USER } }, token)).putRolePermissionsBoundary).toBe(true);
    expect(await roleBoundary(token, 'AppServerRole')).toEqual(boundaryOf(POWER_USER));
    expect((await server.ok(PUT_USER, { input: { userName: 'alice', permissionsBoundary: READ_ONLY } }, token)).putUserPermissionsBoundary).toBe(true);
    expect(await userBoundary(token, 'alice')).toEqual(boundaryOf(READ_ONLY));
    expect(await policyEpoch(accountId)).toBe(start + 2);

    expect((await server.ok(DELETE_ROLE, { input: { roleName: 'appserverrole' } }, token)).deleteRolePermissionsBoundary).toBe(true);
    expect(await roleBoundary(token, 'AppServerRole')).toBeNull();
    expect((await server.ok(DELETE_USER, { input: { userName: 'ALICE' } }, token)).deleteUserPermissionsBoundary).toBe(true);
    expect(await userBoundary(token, 'alice')).toBeNull();
    expect(await policyEpoch(accountId)).toBe(start + 4);
  });
});

describe('putRolePermissionsBoundary and putUserPermissionsBoundary', () => {
  it('accepts a customer-managed policy of the account and replaces an earlier boundary', async () => {
    const { accountId, token } = await server.newAccount();
    const custom = await seedCustomerPolicy(accountId, 'Boundary');
    await createRole(token, 'app');
    await createUser(token, 'bob');
    await server.ok(PUT_ROLE, { input: { roleName: 'app', permissionsBoundary: POWER_USER } }, token);
    await server.ok(PUT_ROLE, { input: { roleName: 'app', permissionsBoundary: custom } }, token);
    expect(await roleBoundary(token, 'app')).toEqual(boundaryOf(custom));
    await server.ok(PUT_USER, { input: { userName: 'bob', permissionsBoundary: custom } }, token);
    expect(await userBoundary(token, 'bob')).toEqual(boundaryOf(custom));
  });

  it('accepts a customer-managed policy as the boundary given to createRole', async () => {
    const { accountId, token } = await server.newAccount();
    const custom = await seedCustomerPolicy(accountId, 'Boundary');
    const role = (await server.ok(CREATE_ROLE, { input: { roleName: 'app', assumeRolePolicyDocument: EC2_TRUST, permissionsBoundary: custom } }, token)).createRole.role;
    expect(role.permissionsBoundary).toEqual(boundaryOf(custom));
  });

  it('refuses a policy that does not exist with NoSuchEntity and AWS message, changing nothing', async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'app');
    await createUser(token, 'bob');
    const start = await policyEpoch(accountId);
    const missing = `arn:aws:iam::${accountId}:policy/Missing`;
    const result = await server.gql(PUT_ROLE, { input: { roleName: 'app', permissionsBoundary: missing } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(result.errors?.[0]?.message).toBe(`Policy ${missing} does not exist or is not attachable.`);
    expect(await server.errorCode(PUT_ROLE, { input: { roleName: 'app', permissionsBoundary: 'arn:aws:iam::aws:policy/NotAnAwsPolicy' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(PUT_USER, { input: { userName: 'bob', permissionsBoundary: missing } }, token)).toBe('NoSuchEntity');
    expect(await roleBoundary(token, 'app')).toBeNull();
    expect(await userBoundary(token, 'bob')).toBeNull();
    expect(await policyEpoch(accountId)).toBe(start);
  });

  it('refuses a malformed or non-policy ARN', async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'app');
    await createUser(token, 'bob');
    expect(await server.errorCode(PUT_ROLE, { input: { roleName: 'app', permissionsBoundary: 'PowerUserAccess' } }, token)).toBe('ValidationError');
    expect(await server.errorCode(PUT_USER, { input: { userName: 'bob', permissionsBoundary: 'short' } }, token)).toBe('ValidationError');
    expect(await server.errorCode(PUT_ROLE, { input: { roleName: 'app', permissionsBoundary: `arn:aws:iam::${accountId}:role/app` } }, token)).toBe('InvalidInput');
  });

  it('answers NoSuchEntity for an unknown role or user, and ValidationError for a bad name', async () => {
    const { token } = await server.newAccount();
    const role = await server.gql(PUT_ROLE, { input: { roleName: 'ghost', permissionsBoundary: POWER_USER } }, token);
    expect(role.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(role.errors?.[0]?.message).toBe('The role with name ghost cannot be found.');
    const user = await server.gql(PUT_USER, { input: { userName: 'ghost', permissionsBoundary: POWER_USER } }, token);
    expect(user.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(user.errors?.[0]?.message).toBe('The user with name ghost cannot be found.');
    expect(await server.errorCode(DELETE_ROLE, { input: { roleName: 'ghost' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DELETE_USER, { input: { userName: 'ghost' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(PUT_ROLE, { input: { roleName: 'bad name', permissionsBoundary: POWER_USER } }, token)).toBe('ValidationError');
    expect(await server.errorCode(PUT_USER, { input: { userName: 'u'.repeat(65), permissionsBoundary: POWER_USER } }, token)).toBe('ValidationError');
  });

  it('treats deleting an absent boundary as done, without bumping the policy epoch', async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'app');
    await createUser(token, 'bob');
    const start = await policyEpoch(accountId);
    expect((await server.ok(DELETE_ROLE, { input: { roleName: 'app' } }, token)).deleteRolePermissionsBoundary).toBe(true);
    expect((await server.ok(DELETE_USER, { input: { userName: 'bob' } }, token)).deleteUserPermissionsBoundary).toBe(true);
    expect(await policyEpoch(accountId)).toBe(start);
  });
});

describe('tenant isolation', () => {
  it("refuses another account's customer-managed policy as a boundary", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    const foreign = await seedCustomerPolicy(a.accountId, 'AOnly');
    await createRole(b.token, 'app');
    await createUser(b.token, 'bob');
    expect(await server.errorCode(PUT_ROLE, { input: { roleName: 'app', permissionsBoundary: foreign } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(PUT_USER, { input: { userName: 'bob', permissionsBoundary: foreign } }, b.token)).toBe('NoSuchEntity');
    const create = await server.gql(CREATE_ROLE, { input: { roleName: 'other', assumeRolePolicyDocument: EC2_TRUST, permissionsBoundary: foreign } }, b.token);
    expect(create.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
  });

  it("lets account B neither set nor delete the boundaries of A's role and user", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    await createRole(a.token, 'app');
    await createUser(a.token, 'alice');
    await server.ok(PUT_ROLE, { input: { roleName: 'app', permissionsBoundary: READ_ONLY } }, a.token);
    await server.ok(PUT_USER, { input: { userName: 'alice', permissionsBoundary: READ_ONLY } }, a.token);
    const bStart = await policyEpoch(b.accountId);
    expect(await server.errorCode(PUT_ROLE, { input: { roleName: 'app', permissionsBoundary: POWER_USER } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DELETE_ROLE, { input: { roleName: 'app' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(PUT_USER, { input: { userName: 'alice', permissionsBoundary: POWER_USER } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DELETE_USER, { input: { userName: 'alice' } }, b.token)).toBe('NoSuchEntity');
    expect(await roleBoundary(a.token, 'app')).toEqual(boundaryOf(READ_ONLY));
    expect(await userBoundary(a.token, 'alice')).toEqual(boundaryOf(READ_ONLY));
    expect(await policyEpoch(b.accountId)).toBe(bStart);
  });
});

describe('authorization', () => {
  it("caps a user's permissions as soon as a boundary is put, and lifts the cap when it is deleted", async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'app');
    await createUser(token, 'dev');
    const dev = await server.db.user.findFirstOrThrow({ where: { accountId, nameKey: 'dev' } });
    // IAMFullAccess attached directly (the attachment API is another file's subject).
    await server.db.policyAttachment.create({ data: { accountId, entityType: 'user', entityId: dev.id, policyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' } });
    await server.db.account.update({ where: { id: accountId }, data: { policyEpoch: { increment: 1 } } });
    await server.ok('mutation { createLoginProfile(input: { userName: "dev", password: "Correct-Horse-1" }) { loginProfile { createDate } } }', {}, token);
    const signedIn = await server.ok('mutation($a: String!) { signIn(input: { accountId: $a, userName: "dev", password: "Correct-Horse-1" }) { sessionToken } }', { a: accountId });
    const devToken = signedIn.signIn.sessionToken as string;
    const create = (roleName: string) => server.gql(CREATE_ROLE, { input: { roleName, assumeRolePolicyDocument: EC2_TRUST } }, devToken);

    expect((await create('before')).errors).toBeUndefined();
    await server.ok(PUT_USER, { input: { userName: 'dev', permissionsBoundary: READ_ONLY } }, token);
    expect((await create('capped')).errors?.[0]?.extensions?.code).toBe('AccessDenied');
    expect(await roleBoundary(devToken, 'app')).toBeNull();
    await server.ok(DELETE_USER, { input: { userName: 'dev' } }, token);
    expect((await create('after')).errors).toBeUndefined();
  });

  it('denies an IAM user without policies every role, instance profile and boundary action', async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'app');
    await createUser(token, 'mallory');
    await server.ok('mutation { createLoginProfile(input: { userName: "mallory", password: "Correct-Horse-1" }) { loginProfile { createDate } } }', {}, token);
    const signedIn = await server.ok('mutation($a: String!) { signIn(input: { accountId: $a, userName: "mallory", password: "Correct-Horse-1" }) { sessionToken } }', { a: accountId });
    const mallory = signedIn.signIn.sessionToken as string;
    expect(await server.errorCode(GET_ROLE, { input: { roleName: 'app' } }, mallory)).toBe('AccessDenied');
    expect(await server.errorCode(CREATE_ROLE, { input: { roleName: 'mine', assumeRolePolicyDocument: EC2_TRUST } }, mallory)).toBe('AccessDenied');
    expect(await server.errorCode(PUT_USER, { input: { userName: 'mallory', permissionsBoundary: POWER_USER } }, mallory)).toBe('AccessDenied');
    expect(await server.errorCode(DELETE_ROLE, { input: { roleName: 'app' } }, mallory)).toBe('AccessDenied');
    expect(await server.errorCode('{ listInstanceProfiles { nodes { arn } } }', {}, mallory)).toBe('AccessDenied');
    expect(await roleBoundary(token, 'app')).toBeNull();
  });
});
