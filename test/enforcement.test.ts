// Every resolver enforced by the policy engine, for non-root users: what AWS's
// managed policies, path- and ${aws:username}-scoped policies, boundaries,
// explicit denies and tag conditions allow and deny, over HTTP.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import { beforeAll, describe, expect, it } from 'vitest';
import { createDb, poolOf } from '../src/db/client.js';
import { loadPrincipalPolicies } from '../src/auth/effective-policies.js';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AddUserToGroupDocument,
  AttachGroupPolicyDocument,
  AttachUserPolicyDocument,
  CreateAccessKeyDocument,
  CreateGroupDocument,
  CreatePolicyDocument,
  CreateUserDocument,
  DeleteUserDocument,
  DetachUserPolicyDocument,
  GetUserNameAndArnDocument,
  GetUserSummaryDocument,
  IsAuthorizedBatchDocument,
  IsAuthorizedDocument,
  ListUserNamesDocument,
  LookupEventErrorsDocument,
  RecreateUserAtPathDocument,
  RemoveUserFromGroupDocument,
  SimulateCustomPolicyDocument,
  SimulatePrincipalPolicyDocument,
} from './generated/graphql.js';
import { ask, createUser, policy, signedInUser } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();
let root: { accountId: string; token: string };
beforeAll(async () => {
  root = await server.newAccount();
});

const aws = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** Sends an operation that must be denied, and answers the denial's message. */
async function denial<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token: string) {
  const result = await server.gql(document, variables, token);
  expect(result.errors?.[0]?.extensions?.code).toBe('AccessDenied');
  return result.errors![0]!.message;
}

describe('AWS-managed policies', () => {
  it('AmazonS3ReadOnlyAccess reads S3 but cannot create users', async () => {
    const s3 = await signedInUser(server, root, 's3reader', { managed: [aws('AmazonS3ReadOnlyAccess')] });
    expect(await ask(server, s3.token, 's3:GetObject', 'arn:aws:s3:::example-bucket/report.csv')).toBe('allowed');
    expect(await ask(server, s3.token, 's3:PutObject', 'arn:aws:s3:::example-bucket/report.csv')).toBe('implicitDeny');
    const message = await denial(CreateUserDocument, { input: { userName: 'mallory' } }, s3.token);
    expect(message).toBe(
      `User: ${s3.arn} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${root.accountId}:user/mallory because no identity-based policy allows the iam:CreateUser action`,
    );
  });

  it('IAMReadOnlyAccess lists and gets users but cannot change them', async () => {
    const reader = await signedInUser(server, root, 'iamreader', { managed: [aws('IAMReadOnlyAccess')] });
    const list = await server.ok(ListUserNamesDocument, {}, reader.token);
    expect(list.listUsers.nodes.map((u) => u.userName)).toContain('iamreader');
    await server.ok(GetUserNameAndArnDocument, { input: { userName: 'iamreader' } }, reader.token);
    await denial(CreateUserDocument, { input: { userName: 'x1' } }, reader.token);
    await denial(DeleteUserDocument, { input: { userName: 'iamreader' } }, reader.token);
  });
});

