// IAM SAML identity providers: whose signed SAML responses AssumeRoleWithSAML accepts in an
// account. A provider is a name and the IdP's metadata document, from which its entityID and
// signing certificates are read (src/iam/saml-metadata.ts). Nothing here is secret.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_saml.html
import { randomUUID } from 'node:crypto';
import type { Db, DbTx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { EntityAlreadyExistsError, InvalidInputError, LimitExceededError, NoSuchEntityError, ValidationError } from '../errors.js';
import type { SamlProvider } from '../generated/prisma/client.js';
import { parseArn } from './arn.js';
import { type TagInput, checkArn, checkString } from './names.js';
import { parseSamlMetadata } from './saml-metadata.js';
import { checkTagList, deleteAllTags, tagResource, untagResource } from './tags.js';

/** AWS's quota of SAML providers per account. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const SAML_PROVIDERS_PER_ACCOUNT = 100;

export interface CreateSamlProviderInput {
  name: string;
  samlMetadataDocument: string;
  tags?: TagInput[] | null;
  assertionEncryptionMode?: string | null;
  addPrivateKey?: string | null;
}

export interface UpdateSamlProviderInput {
  samlProviderArn: string;
  samlMetadataDocument?: string | null;
  assertionEncryptionMode?: string | null;
  addPrivateKey?: string | null;
  removePrivateKey?: string | null;
}

/** `arn:aws:iam::<account>:saml-provider/<name>`. */
export function samlProviderArn(accountId: string, name: string): string {
  return `arn:aws:iam::${accountId}:saml-provider/${name}`;
}

/** The provider's name in its ARN, or undefined when `arn` is no SAML provider ARN. */
export function samlProviderNameOf(arn: string): { account: string; name: string } | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'iam' || parsed.region !== '' || !parsed.resource.startsWith('saml-provider/')) return undefined;
  const name = parsed.resource.slice('saml-provider/'.length);
  return /^[\w.-]{1,128}$/.test(name) ? { account: parsed.account, name } : undefined;
}

function checkMetadataDocument(document: string) {
  checkString(document, 'samlMetadataDocument', 1000, 10_000_000);
  return parseSamlMetadata(document);
}

/** Encrypted assertions are not supported: their members are refused rather than ignored. */
function refuseEncryption(input: { assertionEncryptionMode?: string | null; addPrivateKey?: string | null; removePrivateKey?: string | null }): void {
  if (input.addPrivateKey != null || input.removePrivateKey != null || (input.assertionEncryptionMode != null && input.assertionEncryptionMode !== 'Allowed')) {
    throw new ValidationError('Encrypted SAML assertions are not supported by this server: leave out AddPrivateKey, RemovePrivateKey and AssertionEncryptionMode (or set it to Allowed).');
  }
}

/** The provider of the caller's account that `arn` names, or NoSuchEntity (an ARN of another account names none). */
export async function findSamlProvider(db: DbTx, accountId: string, arn: string): Promise<SamlProvider> {
  checkArn(arn, 'samlProviderArn');
  const parsed = samlProviderNameOf(arn);
  if (!parsed) throw new InvalidInputError(`Invalid SAMLProviderArn ${arn}: it must be arn:aws:iam::<account>:saml-provider/<name>.`);
  const provider = parsed.account === accountId ? await db.samlProvider.findUnique({ where: { arn } }) : null;
  if (!provider || provider.accountId !== accountId) throw new NoSuchEntityError(`Manifest not found for arn ${arn}`);
  return provider;
}

