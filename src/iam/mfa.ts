// Virtual (TOTP, RFC 6238) MFA devices: create (the seed is shown once, then kept
// sealed), enable for a user with two consecutive codes, deactivate, delete, list,
// and the check of a code at sign-in or getSessionToken. A code is accepted at
// most once: the device remembers the last time step it accepted.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html
import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';
import type { Db, DbTx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import {
  DeleteConflictError,
  EntityAlreadyExistsError,
  InvalidAuthenticationCodeError,
  LimitExceededError,
  NoSuchEntityError,
} from '../errors.js';
import type { MfaDevice, Prisma, User } from '../generated/prisma/client.js';
import { iamArn } from './arn.js';
import { type TagInput, checkName, checkPath, checkString } from './names.js';
import { checkTagList, deleteAllTags, tagResource } from './tags.js';
import { type Caller, findTargetUser, findUser, lockUser } from './users.js';
import type { Sealer } from '../crypto/seal.js';

/** RFC 6238 defaults, which every authenticator app supports. */
const PERIOD = 30;
const DIGITS = 6;
/** Time steps of clock drift tolerated either side of now when checking one code. */
const DRIFT_STEPS = 1;
/** How far back the first of two consecutive codes may lie when enabling (slow typists). */
const ENABLE_LOOKBACK_STEPS = 4;
/** AWS allows up to 8 MFA devices per user. */
export const MAX_DEVICES_PER_USER = 8;

export interface CreatedVirtualMfaDevice {
  serialNumber: string;
  /** The seed in base32: returned once, never again. */
  base32StringSeed: string;
  /** `otpauth://totp/...` for a QR code in an authenticator app. */
  otpauthUri: string;
  device: MfaDevice;
}

/** CreateVirtualMFADevice, with its tags, in one transaction. */
export async function createVirtualMfaDevice(
  db: Db,
  sealer: Sealer,
  accountId: string,
  input: { virtualMFADeviceName: string; path?: string | null; tags?: TagInput[] | null },
): Promise<CreatedVirtualMfaDevice> {
  const name = checkName(input.virtualMFADeviceName, 'virtualMFADeviceName');
  const path = checkPath(input.path);
  const tags = checkTagList(input.tags);
  const serialNumber = iamArn(accountId, 'mfa', path, name);
  return db.$transaction(async (tx) => {
    // Names are unique per account (case-insensitively, like every IAM name), whatever the path:
    // the account row lock serializes concurrent creates of the same name.
    await tx.$executeRaw`SELECT 1 FROM "Account" WHERE id = ${accountId} FOR UPDATE`;
    const clash = await tx.$queryRaw<Array<{ one: number }>>`
      SELECT 1 AS one FROM "MfaDevice" WHERE "accountId" = ${accountId} AND lower(name) = ${name.toLowerCase()} LIMIT 1`;
    if (clash.length > 0) throw alreadyExists();
    const secret = new Secret({ size: 20 });
    let device: MfaDevice;
    try {
      device = await tx.mfaDevice.create({ data: { serialNumber, accountId, name, path, sealedSeed: sealer.seal(secret.base32) } });
    } catch (error) {
      if (isUniqueViolation(error)) throw alreadyExists();
      throw error;
    }
    await tagResource(tx, accountId, 'mfa', serialNumber, tags);
    const totp = new TOTP({ issuer: 'open-iam', label: `${name}@${accountId}`, secret, digits: DIGITS, period: PERIOD });
    return { serialNumber, base32StringSeed: secret.base32, otpauthUri: totp.toString(), device };
  });
}

/**
 * EnableMFADevice: assigns an unassigned device to the user `userName` once two
 * consecutive codes prove the user's authenticator holds the seed.
 */
export async function enableMfaDevice(
  db: Db,
  sealer: Sealer,
  accountId: string,
  input: { userName: string; serialNumber: string; authenticationCode1: string; authenticationCode2: string },
  now: Date,
): Promise<void> {
  await db.$transaction(async (tx) => {
    const user = await findUser(tx, accountId, input.userName);
    const userId = user.id;
    checkSerialNumber(input.serialNumber);
    const code1 = checkCode(input.authenticationCode1, 'authenticationCode1');
    const code2 = checkCode(input.authenticationCode2, 'authenticationCode2');
    await lockUser(tx, user);
    const device = await findDevice(tx, accountId, input.serialNumber);
    if (device.userId !== null) throw new EntityAlreadyExistsError('MFA Device is already in use.');
    const count = await tx.mfaDevice.count({ where: { userId } });
    if (count >= MAX_DEVICES_PER_USER) {
      throw new LimitExceededError(`Cannot exceed quota for MFADevicesPerUser: ${MAX_DEVICES_PER_USER}`);
    }
    const seed = sealer.open(device.sealedSeed);
    const current = timeStep(now);
    let matched: number | undefined;
    for (let step = current - ENABLE_LOOKBACK_STEPS; step <= current; step++) {
      if (codeMatches(seed, step, code1) && codeMatches(seed, step + 1, code2)) matched = step + 1;
    }
    if (matched === undefined) throw new InvalidAuthenticationCodeError('Authentication code for device is not valid.');
    const { count: updated } = await tx.mfaDevice.updateMany({
      where: { serialNumber: device.serialNumber, userId: null },
      data: { userId, enabledAt: now, lastTimeStep: BigInt(matched) },
    });
    if (updated === 0) throw new EntityAlreadyExistsError('MFA Device is already in use.');
  });
}

/**
 * DeactivateMFADevice: unassigns the device from the user (it can be enabled again,
 * with new codes). Without a user name, the user is the calling user.
 */
export async function deactivateMfaDevice(db: Db, caller: Caller, input: { userName?: string | null; serialNumber: string }): Promise<void> {
  await db.$transaction(async (tx) => {
    const user = await findTargetUser(tx, caller, input.userName);
    checkSerialNumber(input.serialNumber);
    const { count } = await tx.mfaDevice.updateMany({
      where: { serialNumber: input.serialNumber, accountId: caller.accountId, userId: user.id },
      data: { userId: null, enabledAt: null, lastTimeStep: null },
    });
    if (count === 0) {
      throw new NoSuchEntityError(`MFA Device with serial number ${input.serialNumber} not found for user ${user.name}.`);
    }
  });
}

/** DeleteVirtualMFADevice: DeleteConflict while the device is enabled for a user. */
export async function deleteVirtualMfaDevice(db: Db, accountId: string, serialNumber: string): Promise<void> {
  checkSerialNumber(serialNumber);
  await db.$transaction(async (tx) => {
    const device = await findDevice(tx, accountId, serialNumber);
    if (device.userId !== null) throw new DeleteConflictError('MFA device is still in use.');
    const { count } = await tx.mfaDevice.deleteMany({ where: { serialNumber, accountId, userId: null } });
    if (count === 0) throw new DeleteConflictError('MFA device is still in use.');
    await deleteAllTags(tx, 'mfa', serialNumber);
  });
}

/** A device enabled for a user, as ListMFADevices answers it (AWS's MFADevice). */
export interface MfaDeviceOfUser {
  userName: string;
  serialNumber: string;
  enableDate: Date;
}

/** One keyset page of ListMFADevices: the devices enabled for `user`, ordered by serial number. */
export async function fetchMfaDevicesOfUser(
  db: DbTx,
  accountId: string,
  user: Pick<User, 'id' | 'name'>,
  afterKey: string | undefined,
  take: number,
): Promise<MfaDeviceOfUser[]> {
  const rows = await db.mfaDevice.findMany({
    where: { accountId, userId: user.id, enabledAt: { not: null }, ...(afterKey ? { serialNumber: { gt: afterKey } } : {}) },
    orderBy: { serialNumber: 'asc' },
    take,
  });
  return rows.map((row) => ({ userName: user.name, serialNumber: row.serialNumber, enableDate: row.enabledAt! }));
}

/** ListVirtualMFADevices' filter (AWS's AssignmentStatusType). */
export type AssignmentStatus = 'Assigned' | 'Unassigned' | 'Any';

/** One keyset page of ListVirtualMFADevices: the account's devices of that assignment status, ordered by serial number. */
export async function fetchVirtualMfaDevices(
  db: DbTx,
  accountId: string,
  status: AssignmentStatus,
  afterKey: string | undefined,
  take: number,
): Promise<VirtualMfaDeviceModel[]> {
  const assignment: Prisma.MfaDeviceWhereInput =
    status === 'Assigned' ? { userId: { not: null } } : status === 'Unassigned' ? { userId: null } : {};
  const rows = await db.mfaDevice.findMany({
    where: { accountId, ...assignment, ...(afterKey ? { serialNumber: { gt: afterKey } } : {}) },
    include: { user: true },
    orderBy: { serialNumber: 'asc' },
    take,
  });
  return rows.map(toVirtualMfaDeviceModel);
}

/** The user's enabled devices (sign-in needs a code from one of them when there is any). */
export function enabledDevices(db: DbTx, userId: string): Promise<MfaDevice[]> {
  return db.mfaDevice.findMany({ where: { userId, enabledAt: { not: null } }, orderBy: { serialNumber: 'asc' } });
}

/**
 * Checks a code against a device, tolerating one step of clock drift, and
 * consumes it: the device's last accepted step only moves forward, atomically,
 * so a replayed code (or any code of an earlier step) is refused, even by two
 * concurrent requests.
 */
export async function verifyMfaCode(db: DbTx, sealer: Sealer, device: MfaDevice, code: string, now: Date): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  const seed = sealer.open(device.sealedSeed);
  const current = timeStep(now);
  for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
    if (!codeMatches(seed, step, code)) continue;
    const { count } = await db.mfaDevice.updateMany({
      where: {
        serialNumber: device.serialNumber,
        userId: device.userId,
        OR: [{ lastTimeStep: null }, { lastTimeStep: { lt: BigInt(step) } }],
      },
      data: { lastTimeStep: BigInt(step) },
    });
    return count === 1;
  }
  return false;
}

