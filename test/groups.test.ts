// IAM groups and group membership over HTTP: CreateGroup, GetGroup, ListGroups,
// UpdateGroup, DeleteGroup, AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser,
// and the nested lists Group.users / User.groups, with AWS's codes and quotas.
import { describe, expect, it } from 'vitest';
import { iamArn } from '../src/iam/arn.js';
import { newUniqueId } from '../src/iam/ids.js';
import {
  AddUserToGroupDocument,
  CreateGroupDetailsDocument,
  CreateGroupDocument,
  DeleteGroupDocument,
  GetGroupDocument,
  GetGroupMembersDocument,
  GetGroupNameAndArnDocument,
  GetUserGroupsDocument,
  GetUserNameAndArnDocument,
  GetUserSummaryDocument,
  ListGroupsDetailsDocument,
  ListGroupsDocument,
  ListGroupsForUserDocument,
  ListGroupsNestedDocument,
  RemoveUserFromGroupDocument,
  UpdateGroupDocument,
  type ListGroupsInput,
} from './generated/graphql.js';
import { createUser, policy, signedInUser as signedInUserAs, type Account } from './support/scenarios.js';
import { startTestServer, useTestServer } from './support/server.js';

const server = useTestServer();

/** A page of results: `after` is the previous page's marker (null on the last page). */
type Page = { first?: number; after?: string | null };

const createGroup = (account: Account, groupName: string, path?: string) =>
  server.ok(CreateGroupDetailsDocument, { input: { groupName, path } }, account.token).then((data) => data.createGroup.group);
const addUser = (account: Account, groupName: string, userName: string) => server.ok(AddUserToGroupDocument, { input: { groupName, userName } }, account.token);
const groupNames = (account: Account, input: ListGroupsInput = {}, page: Page = {}) =>
  server.ok(ListGroupsDocument, { input, ...page }, account.token).then((data) => data.listGroups);
const groupsOf = (account: Account, userName: string, page: Page = {}) =>
  server.ok(ListGroupsForUserDocument, { input: { userName }, ...page }, account.token).then((data) => data.listGroupsForUser);
const policyEpoch = async (account: Account) => (await server.db.account.findUniqueOrThrow({ where: { id: account.accountId } })).policyEpoch;

describe('the getting-started tutorial', () => {
  it('creates group Developers, adds alice, lists her groups and gets the group with its users', async () => {
    const account = await server.newAccount();
    await createUser(server, account.token, 'alice');
    const group = await createGroup(account, 'Developers');
    expect(await addUser(account, 'Developers', 'alice')).toEqual({ addUserToGroup: true });

    const groups = await groupsOf(account, 'alice');
    expect(groups.nodes).toEqual([{ groupName: 'Developers' }]);
    expect(groups.isTruncated).toBe(false);

    const alice = await server.ok(GetUserSummaryDocument, { input: { userName: 'alice' } }, account.token);
    const members = await server.ok(GetGroupMembersDocument, { input: { groupName: 'Developers' } }, account.token);
    expect(members.getGroup.users.nodes).toEqual([alice.getUser.user]);
    const nested = await server.ok(GetUserGroupsDocument, { input: { userName: 'alice' } }, account.token);
    expect(nested.getUser.user.groups.nodes).toEqual([{ groupName: 'Developers', arn: group.arn }]);

    const data = await server.ok(GetGroupDocument, { input: { groupName: 'Developers' } }, account.token);
    expect(data.getGroup).toEqual({
      group: { groupName: 'Developers', arn: group.arn },
      users: { nodes: [{ userName: 'alice' }], pageInfo: { hasNextPage: false, endCursor: expect.any(String) } },
      isTruncated: false,
      marker: null,
    });
  });
});