describe('customer policies', () => {
  it('a path-scoped policy allows creating users under /developers/ only', async () => {
    const creator = await signedInUser(server, root, 'pathcreator', {
      inline: { dev: policy({ Effect: 'Allow', Action: 'iam:CreateUser', Resource: `arn:aws:iam::${root.accountId}:user/developers/*` }) },
    });
    await server.ok(CreateUserDocument, { input: { userName: 'dev1', path: '/developers/' } }, creator.token);
    await denial(CreateUserDocument, { input: { userName: 'dev2', path: '/' } }, creator.token);
    await denial(CreateUserDocument, { input: { userName: 'dev3', path: '/admins/' } }, creator.token);
  });

  it('a ${aws:username} policy lets a user manage only her own access keys', async () => {
    const selfService = policy({
      Effect: 'Allow',
      Action: ['iam:CreateAccessKey', 'iam:ListAccessKeys', 'iam:DeleteAccessKey'],
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    });
    const carol = await signedInUser(server, root, 'carol', { inline: { self: selfService } });
    await signedInUser(server, root, 'dave');
    const own = await server.ok(CreateAccessKeyDocument, {}, carol.token);
    expect(own.createAccessKey.accessKey.userName).toBe('carol');
    await server.ok(CreateAccessKeyDocument, { input: { userName: 'carol' } }, carol.token);
    await denial(CreateAccessKeyDocument, { input: { userName: 'dave' } }, carol.token);
  });

  it('a permissions boundary caps an administrator', async () => {
    const capped = await signedInUser(server, root, 'capped', { managed: [aws('AdministratorAccess')], boundary: aws('IAMReadOnlyAccess') });
    await server.ok(ListUserNamesDocument, {}, capped.token);
    const message = await denial(CreateUserDocument, { input: { userName: 'x2' } }, capped.token);
    expect(message).toMatch(/is not authorized to perform: iam:CreateUser/);
    expect(await ask(server, capped.token, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe('implicitDeny');
  });

  it('an explicit deny beats AdministratorAccess', async () => {
    const admin = await signedInUser(server, root, 'nodelete', {
      managed: [aws('AdministratorAccess')],
      inline: { deny: policy({ Effect: 'Deny', Action: 'iam:DeleteUser', Resource: '*' }) },
    });
    await server.ok(CreateUserDocument, { input: { userName: 'victim' } }, admin.token);
    const message = await denial(DeleteUserDocument, { input: { userName: 'victim' } }, admin.token);
    expect(message).toMatch(/with an explicit deny in an identity-based policy$/);
  });

  it('a principal-tag condition decides a customer namespace action', async () => {
    const rule = policy({
      Effect: 'Allow',
      Action: 'docs:Edit',
      Resource: 'arn:aws:docs:::doc/*',
      Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } },
    });
    const blue = await signedInUser(server, root, 'bluey', { inline: { docs: rule }, tags: [{ key: 'team', value: 'blue' }] });
    const red = await signedInUser(server, root, 'reddy', { inline: { docs: rule }, tags: [{ key: 'team', value: 'red' }] });
    expect(await ask(server, blue.token, 'docs:Edit', 'arn:aws:docs:::doc/42')).toBe('allowed');
    expect(await ask(server, red.token, 'docs:Edit', 'arn:aws:docs:::doc/42')).toBe('implicitDeny');
    expect(await ask(server, blue.token, 'docs:Delete', 'arn:aws:docs:::doc/42')).toBe('implicitDeny');
  });

  it('a request-context condition uses the context the caller passes', async () => {
    const rule = policy({
      Effect: 'Allow',
      Action: 'docs:Read',
      Resource: '*',
      Condition: { StringEquals: { 'docs:classification': 'public' } },
    });
    const reader = await signedInUser(server, root, 'ctxreader', { inline: { docs: rule } });
    const ctx = (value: string) => [{ contextKeyName: 'docs:classification', contextKeyValues: [value] }];
    expect(await ask(server, reader.token, 'docs:Read', 'arn:aws:docs:::doc/1', ctx('public'))).toBe('allowed');
    expect(await ask(server, reader.token, 'docs:Read', 'arn:aws:docs:::doc/1', ctx('secret'))).toBe('implicitDeny');
    const spoof = await server.gql(
      IsAuthorizedDocument,
      { input: { action: 'docs:Read', resource: '*', context: [{ contextKeyName: 'aws:PrincipalTag/team', contextKeyValues: ['blue'] }] } },
      reader.token,
    );
    expect(spoof.errors?.[0]?.extensions?.code).toBe('InvalidInput');
  });
});

describe('an operation of several mutations', () => {
  it('decides each on the rows as the earlier ones left them', async () => {
    await createUser(server, root.token, 'mover', { path: '/ops/' });
    const admin = await signedInUser(server, root, 'mover-admin', {
      inline: { move: policy({ Effect: 'Allow', Action: 'iam:DeleteUser', Resource: '*' }, { Effect: 'Allow', Action: 'iam:CreateUser', Resource: `arn:aws:iam::${root.accountId}:user/dev/*` }) },
    });
    // The guard of createUser must not reuse the row its deleteUser guard read (at /ops/, where creating is denied).
    const moved = await server.ok(RecreateUserAtPathDocument, { userName: 'mover', path: '/dev/' }, admin.token);
    expect(moved.again.user.arn).toBe(`arn:aws:iam::${root.accountId}:user/dev/mover`);
  });
});

