// Instance profiles over HTTP: the tutorial's AppServerProfile holding
// AppServerRole, the one-role quota under concurrency, deletion conflicts, tags,
// pagination, nested lists and tenant isolation.
import { describe, expect, it } from 'vitest';
import {
  AddRoleToInstanceProfileDocument,
  CreateInstanceProfileDocument,
  CreateRoleDocument,
  DeleteInstanceProfileDocument,
  DeleteRoleDocument,
  GetInstanceProfileDocument,
  GetRoleInstanceProfilesDocument,
  ListInstanceProfilesDocument,
  ListInstanceProfilesForRoleDocument,
  ListInstanceProfilesNestedDocument,
  ListInstanceProfileTagsDocument,
  RemoveRoleFromInstanceProfileDocument,
  TagInstanceProfileDocument,
  UntagInstanceProfileDocument,
  type CreateInstanceProfileInput,
} from './generated/graphql.js';
import { policy, signedInUser } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

const EC2_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const createRole = (token: string, roleName: string) => server.ok(CreateRoleDocument, { input: { roleName, assumeRolePolicyDocument: EC2_TRUST } }, token);
const createProfile = async (token: string, input: CreateInstanceProfileInput) => (await server.ok(CreateInstanceProfileDocument, { input }, token)).createInstanceProfile.instanceProfile;
const getProfile = async (token: string, instanceProfileName: string) => (await server.ok(GetInstanceProfileDocument, { input: { instanceProfileName } }, token)).getInstanceProfile.instanceProfile;
const add = (token: string, instanceProfileName: string, roleName: string) => server.gql(AddRoleToInstanceProfileDocument, { input: { instanceProfileName, roleName } }, token);

describe('the tutorial: AppServerProfile holding AppServerRole', () => {
  it('creates the profile, adds the role and lists the profiles of the role', async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'AppServerRole');
    const profile = await createProfile(token, { instanceProfileName: 'AppServerProfile' });
    expect(profile).toMatchObject({ instanceProfileName: 'AppServerProfile', arn: `arn:aws:iam::${accountId}:instance-profile/AppServerProfile`, path: '/', roles: [], tags: [] });
    expect(profile.instanceProfileId).toMatch(/^AIPA[A-Z2-7]{17}$/);
    expect(Date.parse(profile.createDate)).toBeGreaterThan(Date.now() - 60_000);

    expect((await add(token, 'AppServerProfile', 'AppServerRole')).data?.addRoleToInstanceProfile).toBe(true);
    const fetched = await getProfile(token, 'appserverprofile');
    expect(fetched.roles).toEqual([{ roleName: 'AppServerRole', arn: `arn:aws:iam::${accountId}:role/AppServerRole` }]);

    const forRole = (await server.ok(ListInstanceProfilesForRoleDocument, { input: { roleName: 'AppServerRole' } }, token)).listInstanceProfilesForRole;
    expect(forRole).toEqual({
      nodes: [{ instanceProfileName: 'AppServerProfile', arn: profile.arn, roles: [{ roleName: 'AppServerRole' }] }],
      isTruncated: false,
      marker: null,
    });
    const nested = (await server.ok(GetRoleInstanceProfilesDocument, { input: { roleName: 'AppServerRole' } }, token)).getRole.role;
    expect(nested.instanceProfiles.nodes).toEqual([{ instanceProfileName: 'AppServerProfile', roles: [{ roleName: 'AppServerRole' }] }]);
  });
});

