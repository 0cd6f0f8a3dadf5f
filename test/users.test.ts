// IAM users, user tags and account aliases over HTTP: the tutorial steps, every
// AWS error on bad input, pagination, renames and tenant isolation.
import { describe, expect, it } from 'vitest';
import {
  CreateAccessKeyDocument,
  CreateAccountAliasDocument,
  CreateUserDetailsDocument,
  DeleteAccessKeyDocument,
  DeleteAccountAliasDocument,
  DeleteLoginProfileDocument,
  DeleteUserDocument,
  GetCallerIdentityDocument,
  GetUserDetailsDocument,
  ListAccountAliasesDocument,
  ListUserNamesDocument,
  ListUsersDocument,
  ListUsersWithCredentialsDocument,
  ListUserTagsDocument,
  SignInDocument,
  TagUserDocument,
  UntagUserDocument,
  UpdateUserDocument,
  type CreateUserInput,
} from './generated/graphql.js';
import { createLoginProfile, createUser } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

/** Creates a user and returns every field the tests compare. */
async function createUserDetails(token: string, input: CreateUserInput) {
  return (await server.ok(CreateUserDetailsDocument, { input }, token)).createUser.user;
}

describe('createUser', () => {
  it('creates alice with an AIDA id, an ARN from her path and name, and no credentials', async () => {
    const { accountId, token } = await server.newAccount();
    const alice = await createUserDetails(token, { userName: 'alice' });
    expect(alice).toMatchObject({ userName: 'alice', path: '/', arn: `arn:aws:iam::${accountId}:user/alice`, passwordLastUsed: null, permissionsBoundary: null, tags: [] });
    expect(alice.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(Date.parse(alice.createDate)).toBeGreaterThan(Date.now() - 60_000);
    const dev = await createUserDetails(token, { userName: 'dev-alice', path: '/developers/' });
    expect(dev.arn).toBe(`arn:aws:iam::${accountId}:user/developers/dev-alice`);
    expect(dev.path).toBe('/developers/');
  });

  it('stores tags and a permissions boundary ARN given at creation', async () => {
    const { token } = await server.newAccount();
    const boundary = 'arn:aws:iam::aws:policy/PowerUserAccess';
    const user = await createUserDetails(token, { userName: 'tagged', permissionsBoundary: boundary, tags: [{ key: 'team', value: 'core' }, { key: 'Cost', value: '' }] });
    expect(user.permissionsBoundary).toEqual({ permissionsBoundaryType: 'PermissionsBoundaryPolicy', permissionsBoundaryArn: boundary });
    expect(user.tags).toEqual([{ key: 'Cost', value: '' }, { key: 'team', value: 'core' }]);
  });

  it('accepts a 64-character name and refuses 65 characters with ValidationError', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'a'.repeat(64));
    const result = await server.gql(CreateUserDetailsDocument, { input: { userName: 'b'.repeat(65) } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('ValidationError');
    expect(result.errors?.[0]?.message).toContain("at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64");
  });

  it.each([['ali ce'], ['alice#'], ['al/ice'], ['']])('refuses the name %j with ValidationError', async (userName) => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(CreateUserDetailsDocument, { input: { userName } }, token)).toBe('ValidationError');
  });

  it.each([['developers'], ['/developers'], ['developers/'], ['/dév/'], ['/' + 'a'.repeat(511) + '/']])('refuses the path %j with ValidationError', async (path) => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(CreateUserDetailsDocument, { input: { userName: 'alice', path } }, token)).toBe('ValidationError');
  });

  it('refuses a permissions boundary that is not a policy ARN, or no policy of the account', async () => {
    const { accountId, token } = await server.newAccount();
    const other = await server.newAccount();
    const refused = async (permissionsBoundary: string) => server.errorCode(CreateUserDetailsDocument, { input: { userName: 'alice', permissionsBoundary } }, token);
    expect(await refused('not-an-arn')).toBe('ValidationError');
    expect(await refused('arn:aws:iam::123456789012:user/bob')).toBe('InvalidInput');
    const missing = await server.gql(CreateUserDetailsDocument, { input: { userName: 'alice', permissionsBoundary: `arn:aws:iam::${accountId}:policy/missing` } }, token);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(missing.errors?.[0]?.message).toBe(`Policy arn:aws:iam::${accountId}:policy/missing does not exist or is not attachable.`);
    expect(await refused('arn:aws:iam::aws:policy/NoSuchAwsPolicy')).toBe('NoSuchEntity');
    // Another account's policy is not attachable here.
    const policyId = `ANPA${other.accountId}TESTPOL`;
    const policyArn = `arn:aws:iam::${other.accountId}:policy/theirs`;
    await server.db.policy.create({ data: { id: policyId, accountId: other.accountId, name: 'theirs', nameKey: 'theirs', arn: policyArn, versions: { create: { versionId: 'v1', document: '{"Version":"2012-10-17","Statement":[]}' } } } });
    expect(await refused(policyArn)).toBe('NoSuchEntity');
    expect(await server.db.user.count({ where: { accountId } })).toBe(0);
  });

  it('refuses a duplicate name case-insensitively with EntityAlreadyExists', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'alice');
    const result = await server.gql(CreateUserDetailsDocument, { input: { userName: 'ALICE', path: '/other/' } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
    expect(result.errors?.[0]?.message).toBe('User with name ALICE already exists.');
  });

  it('lets exactly one of two concurrent creates of the same name succeed', async () => {
    const { token } = await server.newAccount();
    const results = await Promise.all([
      server.gql(CreateUserDetailsDocument, { input: { userName: 'racer' } }, token),
      server.gql(CreateUserDetailsDocument, { input: { userName: 'RACER' } }, token),
    ]);
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.find((r) => r.errors)?.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
  });

  it('leaves nothing behind when the tags are refused', async () => {
    const { accountId, token } = await server.newAccount();
    const dup = [{ key: 'Team', value: 'a' }, { key: 'team', value: 'b' }];
    expect(await server.errorCode(CreateUserDetailsDocument, { input: { userName: 'alice', tags: dup } }, token)).toBe('InvalidInput');
    const tooMany = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(await server.errorCode(CreateUserDetailsDocument, { input: { userName: 'alice', tags: tooMany } }, token)).toBe('ValidationError');
    expect(await server.errorCode(CreateUserDetailsDocument, { input: { userName: 'alice', tags: [{ key: 'bad#key', value: 'v' }] } }, token)).toBe('ValidationError');
    expect(await server.db.user.count({ where: { accountId } })).toBe(0);
    expect(await server.db.tag.count({ where: { accountId } })).toBe(0);
  });
});

