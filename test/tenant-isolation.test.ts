// Tenants sealed from each other: account B's root and B's administrator try to
// reach account A's users, groups, roles, policies, instance profiles, access keys
// and MFA devices by every route (names, ARNs, ids, cursors, nested fields, shared
// AWS-managed policies), walking the schema for every field that takes an
// identifier. Each attempt must fail with the error a missing entity gets, reveal
// nothing of A, and leave A's rows exactly as they were.
import { Secret, TOTP } from 'otpauth';
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGuard } from '../src/graphql/guard.js';
import {
  AddRoleToInstanceProfileDocument,
  AddUserToGroupDocument,
  AssumeRoleUserArnDocument,
  AttachGroupPolicyDocument,
  AttachRolePolicyDocument,
  AttachUserPolicyDocument,
  CreateAccessKeyDocument,
  CreateGroupDocument,
  CreateInstanceProfileArnDocument,
  CreatePolicyDocument,
  CreatePolicyVersionDocument,
  CreateRoleDocument,
  CreateVirtualMFADeviceDocument,
  DeleteUserDocument,
  EnableMFADeviceDocument,
  GetGroupNameAndArnDocument,
  GetInstanceProfileDocument,
  GetLoginProfileDocument,
  GetPolicyAttachmentCountDocument,
  GetRoleDetailsDocument,
  GetUserPolicyDocument,
  GetUserSummaryDocument,
  ListEverythingDocument,
  ListGroupsPageDocument,
  ListInstanceProfilesPageDocument,
  ListLocalPoliciesPageDocument,
  ListRolesPageDocument,
  ListUsersPageDocument,
  ListVirtualMFADevicesPageDocument,
  LookupEventIdentitiesDocument,
  PolicyEntitiesOfAccountDocument,
  PutGroupPolicyDocument,
  PutRolePolicyDocument,
  PutUserPermissionsBoundaryDocument,
  PutUserPolicyDocument,
  type AssumeRoleInput,
} from './generated/graphql.js';
import { createLoginProfile, createUser, policy, signedInUser } from './support/scenarios.js';
import { fieldOf, startTestServer, type GraphQLResponse, type TestServer } from './support/server.js';

let server: TestServer;
let a: { accountId: string; token: string };
let b: { accountId: string; token: string };
let bAdmin: { token: string; arn: string };
/** A's identifiers, and for each the identifier of the same shape that exists nowhere. */
let ids: Identifiers;
let ghosts: Identifiers;

interface Identifiers {
  userName: string;
  groupName: string;
  roleName: string;
  profileName: string;
  policyName: string;
  inlineName: string;
  userArn: string;
  groupArn: string;
  roleArn: string;
  profileArn: string;
  policyArn: string;
  accessKeyId: string;
  serialNumber: string;
}

const DOC = JSON.stringify(policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }));
const TRUST = JSON.stringify(policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }));
const PASSWORD = 'Tenant-A-Passw0rd!';
const READ_ONLY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

