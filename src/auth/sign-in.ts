// Console sign-in: the root user with email and password, an IAM user with
// account (id or alias), user name and password. Unknown account, unknown user
// and wrong password give the same error after the same work (one argon2 verify).
import type { Deps } from '../context.js';
import { InvalidClientTokenIdError, ValidationError } from '../errors.js';
import { rootArn } from '../iam/arn.js';
import { issueSession, type IssuedSession } from '../sts/sessions.js';
import { verifyPassword } from './passwords.js';

export interface SignInInput {
  email?: string | null;
  accountId?: string | null;
  userName?: string | null;
  password: string;
  mfaCode?: string | null;
}

export interface SignInResult extends IssuedSession {
  arn: string;
  passwordResetRequired: boolean;
}

const FAILED = 'The credentials you provided are not valid.';

/** Verifies the credentials and issues a session. */
export async function signIn(deps: Deps, input: SignInInput): Promise<SignInResult> {
  if (input.email) return signInRoot(deps, input.email, input.password);
  if (input.accountId && input.userName) return signInUser(deps, input.accountId, input.userName, input.password);
  throw new ValidationError('Provide either email (root user) or accountId and userName (IAM user), with password.');
}

async function signInRoot(deps: Deps, email: string, password: string): Promise<SignInResult> {
  const account = await deps.db.account.findUnique({ where: { email: email.toLowerCase() } });
  const ok = await verifyPassword(account?.rootPasswordHash, password);
  if (!account || !ok) throw new InvalidClientTokenIdError(FAILED);
  await deps.db.account.update({ where: { id: account.id }, data: { rootPasswordLastUsed: new Date() } });
  const arn = rootArn(account.id);
  const session = await issueSession(deps, {
    kind: 'root',
    accountId: account.id,
    principalArn: arn,
    principalId: account.id,
    durationSeconds: deps.config.signInSessionSeconds,
  });
  return { ...session, arn, passwordResetRequired: false };
}

async function signInUser(deps: Deps, accountRef: string, userName: string, password: string): Promise<SignInResult> {
  const account = /^\d{12}$/.test(accountRef)
    ? await deps.db.account.findUnique({ where: { id: accountRef }, select: { id: true } })
    : await deps.db.account.findUnique({ where: { alias: accountRef.toLowerCase() }, select: { id: true } });
  const user = account
    ? await deps.db.user.findUnique({
        where: { accountId_nameKey: { accountId: account.id, nameKey: userName.toLowerCase() } },
        include: { loginProfile: true },
      })
    : null;
  const ok = await verifyPassword(user?.loginProfile?.passwordHash, password);
  if (!account || !user || !user.loginProfile || !ok) throw new InvalidClientTokenIdError(FAILED);
  await deps.db.user.update({ where: { id: user.id }, data: { passwordLastUsed: new Date() } });
  const passwordResetRequired = user.loginProfile.passwordResetRequired;
  const session = await issueSession(deps, {
    kind: 'user',
    accountId: account.id,
    principalArn: user.arn,
    principalId: user.id,
    userId: user.id,
    durationSeconds: deps.config.signInSessionSeconds,
    passwordResetOnly: passwordResetRequired,
  });
  return { ...session, arn: user.arn, passwordResetRequired };
}
