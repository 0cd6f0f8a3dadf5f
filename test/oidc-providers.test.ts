// IAM OIDC providers end to end: create, read, list, client ids, thumbprints, tags and
// delete, with AWS's names, limits and errors, each account seeing only its own.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddClientIDToOpenIDConnectProviderDocument,
  CreateOpenIDConnectProviderDocument,
  DeleteOpenIDConnectProviderDocument,
  GetOpenIDConnectProviderDocument,
  ListOpenIDConnectProvidersDocument,
  ListOpenIDConnectProviderTagsDocument,
  RemoveClientIDFromOpenIDConnectProviderDocument,
  TagOpenIDConnectProviderDocument,
  UntagOpenIDConnectProviderDocument,
  UpdateOpenIDConnectProviderThumbprintDocument,
} from './generated/graphql.js';
import { useTestServer } from './support/server.js';
import { policy, signedInUser } from './support/scenarios.js';

const server = useTestServer();
let root: { accountId: string; token: string };
beforeAll(async () => {
  root = await server.newAccount();
});

const THUMB = '9e99a48a9960b14926bb7f3b02e22da2b0ab7280';
const create = (url: string, extra: { clientIDList?: string[]; thumbprintList?: string[]; tags?: Array<{ key: string; value: string }> } = {}, token = root.token) =>
  server.ok(CreateOpenIDConnectProviderDocument, { input: { url, ...extra } }, token);
const get = (arn: string, token = root.token) => server.ok(GetOpenIDConnectProviderDocument, { input: { openIDConnectProviderArn: arn } }, token);

describe('createOpenIDConnectProvider', () => {
  it('registers a provider under the ARN its URL names, and getOpenIDConnectProvider reads it back', async () => {
    const created = await create('https://idp.example.com/tenant-a', { clientIDList: ['web', 'mobile', 'web'], thumbprintList: [THUMB.toUpperCase()], tags: [{ key: 'team', value: 'auth' }] });
    const arn = `arn:aws:iam::${root.accountId}:oidc-provider/idp.example.com/tenant-a`;
    expect(created.createOpenIDConnectProvider).toEqual({ openIDConnectProviderArn: arn, tags: [{ key: 'team', value: 'auth' }] });
    const read = (await get(arn)).getOpenIDConnectProvider;
    expect(read).toMatchObject({ url: 'idp.example.com/tenant-a', clientIDList: ['web', 'mobile'], thumbprintList: [THUMB], tags: [{ key: 'team', value: 'auth' }] });
    expect(Date.now() - new Date(read.createDate).getTime()).toBeLessThan(60_000);
  });

  it.each([
    ['a plain-http URL', 'http://idp.example.com', 'InvalidInput'],
    ['a loopback http URL while the server does not allow it', 'http://127.0.0.1:9999', 'InvalidInput'],
    ['a URL with a port', 'https://idp.example.com:8443', 'InvalidInput'],
    ['a URL with a query', 'https://idp.example.com/?tenant=a', 'InvalidInput'],
    ['a URL with a fragment', 'https://idp.example.com/#a', 'InvalidInput'],
    ['no URL at all', 'idp.example.com', 'InvalidInput'],
    ['a URL longer than 255 characters', `https://idp.example.com/${'a'.repeat(240)}`, 'ValidationError'],
  ])('refuses %s', async (_name, url, code) => {
    expect(await server.errorCode(CreateOpenIDConnectProviderDocument, { input: { url } }, root.token)).toBe(code);
  });

  it('refuses a second provider of the same URL with EntityAlreadyExists', async () => {
    await create('https://dup.example.com');
    expect(await server.errorCode(CreateOpenIDConnectProviderDocument, { input: { url: 'https://dup.example.com' } }, root.token)).toBe('EntityAlreadyExists');
  });

  it('lets only one of two concurrent creates of a URL succeed', async () => {
    const results = await Promise.all([1, 2, 3].map(() => server.gql(CreateOpenIDConnectProviderDocument, { input: { url: 'https://race.example.com' } }, root.token)));
    expect(results.filter((r) => !r.errors).length).toBe(1);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'EntityAlreadyExists').length).toBe(2);
  });

  it('refuses bad thumbprints and too many of them', async () => {
    expect(await server.errorCode(CreateOpenIDConnectProviderDocument, { input: { url: 'https://t1.example.com', thumbprintList: ['abc'] } }, root.token)).toBe('ValidationError');
    expect(await server.errorCode(CreateOpenIDConnectProviderDocument, { input: { url: 'https://t2.example.com', thumbprintList: ['z'.repeat(40)] } }, root.token)).toBe('InvalidInput');
    const six = Array.from({ length: 6 }, (_, i) => String(i).repeat(40));
    expect(await server.errorCode(CreateOpenIDConnectProviderDocument, { input: { url: 'https://t3.example.com', thumbprintList: six } }, root.token)).toBe('ValidationError');
  });

  it('refuses more than 100 client ids with LimitExceeded', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `client-${i}`);
    expect(await server.errorCode(CreateOpenIDConnectProviderDocument, { input: { url: 'https://many.example.com', clientIDList: ids } }, root.token)).toBe('LimitExceeded');
  });

  it('needs iam:CreateOpenIDConnectProvider, and iam:TagOpenIDConnectProvider for tags', async () => {
    const creator = await signedInUser(server, root, 'oidc-creator', {
      inline: { create: policy({ Effect: 'Allow', Action: 'iam:CreateOpenIDConnectProvider', Resource: `arn:aws:iam::${root.accountId}:oidc-provider/allowed.example.com` }) },
    });
    await create('https://allowed.example.com', {}, creator.token);
    expect(await server.errorCode(CreateOpenIDConnectProviderDocument, { input: { url: 'https://other.example.com' } }, creator.token)).toBe('AccessDenied');
    expect(
      await server.errorCode(CreateOpenIDConnectProviderDocument, { input: { url: 'https://allowed.example.com/x', tags: [{ key: 'a', value: 'b' }] } }, creator.token),
    ).toBe('AccessDenied');
  });
});