beforeAll(async () => {
  server = await startTestServer();
  a = await server.newAccount('Tenant A');
  b = await server.newAccount('Tenant B');
  const t = a.token;
  const team = [{ key: 'team', value: 'a' }];
  const user = await createUser(server, t, 'alice-a', { path: '/team/', tags: team });
  await createLoginProfile(server, t, 'alice-a', PASSWORD);
  const key = (await server.ok(CreateAccessKeyDocument, { input: { userName: 'alice-a' } }, t)).createAccessKey.accessKey;
  const group = (await server.ok(CreateGroupDocument, { input: { groupName: 'GroupA' } }, t)).createGroup.group;
  await server.ok(AddUserToGroupDocument, { input: { groupName: 'GroupA', userName: 'alice-a' } }, t);
  const role = (await server.ok(CreateRoleDocument, { input: { roleName: 'RoleA', assumeRolePolicyDocument: TRUST, tags: team } }, t)).createRole.role;
  const pol = (await server.ok(CreatePolicyDocument, { input: { policyName: 'PolicyA', policyDocument: DOC, tags: team } }, t)).createPolicy.policy;
  await server.ok(CreatePolicyVersionDocument, { input: { policyArn: pol.arn, policyDocument: DOC } }, t);
  const profile = (await server.ok(CreateInstanceProfileArnDocument, { input: { instanceProfileName: 'ProfileA' } }, t)).createInstanceProfile.instanceProfile;
  await server.ok(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: 'ProfileA', roleName: 'RoleA' } }, t);
  const inline = { policyName: 'InlineA', policyDocument: DOC };
  await server.ok(PutUserPolicyDocument, { input: { userName: 'alice-a', ...inline } }, t);
  await server.ok(PutGroupPolicyDocument, { input: { groupName: 'GroupA', ...inline } }, t);
  await server.ok(PutRolePolicyDocument, { input: { roleName: 'RoleA', ...inline } }, t);
  for (const policyArn of [pol.arn, READ_ONLY]) {
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'alice-a', policyArn } }, t);
    await server.ok(AttachGroupPolicyDocument, { input: { groupName: 'GroupA', policyArn } }, t);
    await server.ok(AttachRolePolicyDocument, { input: { roleName: 'RoleA', policyArn } }, t);
  }
  await server.ok(PutUserPermissionsBoundaryDocument, { input: { userName: 'alice-a', permissionsBoundary: pol.arn } }, t);
  const device = (await server.ok(CreateVirtualMFADeviceDocument, { input: { virtualMFADeviceName: 'alice-a-phone', tags: team } }, t)).createVirtualMFADevice.virtualMFADevice;
  const now = Date.now();
  const code = (ts: number) => TOTP.generate({ secret: Secret.fromBase32(device.base32StringSeed!), timestamp: ts });
  await server.ok(
    EnableMFADeviceDocument,
    { input: { userName: 'alice-a', serialNumber: device.serialNumber, authenticationCode1: code(now - 30_000), authenticationCode2: code(now) } },
    t,
  );

  ids = {
    userName: 'alice-a',
    groupName: 'GroupA',
    roleName: 'RoleA',
    profileName: 'ProfileA',
    policyName: 'PolicyA',
    inlineName: 'InlineA',
    userArn: user.arn,
    groupArn: group.arn,
    roleArn: role.arn,
    profileArn: profile.arn,
    policyArn: pol.arn,
    accessKeyId: key.accessKeyId,
    serialNumber: device.serialNumber,
  };
  const ghostKey = `${key.accessKeyId.slice(0, 4)}${'Z'.repeat(key.accessKeyId.length - 4)}`;
  ghosts = {
    userName: 'ghost-u',
    groupName: 'GhostG',
    roleName: 'GhostR',
    profileName: 'GhostP',
    policyName: 'GhostPol',
    inlineName: 'GhostIn',
    userArn: user.arn.replace('alice-a', 'ghost-u'),
    groupArn: group.arn.replace('GroupA', 'GhostG'),
    roleArn: role.arn.replace('RoleA', 'GhostR'),
    profileArn: profile.arn.replace('ProfileA', 'GhostP'),
    policyArn: pol.arn.replace('PolicyA', 'GhostPol'),
    accessKeyId: ghostKey,
    serialNumber: device.serialNumber.replace('alice-a-phone', 'ghost-phone'),
  };

  bAdmin = await signedInUser(server, b, 'admin-b', { managed: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
  // B has entities of its own, so the ARN routes can name a real B entity next to A's ARN.
  await createUser(server, b.token, 'bob-b');
  await server.ok(CreateGroupDocument, { input: { groupName: 'GroupB' } }, b.token);
  await server.ok(CreateRoleDocument, { input: { roleName: 'RoleB', assumeRolePolicyDocument: TRUST } }, b.token);
  await server.ok(CreateInstanceProfileArnDocument, { input: { instanceProfileName: 'ProfileB' } }, b.token);
  await server.ok(AttachUserPolicyDocument, { input: { userName: 'bob-b', policyArn: READ_ONLY } }, b.token);
}, 60_000);

afterAll(async () => {
  await server?.close();
});

