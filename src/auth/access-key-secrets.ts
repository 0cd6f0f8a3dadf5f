// The signing credentials of an access key id: what a SigV4 verifier calls to get the
// secret of an `AKIA…` (long-term) or `ASIA…` (temporary) key, opened from its sealed
// form (src/crypto/secrets.ts). It reports state and never decides: inactive keys,
// revoked or expired sessions and legacy keys are the caller's to refuse, each with its code.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
import type { Sealer } from '../crypto/seal.js';
import { openAccessKeySecret } from '../crypto/secrets.js';
import type { DbTx } from '../db/client.js';
import type { AccessKeyStatus } from '../iam/access-keys.js';
import { uniqueIdPrefixes } from '../iam/ids.js';

/** A long-term key's owner and status, as a verifier needs them. */
export interface SigningAccessKey {
  id: string;
  status: AccessKeyStatus;
  userId: string;
  accountId: string;
}

/**
 * A session's standing by its own row: `revoked` when revokedAt is set (revocation wins),
 * `expired` at or after expiresAt, `active` otherwise. The caller still verifies the
 * session token sent with the request (X-Amz-Security-Token), which applies every
 * other revocation (account epochs, AWS's "revoke older sessions" policy).
 */
export type SigningSessionStatus = 'active' | 'revoked' | 'expired';

/** A temporary key's session, as a verifier needs it. */
export interface SigningSession {
  id: string;
  accountId: string;
  status: SigningSessionStatus;
  expiresAt: Date;
}

/** What SigV4 verifies a request with, by the kind of its access key id. */
export type SigningSecret =
  | { kind: 'long-term'; secretAccessKey: string; accessKey: SigningAccessKey }
  | { kind: 'temporary'; secretAccessKey: string; sessionId: string; session: SigningSession }
  /** A key or session made before secrets were sealed: only its digest exists, SigV4 cannot use it. */
  | { kind: 'legacy'; credential: 'long-term'; accessKey: SigningAccessKey; message: string }
  | { kind: 'legacy'; credential: 'temporary'; sessionId: string; session: SigningSession; message: string };

/** What a SigV4 request signed with a legacy long-term key is told. */
export function legacyAccessKeyMessage(accessKeyId: string): string {
  return (
    `The access key ${accessKeyId} was created before this server stored secrets that can verify signatures; ` +
    'it still works for GetSessionToken. Rotate it: create a new access key, use it, then delete this one.'
  );
}

/** What a SigV4 request signed with legacy temporary credentials is told. */
export function legacyTemporaryKeyMessage(accessKeyId: string): string {
  return `The temporary credentials ${accessKeyId} were issued before this server stored secrets that can verify signatures. Request new temporary credentials.`;
}

/**
 * The secret that signs requests made with `accessKeyId`, with what the caller needs to
 * decide whether the key may be used at `now`; null when no key or session has that id.
 * Throws (naming the key, not the secret) when a sealed secret does not open under this
 * master key.
 */
export async function findSigningSecret(db: DbTx, sealer: Sealer, accessKeyId: string, now: Date): Promise<SigningSecret | null> {
  if (accessKeyId.startsWith(uniqueIdPrefixes.accessKey)) return findLongTermSecret(db, sealer, accessKeyId);
  if (accessKeyId.startsWith(uniqueIdPrefixes.temporaryAccessKey)) return findTemporarySecret(db, sealer, accessKeyId, now);
  return null;
}

async function findLongTermSecret(db: DbTx, sealer: Sealer, accessKeyId: string): Promise<SigningSecret | null> {
  const row = await db.accessKey.findUnique({ where: { id: accessKeyId } });
  if (!row) return null;
  const accessKey: SigningAccessKey = { id: row.id, status: row.status as AccessKeyStatus, userId: row.userId, accountId: row.accountId };
  if (!row.secretSealed) return { kind: 'legacy', credential: 'long-term', accessKey, message: legacyAccessKeyMessage(row.id) };
  const secretAccessKey = openAccessKeySecret(sealer, { accountId: row.accountId, accessKeyId: row.id }, row.secretSealed);
  return { kind: 'long-term', secretAccessKey, accessKey };
}

async function findTemporarySecret(db: DbTx, sealer: Sealer, accessKeyId: string, now: Date): Promise<SigningSecret | null> {
  const row = await db.session.findUnique({
    where: { accessKeyId },
    select: { id: true, accountId: true, expiresAt: true, revokedAt: true, secretSealed: true },
  });
  if (!row) return null;
  const status: SigningSessionStatus = row.revokedAt ? 'revoked' : row.expiresAt.getTime() <= now.getTime() ? 'expired' : 'active';
  const session: SigningSession = { id: row.id, accountId: row.accountId, status, expiresAt: row.expiresAt };
  if (!row.secretSealed) return { kind: 'legacy', credential: 'temporary', sessionId: row.id, session, message: legacyTemporaryKeyMessage(accessKeyId) };
  const secretAccessKey = openAccessKeySecret(sealer, { accountId: row.accountId, accessKeyId }, row.secretSealed);
  return { kind: 'temporary', secretAccessKey, sessionId: row.id, session };
}