describe('getUser', () => {
  it('returns a user by name, case-insensitively', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'Alice', { path: '/developers/' });
    const data = await server.ok(GetUserDetailsDocument, { input: { userName: 'alice' } }, token);
    expect(data.getUser.user).toMatchObject({ userName: 'Alice', path: '/developers/' });
  });

  it('returns the root user without a name: the root ARN and the account id as user id', async () => {
    const { accountId, token } = await server.newAccount();
    const data = await server.ok(GetUserDetailsDocument, {}, token);
    expect(data.getUser.user).toMatchObject({ arn: `arn:aws:iam::${accountId}:root`, userId: accountId, path: '/' });
    expect(data.getUser.user.passwordLastUsed).not.toBeNull();
  });

  it('answers NoSuchEntity with AWS message for an unknown user', async () => {
    const { token } = await server.newAccount();
    const result = await server.gql(GetUserDetailsDocument, { input: { userName: 'bob' } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect(result.errors?.[0]?.message).toBe('The user with name bob cannot be found.');
  });

  it('refuses a malformed name with ValidationError', async () => {
    const { token } = await server.newAccount();
    expect(await server.errorCode(GetUserDetailsDocument, { input: { userName: 'b o b' } }, token)).toBe('ValidationError');
    expect(await server.errorCode(GetUserDetailsDocument, { input: { userName: 'b'.repeat(129) } }, token)).toBe('ValidationError');
  });
});