/** Every row of account A, in a stable order: any change by B shows up here. */
async function snapshotA(): Promise<string> {
  const acct = a.accountId;
  const q = (sql: string) => server.db.$queryRawUnsafe<Record<string, unknown>[]>(sql, acct);
  const tables = {
    account: await q('SELECT id, name, alias, email, "policyEpoch" FROM "Account" WHERE id = $1'),
    users: await q('SELECT * FROM "User" WHERE "accountId" = $1 ORDER BY id'),
    loginProfiles: await q('SELECT l.* FROM "LoginProfile" l JOIN "User" u ON u.id = l."userId" WHERE u."accountId" = $1 ORDER BY l."userId"'),
    accessKeys: await q('SELECT * FROM "AccessKey" WHERE "accountId" = $1 ORDER BY id'),
    groups: await q('SELECT * FROM "Group" WHERE "accountId" = $1 ORDER BY id'),
    memberships: await q('SELECT m.* FROM "GroupMembership" m JOIN "Group" g ON g.id = m."groupId" WHERE g."accountId" = $1 ORDER BY m."groupId", m."userId"'),
    policies: await q('SELECT * FROM "Policy" WHERE "accountId" = $1 ORDER BY id'),
    versions: await q('SELECT v.* FROM "PolicyVersion" v JOIN "Policy" p ON p.id = v."policyId" WHERE p."accountId" = $1 ORDER BY v."policyId", v."versionId"'),
    attachments: await q('SELECT * FROM "PolicyAttachment" WHERE "accountId" = $1 ORDER BY "entityType", "entityId", "policyArn"'),
    inline: await q('SELECT * FROM "InlinePolicy" WHERE "accountId" = $1 ORDER BY "entityType", "entityId", name'),
    roles: await q('SELECT * FROM "Role" WHERE "accountId" = $1 ORDER BY id'),
    profiles: await q('SELECT * FROM "InstanceProfile" WHERE "accountId" = $1 ORDER BY id'),
    tags: await q('SELECT * FROM "Tag" WHERE "accountId" = $1 ORDER BY "resourceType", "resourceId", "keyLower"'),
    mfa: await q('SELECT * FROM "MfaDevice" WHERE "accountId" = $1 ORDER BY "serialNumber"'),
    passwordPolicy: await q('SELECT * FROM "AccountPasswordPolicy" WHERE "accountId" = $1'),
  };
  return JSON.stringify(tables, (_key, value) => (typeof value === 'bigint' ? value.toString() : value));
}

/** What of A must never appear in an answer's data: its account id and its entities' ids. */
async function secretsOfA(): Promise<string[]> {
  const acct = a.accountId;
  const rows = await server.db.$queryRawUnsafe<Array<{ id: string }>>(
    `SELECT id FROM "User" WHERE "accountId" = $1 UNION SELECT id FROM "Group" WHERE "accountId" = $1
     UNION SELECT id FROM "Role" WHERE "accountId" = $1 UNION SELECT id FROM "Policy" WHERE "accountId" = $1
     UNION SELECT id FROM "InstanceProfile" WHERE "accountId" = $1`,
    acct,
  );
  return [acct, ...rows.map((r) => r.id)];
}

const ALLOWED = ['NoSuchEntity', 'AccessDenied', 'InvalidInput', 'ValidationError'];

const callers = () => [
  { who: "B's root", token: b.token },
  { who: "B's administrator", token: bAdmin.token },
];

// ---------------------------------------------------------------------------
// The schema walk: every Query/Mutation field whose input names an entity.

const schema = buildSchema(readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'));

/** Input fields that name an entity by name (resolved in the caller's own account). */
const NAME_FIELDS = ['userName', 'groupName', 'roleName', 'instanceProfileName'];
/** Input fields that name an entity by ARN or id (may point into another account). */
const ARN_FIELDS = ['policyArn', 'permissionsBoundary', 'roleArn', 'policySourceArn', 'arn', 'serialNumber', 'accessKeyId'];

/**
 * Fields whose identifier arguments filter the caller's own data rather than name an
 * entity (lookupEvents' userName filters B's own trail), and assumeRole, whose
 * resolver decides cross-account access itself: tested on its own below.
 */
const NOT_ENTITY_ROUTES = ['lookupEvents', 'assumeRole'];

/** Fields that create a new entity of the caller's own account from a name: B may reuse A's names. */
function createsOwnEntity(field: GraphQLField<unknown, unknown>): boolean {
  const guard = readGuard(field);
  return !!guard && (/,\s*input\.path\)$/.test(guard.resource) || guard.resource.startsWith('policy(') || guard.action === 'iam:CreateVirtualMFADevice');
}

