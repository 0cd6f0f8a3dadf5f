// Long-term access keys of IAM users: at most two per user, the secret shown once
// and stored sealed to its account and key id (SigV4 needs it back; src/crypto/secrets.ts),
// last use recorded for GetAccessKeyLastUsed.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
import type { Db, DbTx } from '../db/client.js';
import { LimitExceededError, NoSuchEntityError } from '../errors.js';
import type { AccessKey, User } from '../generated/prisma/client.js';
import type { Sealer } from '../crypto/seal.js';
import { openAccessKeySecret, sealAccessKeySecret, secretsEqual, verifySecret } from '../crypto/secrets.js';
import { newSecretAccessKey, newUniqueId } from './ids.js';
import { checkString } from './names.js';
import { bumpPolicyEpoch } from './policy-epoch.js';
import { revokeKeySessions } from './revocations.js';
import { type Caller, findTargetUser, lockUser } from './users.js';

/** AWS's quota: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html */
export const MAX_ACCESS_KEYS_PER_USER = 2;

export type AccessKeyStatus = 'Active' | 'Inactive';

/** An access key as the API sees it: never the secret, sealed or digested. */
export type AccessKeyRecord = Omit<AccessKey, 'secretHash' | 'secretSealed'>;

const withoutSecret = { secretHash: true, secretSealed: true } as const;

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
 * AWS's CreateAccessKey for the named user, or the caller's own user. The secret is
 * stored sealed by `sealer`, bound to the account and the new key id; no digest is kept.
 * INVARIANT: at most 2 keys per user, even under concurrent creates: the user row
 * is locked before counting, so concurrent creates for one user run one at a time.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html
 */
export async function createAccessKey(db: Db, sealer: Sealer, caller: Caller, userName: string | null | undefined): Promise<NewAccessKey> {
  return db.$transaction(async (tx) => {
    const user = await findTargetUser(tx, caller, userName);
    await lockUser(tx, user);
    const count = await tx.accessKey.count({ where: { userId: user.id } });
    if (count >= MAX_ACCESS_KEYS_PER_USER) {
      throw new LimitExceededError(`Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}`);
    }
    const id = newUniqueId('accessKey');
    const secretAccessKey = newSecretAccessKey();
    const secretSealed = sealAccessKeySecret(sealer, { accountId: user.accountId, accessKeyId: id }, secretAccessKey);
    const key = await tx.accessKey.create({ data: { id, accountId: user.accountId, userId: user.id, secretSealed } });
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
    // Processes that remember the key's secret for SigV4 forget it with the epoch (src/auth/sigv4-authenticate.ts).
    await bumpPolicyEpoch(tx, key.accountId);
  });
}

/** AWS's DeleteAccessKey. https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccessKey.html */
export async function deleteAccessKey(db: Db, caller: Caller, input: { userName?: string | null; accessKeyId: string }, now: Date): Promise<void> {
  await db.$transaction(async (tx) => {
    const key = await findUserKey(tx, caller, input.userName, input.accessKeyId);
    await tx.accessKey.delete({ where: { id: key.id } });
    await revokeKeySessions(tx, key.id, now);
    await bumpPolicyEpoch(tx, key.accountId);
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
 * Its secret is checked with `verifyAccessKeySecret`.
 */
export async function findActiveAccessKey(db: DbTx, accessKeyId: string): Promise<ActiveAccessKey | undefined> {
  const key = await db.accessKey.findUnique({ where: { id: accessKeyId }, include: { user: true } });
  return key && key.status === 'Active' ? key : undefined;
}

/** The stored forms of a key's secret: sealed, or a digest for keys made before sealing. */
export type StoredAccessKeySecret = Pick<AccessKey, 'id' | 'accountId' | 'secretHash' | 'secretSealed'>;

/** A secret nobody holds: unknown keys are compared against it, so they cost what a wrong secret costs. */
const NO_SECRET = 'open-iam: no such access key';

/**
 * Constant-time check of a presented secret against a key's: the sealed secret when the
 * key has one, its digest otherwise (keys made before sealing). Without a key it does
 * the same comparison against nothing and answers false.
 */
export function verifyAccessKeySecret(sealer: Sealer, key: StoredAccessKeySecret | null | undefined, presented: string): boolean {
  if (key?.secretSealed) {
    return secretsEqual(openAccessKeySecret(sealer, { accountId: key.accountId, accessKeyId: key.id }, key.secretSealed), presented);
  }
  if (key?.secretHash) return verifySecret(key.secretHash, presented);
  secretsEqual(NO_SECRET, presented);
  return false;
}

/** Records a use of a key: the service (e.g. `sts`) and region (`us-east-1` for global services, as AWS reports them); `N/A` until the first use. */
export async function recordAccessKeyUse(db: DbTx, accessKeyId: string, serviceName: string, region: string, now: Date): Promise<void> {
  await db.accessKey.updateMany({
    where: { id: accessKeyId },
    data: { lastUsedAt: now, lastUsedService: serviceName, lastUsedRegion: region },
  });
}