describe('listUsers', () => {
  it('pages through users in name order with first/after, isTruncated and marker', async () => {
    const { token } = await server.newAccount();
    for (const name of ['erin', 'Carol', 'alice', 'dave', 'bob']) await createUser(server, token, name);
    const first = (await server.ok(ListUsersDocument, { first: 2 }, token)).listUsers;
    expect(first.nodes.map((u) => u.userName)).toEqual(['alice', 'bob']);
    expect(first.isTruncated).toBe(true);
    expect(first.marker).toBe(first.pageInfo.endCursor);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = (await server.ok(ListUsersDocument, { first: 2, after: first.marker }, token)).listUsers;
    expect(second.nodes.map((u) => u.userName)).toEqual(['Carol', 'dave']);
    const last = (await server.ok(ListUsersDocument, { first: 2, after: second.marker }, token)).listUsers;
    expect(last.nodes.map((u) => u.userName)).toEqual(['erin']);
    expect(last).toMatchObject({ isTruncated: false, marker: null });
    expect(last.pageInfo.hasPreviousPage).toBe(true);
  });

  it('filters by path prefix', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'alice', { path: '/developers/' });
    await createUser(server, token, 'bob', { path: '/developers/backend_team/' });
    await createUser(server, token, 'carol', { path: '/ops\\team/' });
    await createUser(server, token, 'dave');
    const names = async (pathPrefix: string) =>
      (await server.ok(ListUsersDocument, { input: { pathPrefix } }, token)).listUsers.nodes.map((u) => u.userName);
    expect(await names('/developers/')).toEqual(['alice', 'bob']);
    expect(await names('/developers/backend_')).toEqual(['bob']);
    expect(await names('/developers/backend%')).toEqual([]);
    expect(await names('/developers/backend_team/')).toEqual(['bob']);
    expect(await names('/ops\\t')).toEqual(['carol']);
    expect(await names('/ops\\\\')).toEqual([]);
    expect(await names('/')).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(await server.errorCode(ListUsersDocument, { input: { pathPrefix: 'developers' } }, token)).toBe('ValidationError');
  });

  it('refuses a cursor from another account or another query, and a bad page size', async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    for (const name of ['u1', 'u2']) {
      await createUser(server, a.token, name);
      await createUser(server, b.token, name);
    }
    const page = (await server.ok(ListUsersDocument, { first: 1 }, a.token)).listUsers;
    expect(await server.errorCode(ListUsersDocument, { first: 1, after: page.marker }, b.token)).toBe('InvalidInput');
    expect(await server.errorCode(ListUsersDocument, { first: 1, after: page.marker, input: { pathPrefix: '/x' } }, a.token)).toBe('InvalidInput');
    expect(await server.errorCode(ListUsersDocument, { first: 0 }, a.token)).toBe('ValidationError');
    expect(await server.errorCode(ListUsersDocument, { first: 1001 }, a.token)).toBe('ValidationError');
  });

  it('batches nested credentials and tags of a page', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'alice', { tags: [{ key: 'a', value: '1' }] });
    await createUser(server, token, 'bob');
    const data = await server.ok(ListUsersWithCredentialsDocument, {}, token);
    expect(data.listUsers.nodes).toEqual([
      { userName: 'alice', tags: [{ key: 'a' }], loginProfile: null, accessKeys: [] },
      { userName: 'bob', tags: [], loginProfile: null, accessKeys: [] },
    ]);
  });
});

