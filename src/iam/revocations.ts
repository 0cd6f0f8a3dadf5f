// Sessions that an IAM change ends: a deleted user's, a user's whose password
// changed or was removed, those made from a deactivated or deleted access key,
// a deleted role's; and AWS's "Revoke active sessions" of a role. Each runs inside the transaction of the change that causes
// it, so the change and the revocation commit together or not at all.

import type { Db, DbTx } from '../db/client.js';
import { putInlinePolicy } from './inline-policies.js';

/** Revokes every live session of a user (user deleted, password changed or removed). */
export async function revokeUserSessions(tx: DbTx, userId: string, now: Date): Promise<void> {
  await tx.session.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
}

/**
 * Ends the sessions made from a long-term key (GetSessionToken) when the key is
 * deactivated or deleted. Stricter than AWS, where such credentials live until they
 * expire: here switching a key off switches off everything it made.
 */
export async function revokeKeySessions(tx: DbTx, accessKeyId: string, now: Date): Promise<void> {
  await tx.session.updateMany({ where: { sourceAccessKeyId: accessKeyId, revokedAt: null }, data: { revokedAt: now } });
}

/** Revokes the sessions of a role (the role is deleted: its sessions could do nothing anyway). */
export async function revokeRoleSessions(tx: DbTx, accountId: string, roleId: string, now: Date): Promise<void> {
  await tx.session.updateMany({ where: { accountId, roleId, revokedAt: null }, data: { revokedAt: now } });
}

/** The inline policy AWS's console puts on a role to revoke its active sessions. */
export const REVOKE_OLDER_SESSIONS = 'AWSRevokeOlderSessions';

/**
 * AWS's "Revoke active sessions" of a role: an inline policy that denies everything
 * to sessions issued before `now` (aws:TokenIssueTime); sessions issued later are untouched.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
 */
export async function revokeOlderRoleSessions(db: Db, accountId: string, roleName: string, now: Date): Promise<Date> {
  const document = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': now.toISOString() } } }],
  });
  await putInlinePolicy(db, accountId, 'role', roleName, REVOKE_OLDER_SESSIONS, document, now);
  return now;
}