interface Route {
  field: string;
  operation: 'query' | 'mutation';
  inputType: string;
  build(idents: Identifiers, names: 'a' | 'b'): Record<string, unknown>;
  hasArn: boolean;
}

/** An input value for `type`, filled so the call reaches the entity lookup. */
function buildInput(type: GraphQLInputType, idents: Identifiers, names: 'a' | 'b', fieldName: string, parent: string): unknown {
  const nullable = getNullableType(type) as GraphQLInputType;
  if (isListType(nullable)) return [buildInput(nullable.ofType as GraphQLInputType, idents, names, fieldName, parent)];
  if (isEnumType(nullable)) return nullable.getValues()[0]!.value;
  if (isInputObjectType(nullable)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(nullable.getFields())) {
      const wanted = isNonNullType(f.type) || NAME_FIELDS.includes(f.name) || ARN_FIELDS.includes(f.name) || f.name === 'policyName';
      if (wanted) out[f.name] = buildInput(f.type, idents, names, f.name, nullable.name);
    }
    return out;
  }
  if (isScalarType(nullable) && nullable.name === 'Int') return fieldName === 'durationSeconds' ? 900 : 1;
  if (isScalarType(nullable) && nullable.name === 'Boolean') return false;
  const own = (aName: string, bName: string) => (names === 'a' ? aName : bName);
  switch (fieldName) {
    case 'userName':
      return own(idents.userName, 'bob-b');
    case 'groupName':
      return own(idents.groupName, 'GroupB');
    case 'roleName':
      return own(idents.roleName, 'RoleB');
    case 'instanceProfileName':
      return own(idents.profileName, 'ProfileB');
    case 'policyName':
      return parent.startsWith('Create') ? idents.policyName : idents.inlineName;
    case 'policyArn':
    case 'permissionsBoundary':
      return idents.policyArn;
    case 'roleArn':
      return idents.roleArn;
    case 'policySourceArn':
    case 'arn':
      return idents.userArn;
    case 'serialNumber':
      return idents.serialNumber;
    case 'accessKeyId':
      return idents.accessKeyId;
    case 'versionId':
      return 'v1';
    case 'policyDocument':
    case 'assumeRolePolicyDocument':
      return parent === 'UpdateAssumeRolePolicyInput' || parent === 'CreateRoleInput' ? TRUST : DOC;
    case 'actionNames':
      return 'iam:GetUser';
    case 'resourceArns':
      return idents.userArn;
    case 'password':
    case 'newPassword':
    case 'oldPassword':
      return 'Another-Passw0rd-Long!';
    case 'authenticationCode1':
    case 'authenticationCode2':
    case 'tokenCode':
      return '123456';
    case 'key':
    case 'tagKeys':
      return 'team';
    case 'value':
      return 'b';
    case 'roleSessionName':
      return 'probe';
    case 'status':
      return 'Inactive';
    default:
      return 'probe';
  }
}

function routes(): Route[] {
  const out: Route[] = [];
  for (const operation of ['query', 'mutation'] as const) {
    const root = operation === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
    for (const field of Object.values(root.getFields())) {
      const inputArg = field.args.find((arg) => arg.name === 'input');
      if (!inputArg || !readGuard(field) || createsOwnEntity(field) || NOT_ENTITY_ROUTES.includes(field.name)) continue;
      const inputType = getNamedType(inputArg.type);
      if (!isInputObjectType(inputType)) continue;
      const names = Object.keys(inputType.getFields());
      const hasName = names.some((n) => NAME_FIELDS.includes(n));
      const hasArn = names.some((n) => ARN_FIELDS.includes(n));
      if (!hasName && !hasArn) continue;
      out.push({
        field: field.name,
        operation,
        inputType: inputType.name,
        hasArn,
        build: (idents, who) => buildInput(inputArg.type, idents, who, 'input', inputType.name) as Record<string, unknown>,
      });
    }
  }
  return out;
}

