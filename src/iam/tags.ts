// Tags of IAM resources (users, roles, customer-managed policies, instance
// profiles, MFA devices), kept in the one `Tag` table. Keys are unique per
// resource case-insensitively; a resource holds at most 50 tags.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html
import type { DbTx } from '../db/client.js';
import { InvalidInputError, LimitExceededError } from '../errors.js';
import { defineLoader } from '../db/loaders.js';
import { MAX_TAGS, type TagInput, checkTagKeys, checkTags } from './names.js';
import { bumpPolicyEpoch } from './policy-epoch.js';

/** The kinds of resource that carry tags (the `Tag.resourceType` column). */
export type TaggableResourceType = 'user' | 'role' | 'policy' | 'instance-profile' | 'mfa' | 'oidc-provider' | 'saml-provider';

export interface ResourceTag {
  key: string;
  value: string;
}

/**
 * Validates a tag list (charset, lengths, at most 50) and refuses duplicate keys,
 * which AWS compares case-insensitively.
 */
export function checkTagList(tags: TagInput[] | null | undefined): TagInput[] {
  const list = checkTags(tags);
  const seen = new Set<string>();
  for (const tag of list) {
    const key = tag.key.toLowerCase();
    if (seen.has(key)) throw new InvalidInputError('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key);
  }
  return list;
}

/**
 * Adds or overwrites tags on a resource (AWS's TagUser, TagRole, TagPolicy...):
 * a tag whose key exists (case-insensitively) gets the new key spelling and value.
 * Call inside a transaction, after checking that the resource exists in `accountId`.
 * INVARIANT: a resource never holds more than 50 tags. A transaction-scoped advisory
 * lock on the resource serializes concurrent taggers, so the count cannot be raced.
 */
export async function tagResource(
  tx: DbTx,
  accountId: string,
  resourceType: TaggableResourceType,
  resourceId: string,
  tags: TagInput[],
): Promise<void> {
  const list = checkTagList(tags);
  if (list.length === 0) return;
  await lockResourceTags(tx, resourceType, resourceId);
  const existing = await tx.tag.findMany({ where: { resourceType, resourceId }, select: { keyLower: true } });
  const keys = new Set(existing.map((t) => t.keyLower));
  for (const tag of list) keys.add(tag.key.toLowerCase());
  if (keys.size > MAX_TAGS) throw new LimitExceededError('The number of tags has reached the maximum limit.');
  for (const tag of list) {
    const keyLower = tag.key.toLowerCase();
    await tx.tag.upsert({
      where: { resourceType_resourceId_keyLower: { resourceType, resourceId, keyLower } },
      create: { accountId, resourceType, resourceId, key: tag.key, keyLower, value: tag.value },
      update: { key: tag.key, value: tag.value },
    });
  }
  await bumpPolicyEpochForTags(tx, accountId, resourceType);
}

/** Removes tags by key (case-insensitively); unknown keys are ignored, as in AWS. */
export async function untagResource(
  tx: DbTx,
  accountId: string,
  resourceType: TaggableResourceType,
  resourceId: string,
  keys: string[],
): Promise<void> {
  checkTagKeys(keys);
  if (keys.length === 0) return;
  const removed = await tx.tag.deleteMany({
    where: { accountId, resourceType, resourceId, keyLower: { in: keys.map((k) => k.toLowerCase()) } },
  });
  if (removed.count > 0) await bumpPolicyEpochForTags(tx, accountId, resourceType);
}

/**
 * Tags of users and roles are principal tags (`aws:PrincipalTag/*`), cached with the
 * compiled policies per account epoch: changing them must invalidate that cache.
 */
async function bumpPolicyEpochForTags(tx: DbTx, accountId: string, resourceType: TaggableResourceType): Promise<void> {
  if (resourceType === 'user' || resourceType === 'role') await bumpPolicyEpoch(tx, accountId);
}

/** The tags of one resource, ordered by lower-cased key (code point order, the same in every database collation). */
export async function listTags(db: DbTx, resourceType: TaggableResourceType, resourceId: string): Promise<ResourceTag[]> {
  const rows = await db.tag.findMany({ where: { resourceType, resourceId }, select: { key: true, keyLower: true, value: true } });
  return sortTags(rows);
}

function sortTags(rows: Array<{ key: string; keyLower: string; value: string }>): ResourceTag[] {
  return rows
    .sort((a, b) => (a.keyLower < b.keyLower ? -1 : a.keyLower > b.keyLower ? 1 : 0))
    .map(({ key, value }) => ({ key, value }));
}

/** Deletes every tag of a resource (when the resource itself is deleted). */
export async function deleteAllTags(tx: DbTx, resourceType: TaggableResourceType, resourceId: string): Promise<void> {
  await tx.tag.deleteMany({ where: { resourceType, resourceId } });
}

async function lockResourceTags(tx: DbTx, resourceType: string, resourceId: string): Promise<void> {
  const lockKey = `tags:${resourceType}:${resourceId}`;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`;
}

export interface TagsKey {
  resourceType: TaggableResourceType;
  resourceId: string;
}

/**
 * Batches the nested `tags` fields of one request: `tagsLoader(ctx).load({ resourceType, resourceId })`
 * (`ctx`: anything with the request's `db`, `loaders` and `principal`, src/db/loaders.ts).
 * One query per resource type per level.
 */
export const tagsLoader = defineLoader<TagsKey, ResourceTag[], string>(
  'tags',
  async ({ db }, keys) => {
    const byType = new Map<TaggableResourceType, string[]>();
    for (const key of keys) {
      const ids = byType.get(key.resourceType);
      if (ids) ids.push(key.resourceId);
      else byType.set(key.resourceType, [key.resourceId]);
    }
    const rows = await db.tag.findMany({
      where: { OR: [...byType].map(([resourceType, ids]) => ({ resourceType, resourceId: { in: ids } })) },
    });
    const grouped = new Map<string, typeof rows>();
    for (const row of rows) {
      const id = `${row.resourceType}\0${row.resourceId}`;
      const list = grouped.get(id);
      if (list) list.push(row);
      else grouped.set(id, [row]);
    }
    return keys.map((key) => sortTags(grouped.get(`${key.resourceType}\0${key.resourceId}`) ?? []));
  },
  { cacheKeyFn: (key) => `${key.resourceType}\0${key.resourceId}` },
);