describe('client ids, thumbprints and tags', () => {
  it('adds and removes client ids, idempotently', async () => {
    const arn = (await create('https://clients.example.com', { clientIDList: ['a'] })).createOpenIDConnectProvider.openIDConnectProviderArn;
    const input = { openIDConnectProviderArn: arn, clientID: 'b' };
    await server.ok(AddClientIDToOpenIDConnectProviderDocument, { input }, root.token);
    await server.ok(AddClientIDToOpenIDConnectProviderDocument, { input }, root.token);
    expect((await get(arn)).getOpenIDConnectProvider.clientIDList).toEqual(['a', 'b']);
    await server.ok(RemoveClientIDFromOpenIDConnectProviderDocument, { input: { openIDConnectProviderArn: arn, clientID: 'a' } }, root.token);
    await server.ok(RemoveClientIDFromOpenIDConnectProviderDocument, { input: { openIDConnectProviderArn: arn, clientID: 'never-added' } }, root.token);
    expect((await get(arn)).getOpenIDConnectProvider.clientIDList).toEqual(['b']);
  });

  it('replaces the thumbprint list', async () => {
    const arn = (await create('https://thumbs.example.com', { thumbprintList: [THUMB] })).createOpenIDConnectProvider.openIDConnectProviderArn;
    const next = 'a'.repeat(40);
    await server.ok(UpdateOpenIDConnectProviderThumbprintDocument, { input: { openIDConnectProviderArn: arn, thumbprintList: [next] } }, root.token);
    expect((await get(arn)).getOpenIDConnectProvider.thumbprintList).toEqual([next]);
  });

  it('tags, lists tags by key and untags', async () => {
    const arn = (await create('https://tags.example.com')).createOpenIDConnectProvider.openIDConnectProviderArn;
    await server.ok(TagOpenIDConnectProviderDocument, { input: { openIDConnectProviderArn: arn, tags: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }] } }, root.token);
    const listed = await server.ok(ListOpenIDConnectProviderTagsDocument, { input: { openIDConnectProviderArn: arn } }, root.token);
    expect(listed.listOpenIDConnectProviderTags).toEqual({ nodes: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], isTruncated: false, marker: null });
    await server.ok(UntagOpenIDConnectProviderDocument, { input: { openIDConnectProviderArn: arn, tagKeys: ['A'] } }, root.token);
    expect((await get(arn)).getOpenIDConnectProvider.tags).toEqual([{ key: 'b', value: '2' }]);
  });

  it('decides aws:ResourceTag on a provider from its tags', async () => {
    const arn = (await create('https://restag.example.com', { tags: [{ key: 'env', value: 'prod' }] })).createOpenIDConnectProvider.openIDConnectProviderArn;
    const reader = await signedInUser(server, root, 'oidc-reader', {
      inline: { read: policy({ Effect: 'Allow', Action: 'iam:GetOpenIDConnectProvider', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/env': 'dev' } } }) },
    });
    expect(await server.errorCode(GetOpenIDConnectProviderDocument, { input: { openIDConnectProviderArn: arn } }, reader.token)).toBe('AccessDenied');
    await server.ok(TagOpenIDConnectProviderDocument, { input: { openIDConnectProviderArn: arn, tags: [{ key: 'env', value: 'dev' }] } }, root.token);
    await get(arn, reader.token);
  });
});

describe('reading, listing and deleting', () => {
  it('answers NoSuchEntity for an unknown provider, InvalidInput for an ARN that names none', async () => {
    const missing = `arn:aws:iam::${root.accountId}:oidc-provider/nobody.example.com`;
    expect(await server.errorCode(GetOpenIDConnectProviderDocument, { input: { openIDConnectProviderArn: missing } }, root.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(GetOpenIDConnectProviderDocument, { input: { openIDConnectProviderArn: `arn:aws:iam::${root.accountId}:role/x` } }, root.token)).toBe('InvalidInput');
  });

  it('deletes idempotently, as AWS documents, and forgets the tags', async () => {
    const arn = (await create('https://gone.example.com', { tags: [{ key: 'k', value: 'v' }] })).createOpenIDConnectProvider.openIDConnectProviderArn;
    await server.ok(DeleteOpenIDConnectProviderDocument, { input: { openIDConnectProviderArn: arn } }, root.token);
    expect(await server.errorCode(GetOpenIDConnectProviderDocument, { input: { openIDConnectProviderArn: arn } }, root.token)).toBe('NoSuchEntity');
    await server.ok(DeleteOpenIDConnectProviderDocument, { input: { openIDConnectProviderArn: arn } }, root.token);
    expect(await server.db.tag.count({ where: { resourceType: 'oidc-provider', value: 'v', key: 'k' } })).toBe(0);
  });

  it('keeps accounts apart: another account sees, changes and deletes none of them', async () => {
    const other = await server.newAccount('Other');
    const arn = (await create('https://mine.example.com')).createOpenIDConnectProvider.openIDConnectProviderArn;
    const input = { openIDConnectProviderArn: arn };
    expect(await server.errorCode(GetOpenIDConnectProviderDocument, { input }, other.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(AddClientIDToOpenIDConnectProviderDocument, { input: { ...input, clientID: 'evil' } }, other.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(TagOpenIDConnectProviderDocument, { input: { ...input, tags: [{ key: 'x', value: 'y' }] } }, other.token)).toBe('NoSuchEntity');
    // The guard answers for another account's ARN before any service runs: that account has no such entity.
    expect(await server.errorCode(DeleteOpenIDConnectProviderDocument, { input }, other.token)).toBe('NoSuchEntity');
    await get(arn);
    expect((await server.ok(ListOpenIDConnectProvidersDocument, {}, other.token)).listOpenIDConnectProviders.openIDConnectProviderList).toEqual([]);
    // The same URL is free in the other account: a provider belongs to its account.
    const theirs = (await create('https://mine.example.com', {}, other.token)).createOpenIDConnectProvider.openIDConnectProviderArn;
    expect(theirs).toBe(`arn:aws:iam::${other.accountId}:oidc-provider/mine.example.com`);
  });

  it('lists the account’s providers by ARN', async () => {
    const account = await server.newAccount('Lister');
    await create('https://b.example.com', {}, account.token);
    await create('https://a.example.com', {}, account.token);
    const list = (await server.ok(ListOpenIDConnectProvidersDocument, {}, account.token)).listOpenIDConnectProviders.openIDConnectProviderList;
    expect(list).toEqual([{ arn: `arn:aws:iam::${account.accountId}:oidc-provider/a.example.com` }, { arn: `arn:aws:iam::${account.accountId}:oidc-provider/b.example.com` }]);
  });
});
