// Long-term access keys of IAM users: at most two per user, the secret shown once
// and stored only as a digest, last use recorded for GetAccessKeyLastUsed.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
import type { Db, DbTx } from '../db/client.js';
import { LimitExceededError, NoSuchEntityError } from '../errors.js';
import type { AccessKey, User } from '../generated/prisma/client.js';
import { hashSecret } from '../crypto/secrets.js';
import { newSecretAccessKey, newUniqueId } from './ids.js';
import { checkString } from './names.js';
import { revokeKeySessions } from './revocations.js';
import { type Caller, findTargetUser, lockUser } from './users.js';

/** AWS's quota: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const MAX_ACCESS_KEYS_PER_USER = 2;

export type AccessKeyStatus = 'Active' | 'Inactive';

/** An access key as the API sees it: never the secret's digest. */
export type AccessKeyRecord = Omit<AccessKey, 'secretHash'>;

const withoutSecret = { secretHash: true } as const;

/** A new key with its secret: the only moment the secret exists outside the caller's hands. */
export interface NewAccessKey {
  userName: string;
  accessKeyId: string;
  status: AccessKeyStatus;
  secretAccessKey: string;
  createDate: Date;
}

/** AWS's accessKeyIdType: 16 to 128 word characters. */
export function checkAccessKeyId(value: string): string {
  return checkString(value, 'accessKeyId', 16, 128, /^[\w]+$/, '[\\w]+');
}

function noSuchKey(accessKeyId: string): NoSuchEntityError {
  return new NoSuchEntityError(`The Access Key with id ${accessKeyId} cannot be found.`);
}

/**
 * AWS's CreateAccessKey for the named user, or the caller's own user.
 * INVARIANT: at most 2 keys per user, even under concurrent creates: the user row
 * is locked before counting, so concurrent creates for one user run one at a time.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html
 */
export async function createAccessKey(db: Db, caller: Caller, userName: string | null | undefined): Promise<NewAccessKey> {
  return db.$transaction(async (tx) => {
    const user = await findTargetUser(tx, caller, userName);
    await lockUser(tx, user.id);
    const count = await tx.accessKey.count({ where: { userId: user.id } });
    if (count >= MAX_ACCESS_KEYS_PER_USER) {
      throw new LimitExceededError(`Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}`);
    }
    const secretAccessKey = newSecretAccessKey();
    const key = await tx.accessKey.create({
      data: { id: newUniqueId('accessKey'), accountId: user.accountId, userId: user.id, secretHash: hashSecret(secretAccessKey) },
    });
    return { userName: user.name, accessKeyId: key.id, status: key.status as AccessKeyStatus, secretAccessKey, createDate: key.createdAt };
  });
}

/** The user whose keys ListAccessKeys lists (named, or the caller's own). */
export function accessKeyOwner(db: DbTx, caller: Caller, userName: string | null | undefined): Promise<User> {
  return findTargetUser(db, caller, userName);
}

/** One keyset page of a user's keys (AWS's ListAccessKeys), ordered by key id. */
export function listAccessKeysPage(db: DbTx, user: User, afterKey: string | undefined, take: number): Promise<AccessKeyRecord[]> {
  return db.accessKey.findMany({
    omit: withoutSecret,
    where: { accountId: user.accountId, userId: user.id, ...(afterKey !== undefined ? { id: { gt: afterKey } } : {}) },
    orderBy: { id: 'asc' },
    take,
  });
}

/** The keys of many users at once (the nested `User.accessKeys` field). */
export function accessKeysOf(db: DbTx, userIds: readonly string[]): Promise<AccessKeyRecord[]> {
  return db.accessKey.findMany({ where: { userId: { in: [...userIds] } }, orderBy: { id: 'asc' }, omit: withoutSecret });
}

async function findUserKey(db: DbTx, caller: Caller, userName: string | null | undefined, accessKeyId: string): Promise<AccessKeyRecord> {
  checkAccessKeyId(accessKeyId);
  const user = await findTargetUser(db, caller, userName);
  const key = await db.accessKey.findFirst({ where: { id: accessKeyId, userId: user.id, accountId: caller.accountId }, omit: withoutSecret });
  if (!key) throw noSuchKey(accessKeyId);
  return key;
}

/** AWS's UpdateAccessKey. https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html */
export async function updateAccessKey(
  db: Db,
  caller: Caller,
  input: { userName?: string | null; accessKeyId: string; status: AccessKeyStatus },
  now: Date,
): Promise<void> {
  await db.$transaction(async (tx) => {
    const key = await findUserKey(tx, caller, input.userName, input.accessKeyId);
    await tx.accessKey.update({ where: { id: key.id }, data: { status: input.status } });
    if (input.status === 'Inactive') await revokeKeySessions(tx, key.id, now);
  });
}

/** AWS's DeleteAccessKey. https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccessKey.html */
export async function deleteAccessKey(db: Db, caller: Caller, input: { userName?: string | null; accessKeyId: string }, now: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    const key = await findUserKey(tx, caller, input.userName, input.accessKeyId);
    await tx.accessKey.delete({ where: { id: key.id } });
    await revokeKeySessions(tx, key.id, now);
  });
}

export interface AccessKeyLastUsed {
  userName: string;
  /** The owner's ARN, for authorizing the call on the right resource. */
  userArn: string;
  accessKeyLastUsed: { lastUsedDate: Date | null; serviceName: string; region: string };
}

/**
 * AWS's GetAccessKeyLastUsed for a key of the account. A key never used reports
 * service and region `N/A` and no date, as AWS does.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccessKeyLastUsed.html
 */
export async function getAccessKeyLastUsed(db: DbTx, accountId: string, accessKeyId: string): Promise<AccessKeyLastUsed> {
  checkAccessKeyId(accessKeyId);
  const key = await db.accessKey.findFirst({
    where: { id: accessKeyId, accountId },
    include: { user: { select: { name: true, arn: true } } },
  });
  if (!key) throw noSuchKey(accessKeyId);
  return {
    userName: key.user.name,
    userArn: key.user.arn,
    accessKeyLastUsed: {
      lastUsedDate: key.lastUsedAt,
      serviceName: key.lastUsedService ?? 'N/A',
      region: key.lastUsedRegion ?? 'N/A',
    },
  };
}

/** An active key with its owner, for authenticating a request signed with it. */
export type ActiveAccessKey = AccessKey & { user: User };

/**
 * The key `accessKeyId` if it exists and is Active, with its user; undefined otherwise.
 * Used by the credentials service (GetSessionToken) before it verifies the secret
 * with `verifySecret(key.secretHash, presented)`.
 */
export async function findActiveAccessKey(db: DbTx, accessKeyId: string): Promise<ActiveAccessKey | undefined> {
  const key = await db.accessKey.findUnique({ where: { id: accessKeyId }, include: { user: true } });
  return key && key.status === 'Active' ? key : undefined;
}

/** Records a use of a key: the service (e.g. `sts`) and region (`us-east-1` for global services, as AWS reports them); `N/A` until the first use. */
export async function recordAccessKeyUse(db: DbTx, accessKeyId: string, serviceName: string, region = 'us-east-1', now = new Date()): Promise<void> {
  await db.accessKey.updateMany({
    where: { id: accessKeyId },
    data: { lastUsedAt: now, lastUsedService: serviceName, lastUsedRegion: region },
  });
}