describe('isAuthorizedBatch', () => {
  it('answers each question in order, for a user (policies loaded, then cached) and for root', async () => {
    const rule = policy({ Effect: 'Allow', Action: 'docs:Read', Resource: 'arn:aws:docs:::doc/*' }, { Effect: 'Deny', Action: 'docs:Read', Resource: 'arn:aws:docs:::doc/secret' });
    const reader = await signedInUser(server, root, 'batcher', { inline: { docs: rule } });
    const requests = [
      { action: 'docs:Read', resource: 'arn:aws:docs:::doc/1' },
      { action: 'docs:Read', resource: 'arn:aws:docs:::doc/secret' },
      { action: 'docs:Write', resource: 'arn:aws:docs:::doc/1' },
    ];
    const answers = (await server.ok(IsAuthorizedBatchDocument, { input: { requests } }, reader.token)).isAuthorizedBatch;
    expect(answers.map((a) => a.decision)).toEqual(['allowed', 'explicitDeny', 'implicitDeny']);
    expect(answers.map((a) => a.resource)).toEqual(requests.map((r) => r.resource));
    expect(answers[1]?.matchedStatements).toEqual([{ sourcePolicyId: expect.stringContaining('/docs'), effect: 'Deny' }]);
    const again = (await server.ok(IsAuthorizedBatchDocument, { input: { requests } }, reader.token)).isAuthorizedBatch;
    expect(again).toEqual(answers);
    // Root may do anything in its own account, and nothing in another.
    const rootAnswers = (await server.ok(IsAuthorizedBatchDocument, { input: { requests: [requests[2]!, { action: 'docs:Read', resource: 'arn:aws:docs::999999999999:doc/1' }] } }, root.token)).isAuthorizedBatch;
    expect(rootAnswers.map((a) => a.decision)).toEqual(['allowed', 'implicitDeny']);
  });

  it('refuses no questions, more than 100, and a malformed action name', async () => {
    const question = { action: 'docs:Read', resource: '*' };
    expect(await server.errorCode(IsAuthorizedBatchDocument, { input: { requests: [] } }, root.token)).toBe('ValidationError');
    expect(await server.errorCode(IsAuthorizedBatchDocument, { input: { requests: Array.from({ length: 101 }, () => question) } }, root.token)).toBe('ValidationError');
    expect(await server.errorCode(IsAuthorizedBatchDocument, { input: { requests: [question, { action: 'not an action', resource: '*' }] } }, root.token)).toBe('InvalidInput');
    expect(await server.errorCode(IsAuthorizedDocument, { input: { action: 'docs', resource: '*' } }, root.token)).toBe('InvalidInput');
  });
});

describe('decisions and their side effects', () => {
  it('a denied call changes nothing and leaves one audit event', async () => {
    const reader = await signedInUser(server, root, 'auditee', { managed: [aws('IAMReadOnlyAccess')] });
    await denial(CreateUserDocument, { input: { userName: 'ghost' } }, reader.token);
    expect(await server.errorCode(GetUserNameAndArnDocument, { input: { userName: 'ghost' } }, root.token)).toBe('NoSuchEntity');
    await server.service.deps.audit.flush();
    const trail = await server.ok(LookupEventErrorsDocument, { input: { eventName: 'CreateUser', errorCode: 'AccessDenied', userName: 'auditee' } }, root.token);
    expect(trail.lookupEvents.nodes).toEqual([{ errorCode: 'AccessDenied', resources: [`arn:aws:iam::${root.accountId}:user/ghost`] }]);
  });

  it('a policy change takes effect on the very next request', async () => {
    const user = await signedInUser(server, root, 'flipper', { managed: [aws('IAMReadOnlyAccess')] });
    await server.ok(ListUserNamesDocument, {}, user.token);
    await server.ok(DetachUserPolicyDocument, { input: { userName: 'flipper', policyArn: aws('IAMReadOnlyAccess') } }, root.token);
    await denial(ListUserNamesDocument, {}, user.token);
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'flipper', policyArn: aws('IAMReadOnlyAccess') } }, root.token);
    await server.ok(ListUserNamesDocument, {}, user.token);
  });

  it('group membership grants the group policies, and removal takes them away', async () => {
    const user = await signedInUser(server, root, 'member');
    await server.ok(CreateGroupDocument, { input: { groupName: 'Readers' } }, root.token);
    await server.ok(AttachGroupPolicyDocument, { input: { groupName: 'Readers', policyArn: aws('AmazonS3ReadOnlyAccess') } }, root.token);
    expect(await ask(server, user.token, 's3:ListBucket', 'arn:aws:s3:::b')).toBe('implicitDeny');
    await server.ok(AddUserToGroupDocument, { input: { groupName: 'Readers', userName: 'member' } }, root.token);
    expect(await ask(server, user.token, 's3:ListBucket', 'arn:aws:s3:::b')).toBe('allowed');
    await server.ok(RemoveUserFromGroupDocument, { input: { groupName: 'Readers', userName: 'member' } }, root.token);
    expect(await ask(server, user.token, 's3:ListBucket', 'arn:aws:s3:::b')).toBe('implicitDeny');
  });
});

