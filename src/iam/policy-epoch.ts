// The account's policy epoch: every write that changes any principal's effective
// policies (attachments, inline policies, default versions, memberships,
// boundaries, principal tags), and every change of an access key's status or
// existence, bumps it in its own transaction. The authorizer's
// cache of compiled policy sets is valid only for the epoch it was built at
// (src/auth/policy-authorizer.ts), and the change feed carries new epochs to
// every process (src/auth/change-feed.ts).
import type { DbTx } from '../db/client.js';

/** Marks every cached view of the account's effective policies stale. Call inside the write's transaction. */
export async function bumpPolicyEpoch(tx: DbTx, accountId: string): Promise<void> {
  await tx.account.update({ where: { id: accountId }, data: { policyEpoch: { increment: 1 } } });
}
