// Who is calling: the principal behind a verified session token.
import type { SessionKind } from './tokens.js';

export interface Principal {
  kind: SessionKind;
  accountId: string;
  /** `arn:aws:iam::<acct>:root`, a user ARN, or an assumed-role session ARN. */
  arn: string;
  /** AWS's `aws:userid`: the account id for root, `AIDA...` for a user, `AROA...:<session>` for a role session. */
  principalId: string;
  sessionId: string;
  userId?: string;
  userName?: string;
  roleId?: string;
  roleName?: string;
  roleArn?: string;
  roleSessionName?: string;
  /** Temporary access key id of the session, if it has one. */
  accessKeyId?: string;
  /**
   * The long-term access key a SigV4 request was signed with: the user acts without a
   * session (no aws:TokenIssueTime, no MFA), as AWS's long-term credentials do.
   */
  longTermAccessKeyId?: string;
  mfaAuthenticatedAt?: Date;
  sourceIdentity?: string;
  /** The identity provider's ARN of a session made by AssumeRoleWithWebIdentity (aws:FederatedProvider). */
  federatedProvider?: string;
  passwordResetOnly: boolean;
  /** The account's policy epoch when the request began: the policy cache is valid only for this epoch. */
  policyEpoch: number;
  issuedAt: Date;
  expiresAt: Date;
}