/** Like findSamlProvider, and locks the row until the transaction ends (FOR UPDATE). */
async function lockSamlProvider(tx: DbTx, accountId: string, arn: string): Promise<SamlProvider> {
  const found = await findSamlProvider(tx, accountId, arn);
  const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM "SamlProvider" WHERE id = ${found.id} FOR UPDATE`;
  if (locked.length === 0) throw new NoSuchEntityError(`Manifest not found for arn ${arn}`);
  return tx.samlProvider.findUniqueOrThrow({ where: { id: found.id } });
}

/** CreateSAMLProvider with its tags, in one transaction. */
export async function createSamlProvider(db: Db, accountId: string, input: CreateSamlProviderInput): Promise<SamlProvider> {
  const name = checkString(input.name, 'name', 1, 128, /^[\w.-]+$/, '[\\w._-]+');
  refuseEncryption(input);
  const metadata = checkMetadataDocument(input.samlMetadataDocument);
  const tags = checkTagList(input.tags);
  return db.$transaction(async (tx) => {
    // INVARIANT: at most SAML_PROVIDERS_PER_ACCOUNT providers; the account row lock serializes concurrent creates.
    await tx.$executeRaw`SELECT 1 FROM "Account" WHERE id = ${accountId} FOR UPDATE`;
    if ((await tx.samlProvider.count({ where: { accountId } })) >= SAML_PROVIDERS_PER_ACCOUNT) {
      throw new LimitExceededError(`Cannot exceed quota for SAMLProvidersPerAccount: ${SAML_PROVIDERS_PER_ACCOUNT}`);
    }
    let provider: SamlProvider;
    try {
      provider = await tx.samlProvider.create({
        data: {
          id: randomUUID(),
          accountId,
          name,
          arn: samlProviderArn(accountId, name),
          metadataDocument: input.samlMetadataDocument,
          issuer: metadata.issuer,
          certificates: metadata.certificates,
          validUntil: metadata.validUntil,
        },
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new EntityAlreadyExistsError(`SAMLProvider ${name} already exists.`, { cause: error });
      throw error;
    }
    await tagResource(tx, accountId, 'saml-provider', provider.id, tags);
    return provider;
  });
}

/** UpdateSAMLProvider: a new metadata document (new certificates, a new entityID). */
export async function updateSamlProvider(db: Db, accountId: string, input: UpdateSamlProviderInput): Promise<SamlProvider> {
  refuseEncryption(input);
  if (input.samlMetadataDocument == null) throw new ValidationError('samlMetadataDocument is required: it is the only thing of a SAML provider this server updates.');
  const metadata = checkMetadataDocument(input.samlMetadataDocument);
  return db.$transaction(async (tx) => {
    const provider = await lockSamlProvider(tx, accountId, input.samlProviderArn);
    return tx.samlProvider.update({
      where: { id: provider.id },
      data: { metadataDocument: input.samlMetadataDocument!, issuer: metadata.issuer, certificates: metadata.certificates, validUntil: metadata.validUntil },
    });
  });
}

/** DeleteSAMLProvider. Roles that trust it keep their trust policies (and can no longer be assumed through it). */
export async function deleteSamlProvider(db: Db, accountId: string, arn: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const provider = await lockSamlProvider(tx, accountId, arn);
    await tx.samlProvider.delete({ where: { id: provider.id } });
    await deleteAllTags(tx, 'saml-provider', provider.id);
  });
}

/** TagSAMLProvider. */
export async function tagSamlProvider(db: Db, accountId: string, arn: string, tags: TagInput[]): Promise<void> {
  checkTagList(tags);
  await db.$transaction(async (tx) => {
    // Locked so that a concurrent delete cannot leave these tags orphaned.
    const provider = await lockSamlProvider(tx, accountId, arn);
    await tagResource(tx, accountId, 'saml-provider', provider.id, tags);
  });
}

/** UntagSAMLProvider. */
export async function untagSamlProvider(db: Db, accountId: string, arn: string, tagKeys: string[]): Promise<void> {
  await db.$transaction(async (tx) => {
    const provider = await findSamlProvider(tx, accountId, arn);
    await untagResource(tx, accountId, 'saml-provider', provider.id, tagKeys);
  });
}

/** ListSAMLProviders: every provider of the account (AWS does not page this list), ordered by ARN. */
export function listSamlProviders(db: DbTx, accountId: string): Promise<SamlProvider[]> {
  return db.samlProvider.findMany({ where: { accountId }, orderBy: { arn: 'asc' } });
}