describe('loading effective policies', () => {
  it('costs the same few queries however many managed policies a user has, boundary included', async () => {
    const counted = async (userName: string) => {
      const { getUser } = await server.ok(GetUserSummaryDocument, { input: { userName } }, root.token);
      const statements: string[] = [];
      const db = createDb(poolOf(server.db).options.connectionString!, { poolSize: 2, onQuery: (sql) => statements.push(sql) });
      try {
        const principal = { kind: 'user', accountId: root.accountId, arn: getUser.user.arn, principalId: getUser.user.userId, userId: getUser.user.userId, userName, sessionId: 'count', passwordResetOnly: false, policyEpoch: 0, issuedAt: new Date(), expiresAt: new Date() } as const;
        const { policies } = await loadPrincipalPolicies(db, principal);
        return { statements: statements.length, identity: policies.identity.length, boundary: policies.permissionsBoundary !== undefined };
      } finally {
        await db.$disconnect();
      }
    };
    const arns: string[] = [];
    for (let i = 0; i < 6; i++) {
      const created = await server.ok(
        CreatePolicyDocument,
        { input: { policyName: `load-${i}`, policyDocument: JSON.stringify(policy({ Effect: 'Allow', Action: `docs:Read${i}`, Resource: '*' })) } },
        root.token,
      );
      arns.push(created.createPolicy.policy.arn);
    }
    await signedInUser(server, root, 'loader-one', { managed: [arns[0]!] });
    await signedInUser(server, root, 'loader-many', { managed: [...arns.slice(0, 5), aws('ReadOnlyAccess')], boundary: arns[5]! });
    const one = await counted('loader-one');
    const many = await counted('loader-many');
    expect(one).toMatchObject({ identity: 1, boundary: false });
    expect(many).toMatchObject({ identity: 6, boundary: true });
    expect(many.statements).toBe(one.statements);
  });
});

describe('policy simulators', () => {
  it('simulatePrincipalPolicy answers for a user with its group and boundary', async () => {
    await signedInUser(server, root, 'simuser', { managed: [aws('AmazonS3ReadOnlyAccess')] });
    const data = await server.ok(
      SimulatePrincipalPolicyDocument,
      {
        input: {
          policySourceArn: `arn:aws:iam::${root.accountId}:user/simuser`,
          actionNames: ['s3:GetObject', 's3:DeleteObject'],
          resourceArns: ['arn:aws:s3:::example-bucket/a'],
        },
      },
      root.token,
    );
    const [get, del] = data.simulatePrincipalPolicy.evaluationResults;
    expect(get).toMatchObject({ evalActionName: 's3:GetObject', evalDecision: 'allowed' });
    expect(get?.matchedStatements[0]).toMatchObject({ sourcePolicyId: aws('AmazonS3ReadOnlyAccess'), sourcePolicyType: 'aws-managed' });
    expect(del).toMatchObject({ evalActionName: 's3:DeleteObject', evalDecision: 'implicitDeny', matchedStatements: [] });
  });

  it('simulateCustomPolicy reports explicit denies, missing context and the boundary decision', async () => {
    const allow = policy({ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } });
    const deny = policy({ Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' });
    const data = await server.ok(
      SimulateCustomPolicyDocument,
      {
        input: {
          policyInputList: [JSON.stringify(allow), JSON.stringify(deny)],
          permissionsBoundaryPolicyInputList: [JSON.stringify(policy({ Effect: 'Allow', Action: 's3:Get*', Resource: '*' }))],
          actionNames: ['s3:GetObject', 's3:DeleteObject', 's3:PutObject'],
        },
      },
      root.token,
    );
    const [get, del, put] = data.simulateCustomPolicy.evaluationResults;
    expect(get).toMatchObject({ evalDecision: 'implicitDeny', missingContextValues: ['aws:SourceIp'] });
    expect(del).toMatchObject({ evalDecision: 'explicitDeny', matchedStatements: [{ sid: 'NoDelete', effect: 'Deny' }] });
    expect(put?.permissionsBoundaryDecisionDetail).toEqual({ allowedByPermissionsBoundary: false });
  });
});
