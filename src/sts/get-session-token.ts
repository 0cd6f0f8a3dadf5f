// STS GetSessionToken: temporary credentials for an IAM user (or the root user),
// made from long-term credentials, optionally proven with an MFA code so that
// policies can require aws:MultiFactorAuthPresent.
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html
// The long-term credential is either an access key given in the input (AWS's
// way: the request is signed with it), or, without one, the caller's console
// sign-in session (root users have no access keys here). Sessions made by
// GetSessionToken or AssumeRole cannot call it again, as in AWS.
// A session made from an access key stops working when that key is deactivated
// or deleted (stricter than AWS, where such credentials live until they expire):
// src/iam/access-keys.ts revokes its sessions in the same transaction.
import { markTriedIdentity, type TriedIdentity } from '../audit/tried-identity.js';
import { recordAccessKeyUse, verifyAccessKeySecret } from '../iam/access-keys.js';
import type { Clock } from '../clock.js';
import type { Sealer } from '../crypto/seal.js';
import type { Db } from '../db/client.js';
import type { SignInThrottle } from '../auth/throttle.js';
import { AccessDeniedError, IamError, InvalidClientTokenIdError, ValidationError } from '../errors.js';
import type { User } from '../generated/prisma/client.js';
import { enabledDevices, verifyMfaCode, checkCode, checkSerialNumber } from '../iam/mfa.js';
import type { Principal } from '../sessions/principal.js';
import { sealAccessKeySecret } from '../crypto/secrets.js';
import { newSecretAccessKey, newUniqueId } from '../iam/ids.js';
import { rootArn } from '../iam/arn.js';
import { checkRange } from '../iam/names.js';
import { issueSession, type SessionIssuer } from '../sessions/sessions.js';