function selectionOf(field: string, operation: 'query' | 'mutation'): string {
  const root = operation === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
  const type = getNamedType(root.getFields()[field]!.type);
  return isObjectType(type) ? '{ __typename }' : '';
}

async function call(route: Route, idents: Identifiers, names: 'a' | 'b', token: string) {
  const query = `${route.operation}($input: ${route.inputType}!) { ${route.field}(input: $input) ${selectionOf(route.field, route.operation)} }`;
  return server.gql(query, { input: route.build(idents, names) }, token);
}

/** A's identifiers in a message replaced by the ghost ones: equal to the ghost's message when nothing leaks. */
function ghostly(message: string): string {
  let out = message;
  const pairs = Object.keys(ids).map((k) => [ids[k as keyof Identifiers], ghosts[k as keyof Identifiers]] as const);
  pairs.sort((x, y) => y[0].length - x[0].length);
  for (const [real, ghost] of pairs) out = out.split(real).join(ghost);
  return out;
}

describe('every field that takes a name or an ARN', () => {
  it('finds the routes to walk', () => {
    const names = routes().map((r) => r.field);
    expect(names).toEqual(expect.arrayContaining(['getUser', 'getGroup', 'getRole', 'getInstanceProfile', 'getPolicy', 'attachUserPolicy', 'deleteAccessKey', 'getAccessKeyLastUsed', 'deleteVirtualMFADevice', 'simulatePrincipalPolicy', 'generateServiceLastAccessedDetails']));
    expect(names.length).toBeGreaterThan(60);
  });

  it("with A's names and ARNs, answers B exactly as for entities that exist nowhere, and changes nothing of A", async () => {
    const before = await snapshotA();
    const secrets = await secretsOfA();
    const failures: string[] = [];
    for (const route of routes()) {
      for (const { who, token } of callers()) {
        const real = await call(route, ids, 'a', token);
        const ghost = await call(route, ghosts, 'a', token);
        const code = real.errors?.[0]?.extensions?.code;
        const label = `${route.field} as ${who}`;
        if (!real.errors?.length) failures.push(`${label}: succeeded with ${JSON.stringify(real.data)}`);
        else if (!ALLOWED.includes(String(code))) failures.push(`${label}: ${code} ${real.errors[0]!.message}`);
        else if (code !== ghost.errors?.[0]?.extensions?.code || ghostly(real.errors[0]!.message) !== ghost.errors?.[0]?.message) {
          failures.push(`${label}: A's entity answers ${code} "${real.errors[0]!.message}", a missing one ${ghost.errors?.[0]?.extensions?.code} "${ghost.errors?.[0]?.message}"`);
        }
        const data = JSON.stringify(real.data ?? null);
        for (const secret of secrets) if (data.includes(secret)) failures.push(`${label}: data reveals ${secret}`);
        // Name routes are looked up in the caller's own account: the answer is NoSuchEntity, never AccessDenied.
        if (!route.hasArn && who === "B's root" && code !== 'NoSuchEntity' && real.errors?.length) failures.push(`${label}: name route answered ${code}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshotA()).toBe(before);
  }, 120_000);

  it("with B's own entities next to A's ARNs and ids, fails the same way and changes nothing of A", async () => {
    const before = await snapshotA();
    const failures: string[] = [];
    for (const route of routes().filter((r) => r.hasArn)) {
      for (const { who, token } of callers()) {
        const real = await call(route, ids, 'b', token);
        const ghost = await call(route, ghosts, 'b', token);
        const code = real.errors?.[0]?.extensions?.code;
        const label = `${route.field} as ${who}`;
        if (!real.errors?.length) failures.push(`${label}: succeeded with ${JSON.stringify(real.data)}`);
        else if (!ALLOWED.includes(String(code))) failures.push(`${label}: ${code} ${real.errors[0]!.message}`);
        else if (code !== ghost.errors?.[0]?.extensions?.code || ghostly(real.errors[0]!.message) !== ghost.errors?.[0]?.message) {
          failures.push(`${label}: A's entity answers ${code} "${real.errors[0]!.message}", a missing one ${ghost.errors?.[0]?.extensions?.code} "${ghost.errors?.[0]?.message}"`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshotA()).toBe(before);
  }, 120_000);
});

describe('assumeRole across accounts', () => {
  it("answers B's administrator for A's role exactly as for a role that exists nowhere, whatever the request carries", async () => {
    const variants: Array<[string, (idents: Identifiers) => AssumeRoleInput]> = [
      ['plain', (i) => ({ roleArn: i.roleArn, roleSessionName: 'probe' })],
      ['with an MFA code', (i) => ({ roleArn: i.roleArn, roleSessionName: 'probe', serialNumber: i.serialNumber, tokenCode: '123456' })],
      ['with policyArns', (i) => ({ roleArn: i.roleArn, roleSessionName: 'probe', policyArns: [{ arn: i.policyArn }] })],
      ['with policyArns naming a missing policy', (i) => ({ roleArn: i.roleArn, roleSessionName: 'probe', policyArns: [{ arn: ghosts.policyArn }] })],
      ['with a malformed session policy', (i) => ({ roleArn: i.roleArn, roleSessionName: 'probe', policy: '{"Version":' })],
    ];
    const failures: string[] = [];
    for (const [name, input] of variants) {
      const real = await server.gql(AssumeRoleUserArnDocument, { input: input(ids) }, bAdmin.token);
      const ghost = await server.gql(AssumeRoleUserArnDocument, { input: input(ghosts) }, bAdmin.token);
      const [r, g] = [real.errors?.[0], ghost.errors?.[0]];
      if (!r || r.extensions?.code !== g?.extensions?.code || ghostly(r.message) !== g?.message) {
        failures.push(`${name}: A's role answers ${r?.extensions?.code} "${r?.message}", a missing role ${g?.extensions?.code} "${g?.message}"`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe('named routes', () => {
  it("get* by A's names answers NoSuchEntity with the same message as a name that exists nowhere", async () => {
    type Get = (name: string, token: string) => Promise<GraphQLResponse<unknown>>;
    const cases: Array<[string, Get, string, string]> = [
      ['getUser', (userName, token) => server.gql(GetUserSummaryDocument, { input: { userName } }, token), ids.userName, ghosts.userName],
      ['getGroup', (groupName, token) => server.gql(GetGroupNameAndArnDocument, { input: { groupName } }, token), ids.groupName, ghosts.groupName],
      ['getRole', (roleName, token) => server.gql(GetRoleDetailsDocument, { input: { roleName } }, token), ids.roleName, ghosts.roleName],
      ['getInstanceProfile', (instanceProfileName, token) => server.gql(GetInstanceProfileDocument, { input: { instanceProfileName } }, token), ids.profileName, ghosts.profileName],
      ['getLoginProfile', (userName, token) => server.gql(GetLoginProfileDocument, { input: { userName } }, token), ids.userName, ghosts.userName],
      ['getUserPolicy', (userName, token) => server.gql(GetUserPolicyDocument, { input: { userName, policyName: 'InlineA' } }, token), ids.userName, ghosts.userName],
    ];
    for (const { token } of callers()) {
      for (const [operation, get, real, ghost] of cases) {
        const found = await get(real, token);
        const missing = await get(ghost, token);
        expect(found.errors?.[0]?.extensions?.code, operation).toBe('NoSuchEntity');
        expect(found.errors![0]!.message.split(real).join(ghost)).toBe(missing.errors![0]!.message);
        expect(found.data).toBeNull();
      }
    }
  });

  it("getPolicy with A's policy ARN answers B as for a policy ARN of A's account that does not exist", async () => {
    for (const { token } of callers()) {
      const found = await server.gql(GetPolicyAttachmentCountDocument, { input: { policyArn: ids.policyArn } }, token);
      const missing = await server.gql(GetPolicyAttachmentCountDocument, { input: { policyArn: ghosts.policyArn } }, token);
      expect(ALLOWED).toContain(found.errors?.[0]?.extensions?.code);
      expect(found.errors![0]!.extensions?.code).toBe(missing.errors![0]!.extensions?.code);
      expect(found.data).toBeNull();
    }
  });
});

describe('cursors, nested fields and shared AWS-managed policies', () => {
  it("A's list cursors are refused to B", async () => {
    /** A list's one-entry page (after `after` when given), narrowed to the list. */
    type Page = (token: string, after?: string) => Promise<GraphQLResponse<{ pageInfo: { endCursor: string | null } }>>;
    const lists: Array<[string, Page]> = [
      ['listUsers', (token, after) => server.gql(ListUsersPageDocument, { first: 1, after }, token).then(fieldOf('listUsers'))],
      ['listGroups', (token, after) => server.gql(ListGroupsPageDocument, { first: 1, after }, token).then(fieldOf('listGroups'))],
      ['listRoles', (token, after) => server.gql(ListRolesPageDocument, { first: 1, after }, token).then(fieldOf('listRoles'))],
      ['listPolicies', (token, after) => server.gql(ListLocalPoliciesPageDocument, { first: 1, after }, token).then(fieldOf('listPolicies'))],
      ['listInstanceProfiles', (token, after) => server.gql(ListInstanceProfilesPageDocument, { first: 1, after }, token).then(fieldOf('listInstanceProfiles'))],
      ['listVirtualMFADevices', (token, after) => server.gql(ListVirtualMFADevicesPageDocument, { first: 1, after }, token).then(fieldOf('listVirtualMFADevices'))],
    ];
    // Give A two of everything so a first page has a next one.
    await createUser(server, a.token, 'zed-a');
    for (const [field, page] of lists) {
      const cursor = (await page(a.token)).data?.pageInfo.endCursor;
      expect(cursor, field).toBeTruthy();
      for (const { who, token } of callers()) {
        const result = await page(token, cursor!);
        expect(result.errors?.[0]?.extensions?.code, `${field} as ${who}`).toBe('InvalidInput');
        expect(JSON.stringify(result.data ?? null)).not.toContain(a.accountId);
      }
    }
    await server.ok(DeleteUserDocument, { input: { userName: 'zed-a' } }, a.token);
  });

  it("B's lists, nested fields and the audit trail show nothing of A", async () => {
    for (const { who, token } of callers()) {
      const result = await server.gql(ListEverythingDocument, {}, token);
      const text = JSON.stringify(result);
      expect(text, who).not.toContain(a.accountId);
      for (const name of ['alice-a', 'GroupA', 'RoleA', 'ProfileA', 'PolicyA']) expect(text, `${who} ${name}`).not.toContain(name);
    }
    // B's trail holds B's own calls (some naming A's ARNs, as B typed them), never A's.
    const trail = (eventName: string, token: string) => server.ok(LookupEventIdentitiesDocument, { input: { eventName } }, token);
    for (const eventName of ['CreateUser', 'CreateGroup', 'CreateRole', 'CreatePolicy', 'CreateInstanceProfile', 'CreateAccessKey', 'EnableMFADevice']) {
      const own = await trail(eventName, a.token);
      expect(JSON.stringify(own), `A's trail has ${eventName}`).toContain(a.accountId);
      const theirs = await trail(eventName, b.token);
      expect(JSON.stringify(theirs), `B's trail ${eventName}`).not.toContain(a.accountId);
    }
  });

  it('an AWS-managed policy attached in both accounts counts and lists only the caller account’s entities', async () => {
    for (const { who, token } of callers()) {
      const data = await server.ok(PolicyEntitiesOfAccountDocument, { policyArn: READ_ONLY }, token);
      expect(data.getPolicy.policy.attachmentCount, who).toBe(1);
      expect(JSON.stringify(data), who).not.toMatch(/alice-a|GroupA|RoleA/);
      expect(JSON.stringify(data), who).toContain('bob-b');
    }
  });
});