describe('createInstanceProfile and getInstanceProfile', () => {
  it('stores a path and tags', async () => {
    const { accountId, token } = await server.newAccount();
    const profile = await createProfile(token, { instanceProfileName: 'web', path: '/app/', tags: [{ key: 'tier', value: 'web' }] });
    expect(profile).toMatchObject({ arn: `arn:aws:iam::${accountId}:instance-profile/app/web`, path: '/app/', tags: [{ key: 'tier', value: 'web' }] });
  });

  it('accepts a 128-character name and refuses bad names and paths with ValidationError', async () => {
    const { token } = await server.newAccount();
    await createProfile(token, { instanceProfileName: 'p'.repeat(128) });
    for (const input of [{ instanceProfileName: 'p'.repeat(129) }, { instanceProfileName: 'bad name' }, { instanceProfileName: '' }, { instanceProfileName: 'ok', path: 'app' }, { instanceProfileName: 'ok', path: '/app' }]) {
      expect(await server.errorCode(CreateInstanceProfileDocument, { input }, token), JSON.stringify(input)).toBe('ValidationError');
    }
  });

  it('refuses a duplicate name case-insensitively with EntityAlreadyExists', async () => {
    const { token } = await server.newAccount();
    await createProfile(token, { instanceProfileName: 'AppServerProfile' });
    const result = await server.gql(CreateInstanceProfileDocument, { input: { instanceProfileName: 'APPSERVERPROFILE' } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
    expect(result.errors?.[0]?.message).toBe('Instance Profile APPSERVERPROFILE already exists.');
  });

  it('lets exactly one of several concurrent creates of the same name succeed', async () => {
    const { token } = await server.newAccount();
    const names = ['Racer', 'racer', 'RACER', 'Racer'];
    const results = await Promise.all(names.map((instanceProfileName) => server.gql(CreateInstanceProfileDocument, { input: { instanceProfileName, tags: [{ key: 'k', value: 'v' }] } }, token)));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'EntityAlreadyExists').length).toBe(names.length - 1);
  });

  it('holds the quota of 1,000 instance profiles per account under concurrent creates', async () => {
    const { accountId, token } = await server.newAccount();
    await server.db.instanceProfile.createMany({
      data: Array.from({ length: 999 }, (_, i) => ({
        id: `AIPASEEDED${String(i).padStart(11, '0')}`,
        accountId,
        name: `seeded${i}`,
        nameKey: `seeded${i}`,
        arn: `arn:aws:iam::${accountId}:instance-profile/seeded${i}`,
      })),
    });
    const results = await Promise.all(['last-a', 'last-b', 'last-c'].map((instanceProfileName) => server.gql(CreateInstanceProfileDocument, { input: { instanceProfileName } }, token)));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    const refused = results.filter((r) => r.errors);
    expect(refused.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['LimitExceeded', 'LimitExceeded']);
    expect(refused[0]!.errors?.[0]?.message).toBe('Cannot exceed quota for InstanceProfilesPerAccount: 1000');
    expect(await server.db.instanceProfile.count({ where: { accountId } })).toBe(1000);
  });

  it('answers NoSuchEntity with AWS message for an unknown profile', async () => {
    const { token } = await server.newAccount();
    const result = await server.gql(GetInstanceProfileDocument, { input: { instanceProfileName: 'ghost' } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(result.errors?.[0]?.message).toBe('Instance Profile ghost cannot be found.');
  });

  it('refuses duplicate tag keys with InvalidInput and leaves no profile behind', async () => {
    const { accountId, token } = await server.newAccount();
    expect(await server.errorCode(CreateInstanceProfileDocument, { input: { instanceProfileName: 'p', tags: [{ key: 'a', value: '1' }, { key: 'A', value: '2' }] } }, token)).toBe('InvalidInput');
    expect(await server.db.instanceProfile.count({ where: { accountId } })).toBe(0);
  });
});

describe('addRoleToInstanceProfile and removeRoleFromInstanceProfile', () => {
  it('refuses a second role, or the same role again, with LimitExceeded', async () => {
    const { token } = await server.newAccount();
    await createRole(token, 'one');
    await createRole(token, 'two');
    await createProfile(token, { instanceProfileName: 'profile' });
    await server.ok(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: 'profile', roleName: 'one' } }, token);
    const second = await add(token, 'profile', 'two');
    expect(second.errors?.[0]?.extensions?.code).toBe('LimitExceeded');
    expect(second.errors?.[0]?.message).toBe('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
    expect((await add(token, 'profile', 'ONE')).errors?.[0]?.extensions?.code).toBe('LimitExceeded');
    expect((await getProfile(token, 'profile')).roles.map((r) => r.roleName)).toEqual(['one']);
  });

  it('lets exactly one of several concurrent adds to the same profile succeed', async () => {
    const { token } = await server.newAccount();
    const roles = ['r1', 'r2', 'r3', 'r4', 'r5'];
    for (const role of roles) await createRole(token, role);
    await createProfile(token, { instanceProfileName: 'profile' });
    const results = await Promise.all(roles.map((role) => add(token, 'profile', role)));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'LimitExceeded').length).toBe(roles.length - 1);
    expect((await getProfile(token, 'profile')).roles.length).toBe(1);
  });

  it('answers NoSuchEntity for an unknown profile or role', async () => {
    const { token } = await server.newAccount();
    await createRole(token, 'app');
    await createProfile(token, { instanceProfileName: 'profile' });
    expect((await add(token, 'ghost', 'app')).errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect((await add(token, 'profile', 'ghost')).errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect((await add(token, 'profile', 'bad name')).errors?.[0]?.extensions?.code).toBe('ValidationError');
    expect(await server.errorCode(RemoveRoleFromInstanceProfileDocument, { input: { instanceProfileName: 'ghost', roleName: 'app' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(RemoveRoleFromInstanceProfileDocument, { input: { instanceProfileName: 'profile', roleName: 'ghost' } }, token)).toBe('NoSuchEntity');
  });

  it('removes the role, after which another role fits and removing it again is NoSuchEntity', async () => {
    const { token } = await server.newAccount();
    await createRole(token, 'one');
    await createRole(token, 'two');
    await createProfile(token, { instanceProfileName: 'profile' });
    await server.ok(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: 'profile', roleName: 'one' } }, token);
    expect(await server.errorCode(RemoveRoleFromInstanceProfileDocument, { input: { instanceProfileName: 'profile', roleName: 'two' } }, token)).toBe('NoSuchEntity');
    expect((await server.ok(RemoveRoleFromInstanceProfileDocument, { input: { instanceProfileName: 'profile', roleName: 'one' } }, token)).removeRoleFromInstanceProfile).toBe(true);
    expect((await getProfile(token, 'profile')).roles).toEqual([]);
    expect(await server.errorCode(RemoveRoleFromInstanceProfileDocument, { input: { instanceProfileName: 'profile', roleName: 'one' } }, token)).toBe('NoSuchEntity');
    await server.ok(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: 'profile', roleName: 'two' } }, token);
    expect((await getProfile(token, 'profile')).roles.map((r) => r.roleName)).toEqual(['two']);
  });

  it('keeps the role when a concurrent deleteRole races an add: exactly one of them wins', async () => {
    const { token } = await server.newAccount();
    await createRole(token, 'app');
    await createProfile(token, { instanceProfileName: 'profile' });
    const [added, deleted] = await Promise.all([add(token, 'profile', 'app'), server.gql(DeleteRoleDocument, { input: { roleName: 'app' } }, token)]);
    const addOk = !added.errors;
    const deleteOk = !deleted.errors;
    expect(addOk !== deleteOk).toBe(true);
    if (addOk) expect(deleted.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
    else expect(added.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect((await getProfile(token, 'profile')).roles.length).toBe(addOk ? 1 : 0);
  });
});

describe('deleteInstanceProfile', () => {
  it('refuses while the profile holds a role, then deletes it with its tags', async () => {
    const { token } = await server.newAccount();
    await createRole(token, 'app');
    const profile = await createProfile(token, { instanceProfileName: 'profile', tags: [{ key: 'a', value: 'b' }] });
    await server.ok(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: 'profile', roleName: 'app' } }, token);
    const conflict = await server.gql(DeleteInstanceProfileDocument, { input: { instanceProfileName: 'profile' } }, token);
    expect(conflict.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
    expect(conflict.errors?.[0]?.message).toBe('Cannot delete entity, must remove roles from instance profile first.');
    await server.ok(RemoveRoleFromInstanceProfileDocument, { input: { instanceProfileName: 'profile', roleName: 'app' } }, token);
    expect((await server.ok(DeleteInstanceProfileDocument, { input: { instanceProfileName: 'PROFILE' } }, token)).deleteInstanceProfile).toBe(true);
    expect(await server.errorCode(GetInstanceProfileDocument, { input: { instanceProfileName: 'profile' } }, token)).toBe('NoSuchEntity');
    expect(await server.db.tag.count({ where: { resourceType: 'instance-profile', resourceId: profile.instanceProfileId } })).toBe(0);
    expect(await server.errorCode(DeleteInstanceProfileDocument, { input: { instanceProfileName: 'profile' } }, token)).toBe('NoSuchEntity');
    await server.ok(DeleteRoleDocument, { input: { roleName: 'app' } }, token);
  });
});

describe('listing', () => {
  it('pages through instance profiles in name order and filters by path prefix', async () => {
    const { token } = await server.newAccount();
    await createRole(token, 'app');
    for (const [name, path] of [['delta', '/b/'], ['Alpha', '/a/'], ['charlie', '/a/'], ['Bravo', '/b/']] as const) await createProfile(token, { instanceProfileName: name, path });
    await server.ok(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: 'charlie', roleName: 'app' } }, token);
    const first = (await server.ok(ListInstanceProfilesDocument, { first: 3 }, token)).listInstanceProfiles;
    expect(first.nodes).toEqual([
      { instanceProfileName: 'Alpha', roles: [] },
      { instanceProfileName: 'Bravo', roles: [] },
      { instanceProfileName: 'charlie', roles: [{ roleName: 'app' }] },
    ]);
    expect(first.isTruncated).toBe(true);
    expect(first.marker).toBe(first.pageInfo.endCursor);
    const rest = (await server.ok(ListInstanceProfilesDocument, { first: 3, after: first.marker }, token)).listInstanceProfiles;
    expect(rest.nodes.map((n) => n.instanceProfileName)).toEqual(['delta']);
    expect(rest.isTruncated).toBe(false);
    const underA = (await server.ok(ListInstanceProfilesDocument, { input: { pathPrefix: '/a/' } }, token)).listInstanceProfiles;
    expect(underA.nodes.map((n) => n.instanceProfileName)).toEqual(['Alpha', 'charlie']);
    await createProfile(token, { instanceProfileName: 'wild', path: '/a_/' });
    const literal = (await server.ok(ListInstanceProfilesDocument, { input: { pathPrefix: '/a_' } }, token)).listInstanceProfiles;
    expect(literal.nodes.map((n) => n.instanceProfileName)).toEqual(['wild']);
    expect(await server.errorCode(ListInstanceProfilesDocument, { first: 3, after: first.marker, input: { pathPrefix: '/a/' } }, token)).toBe('InvalidInput');
  });

  it("pages through a role's instance profiles, nested and at the top level", async () => {
    const { token } = await server.newAccount();
    await createRole(token, 'app');
    for (const name of ['p3', 'p1', 'p2']) {
      await createProfile(token, { instanceProfileName: name });
      await server.ok(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: name, roleName: 'app' } }, token);
    }
    await createProfile(token, { instanceProfileName: 'p0-empty' });
    const top = (await server.ok(ListInstanceProfilesForRoleDocument, { input: { roleName: 'app' }, first: 2 }, token)).listInstanceProfilesForRole;
    expect(top.nodes.map((n) => n.instanceProfileName)).toEqual(['p1', 'p2']);
    expect(top.isTruncated).toBe(true);
    const next = (await server.ok(ListInstanceProfilesForRoleDocument, { input: { roleName: 'app' }, first: 2, after: top.marker }, token)).listInstanceProfilesForRole;
    expect(next.nodes.map((n) => n.instanceProfileName)).toEqual(['p3']);
    const nested = (await server.ok(GetRoleInstanceProfilesDocument, { input: { roleName: 'app' }, first: 2 }, token)).getRole.role.instanceProfiles;
    expect(nested.nodes.map((n) => n.instanceProfileName)).toEqual(['p1', 'p2']);
    const nestedNext = (await server.ok(GetRoleInstanceProfilesDocument, { input: { roleName: 'app' }, first: 2, after: nested.marker }, token)).getRole.role.instanceProfiles;
    expect(nestedNext.nodes.map((n) => n.instanceProfileName)).toEqual(['p3']);
    expect(await server.errorCode(ListInstanceProfilesForRoleDocument, { input: { roleName: 'ghost' } }, token)).toBe('NoSuchEntity');
  });

  it('resolves the roles, and their instance profiles, of every listed profile', async () => {
    const { token } = await server.newAccount();
    for (let i = 0; i < 6; i++) {
      await createRole(token, `role${i}`);
      await createProfile(token, { instanceProfileName: `profile${i}` });
      await server.ok(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: `profile${i}`, roleName: `role${i}` } }, token);
    }
    const nodes = (await server.ok(ListInstanceProfilesNestedDocument, {}, token)).listInstanceProfiles.nodes;
    expect(nodes.length).toBe(6);
    for (const [i, node] of nodes.entries()) {
      expect(node).toEqual({ instanceProfileName: `profile${i}`, roles: [{ roleName: `role${i}`, instanceProfiles: { nodes: [{ instanceProfileName: `profile${i}` }] } }] });
    }
  });
});