export interface GetSessionTokenInput {
  accessKeyId?: string | null;
  secretAccessKey?: string | null;
  durationSeconds?: number | null;
  serialNumber?: string | null;
  tokenCode?: string | null;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** AWS's bounds: 15 minutes to 36 hours, default 12 hours; root sessions at most 1 hour. */
export const SESSION_TOKEN_SECONDS = Object.freeze({ min: 900, max: 129_600, default: 43_200, rootMax: 3_600 });

const INVALID_TOKEN = 'The security token included in the request is invalid.';
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.';

/** What GetSessionToken uses: the request's database handle, the throttle, the sealer (access-key secrets, MFA seeds), the clock and the session issuer. */
export interface GetSessionTokenDeps {
  db: Db;
  throttle: SignInThrottle;
  sealer: Sealer;
  clock: Clock;
  issuer: SessionIssuer;
}

/** Who asks: the client's address (the throttle's key) and, when no key pair is given, the signed-in caller. */
export interface GetSessionTokenClient {
  sourceIp: string;
  /** The calling session's principal, or the reason there is none (thrown). */
  caller(): Principal;
}

/** GetSessionToken. */
export async function getSessionToken(ctx: GetSessionTokenDeps & GetSessionTokenClient, input: GetSessionTokenInput): Promise<{ credentials: TemporaryCredentials }> {
  const duration = checkRange(input.durationSeconds ?? SESSION_TOKEN_SECONDS.default, 'durationSeconds', SESSION_TOKEN_SECONDS.min, SESSION_TOKEN_SECONDS.max);
  if (Boolean(input.serialNumber) !== Boolean(input.tokenCode)) {
    throw new ValidationError('serialNumber and tokenCode must be given together.');
  }
  if (input.serialNumber) checkSerialNumber(input.serialNumber);
  if (input.tokenCode) checkCode(input.tokenCode, 'tokenCode');
  if (input.accessKeyId || input.secretAccessKey) return fromAccessKey(ctx, input, duration);
  return fromSignInSession(ctx, ctx.caller(), input, duration);
}

/**
 * GetSessionToken with a key pair: the call is its own credential check, its caller
 * anonymous. The result, or the error, carries whose key was tried when the key exists
 * (`triedIdentityOf`), so that the event lands in that account, success or failure.
 */
async function fromAccessKey(ctx: GetSessionTokenDeps & GetSessionTokenClient, input: GetSessionTokenInput, duration: number): Promise<{ credentials: TemporaryCredentials }> {
  let identity: TriedIdentity | undefined;
  try {
    const result = await checkAccessKey(ctx, input, duration, (tried) => (identity = tried));
    markTriedIdentity(result, identity);
    return result;
  } catch (error) {
    markTriedIdentity(error, identity);
    throw error;
  }
}

async function checkAccessKey(
  ctx: GetSessionTokenDeps & GetSessionTokenClient,
  input: GetSessionTokenInput,
  duration: number,
  identify: (identity: TriedIdentity) => void,
): Promise<{ credentials: TemporaryCredentials }> {
  const accessKeyId = input.accessKeyId ?? '';
  const secret = input.secretAccessKey ?? '';
  if (!accessKeyId || !secret) throw new ValidationError('accessKeyId and secretAccessKey must be given together.');
  return ctx.throttle.run(
    { principal: `key:${accessKeyId}`, sourceIp: ctx.sourceIp },
    async () => {
      const key = await ctx.db.accessKey.findUnique({ where: { id: accessKeyId }, include: { user: true } });
      // CloudTrail's userIdentity of a call signed with this key: its user, and the key's id (never its secret).
      if (key) identify({ type: 'IAMUser', accountId: key.accountId, principalId: key.user.id, arn: key.user.arn, userName: key.user.name, accessKeyId: key.id });
      const secretOk = verifyAccessKeySecret(ctx.sealer, key, secret);
      if (!key || key.status !== 'Active') throw new InvalidClientTokenIdError(INVALID_TOKEN);
      if (!secretOk) throw new IamError('SignatureDoesNotMatch', SIGNATURE_MISMATCH, 403);
      const mfaAuthenticatedAt = await checkMfa(ctx, key.user, input);
      await recordAccessKeyUse(ctx.db, key.id, 'sts', 'us-east-1', ctx.clock.now());
      return issue(ctx, { user: key.user, duration, mfaAuthenticatedAt, sourceAccessKeyId: key.id });
    },
    isFailure,
  );
}

async function fromSignInSession(ctx: GetSessionTokenDeps & GetSessionTokenClient, principal: Principal, input: GetSessionTokenInput, duration: number): Promise<{ credentials: TemporaryCredentials }> {
  if (principal.kind === 'assumed-role' || principal.kind === 'federated-user' || principal.accessKeyId || principal.passwordResetOnly) {
    throw new AccessDeniedError('Cannot call GetSessionToken with session credentials');
  }
  if (principal.kind === 'root') {
    if (input.serialNumber) throw mfaFailed();
    return issue(ctx, { root: principal.accountId, duration: Math.min(duration, SESSION_TOKEN_SECONDS.rootMax) });
  }
  const user = await ctx.db.user.findFirst({ where: { id: principal.userId, accountId: principal.accountId } });
  if (!user) throw new InvalidClientTokenIdError(INVALID_TOKEN);
  return ctx.throttle.run(
    { principal: `user:${user.accountId}:${user.nameKey}`, sourceIp: ctx.sourceIp },
    async () => {
      const mfaAuthenticatedAt = (await checkMfa(ctx, user, input)) ?? principal.mfaAuthenticatedAt;
      // Called with a long-term key (SigV4): the session stands on that key, and ends when it is switched off.
      const sourceAccessKeyId = principal.longTermAccessKeyId;
      return issue(ctx, { user, duration, mfaAuthenticatedAt, ...(sourceAccessKeyId ? { sourceAccessKeyId } : {}) });
    },
    isFailure,
  );
}

/** Verifies the MFA code when one is given; the instant of the proof, or undefined. */
async function checkMfa(ctx: GetSessionTokenDeps & GetSessionTokenClient, user: User, input: GetSessionTokenInput): Promise<Date | undefined> {
  if (!input.serialNumber || !input.tokenCode) return undefined;
  const device = (await enabledDevices(ctx.db, user.id)).find((d) => d.serialNumber === input.serialNumber);
  const now = ctx.clock.now();
  if (!device || !(await verifyMfaCode(ctx.db, ctx.sealer, device, input.tokenCode, now))) throw mfaFailed();
  return now;
}

interface IssueInput {
  user?: User;
  root?: string;
  duration: number;
  mfaAuthenticatedAt?: Date | undefined;
  sourceAccessKeyId?: string;
}

async function issue(ctx: GetSessionTokenDeps & GetSessionTokenClient, input: IssueInput): Promise<{ credentials: TemporaryCredentials }> {
  const accessKeyId = newUniqueId('temporaryAccessKey');
  const secretAccessKey = newSecretAccessKey();
  const accountId = input.user?.accountId ?? input.root!;
  const common = {
    durationSeconds: input.duration,
    accessKeyId,
    secretSealed: sealAccessKeySecret(ctx.sealer, { accountId, accessKeyId }, secretAccessKey),
    ...(input.mfaAuthenticatedAt ? { mfaAuthenticatedAt: input.mfaAuthenticatedAt } : {}),
    ...(input.sourceAccessKeyId ? { sourceAccessKeyId: input.sourceAccessKeyId } : {}),
  };
  const session = input.user
    ? await issueSession(ctx.issuer, {
        kind: 'user',
        accountId: input.user.accountId,
        principalArn: input.user.arn,
        principalId: input.user.id,
        userId: input.user.id,
        ...common,
      })
    : await issueSession(ctx.issuer, { kind: 'root', accountId: input.root!, principalArn: rootArn(input.root!), principalId: input.root!, ...common });
  return { credentials: { accessKeyId, secretAccessKey, sessionToken: session.sessionToken, expiration: session.expiration } };
}

function mfaFailed(): AccessDeniedError {
  return new AccessDeniedError('MultiFactorAuthentication failed with invalid MFA one time pass code.');
}

function isFailure(error: unknown): boolean {
  return error instanceof InvalidClientTokenIdError || error instanceof AccessDeniedError || (error instanceof IamError && error.code === 'SignatureDoesNotMatch');
}