describe('updateUser', () => {
  it('renames a user and moves it, changing its ARN but keeping its id', async () => {
    const { accountId, token } = await server.newAccount();
    const alice = await createUser(server, token, 'alice');
    expect((await server.ok(UpdateUserDocument, { input: { userName: 'alice', newUserName: 'alicia', newPath: '/developers/' } }, token)).updateUser).toBe(true);
    const renamed = (await server.ok(GetUserDetailsDocument, { input: { userName: 'alicia' } }, token)).getUser.user;
    expect(renamed).toMatchObject({ userId: alice.userId, path: '/developers/', arn: `arn:aws:iam::${accountId}:user/developers/alicia` });
    expect(await server.errorCode(GetUserDetailsDocument, { input: { userName: 'alice' } }, token)).toBe('NoSuchEntity');
  });

  it('changes only the case of a name', async () => {
    const { accountId, token } = await server.newAccount();
    await createUser(server, token, 'alice');
    await server.ok(UpdateUserDocument, { input: { userName: 'alice', newUserName: 'Alice' } }, token);
    expect((await server.ok(GetUserDetailsDocument, { input: { userName: 'ALICE' } }, token)).getUser.user.arn).toBe(`arn:aws:iam::${accountId}:user/Alice`);
  });

  it('refuses a new name taken case-insensitively, and leaves the user unchanged', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'alice');
    await createUser(server, token, 'bob');
    const result = await server.gql(UpdateUserDocument, { input: { userName: 'alice', newUserName: 'BOB' } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
    expect(result.errors?.[0]?.message).toBe('User with name BOB already exists.');
    expect((await server.ok(GetUserDetailsDocument, { input: { userName: 'alice' } }, token)).getUser.user.userName).toBe('alice');
  });

  it('refuses bad input and unknown users', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'alice');
    expect(await server.errorCode(UpdateUserDocument, { input: { userName: 'nobody', newUserName: 'x' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(UpdateUserDocument, { input: { userName: 'alice', newUserName: 'x'.repeat(65) } }, token)).toBe('ValidationError');
    expect(await server.errorCode(UpdateUserDocument, { input: { userName: 'alice', newUserName: 'a b' } }, token)).toBe('ValidationError');
    expect(await server.errorCode(UpdateUserDocument, { input: { userName: 'alice', newPath: 'nope' } }, token)).toBe('ValidationError');
  });
});

describe('deleteUser', () => {
  it('deletes a user without credentials, with its tags', async () => {
    const { accountId, token } = await server.newAccount();
    await createUser(server, token, 'alice', { tags: [{ key: 'a', value: '1' }] });
    expect((await server.ok(DeleteUserDocument, { input: { userName: 'alice' } }, token)).deleteUser).toBe(true);
    expect(await server.errorCode(GetUserDetailsDocument, { input: { userName: 'alice' } }, token)).toBe('NoSuchEntity');
    expect(await server.db.tag.count({ where: { accountId } })).toBe(0);
    expect(await server.errorCode(DeleteUserDocument, { input: { userName: 'alice' } }, token)).toBe('NoSuchEntity');
  });

  it('refuses with DeleteConflict while a login profile, then access keys, remain', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'alice');
    await createLoginProfile(server, token, 'alice', 'Correct-Horse-1');
    const keyId = (await server.ok(CreateAccessKeyDocument, { input: { userName: 'alice' } }, token)).createAccessKey.accessKey.accessKeyId;
    const first = await server.gql(DeleteUserDocument, { input: { userName: 'alice' } }, token);
    expect(first.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
    expect(first.errors?.[0]?.message).toBe('Cannot delete entity, must delete login profile first.');
    await server.ok(DeleteLoginProfileDocument, { input: { userName: 'alice' } }, token);
    const second = await server.gql(DeleteUserDocument, { input: { userName: 'alice' } }, token);
    expect(second.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
    expect(second.errors?.[0]?.message).toBe('Cannot delete entity, must delete access keys first.');
    await server.ok(DeleteAccessKeyDocument, { input: { userName: 'alice', accessKeyId: keyId } }, token);
    await server.ok(DeleteUserDocument, { input: { userName: 'alice' } }, token);
  });

  it('refuses with DeleteConflict while the user has MFA devices, policies or groups', async () => {
    const { accountId, token } = await server.newAccount();
    const alice = await createUser(server, token, 'alice');
    const expectConflict = async (message: string) => {
      const result = await server.gql(DeleteUserDocument, { input: { userName: 'alice' } }, token);
      expect(result.errors?.[0]?.extensions?.code).toBe('DeleteConflict');
      expect(result.errors?.[0]?.message).toBe(`Cannot delete entity, must ${message} first.`);
    };
    // Seeded directly: these belong to other parts of the API.
    const serialNumber = `arn:aws:iam::${accountId}:mfa/alice`;
    await server.db.mfaDevice.create({ data: { serialNumber, accountId, name: 'alice', userId: alice.userId, sealedSeed: 'x' } });
    await expectConflict('delete MFA device');
    await server.db.mfaDevice.delete({ where: { serialNumber } });
    await server.db.inlinePolicy.create({ data: { accountId, entityType: 'user', entityId: alice.userId, name: 'p', document: '{}' } });
    await expectConflict('delete policies');
    await server.db.inlinePolicy.deleteMany({ where: { entityId: alice.userId } });
    await server.db.policyAttachment.create({ data: { accountId, entityType: 'user', entityId: alice.userId, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } });
    await expectConflict('detach all policies');
    await server.db.policyAttachment.deleteMany({ where: { entityId: alice.userId } });
    const group = await server.db.group.create({ data: { id: 'AGPATESTGROUP0000000' + accountId, accountId, name: 'g', nameKey: 'g', arn: `arn:aws:iam::${accountId}:group/g` } });
    await server.db.groupMembership.create({ data: { groupId: group.id, userId: alice.userId } });
    await expectConflict('remove users from group');
    await server.db.groupMembership.deleteMany({ where: { userId: alice.userId } });
    await server.ok(DeleteUserDocument, { input: { userName: 'alice' } }, token);
  });
});

describe('sessions of a deleted user', () => {
  it('are revoked when the user is deleted', async () => {
    const { accountId, token } = await server.newAccount();
    const alice = await createUser(server, token, 'alice');
    await createLoginProfile(server, token, 'alice', 'Correct-Horse-1');
    const session = (await server.ok(SignInDocument, { input: { accountId, userName: 'alice', password: 'Correct-Horse-1' } })).signIn.sessionToken;
    // Removed behind the API's back, so that only deleteUser can revoke the session.
    await server.db.loginProfile.delete({ where: { userId: alice.userId } });
    expect((await server.ok(GetCallerIdentityDocument, {}, session)).getCallerIdentity.arn).toMatch(/:user\/alice$/);
    await server.ok(DeleteUserDocument, { input: { userName: 'alice' } }, token);
    expect(await server.errorCode(GetCallerIdentityDocument, {}, session)).toBe('InvalidClientTokenId');
  });
});

describe('user tags', () => {
  it('tags, overwrites case-insensitively, lists in key order and untags', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'alice', { tags: [{ key: 'Team', value: 'core' }] });
    await server.ok(TagUserDocument, { input: { userName: 'alice', tags: [{ key: 'team', value: 'platform' }, { key: 'env', value: 'prod' }] } }, token);
    const listed = (await server.ok(ListUserTagsDocument, { input: { userName: 'alice' } }, token)).listUserTags;
    expect(listed).toEqual({ nodes: [{ key: 'env', value: 'prod' }, { key: 'team', value: 'platform' }], isTruncated: false, marker: null });
    await server.ok(UntagUserDocument, { input: { userName: 'alice', tagKeys: ['TEAM', 'missing'] } }, token);
    const user = (await server.ok(GetUserDetailsDocument, { input: { userName: 'alice' } }, token)).getUser.user;
    expect(user.tags).toEqual([{ key: 'env', value: 'prod' }]);
  });

  it('pages through tags', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'alice', { tags: [{ key: 'c', value: '3' }, { key: 'a', value: '1' }, { key: 'B', value: '2' }] });
    const first = (await server.ok(ListUserTagsDocument, { input: { userName: 'alice' }, first: 2 }, token)).listUserTags;
    expect(first.nodes.map((t) => t.key)).toEqual(['a', 'B']);
    expect(first.isTruncated).toBe(true);
    const rest = (await server.ok(ListUserTagsDocument, { input: { userName: 'alice' }, first: 2, after: first.marker }, token)).listUserTags;
    expect(rest.nodes.map((t) => t.key)).toEqual(['c']);
  });

  it('refuses to exceed 50 tags with LimitExceeded, keeping the tags it had', async () => {
    const { token } = await server.newAccount();
    const forty = Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await createUser(server, token, 'alice', { tags: forty });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ key: `n${i}`, value: 'v' }));
    const result = await server.gql(TagUserDocument, { input: { userName: 'alice', tags: eleven } }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe('LimitExceeded');
    expect((await server.ok(ListUserTagsDocument, { input: { userName: 'alice' } }, token)).listUserTags.nodes).toHaveLength(40);
    // Overwriting existing keys does not count twice.
    await server.ok(TagUserDocument, { input: { userName: 'alice', tags: [...eleven.slice(0, 10), { key: 'K0', value: 'w' }] } }, token);
    expect((await server.ok(ListUserTagsDocument, { input: { userName: 'alice' } }, token)).listUserTags.nodes).toHaveLength(50);
  });

  it('refuses bad tags and unknown users', async () => {
    const { token } = await server.newAccount();
    await createUser(server, token, 'alice');
    expect(await server.errorCode(TagUserDocument, { input: { userName: 'alice', tags: [{ key: '', value: 'v' }] } }, token)).toBe('ValidationError');
    expect(await server.errorCode(TagUserDocument, { input: { userName: 'alice', tags: [{ key: 'k', value: 'v'.repeat(257) }] } }, token)).toBe('ValidationError');
    expect(await server.errorCode(TagUserDocument, { input: { userName: 'alice', tags: [{ key: 'k'.repeat(129), value: 'v' }] } }, token)).toBe('ValidationError');
    expect(await server.errorCode(TagUserDocument, { input: { userName: 'alice', tags: [{ key: 'a', value: '1' }, { key: 'A', value: '2' }] } }, token)).toBe('InvalidInput');
    expect(await server.errorCode(TagUserDocument, { input: { userName: 'bob', tags: [{ key: 'k', value: 'v' }] } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(UntagUserDocument, { input: { userName: 'bob', tagKeys: ['k'] } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(ListUserTagsDocument, { input: { userName: 'bob' } }, token)).toBe('NoSuchEntity');
  });
});

describe('user tags as principal tags', () => {
  it('apply to the user’s very next request after tagUser and untagUser', async () => {
    const { accountId, token } = await server.newAccount();
    const alice = await createUser(server, token, 'alice');
    await createLoginProfile(server, token, 'alice', 'Correct-Horse-1');
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'core' } } }],
    });
    // Seeded directly: inline policies belong to another part of the API.
    await server.db.inlinePolicy.create({ data: { accountId, entityType: 'user', entityId: alice.userId, name: 'by-tag', document } });
    await server.db.account.update({ where: { id: accountId }, data: { policyEpoch: { increment: 1 } } });
    const session = (await server.ok(SignInDocument, { input: { accountId, userName: 'alice', password: 'Correct-Horse-1' } })).signIn.sessionToken;
    expect(await server.errorCode(ListUserNamesDocument, {}, session)).toBe('AccessDenied');
    await server.ok(TagUserDocument, { input: { userName: 'alice', tags: [{ key: 'team', value: 'core' }] } }, token);
    expect((await server.ok(ListUserNamesDocument, {}, session)).listUsers.nodes).toEqual([{ userName: 'alice' }]);
    await server.ok(UntagUserDocument, { input: { userName: 'alice', tagKeys: ['team'] } }, token);
    expect(await server.errorCode(ListUserNamesDocument, {}, session)).toBe('AccessDenied');
  });
});

