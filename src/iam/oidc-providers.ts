// IAM OIDC identity providers: whose ID tokens AssumeRoleWithWebIdentity accepts in
// an account. A provider is its issuer URL (kept without `https://`), the client ids
// (audiences) it accepts and the thumbprints AWS asks for. Nothing here is secret.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
import { randomUUID } from 'node:crypto';
import type { Db, DbTx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { EntityAlreadyExistsError, InvalidInputError, LimitExceededError, NoSuchEntityError, ValidationError } from '../errors.js';
import type { OpenIdConnectProvider } from '../generated/prisma/client.js';
import { parseArn } from './arn.js';
import { type TagInput, checkArn, checkString } from './names.js';
import { checkTagList, deleteAllTags, tagResource, untagResource } from './tags.js';

/** AWS's quotas: OIDC providers per account, client ids per provider, thumbprints per provider. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const OIDC_PROVIDERS_PER_ACCOUNT = 100;
export const CLIENT_IDS_PER_OIDC_PROVIDER = 100;
export const THUMBPRINTS_PER_OIDC_PROVIDER = 5;

/** Which issuer URLs may be registered: https always; plain http only on a loopback host, and only when the server allows it (development and tests). */
export interface IssuerUrlPolicy {
  allowHttpLoopback: boolean;
}

export interface CreateOpenIdConnectProviderInput {
  url: string;
  clientIDList?: string[] | null;
  thumbprintList?: string[] | null;
  tags?: TagInput[] | null;
}

/** `arn:aws:iam::<account>:oidc-provider/<host/path>`. */
export function oidcProviderArn(accountId: string, url: string): string {
  return `arn:aws:iam::${accountId}:oidc-provider/${url}`;
}

/** True for a host that names this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Reads an issuer URL (a registration's `Url`, a token's `iss`) into the provider's
 * key: host and path without the scheme. AWS: "The URL must begin with https://",
 * "path components are allowed but query parameters are not", no port. With
 * `allowHttpLoopback`, `http://` is accepted for a loopback host, with a port.
 * `{ problem }`, saying why, when the URL is not acceptable.
 */
export function readIssuerUrl(value: string, policy: IssuerUrlPolicy): { key: string; url: URL } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'the URL must begin with https:// and name a host' };
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback && policy.allowHttpLoopback)) {
    return { problem: 'the URL must begin with https://' };
  }
  if (url.username || url.password) return { problem: 'the URL must not carry credentials' };
  if (url.search || url.hash || value.includes('?') || value.includes('#')) return { problem: 'the URL must not have a query or a fragment' };
  if (url.port && !(loopback && policy.allowHttpLoopback)) return { problem: 'the URL must not contain a port number' };
  // The key keeps the text as written after the scheme (AWS compares iss to it exactly), less one trailing slash.
  const key = value.slice(url.protocol.length + 2).replace(/\/$/, '');
  if (key === '' || key.startsWith('/')) return { problem: 'the URL must name a host' };
  return { key, url };
}

/** The provider key of a registration's `Url`, or InvalidInput. */
function checkUrl(value: string, policy: IssuerUrlPolicy): string {
  checkString(value, 'url', 1, 255);
  const read = readIssuerUrl(value, policy);
  if ('problem' in read) throw new InvalidInputError(`Invalid Url ${value}: ${read.problem}.`);
  return read.key;
}

