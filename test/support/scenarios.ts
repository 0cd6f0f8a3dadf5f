// Small scenarios for end-to-end tests: an IAM user with policies, signed in.
import type { TestServer } from './server.js';

export const USER_PASSWORD = 'Users-Passw0rd-Long!';

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
  await server.ok(
    'mutation($input: CreateUserInput!) { createUser(input: $input) { user { arn } } }',
    { input: { userName, path: setup.path ?? '/', tags: setup.tags ?? [] } },
    token,
  );
  await server.ok(
    'mutation($input: CreateLoginProfileInput!) { createLoginProfile(input: $input) { loginProfile { userName } } }',
    { input: { userName, password: USER_PASSWORD, passwordResetRequired: false } },
    token,
  );
  for (const policyArn of setup.managed ?? []) {
    await server.ok('mutation($input: AttachUserPolicyInput!) { attachUserPolicy(input: $input) }', { input: { userName, policyArn } }, token);
  }
  for (const [policyName, document] of Object.entries(setup.inline ?? {})) {
    await server.ok(
      'mutation($input: PutUserPolicyInput!) { putUserPolicy(input: $input) }',
      { input: { userName, policyName, policyDocument: JSON.stringify(document) } },
      token,
    );
  }
  if (setup.boundary) {
    await server.ok(
      'mutation($input: PutUserPermissionsBoundaryInput!) { putUserPermissionsBoundary(input: $input) }',
      { input: { userName, permissionsBoundary: setup.boundary } },
      token,
    );
  }
  const data = await server.ok(
    'mutation($input: SignInInput!) { signIn(input: $input) { sessionToken arn } }',
    { input: { accountId: root.accountId, userName, password: USER_PASSWORD } },
  );
  return { token: data.signIn.sessionToken as string, arn: data.signIn.arn as string };
}

/** A policy document from statements. */
export function policy(...statements: object[]): object {
  return { Version: '2012-10-17', Statement: statements };
}

/** Asks isAuthorized as `token`. */
export async function ask(server: TestServer, token: string, action: string, resource: string, context: Array<{ contextKeyName: string; contextKeyValues: string[] }> = []) {
  const data = await server.ok(
    'query($input: IsAuthorizedInput!) { isAuthorized(input: $input) { allowed decision } }',
    { input: { action, resource, context } },
    token,
  );
  return data.isAuthorized.decision as string;
}