describe('instance profile tags', () => {
  it('adds, overwrites, lists with pagination and removes tags', async () => {
    const { token } = await server.newAccount();
    await createProfile(token, { instanceProfileName: 'profile', tags: [{ key: 'Env', value: 'dev' }] });
    await server.ok(TagInstanceProfileDocument, { input: { instanceProfileName: 'profile', tags: [{ key: 'env', value: 'prod' }, { key: 'app', value: 'web' }] } }, token);
    const first = (await server.ok(ListInstanceProfileTagsDocument, { input: { instanceProfileName: 'profile' }, first: 1 }, token)).listInstanceProfileTags;
    expect(first.nodes).toEqual([{ key: 'app', value: 'web' }]);
    expect(first.isTruncated).toBe(true);
    const rest = (await server.ok(ListInstanceProfileTagsDocument, { input: { instanceProfileName: 'profile' }, after: first.marker }, token)).listInstanceProfileTags;
    expect(rest.nodes).toEqual([{ key: 'env', value: 'prod' }]);
    await server.ok(UntagInstanceProfileDocument, { input: { instanceProfileName: 'profile', tagKeys: ['APP'] } }, token);
    expect((await getProfile(token, 'profile')).tags).toEqual([{ key: 'env', value: 'prod' }]);
  });

  it('refuses a 51st tag with LimitExceeded and unknown profiles with NoSuchEntity', async () => {
    const { token } = await server.newAccount();
    await createProfile(token, { instanceProfileName: 'profile', tags: Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: '' })) });
    expect(await server.errorCode(TagInstanceProfileDocument, { input: { instanceProfileName: 'profile', tags: [{ key: 'extra', value: '' }] } }, token)).toBe('LimitExceeded');
    expect(await server.errorCode(TagInstanceProfileDocument, { input: { instanceProfileName: 'ghost', tags: [{ key: 'a', value: '' }] } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(UntagInstanceProfileDocument, { input: { instanceProfileName: 'ghost', tagKeys: ['a'] } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(ListInstanceProfileTagsDocument, { input: { instanceProfileName: 'ghost' } }, token)).toBe('NoSuchEntity');
  });
});

describe('authorization', () => {
  it('requires iam:PassRole on the role besides iam:AddRoleToInstanceProfile', async () => {
    const { accountId, token } = await server.newAccount();
    await createRole(token, 'app');
    await createRole(token, 'passable');
    await createProfile(token, { instanceProfileName: 'profile' });
    const ops = await signedInUser(server, { accountId, token }, 'ops', {
      inline: {
        ops: policy(
          { Effect: 'Allow', Action: 'iam:AddRoleToInstanceProfile', Resource: '*' },
          { Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${accountId}:role/passable` },
        ),
      },
    });
    const opsToken = ops.token;

    const denied = await add(opsToken, 'profile', 'app');
    expect(denied.errors?.[0]?.extensions?.code).toBe('AccessDenied');
    expect(denied.errors?.[0]?.message).toContain('iam:PassRole');
    expect((await getProfile(token, 'profile')).roles).toEqual([]);
    expect((await add(opsToken, 'profile', 'passable')).errors).toBeUndefined();
    expect((await getProfile(token, 'profile')).roles.map((r) => r.roleName)).toEqual(['passable']);
  });
});

describe('tenant isolation', () => {
  it("lets account B neither see A's profiles nor put A's role in B's profile or B's role in A's", async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    await createRole(a.token, 'shared-name');
    await createProfile(a.token, { instanceProfileName: 'a-profile' });
    await createRole(b.token, 'b-role');
    await createProfile(b.token, { instanceProfileName: 'b-profile' });

    expect((await add(b.token, 'b-profile', 'shared-name')).errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect((await add(b.token, 'a-profile', 'b-role')).errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(await server.errorCode(GetInstanceProfileDocument, { input: { instanceProfileName: 'a-profile' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteInstanceProfileDocument, { input: { instanceProfileName: 'a-profile' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(TagInstanceProfileDocument, { input: { instanceProfileName: 'a-profile', tags: [{ key: 'x', value: 'y' }] } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(ListInstanceProfilesForRoleDocument, { input: { roleName: 'shared-name' } }, b.token)).toBe('NoSuchEntity');
    expect((await server.ok(ListInstanceProfilesDocument, {}, b.token)).listInstanceProfiles.nodes).toEqual([{ instanceProfileName: 'b-profile', roles: [] }]);
    expect((await getProfile(a.token, 'a-profile')).roles).toEqual([]);
    expect((await server.ok(ListInstanceProfilesForRoleDocument, { input: { roleName: 'b-role' } }, b.token)).listInstanceProfilesForRole.nodes).toEqual([]);
  });
});