function checkClientIds(ids: string[] | null | undefined): string[] {
  const list = ids ?? [];
  list.forEach((id, i) => checkString(id, `clientIDList.${i + 1}.member`, 1, 255));
  const unique = [...new Set(list)];
  if (unique.length > CLIENT_IDS_PER_OIDC_PROVIDER) throw new LimitExceededError(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${CLIENT_IDS_PER_OIDC_PROVIDER}`);
  return unique;
}

/** Thumbprints: each the 40 hex digits of a certificate's SHA-1; at most five. */
function checkThumbprints(list: string[] | null | undefined): string[] {
  const prints = list ?? [];
  if (prints.length > THUMBPRINTS_PER_OIDC_PROVIDER) {
    throw new ValidationError(`1 validation error detected: Value at 'thumbprintList' failed to satisfy constraint: Member must have length less than or equal to ${THUMBPRINTS_PER_OIDC_PROVIDER}`);
  }
  prints.forEach((print, i) => checkString(print, `thumbprintList.${i + 1}.member`, 40, 40));
  for (const print of prints) if (!/^[0-9a-fA-F]{40}$/.test(print)) throw new InvalidInputError(`Thumbprint ${print} is not 40 hexadecimal digits.`);
  return [...new Set(prints.map((print) => print.toLowerCase()))];
}

/** The provider of the caller's account that `arn` names, or NoSuchEntity (an ARN of another account names none). */
export async function findOidcProvider(db: DbTx, accountId: string, arn: string): Promise<OpenIdConnectProvider> {
  checkArn(arn, 'openIDConnectProviderArn');
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'iam' || !parsed.resource.startsWith('oidc-provider/')) {
    throw new InvalidInputError(`Invalid OpenIDConnectProviderArn ${arn}: it must be arn:aws:iam::<account>:oidc-provider/<url>.`);
  }
  const provider = parsed.account === accountId ? await db.openIdConnectProvider.findUnique({ where: { arn } }) : null;
  if (!provider || provider.accountId !== accountId) throw new NoSuchEntityError(`OpenIDConnect Provider not found for arn ${arn}`);
  return provider;
}

/** Like findOidcProvider, and locks the row until the transaction ends (FOR UPDATE). */
async function lockOidcProvider(tx: DbTx, accountId: string, arn: string): Promise<OpenIdConnectProvider> {
  const found = await findOidcProvider(tx, accountId, arn);
  const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM "OpenIdConnectProvider" WHERE id = ${found.id} FOR UPDATE`;
  if (locked.length === 0) throw new NoSuchEntityError(`OpenIDConnect Provider not found for arn ${arn}`);
  return tx.openIdConnectProvider.findUniqueOrThrow({ where: { id: found.id } });
}

/** CreateOpenIDConnectProvider with its tags, in one transaction. */
export async function createOidcProvider(db: Db, accountId: string, input: CreateOpenIdConnectProviderInput, policy: IssuerUrlPolicy): Promise<OpenIdConnectProvider> {
  const url = checkUrl(input.url, policy);
  const clientIds = checkClientIds(input.clientIDList);
  const thumbprints = checkThumbprints(input.thumbprintList);
  const tags = checkTagList(input.tags);
  return db.$transaction(async (tx) => {
    // INVARIANT: at most OIDC_PROVIDERS_PER_ACCOUNT providers; the account row lock serializes concurrent creates.
    await tx.$executeRaw`SELECT 1 FROM "Account" WHERE id = ${accountId} FOR UPDATE`;
    if ((await tx.openIdConnectProvider.count({ where: { accountId } })) >= OIDC_PROVIDERS_PER_ACCOUNT) {
      throw new LimitExceededError(`Cannot exceed quota for OpenIdConnectProvidersPerAccount: ${OIDC_PROVIDERS_PER_ACCOUNT}`);
    }
    let provider: OpenIdConnectProvider;
    try {
      provider = await tx.openIdConnectProvider.create({
        data: { id: randomUUID(), accountId, url, arn: oidcProviderArn(accountId, url), clientIds, thumbprints },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EntityAlreadyExistsError(`Provider with url ${input.url} already exists.`, { cause: error });
      throw error;
    }
    await tagResource(tx, accountId, 'oidc-provider', provider.id, tags);
    return provider;
  });
}

/**
 * DeleteOpenIDConnectProvider. AWS: "This operation is idempotent; it does not fail or
 * return an error if you call the operation for a provider that does not exist."
 * Roles that trust it keep their trust policies (and can no longer be assumed through it).
 */
export async function deleteOidcProvider(db: Db, accountId: string, arn: string): Promise<void> {
  await db.$transaction(async (tx) => {
    let provider: OpenIdConnectProvider;
    try {
      provider = await lockOidcProvider(tx, accountId, arn);
    } catch (error) {
      if (error instanceof NoSuchEntityError) return;
      throw error;
    }
    await tx.openIdConnectProvider.delete({ where: { id: provider.id } });
    await deleteAllTags(tx, 'oidc-provider', provider.id);
  });
}

/** AddClientIDToOpenIDConnectProvider: adding a client id it already has changes nothing. */
export async function addClientIdToOidcProvider(db: Db, accountId: string, arn: string, clientId: string): Promise<void> {
  checkString(clientId, 'clientID', 1, 255);
  await db.$transaction(async (tx) => {
    const provider = await lockOidcProvider(tx, accountId, arn);
    if (provider.clientIds.includes(clientId)) return;
    if (provider.clientIds.length >= CLIENT_IDS_PER_OIDC_PROVIDER) {
      throw new LimitExceededError(`Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${CLIENT_IDS_PER_OIDC_PROVIDER}`);
    }
    await tx.openIdConnectProvider.update({ where: { id: provider.id }, data: { clientIds: [...provider.clientIds, clientId] } });
  });
}

/** RemoveClientIDFromOpenIDConnectProvider: removing a client id it does not have changes nothing (AWS). */
export async function removeClientIdFromOidcProvider(db: Db, accountId: string, arn: string, clientId: string): Promise<void> {
  checkString(clientId, 'clientID', 1, 255);
  await db.$transaction(async (tx) => {
    const provider = await lockOidcProvider(tx, accountId, arn);
    if (!provider.clientIds.includes(clientId)) return;
    await tx.openIdConnectProvider.update({ where: { id: provider.id }, data: { clientIds: provider.clientIds.filter((id) => id !== clientId) } });
  });
}

/** UpdateOpenIDConnectProviderThumbprint: replaces the whole list. */
export async function updateOidcProviderThumbprint(db: Db, accountId: string, arn: string, thumbprintList: string[]): Promise<void> {
  const thumbprints = checkThumbprints(thumbprintList);
  await db.$transaction(async (tx) => {
    const provider = await lockOidcProvider(tx, accountId, arn);
    await tx.openIdConnectProvider.update({ where: { id: provider.id }, data: { thumbprints } });
  });
}

/** TagOpenIDConnectProvider. */
export async function tagOidcProvider(db: Db, accountId: string, arn: string, tags: TagInput[]): Promise<void> {
  checkTagList(tags);
  await db.$transaction(async (tx) => {
    // Locked so that a concurrent delete cannot leave these tags orphaned.
    const provider = await lockOidcProvider(tx, accountId, arn);
    await tagResource(tx, accountId, 'oidc-provider', provider.id, tags);
  });
}

/** UntagOpenIDConnectProvider. */
export async function untagOidcProvider(db: Db, accountId: string, arn: string, tagKeys: string[]): Promise<void> {
  await db.$transaction(async (tx) => {
    const provider = await findOidcProvider(tx, accountId, arn);
    await untagResource(tx, accountId, 'oidc-provider', provider.id, tagKeys);
  });
}

/** ListOpenIDConnectProviders: every provider of the account (AWS does not page this list), ordered by ARN. */
export function listOidcProviders(db: DbTx, accountId: string): Promise<OpenIdConnectProvider[]> {
  return db.openIdConnectProvider.findMany({ where: { accountId }, orderBy: { arn: 'asc' } });
}