describe('tenant isolation', () => {
  it('keeps one account from seeing or touching another account’s user by name', async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    await createUser(server, a.token, 'alice', { tags: [{ key: 'k', value: 'v' }] });
    expect(await server.errorCode(GetUserDetailsDocument, { input: { userName: 'alice' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(UpdateUserDocument, { input: { userName: 'alice', newUserName: 'mallory' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(DeleteUserDocument, { input: { userName: 'alice' } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(TagUserDocument, { input: { userName: 'alice', tags: [{ key: 'x', value: 'y' }] } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(UntagUserDocument, { input: { userName: 'alice', tagKeys: ['k'] } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(ListUserTagsDocument, { input: { userName: 'alice' } }, b.token)).toBe('NoSuchEntity');
    expect((await server.ok(ListUsersDocument, {}, b.token)).listUsers.nodes).toEqual([]);
    // The same name is free in account B.
    await createUser(server, b.token, 'alice');
    const stillA = (await server.ok(GetUserDetailsDocument, { input: { userName: 'alice' } }, a.token)).getUser.user;
    expect(stillA.arn).toBe(`arn:aws:iam::${a.accountId}:user/alice`);
    expect(stillA.tags).toEqual([{ key: 'k', value: 'v' }]);
  });
});

describe('account aliases', () => {
  it('creates, replaces, lists and deletes the account alias', async () => {
    const { token } = await server.newAccount();
    expect((await server.ok(ListAccountAliasesDocument, {}, token)).listAccountAliases).toEqual({ nodes: [], isTruncated: false, marker: null });
    const alias = `acme-${Date.now()}`;
    expect((await server.ok(CreateAccountAliasDocument, { alias }, token)).createAccountAlias).toBe(true);
    expect((await server.ok(ListAccountAliasesDocument, {}, token)).listAccountAliases.nodes).toEqual([alias]);
    await server.ok(CreateAccountAliasDocument, { alias: `${alias}-2` }, token);
    expect((await server.ok(ListAccountAliasesDocument, {}, token)).listAccountAliases.nodes).toEqual([`${alias}-2`]);
    expect(await server.errorCode(DeleteAccountAliasDocument, { alias }, token)).toBe('NoSuchEntity');
    await server.ok(DeleteAccountAliasDocument, { alias: `${alias}-2` }, token);
    expect((await server.ok(ListAccountAliasesDocument, {}, token)).listAccountAliases.nodes).toEqual([]);
  });

  it('refuses an alias held by another account with EntityAlreadyExists', async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    const alias = `taken-${Date.now()}`;
    await server.ok(CreateAccountAliasDocument, { alias }, a.token);
    const result = await server.gql(CreateAccountAliasDocument, { alias }, b.token);
    expect(result.errors?.[0]?.extensions?.code).toBe('EntityAlreadyExists');
    expect(result.errors?.[0]?.message).toBe(`The account alias ${alias} already exists.`);
    expect(await server.errorCode(DeleteAccountAliasDocument, { alias }, b.token)).toBe('NoSuchEntity');
  });

  it.each([['ab'], ['-abc'], ['abc-'], ['a--b'], ['Acme'], ['acme_corp'], ['a'.repeat(64)], ['123456789012']])(
    'refuses the alias %j with ValidationError',
    async (alias) => {
      const { token } = await server.newAccount();
      expect(await server.errorCode(CreateAccountAliasDocument, { alias }, token)).toBe('ValidationError');
    },
  );

  it('lets an IAM user sign in with the alias instead of the account id', async () => {
    const { token } = await server.newAccount();
    const alias = `signin-${Date.now()}`;
    await server.ok(CreateAccountAliasDocument, { alias }, token);
    await createUser(server, token, 'alice');
    await createLoginProfile(server, token, 'alice', 'Correct-Horse-1');
    const signedIn = await server.ok(SignInDocument, { input: { accountId: alias, userName: 'alice', password: 'Correct-Horse-1' } });
    expect(signedIn.signIn.arn).toMatch(/:user\/alice$/);
  });
});