describe('createGroup', () => {
  it('returns the group with an AGPA id and an ARN built from its path and name', async () => {
    const account = await server.newAccount();
    const before = Date.now();
    const group = await createGroup(account, 'Developers', '/engineering/');
    expect(group).toMatchObject({ groupName: 'Developers', path: '/engineering/', arn: `arn:aws:iam::${account.accountId}:group/engineering/Developers` });
    expect(group.groupId).toMatch(/^AGPA[A-Z2-7]{17}$/);
    expect(Date.parse(group.createDate)).toBeGreaterThanOrEqual(before - 5_000);
    expect((await createGroup(account, 'Ops')).path).toBe('/');
    // listGroups reads its rows with raw SQL: the same instant must come back.
    const listed = await server.ok(ListGroupsDetailsDocument, {}, account.token);
    expect(listed.listGroups.nodes[0]).toEqual(group);
  });

  it.each([
    ['a 129-character name', 'g'.repeat(129), undefined],
    ['an empty name', '', undefined],
    ['a space in the name', 'dev ops', undefined],
    ['a slash in the name', 'dev/ops', undefined],
    ['a non-ASCII name', 'développeurs', undefined],
    ['a path without slashes', 'Devs', 'engineering'],
    ['a path without a trailing slash', 'Devs', '/engineering'],
    ['a path longer than 512 characters', 'Devs', `/${'p'.repeat(511)}/`],
  ])('refuses %s with ValidationError and creates nothing', async (_case, groupName, path) => {
    const account = await server.newAccount();
    expect(await server.errorCode(CreateGroupDetailsDocument, { input: { groupName, path } }, account.token)).toBe('ValidationError');
    expect((await groupNames(account)).nodes).toEqual([]);
  });

  it('words a validation error like AWS, naming the parameter and the constraint', async () => {
    const account = await server.newAccount();
    const result = await server.gql(CreateGroupDetailsDocument, { input: { groupName: 'g'.repeat(129) } }, account.token);
    expect(result.errors?.[0]?.message).toBe(
      `1 validation error detected: Value '${'g'.repeat(129)}' at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
  });

  it('accepts a 128-character name and the characters +=,.@_-', async () => {
    const account = await server.newAccount();
    expect((await createGroup(account, 'g'.repeat(128))).groupName).toHaveLength(128);
    expect((await createGroup(account, 'a+b=c,d.e@f_g-h')).groupName).toBe('a+b=c,d.e@f_g-h');
  });

  it('refuses a duplicate name case-insensitively with EntityAlreadyExists', async () => {
    const account = await server.newAccount();
    await createGroup(account, 'Developers');
    const result = await server.gql(CreateGroupDetailsDocument, { input: { groupName: 'DEVELOPERS' } }, account.token);
    expect(result.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
    expect(result.errors?.[0]?.message).toBe('Group with name DEVELOPERS already exists.');
    expect((await groupNames(account)).nodes).toEqual([{ groupName: 'Developers', path: '/' }]);
  });

  it('lets exactly one of two concurrent creates of the same name succeed', async () => {
    const account = await server.newAccount();
    const results = await Promise.all(['Racers', 'racers', 'RACERS'].map((groupName) => server.gql(CreateGroupDetailsDocument, { input: { groupName } }, account.token)));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.flatMap((r) => r.errors ?? []).map((e) => e.extensions?.code)).toEqual(['EntityAlreadyExists', 'EntityAlreadyExists']);
    expect((await groupNames(account)).nodes).toHaveLength(1);
  });

  it('holds the 300-group account quota when creates race, then refuses with LimitExceeded', async () => {
    const account = await server.newAccount();
    await server.db.group.createMany({
      data: Array.from({ length: 298 }, (_, i) => {
        const name = `seeded-${String(i).padStart(3, '0')}`;
        return { id: newUniqueId('group'), accountId: account.accountId, name, nameKey: name, path: '/', arn: iamArn(account.accountId, 'group', '/', name) };
      }),
    });
    const race = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5'].map((groupName) => server.gql(CreateGroupDetailsDocument, { input: { groupName } }, account.token)));
    expect(race.filter((r) => !r.errors).length).toBe(2);
    expect(race.flatMap((r) => r.errors ?? []).map((e) => e.extensions?.code)).toEqual(Array(3).fill('LimitExceeded'));
    expect(await server.db.group.count({ where: { accountId: account.accountId } })).toBe(300);
    const result = await server.gql(CreateGroupDetailsDocument, { input: { groupName: 'one-too-many' } }, account.token);
    expect(result.errors?.[0]?.extensions?.code).toBe('LimitExceeded');
    expect(result.errors?.[0]?.message).toBe('Cannot exceed quota for GroupsPerAccount: 300');
  });
});

describe('getGroup', () => {
  it('finds a group case-insensitively and answers NoSuchEntity for an unknown one', async () => {
    const account = await server.newAccount();
    await createGroup(account, 'Developers');
    const data = await server.ok(GetGroupDocument, { input: { groupName: 'developers' } }, account.token);
    expect(data.getGroup.group.groupName).toBe('Developers');
    const missing = await server.gql(GetGroupDocument, { input: { groupName: 'Nobody' } }, account.token);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(missing.errors?.[0]?.message).toBe('The group with name Nobody cannot be found.');
  });

  it('pages through the users with first/after and refuses a cursor of another group', async () => {
    const account = await server.newAccount();
    await createGroup(account, 'Big');
    await createGroup(account, 'Other');
    for (const name of ['carol', 'alice', 'erin', 'bob', 'dave']) {
      await createUser(server, account.token, name);
      await addUser(account, 'Big', name);
      await addUser(account, 'Other', name);
    }
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 3; page++) {
      const { getGroup } = await server.ok(GetGroupDocument, { input: { groupName: 'Big' }, first: 2, after }, account.token);
      seen.push(...getGroup.users.nodes.map((u) => u.userName));
      expect(getGroup.isTruncated).toBe(page < 2);
      after = getGroup.marker ?? undefined;
    }
    expect(seen).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    expect(after).toBeUndefined();

    const { getGroup } = await server.ok(GetGroupDocument, { input: { groupName: 'Big' }, first: 1 }, account.token);
    expect(await server.errorCode(GetGroupDocument, { input: { groupName: 'Other' }, after: getGroup.marker }, account.token)).toBe('InvalidInput');
    expect(await server.errorCode(GetGroupDocument, { input: { groupName: 'Big' }, first: 1001 }, account.token)).toBe('ValidationError');
  });
});

describe('listGroups', () => {
  it('lists groups by name, filtered by path prefix taken literally', async () => {
    const account = await server.newAccount();
    await createGroup(account, 'zeta', '/eng/');
    await createGroup(account, 'Alpha', '/eng/backend/');
    await createGroup(account, 'mid', '/ops/');
    await createGroup(account, 'underscore', '/e_g/');
    expect((await groupNames(account)).nodes.map((g) => g.groupName)).toEqual(['Alpha', 'mid', 'underscore', 'zeta']);
    expect((await groupNames(account, { pathPrefix: '/eng/' })).nodes.map((g) => g.groupName)).toEqual(['Alpha', 'zeta']);
    // `_` is not a wildcard: '/e_g' matches only the path that has an underscore.
    expect((await groupNames(account, { pathPrefix: '/e_g' })).nodes.map((g) => g.groupName)).toEqual(['underscore']);
    expect(await server.errorCode(ListGroupsDocument, { input: { pathPrefix: 'eng' } }, account.token)).toBe('ValidationError');
  });

  it('paginates with cursors bound to the account and the query', async () => {
    const account = await server.newAccount();
    for (const name of ['g1', 'g2', 'g3', 'g4', 'g5']) await createGroup(account, name);
    const first = await groupNames(account, {}, { first: 2 });
    expect(first.nodes.map((g) => g.groupName)).toEqual(['g1', 'g2']);
    expect(first).toMatchObject({ isTruncated: true, pageInfo: { hasNextPage: true, hasPreviousPage: false } });
    expect(first.marker).toBe(first.pageInfo.endCursor);
    const second = await groupNames(account, {}, { first: 2, after: first.marker });
    expect(second.nodes.map((g) => g.groupName)).toEqual(['g3', 'g4']);
    const last = await groupNames(account, {}, { first: 2, after: second.marker });
    expect(last).toMatchObject({ nodes: [{ groupName: 'g5' }], isTruncated: false, marker: null });

    const other = await server.newAccount();
    await createGroup(other, 'g1');
    expect(await server.errorCode(ListGroupsDocument, { after: first.marker }, other.token)).toBe('InvalidInput');
    expect(await server.errorCode(ListGroupsDocument, { input: { pathPrefix: '/x/' }, after: first.marker }, account.token)).toBe('InvalidInput');
    expect(await server.errorCode(ListGroupsDocument, { first: 0 }, account.token)).toBe('ValidationError');
  });
});

describe('updateGroup', () => {
  it('renames a group: the ARN follows, members stay, the old name is gone', async () => {
    const account = await server.newAccount();
    await createUser(server, account.token, 'alice');
    await createGroup(account, 'Devs', '/eng/');
    await addUser(account, 'Devs', 'alice');
    expect(await server.ok(UpdateGroupDocument, { input: { groupName: 'devs', newGroupName: 'Developers' } }, account.token)).toEqual({ updateGroup: true });
    const { getGroup } = await server.ok(GetGroupDocument, { input: { groupName: 'Developers' } }, account.token);
    expect(getGroup.group.arn).toBe(`arn:aws:iam::${account.accountId}:group/eng/Developers`);
    expect(getGroup.users.nodes).toEqual([{ userName: 'alice' }]);
    expect(await server.errorCode(GetGroupDocument, { input: { groupName: 'Devs' } }, account.token)).toBe('NoSuchEntity');
  });

  it('moves a group to a new path and allows a change of case only', async () => {
    const account = await server.newAccount();
    await createGroup(account, 'devs');
    await server.ok(UpdateGroupDocument, { input: { groupName: 'devs', newPath: '/team/' } }, account.token);
    await server.ok(UpdateGroupDocument, { input: { groupName: 'devs', newGroupName: 'DEVS' } }, account.token);
    const { getGroup } = await server.ok(GetGroupDocument, { input: { groupName: 'devs' } }, account.token);
    expect(getGroup.group).toEqual({ groupName: 'DEVS', arn: `arn:aws:iam::${account.accountId}:group/team/DEVS` });
  });

  it('refuses a new name taken case-insensitively, bad input and an unknown group', async () => {
    const account = await server.newAccount();
    await createGroup(account, 'Devs');
    await createGroup(account, 'Ops');
    const taken = await server.gql(UpdateGroupDocument, { input: { groupName: 'Devs', newGroupName: 'OPS' } }, account.token);
    expect(taken.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
    expect(taken.errors?.[0]?.message).toBe('Group with name OPS already exists.');
    expect(await server.errorCode(UpdateGroupDocument, { input: { groupName: 'Devs', newGroupName: 'x'.repeat(129) } }, account.token)).toBe('ValidationError');
    expect(await server.errorCode(UpdateGroupDocument, { input: { groupName: 'Devs', newGroupName: 'a b' } }, account.token)).toBe('ValidationError');
    expect(await server.errorCode(UpdateGroupDocument, { input: { groupName: 'Devs', newPath: 'team' } }, account.token)).toBe('ValidationError');
    expect(await server.errorCode(UpdateGroupDocument, { input: { groupName: 'Nobody', newGroupName: 'X' } }, account.token)).toBe('NoSuchEntity');
    expect((await groupNames(account)).nodes).toEqual([{ groupName: 'Devs', path: '/' }, { groupName: 'Ops', path: '/' }]);
  });
});

describe('deleteGroup', () => {
  it('deletes an empty group', async () => {
    const account = await server.newAccount();
    await createGroup(account, 'Temp');
    expect(await server.ok(DeleteGroupDocument, { input: { groupName: 'temp' } }, account.token)).toEqual({ deleteGroup: true });
    expect(await server.errorCode(GetGroupDocument, { input: { groupName: 'Temp' } }, account.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteGroupDocument, { input: { groupName: 'Temp' } }, account.token)).toBe('NoSuchEntity');
  });

  it('refuses while the group has members, then deletes once they are removed', async () => {
    const account = await server.newAccount();
    await createUser(server, account.token, 'alice');
    await createGroup(account, 'Devs');
    await addUser(account, 'Devs', 'alice');
    const result = await server.gql(DeleteGroupDocument, { input: { groupName: 'Devs' } }, account.token);
    expect(result.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
    expect(result.errors?.[0]?.message).toBe('Cannot delete entity, must remove users from group first.');
    await server.ok(RemoveUserFromGroupDocument, { input: { groupName: 'Devs', userName: 'alice' } }, account.token);
    await server.ok(DeleteGroupDocument, { input: { groupName: 'Devs' } }, account.token);
  });

  it('refuses while managed policies are attached or inline policies remain', async () => {
    const account = await server.newAccount();
    await createGroup(account, 'Devs');
    const group = await server.db.group.findFirstOrThrow({ where: { accountId: account.accountId, nameKey: 'devs' } });
    const owner = { accountId: account.accountId, entityType: 'group', entityId: group.id };

    await server.db.policyAttachment.create({ data: { ...owner, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } });
    const attached = await server.gql(DeleteGroupDocument, { input: { groupName: 'Devs' } }, account.token);
    expect(attached.errors?.[0]).toMatchObject({ message: 'Cannot delete entity, must detach all policies first.', extensions: { code: 'DeleteConflict' } });
    await server.db.policyAttachment.deleteMany({ where: owner });

    await server.db.inlinePolicy.create({ data: { ...owner, name: 'inline', document: '{"Version":"2012-10-17","Statement":[]}' } });
    const inline = await server.gql(DeleteGroupDocument, { input: { groupName: 'Devs' } }, account.token);
    expect(inline.errors?.[0]).toMatchObject({ message: 'Cannot delete entity, must delete policies first.', extensions: { code: 'DeleteConflict' } });
    await server.db.inlinePolicy.deleteMany({ where: owner });

    await server.ok(DeleteGroupDocument, { input: { groupName: 'Devs' } }, account.token);
  });
});

describe('addUserToGroup and removeUserFromGroup', () => {
  it('answers NoSuchEntity for an unknown group or user, naming it', async () => {
    const account = await server.newAccount();
    await createUser(server, account.token, 'alice');
    await createGroup(account, 'Devs');
    const noGroup = await server.gql(AddUserToGroupDocument, { input: { groupName: 'Nope', userName: 'alice' } }, account.token);
    expect(noGroup.errors?.[0]).toMatchObject({ message: 'The group with name Nope cannot be found.', extensions: { code: 'NoSuchEntity' } });
    const noUser = await server.gql(AddUserToGroupDocument, { input: { groupName: 'Devs', userName: 'bob' } }, account.token);
    expect(noUser.errors?.[0]).toMatchObject({ message: 'The user with name bob cannot be found.', extensions: { code: 'NoSuchEntity' } });
    expect(await server.errorCode(RemoveUserFromGroupDocument, { input: { groupName: 'Nope', userName: 'alice' } }, account.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(RemoveUserFromGroupDocument, { input: { groupName: 'Devs', userName: 'bob' } }, account.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(AddUserToGroupDocument, { input: { groupName: 'Devs', userName: 'a b' } }, account.token)).toBe('ValidationError');
  });

  it('treats adding a member again and removing a non-member as successful no-ops', async () => {
    const account = await server.newAccount();
    await createUser(server, account.token, 'alice');
    await createGroup(account, 'Devs');
    await addUser(account, 'Devs', 'alice');
    await addUser(account, 'devs', 'ALICE');
    expect((await groupsOf(account, 'alice')).nodes).toEqual([{ groupName: 'Devs' }]);
    expect(await server.ok(RemoveUserFromGroupDocument, { input: { groupName: 'Devs', userName: 'alice' } }, account.token)).toEqual({ removeUserFromGroup: true });
    expect(await server.ok(RemoveUserFromGroupDocument, { input: { groupName: 'Devs', userName: 'alice' } }, account.token)).toEqual({ removeUserFromGroup: true });
    expect((await groupsOf(account, 'alice')).nodes).toEqual([]);
  });

  it('bumps the account policy epoch on every membership change', async () => {
    const account = await server.newAccount();
    await createUser(server, account.token, 'alice');
    await createGroup(account, 'Devs');
    const start = await policyEpoch(account);
    await addUser(account, 'Devs', 'alice');
    expect(await policyEpoch(account)).toBe(start + 1);
    await server.ok(RemoveUserFromGroupDocument, { input: { groupName: 'Devs', userName: 'alice' } }, account.token);
    expect(await policyEpoch(account)).toBe(start + 2);
    await server.ok(DeleteGroupDocument, { input: { groupName: 'Devs' } }, account.token);
    expect(await policyEpoch(account)).toBe(start + 3);
  });

  it('refuses an 11th group for a user with LimitExceeded', async () => {
    const account = await server.newAccount();
    await createUser(server, account.token, 'alice');
    for (let i = 1; i <= 11; i++) await createGroup(account, `g${String(i).padStart(2, '0')}`);
    for (let i = 1; i <= 10; i++) await addUser(account, `g${String(i).padStart(2, '0')}`, 'alice');
    const result = await server.gql(AddUserToGroupDocument, { input: { groupName: 'g11', userName: 'alice' } }, account.token);
    expect(result.errors?.[0]).toMatchObject({ message: 'Cannot exceed quota for GroupsPerUser: 10', extensions: { code: 'LimitExceeded' } });
    // Re-adding to a group the user is already in is still fine at the quota.
    await addUser(account, 'g01', 'alice');
    expect((await groupsOf(account, 'alice')).nodes).toHaveLength(10);
  });

  it('holds the 10-group quota when adds race', async () => {
    const account = await server.newAccount();
    await createUser(server, account.token, 'alice');
    const names = Array.from({ length: 14 }, (_, i) => `race${String(i).padStart(2, '0')}`);
    for (const name of names) await createGroup(account, name);
    const results = await Promise.all(names.map((groupName) => server.gql(AddUserToGroupDocument, { input: { groupName, userName: 'alice' } }, account.token)));
    expect(results.filter((r) => !r.errors).length).toBe(10);
    expect(results.flatMap((r) => r.errors ?? []).map((e) => e.extensions?.code)).toEqual(Array(4).fill('LimitExceeded'));
    const user = await server.db.user.findFirstOrThrow({ where: { accountId: account.accountId, nameKey: 'alice' } });
    expect(await server.db.groupMembership.count({ where: { userId: user.id } })).toBe(10);
  });
});

describe('deleteGroup racing addUserToGroup', () => {
  it('never leaves a member in a deleted group: one of the two calls loses', async () => {
    const account = await server.newAccount();
    await createUser(server, account.token, 'alice');
    for (let round = 0; round < 5; round++) {
      const groupName = `racing${round}`;
      await createGroup(account, groupName);
      const [add, del] = await Promise.all([
        server.gql(AddUserToGroupDocument, { input: { groupName, userName: 'alice' } }, account.token),
        server.gql(DeleteGroupDocument, { input: { groupName } }, account.token),
      ]);
      const codes = [add.errors?.[0]?.extensions?.code, del.errors?.[0]?.extensions?.code];
      expect([[undefined, 'DeleteConflict'], ['NoSuchEntity', undefined]]).toContainEqual(codes);
    }
  });
});

describe('listGroupsForUser', () => {
  it('lists a user’s groups by name, pages, and refuses a cursor of another user', async () => {
    const account = await server.newAccount();
    await createUser(server, account.token, 'alice');
    await createUser(server, account.token, 'bob');
    for (const name of ['c', 'a', 'b']) {
      await createGroup(account, name);
      await addUser(account, name, 'alice');
      await addUser(account, name, 'bob');
    }
    const first = await groupsOf(account, 'alice', { first: 2 });
    expect(first).toMatchObject({ nodes: [{ groupName: 'a' }, { groupName: 'b' }], isTruncated: true });
    expect(await groupsOf(account, 'alice', { after: first.marker })).toMatchObject({ nodes: [{ groupName: 'c' }], isTruncated: false, marker: null });
    expect(await server.errorCode(ListGroupsForUserDocument, { input: { userName: 'bob' }, after: first.marker }, account.token)).toBe('InvalidInput');
    expect(await server.errorCode(ListGroupsForUserDocument, { input: { userName: 'nobody' } }, account.token)).toBe('NoSuchEntity');
  });
});

describe('tenant isolation', () => {
  it('keeps one account from seeing or touching another account’s groups by name', async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    await createUser(server, a.token, 'alice');
    await createUser(server, b.token, 'bob');
    await createGroup(a, 'Secret');

    expect(await server.errorCode(GetGroupDocument, { input: { groupName: 'Secret' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(AddUserToGroupDocument, { input: { groupName: 'Secret', userName: 'bob' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(UpdateGroupDocument, { input: { groupName: 'Secret', newGroupName: 'Mine' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteGroupDocument, { input: { groupName: 'Secret' } }, b.token)).toBe('NoSuchEntity');
    expect((await groupNames(b)).nodes).toEqual([]);

    // The same name is free in another account; A's user is unknown there.
    await createGroup(b, 'Secret');
    expect(await server.errorCode(AddUserToGroupDocument, { input: { groupName: 'Secret', userName: 'alice' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(ListGroupsForUserDocument, { input: { userName: 'alice' } }, b.token)).toBe('NoSuchEntity');

    const { getGroup } = await server.ok(GetGroupDocument, { input: { groupName: 'Secret' } }, a.token);
    expect(getGroup.group.arn).toBe(`arn:aws:iam::${a.accountId}:group/Secret`);
    expect(getGroup.users.nodes).toEqual([]);
  });
});

describe('authorization through groups', () => {
  /** A user with a console password and the given inline policy statements, signed in: its session token. */
  async function signedInUser(account: Account, userName: string, statements: object[] = []): Promise<string> {
    const inline: Record<string, object> = statements.length ? { test: policy(...statements) } : {};
    return (await signedInUserAs(server, account, userName, { inline })).token;
  }

  it('grants a group’s policies to a member from the next request, and takes them away on removal', async () => {
    const account = await server.newAccount();
    const token = await signedInUser(account, 'dev');
    await createGroup(account, 'Readers');
    const group = await server.db.group.findFirstOrThrow({ where: { accountId: account.accountId, nameKey: 'readers' } });
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListGroups', Resource: '*' }] });
    await server.db.inlinePolicy.create({ data: { accountId: account.accountId, entityType: 'group', entityId: group.id, name: 'list', document } });

    expect(await server.errorCode(ListGroupsDocument, {}, token)).toBe('AccessDenied');
    await addUser(account, 'Readers', 'dev');
    expect((await server.ok(ListGroupsDocument, {}, token)).listGroups.nodes).toEqual([{ groupName: 'Readers', path: '/' }]);
    await server.ok(RemoveUserFromGroupDocument, { input: { groupName: 'Readers', userName: 'dev' } }, account.token);
    expect(await server.errorCode(ListGroupsDocument, {}, token)).toBe('AccessDenied');
  });

  it('requires iam:UpdateGroup on the new ARN as well as the old one', async () => {
    const account = await server.newAccount();
    await createGroup(account, 'Devs');
    const groupArn = (name: string) => `arn:aws:iam::${account.accountId}:group/${name}`;
    const narrow = await signedInUser(account, 'narrow', [{ Effect: 'Allow', Action: 'iam:UpdateGroup', Resource: groupArn('Devs') }]);
    const wide = await signedInUser(account, 'wide', [{ Effect: 'Allow', Action: 'iam:UpdateGroup', Resource: groupArn('*') }]);

    const denied = await server.gql(UpdateGroupDocument, { input: { groupName: 'Devs', newGroupName: 'Other' } }, narrow);
    expect(denied.errors?.[0]?.extensions?.code).toBe('AccessDenied');
    expect(denied.errors?.[0]?.message).toContain(groupArn('Other'));
    expect((await groupNames(account)).nodes).toEqual([{ groupName: 'Devs', path: '/' }]);

    await server.ok(UpdateGroupDocument, { input: { groupName: 'Devs', newGroupName: 'Other' } }, wide);
    expect((await groupNames(account)).nodes).toEqual([{ groupName: 'Other', path: '/' }]);
  });

  it('denies a user without policies every group action', async () => {
    const account = await server.newAccount();
    await createGroup(account, 'Devs');
    const token = await signedInUser(account, 'nobody');
    expect(await server.errorCode(CreateGroupDetailsDocument, { input: { groupName: 'Mine' } }, token)).toBe('AccessDenied');
    expect(await server.errorCode(GetGroupDocument, { input: { groupName: 'Devs' } }, token)).toBe('AccessDenied');
    expect(await server.errorCode(AddUserToGroupDocument, { input: { groupName: 'Devs', userName: 'nobody' } }, token)).toBe('AccessDenied');
    expect(await server.errorCode(ListGroupsForUserDocument, { input: { userName: 'nobody' } }, token)).toBe('AccessDenied');
  });
});

describe('nested lists', () => {
  it('answers 20 groups with their users and the users’ groups in a bounded number of SQL queries', async () => {
    const counting = await startTestServer({}, { countQueries: true });
    try {
      const account = await counting.newAccount();
      // Seeded in bulk: group g holds g % 5 users of its own, and groups 0 to 9 also hold `shared` (10 groups: the quota).
      const expected = new Map<string, string[]>();
      const rows = { users: new Map<string, string>(), groups: new Map<string, string>(), memberships: [] as Array<{ groupId: string; userId: string }> };
      const userId = (name: string) => rows.users.get(name) ?? rows.users.set(name, newUniqueId('user')).get(name)!;
      for (let g = 0; g < 20; g++) {
        const groupName = `group${String(g).padStart(2, '0')}`;
        const members = Array.from({ length: g % 5 }, (_, i) => `m${String(g).padStart(2, '0')}-${i}`);
        if (g < 10) members.push('shared');
        expected.set(groupName, members);
        rows.groups.set(groupName, newUniqueId('group'));
        for (const name of members) rows.memberships.push({ groupId: rows.groups.get(groupName)!, userId: userId(name) });
      }
      const entity = (type: 'user' | 'group', name: string, id: string) =>
        ({ id, accountId: account.accountId, name, nameKey: name.toLowerCase(), path: '/', arn: iamArn(account.accountId, type, '/', name) });
      await counting.db.user.createMany({ data: [...rows.users].map(([name, id]) => entity('user', name, id)) });
      await counting.db.group.createMany({ data: [...rows.groups].map(([name, id]) => entity('group', name, id)) });
      await counting.db.groupMembership.createMany({ data: rows.memberships });

      counting.queries.length = 0;
      const data = await counting.ok(ListGroupsNestedDocument, { first: 50 }, account.token);
      // The audit trail's own writes (batched, asynchronous) are not part of answering the query.
      const queries = counting.queries.filter((sql) => !sql.includes('"AuditEvent"') && !sql.includes('"AuditReadBatch"'));

      const groups = data.listGroups.nodes;
      expect(groups.map((group) => group.groupName)).toEqual([...expected.keys()]);
      for (const group of groups) {
        const members = expected.get(group.groupName)!;
        expect(group.users.nodes.map((u) => u.userName)).toEqual(members.slice(0, 3));
        expect(group.users.isTruncated).toBe(members.length > 3);
        for (const user of group.users.nodes) expect(user.groups.nodes).toHaveLength(user.userName === 'shared' ? 10 : 1);
      }
      // One query for the groups, one batch for all Group.users, one for all User.groups, plus authentication's lookups.
      expect(queries.filter((sql) => sql.includes('"GroupMembership"'))).toHaveLength(2);
      expect(queries.length).toBeLessThanOrEqual(6);
    } finally {
      await counting.close();
    }
  });
});

describe('reads that name an entity', () => {
  it('read the named row once (the guard, for its ARN, and the resolver share it), and its tags only for policies that can read them', async () => {
    const counting = await startTestServer({}, { countQueries: true });
    try {
      const account = await counting.newAccount();
      await counting.ok(CreateGroupDocument, { input: { groupName: 'readers' } }, account.token);
      const reader = await signedInUserAs(counting, account, 'reader', { managed: ['arn:aws:iam::aws:policy/IAMReadOnlyAccess'] });
      await counting.ok(GetUserNameAndArnDocument, { input: { userName: 'reader' } }, reader.token); // warms the session and policy caches
      const reads: Array<[() => Promise<unknown>, string]> = [
        [() => counting.ok(GetUserNameAndArnDocument, { input: { userName: 'reader' } }, reader.token), '"User"'],
        [() => counting.ok(GetGroupNameAndArnDocument, { input: { groupName: 'readers' } }, reader.token), '"Group"'],
      ];
      for (const [read, table] of reads) {
        counting.queries.length = 0;
        await read();
        // Reads of the row by its name (the condition keys' own read of its tags, by ARN, is another matter).
        const reads = counting.queries.filter((sql) => sql.includes(`FROM "public".${table}`) && sql.includes('"nameKey"'));
        expect(reads).toHaveLength(1);
        // IAMReadOnlyAccess has no condition on the resource's tags or boundary: they are not read.
        expect(counting.queries.filter((sql) => sql.includes('"Tag"'))).toEqual([]);
      }
    } finally {
      await counting.close();
    }
  });
});