/** Checks the code of any of `devices`; true when one accepts it. */
export async function verifyAnyMfaCode(db: DbTx, sealer: Sealer, devices: MfaDevice[], code: string, now: Date): Promise<boolean> {
  for (const device of devices) if (await verifyMfaCode(db, sealer, device, code, now)) return true;
  return false;
}

/** A device of the account by serial number, or NoSuchEntity. */
export async function findDevice(db: DbTx, accountId: string, serialNumber: string): Promise<MfaDevice> {
  const device = await db.mfaDevice.findFirst({ where: { serialNumber, accountId } });
  if (!device) throw new NoSuchEntityError(`VirtualMFADevice with serial number ${serialNumber} doesn't exist.`);
  return device;
}

/** AWS's SerialNumber: 9 to 256 characters of `[\w+=/:,.@-]`. */
export function checkSerialNumber(value: string, member = 'serialNumber'): string {
  return checkString(value, member, 9, 256, /^[\w+=/:,.@-]+$/, '[\\w+=/:,.@-]+');
}

/** AWS's AuthenticationCodeType: six digits. */
export function checkCode(value: string, member: string): string {
  return checkString(value, member, 6, 6, /^\d{6}$/, '[\\d]+');
}

/** The RFC 6238 time step of an instant. */
export function timeStep(now: Date): number {
  return TOTP.counter({ period: PERIOD, timestamp: now.getTime() });
}

function codeMatches(seed: string, step: number, code: string): boolean {
  const expected = HOTP.generate({ secret: Secret.fromBase32(seed), counter: step, digits: DIGITS });
  return expected.length === code.length && timingSafeEqual(Buffer.from(expected), Buffer.from(code));
}

function alreadyExists(): EntityAlreadyExistsError {
  return new EntityAlreadyExistsError('MFADevice entity at the same path and name already exists.');
}

/** What a VirtualMFADevice field resolves from: the row's public parts, its user, and the seed right after creation. */
export interface VirtualMfaDeviceModel {
  serialNumber: string;
  /** The serial number, under the name the `@iam(resource: "parent")` template reads. */
  arn: string;
  accountId: string;
  enableDate: Date | null;
  user: User | null;
  base32StringSeed?: string;
  otpauthUri?: string;
}

/** The model of a device row (with its user, if loaded). */
export function toVirtualMfaDeviceModel(device: MfaDevice & { user?: User | null }): VirtualMfaDeviceModel {
  return {
    serialNumber: device.serialNumber,
    arn: device.serialNumber,
    accountId: device.accountId,
    enableDate: device.enabledAt,
    user: device.user ?? null,
  };
}
