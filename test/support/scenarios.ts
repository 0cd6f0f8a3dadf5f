// Small scenarios for end-to-end tests, in the spirit of Redwood's `*.scenarios.ts`: a fresh
// account with its root signed in, an IAM user in it (with a console password, policies, a
// boundary), signed in, a role that trusts someone. Each builder sends the typed operations
// of test/operations/.
import {
  AttachUserPolicyDocument,
  CreateLoginProfileDocument,
  CreateRoleSummaryDocument,
  CreateUserDocument,
  IsAuthorizedDocument,
  PutUserPermissionsBoundaryDocument,
  PutUserPolicyDocument,
  SignInDocument,
  UpdateAccountPasswordPolicyDocument,
  type ContextEntryInput,
  type CreateRoleInput,
  type CreateUserInput,
  type UpdateAccountPasswordPolicyInput,
} from '../generated/graphql.js';
import type { TestServer } from './server.js';

export const USER_PASSWORD = 'Users-Passw0rd-Long!';

/** A fresh account and its root user's session, as `server.newAccount()` returns them. */
export type Account = Awaited<ReturnType<TestServer['newAccount']>>;

/** An IAM user as createUser returned it. */
export interface CreatedUser {
  userName: string;
  userId: string;
  arn: string;
}

/** Creates an IAM user as `token` (the account's root, usually); `input` adds a path, tags or a boundary. */
export async function createUser(server: TestServer, token: string, userName: string, input: Omit<CreateUserInput, 'userName'> = {}): Promise<CreatedUser> {
  return (await server.ok(CreateUserDocument, { input: { userName, ...input } }, token)).createUser.user;
}

/** Gives `userName` a console password, as `token`. */
export async function createLoginProfile(server: TestServer, token: string, userName: string, password: string, passwordResetRequired?: boolean): Promise<void> {
  await server.ok(CreateLoginProfileDocument, { input: { userName, password, passwordResetRequired } }, token);
}

export interface AliceSetup {
  /** Set before alice is created. */
  passwordPolicy?: UpdateAccountPasswordPolicyInput;
  /** A console password for alice; none when left out. */
  password?: string;
  /** Sent with the password; left out when undefined (the server's default). */
  passwordResetRequired?: boolean;
}

/** A fresh account whose root created user alice (with a console password when `setup.password` is given). */
export async function accountWithAlice(server: TestServer, setup: AliceSetup = {}) {
  const account = await server.newAccount();
  if (setup.passwordPolicy) await server.ok(UpdateAccountPasswordPolicyDocument, { input: setup.passwordPolicy }, account.token);
  const alice = await createUser(server, account.token, 'alice');
  if (setup.password !== undefined) await createLoginProfile(server, account.token, 'alice', setup.password, setup.passwordResetRequired);
  return { ...account, aliceId: alice.userId, aliceArn: alice.arn };
}

export interface UserSetup {
  /** Managed policy ARNs to attach (AWS-managed or created in the test). */
  managed?: string[];
  /** Inline policies: name → document. */
  inline?: Record<string, object>;
  boundary?: string;
  path?: string;
  tags?: Array<{ key: string; value: string }>;
}

/** Creates an IAM user as root, gives it a password and policies, and signs it in. */
export async function signedInUser(server: TestServer, root: { accountId: string; token: string }, userName: string, setup: UserSetup = {}) {
  const { token } = root;
  await createUser(server, token, userName, { path: setup.path ?? '/', tags: setup.tags ?? [] });
  await createLoginProfile(server, token, userName, USER_PASSWORD, false);
  for (const policyArn of setup.managed ?? []) {
    await server.ok(AttachUserPolicyDocument, { input: { userName, policyArn } }, token);
  }
  for (const [policyName, document] of Object.entries(setup.inline ?? {})) {
    await server.ok(PutUserPolicyDocument, { input: { userName, policyName, policyDocument: JSON.stringify(document) } }, token);
  }
  if (setup.boundary) {
    await server.ok(PutUserPermissionsBoundaryDocument, { input: { userName, permissionsBoundary: setup.boundary } }, token);
  }
  const data = await server.ok(SignInDocument, { input: { accountId: root.accountId, userName, password: USER_PASSWORD } });
  return { token: data.signIn.sessionToken, arn: data.signIn.arn };
}

/**
 * An IAM user allowed `iam:*` by an inline policy, signed in: its session token. The guard lets
 * the root user act only on ARNs of its own account, so AWS-managed policy ARNs (account `aws`)
 * are exercised through such a user.
 */
export async function iamAdmin(server: TestServer, root: { accountId: string; token: string }, userName = 'admin'): Promise<string> {
  const admin = await signedInUser(server, root, userName, { inline: { 'iam-admin': policy({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }) } });
  return admin.token;
}

/** An IAM role as createRole returned it. */
export interface CreatedRole {
  roleName: string;
  roleId: string;
  arn: string;
}

/** Creates a role as `token` whose trust policy is `trust`; `input` adds a maximum session duration, a path or tags. */
export async function createRole(
  server: TestServer,
  token: string,
  roleName: string,
  trust: object,
  input: Omit<CreateRoleInput, 'roleName' | 'assumeRolePolicyDocument'> = {},
): Promise<CreatedRole> {
  const data = await server.ok(CreateRoleSummaryDocument, { input: { roleName, assumeRolePolicyDocument: JSON.stringify(trust), ...input } }, token);
  return data.createRole.role;
}

/** A trust policy that lets `principal` (`{ AWS: arn }`, `{ Service: name }`) call sts:AssumeRole; `extra` adds to its statement (a Condition). */
export function trustPolicy(principal: object, extra: object = {}): object {
  return policy({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra });
}

/** A policy document from statements. */
export function policy(...statements: object[]): object {
  return { Version: '2012-10-17', Statement: statements };
}

/** Asks isAuthorized as `token`. */
export async function ask(server: TestServer, token: string, action: string, resource: string, context: ContextEntryInput[] = []) {
  const data = await server.ok(IsAuthorizedDocument, { input: { action, resource, context } }, token);
  return data.isAuthorized.decision;
}
