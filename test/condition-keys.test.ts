// Request-specific condition keys over HTTP: aws:RequestTag/*, aws:TagKeys,
// aws:ResourceTag/*, iam:PermissionsBoundary, iam:PolicyARN and iam:PassedToService
// decide what a delegated IAM user may do, as in AWS; and the registry of
// src/auth/request-keys.ts agrees with AWS's Service Authorization Reference.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requestKeyFillers } from '../src/auth/request-keys.js';
import { readsResourceFacts } from '../src/auth/resource-facts.js';
import { conditionKeysOfAction } from '../src/policy/catalog.js';
import { parsePolicy } from '../src/policy/index.js';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  AddRoleToInstanceProfileDocument,
  AttachGroupPolicyDocument,
  AttachRolePolicyDocument,
  AttachUserPolicyDocument,
  CreateGroupDocument,
  CreateInstanceProfileArnDocument,
  CreatePolicyDocument,
  CreateRoleDocument,
  CreateUserDocument,
  CreateVirtualMFADeviceSerialDocument,
  DeleteInstanceProfileDocument,
  DeleteUserDocument,
  DeleteUserPermissionsBoundaryDocument,
  DetachUserPolicyDocument,
  GetInstanceProfileDocument,
  GetPolicyNameDocument,
  GetUserDetailsDocument,
  GetUserNameAndArnDocument,
  GetUserPermissionsBoundaryDocument,
  ListUserNamesDocument,
  ListUsersLoginProfilesDocument,
  PutUserPermissionsBoundaryDocument,
  PutUserPolicyDocument,
  TagThenDeleteUserDocument,
  TagUserDocument,
  UntagUserDocument,
  UpdateUserDocument,
  type TagInput,
} from './generated/graphql.js';
import { createLoginProfile, policy, signedInUser } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();

const aws = (name: string) => `arn:aws:iam::aws:policy/${name}`;
const EC2_TRUST = JSON.stringify(policy({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }));
const blue: TagInput[] = [{ key: 'team', value: 'blue' }];

/** The first error code of a call, or 'OK' when it succeeded. */
async function outcome<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token: string): Promise<string> {
  const result = await server.gql(document, variables, token);
  return result.errors?.length ? String(result.errors[0]!.extensions?.code) : 'OK';
}

describe('aws:RequestTag and aws:TagKeys', () => {
  it('a user allowed iam:CreateUser only with aws:RequestTag/team = blue creates tagged users only', async () => {
    const root = await server.newAccount();
    // AWS's example "Create new users only with specific tags": creating with tags also needs iam:TagUser.
    const alice = await signedInUser(server, root, 'alice', {
      inline: { create: policy({ Effect: 'Allow', Action: ['iam:CreateUser', 'iam:TagUser'], Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'blue' } } }) },
    });
    expect(await outcome(CreateUserDocument, { input: { userName: 'tagged', tags: blue } }, alice.token)).toBe('OK');
    expect(await outcome(CreateUserDocument, { input: { userName: 'untagged' } }, alice.token)).toBe('AccessDenied');
    expect(await outcome(CreateUserDocument, { input: { userName: 'red', tags: [{ key: 'team', value: 'red' }] } }, alice.token)).toBe('AccessDenied');
    // Tag keys are matched case-insensitively, as AWS matches condition key names.
    expect(await outcome(CreateUserDocument, { input: { userName: 'upper', tags: [{ key: 'Team', value: 'blue' }] } }, alice.token)).toBe('OK');
    const names = (await server.ok(ListUserNamesDocument, {}, root.token)).listUsers.nodes.map((u) => u.userName);
    expect(names.sort()).toEqual(['alice', 'tagged', 'upper']);
  });

  it('the same condition governs createRole, createPolicy, createInstanceProfile and createVirtualMFADevice', async () => {
    const root = await server.newAccount();
    const actions = ['iam:CreateRole', 'iam:CreatePolicy', 'iam:CreateInstanceProfile', 'iam:CreateVirtualMFADevice', 'iam:TagRole', 'iam:TagPolicy', 'iam:TagInstanceProfile', 'iam:TagMFADevice'];
    const bob = await signedInUser(server, root, 'bob', {
      inline: { create: policy({ Effect: 'Allow', Action: actions, Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'blue' } } }) },
    });
    const doc = JSON.stringify(policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }));
    const calls: Array<(tags?: TagInput[]) => Promise<string>> = [
      (tags) => outcome(CreateRoleDocument, { input: { roleName: `r${tags ? 1 : 2}`, assumeRolePolicyDocument: EC2_TRUST, tags } }, bob.token),
      (tags) => outcome(CreatePolicyDocument, { input: { policyName: `p${tags ? 1 : 2}`, policyDocument: doc, tags } }, bob.token),
      (tags) => outcome(CreateInstanceProfileArnDocument, { input: { instanceProfileName: `ip${tags ? 1 : 2}`, tags } }, bob.token),
      (tags) => outcome(CreateVirtualMFADeviceSerialDocument, { input: { virtualMFADeviceName: `d${tags ? 1 : 2}`, tags } }, bob.token),
    ];
    for (const create of calls) {
      expect(await create(blue)).toBe('OK');
      expect(await create()).toBe('AccessDenied');
    }
  });

  it('creating with tags also needs the tagging action on the new resource, as AWS requires', async () => {
    const root = await server.newAccount();
    const dan = await signedInUser(server, root, 'dan', { inline: { create: policy({ Effect: 'Allow', Action: ['iam:CreateUser', 'iam:CreateRole'], Resource: '*' }) } });
    expect(await outcome(CreateUserDocument, { input: { userName: 'plain' } }, dan.token)).toBe('OK');
    const denied = await server.gql(CreateUserDocument, { input: { userName: 'labelled', tags: blue } }, dan.token);
    expect(denied.errors?.[0]?.extensions?.code).toBe('AccessDenied');
    expect(denied.errors?.[0]?.message).toContain(`is not authorized to perform: iam:TagUser on resource: arn:aws:iam::${root.accountId}:user/labelled`);
    expect(await outcome(CreateRoleDocument, { input: { roleName: 'labelled', assumeRolePolicyDocument: EC2_TRUST, tags: blue } }, dan.token)).toBe('AccessDenied');
    // Nothing was created by the refused calls.
    expect(await server.errorCode(GetUserNameAndArnDocument, { input: { userName: 'labelled' } }, root.token)).toBe('NoSuchEntity');
    const erin = await signedInUser(server, root, 'erin', {
      inline: { create: policy({ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' }, { Effect: 'Allow', Action: 'iam:TagUser', Resource: `arn:aws:iam::${root.accountId}:user/labelled` }) },
    });
    expect(await outcome(CreateUserDocument, { input: { userName: 'labelled', tags: blue } }, erin.token)).toBe('OK');
  });

  it('ForAllValues:StringEquals on aws:TagKeys limits which tag keys may be set and removed', async () => {
    const root = await server.newAccount();
    const allowedKeys = { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'project'] } };
    const carol = await signedInUser(server, root, 'carol', {
      inline: { tags: policy({ Effect: 'Allow', Action: ['iam:TagUser', 'iam:UntagUser'], Resource: '*', Condition: allowedKeys }) },
    });
    await server.ok(CreateUserDocument, { input: { userName: 'target', tags: [{ key: 'cost', value: '1' }] } }, root.token);
    expect(await outcome(TagUserDocument, { input: { userName: 'target', tags: [{ key: 'team', value: 'x' }, { key: 'project', value: 'y' }] } }, carol.token)).toBe('OK');
    expect(await outcome(TagUserDocument, { input: { userName: 'target', tags: [{ key: 'team', value: 'x' }, { key: 'cost', value: '2' }] } }, carol.token)).toBe('AccessDenied');
    expect(await outcome(UntagUserDocument, { input: { userName: 'target', tagKeys: ['cost'] } }, carol.token)).toBe('AccessDenied');
    expect(await outcome(UntagUserDocument, { input: { userName: 'target', tagKeys: ['project'] } }, carol.token)).toBe('OK');
    const tags = (await server.ok(GetUserDetailsDocument, { input: { userName: 'target' } }, root.token)).getUser.user.tags;
    expect(tags).toEqual(expect.arrayContaining([{ key: 'cost', value: '1' }, { key: 'team', value: 'x' }]));
    expect(tags).toHaveLength(2);
  });
});

describe('aws:ResourceTag', () => {
  it('aws:ResourceTag/team limits which users she may update, tag and delete', async () => {
    const root = await server.newAccount();
    const dana = await signedInUser(server, root, 'dana', {
      inline: {
        blueOnly: policy({
          Effect: 'Allow',
          Action: ['iam:DeleteUser', 'iam:UpdateUser', 'iam:TagUser', 'iam:GetUser'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } },
        }),
      },
    });
    await server.ok(CreateUserDocument, { input: { userName: 'bluebird', tags: blue } }, root.token);
    await server.ok(CreateUserDocument, { input: { userName: 'redbird', tags: [{ key: 'team', value: 'red' }] } }, root.token);
    await server.ok(CreateUserDocument, { input: { userName: 'plainbird' } }, root.token);
    for (const userName of ['redbird', 'plainbird']) {
      expect(await outcome(GetUserNameAndArnDocument, { input: { userName } }, dana.token)).toBe('AccessDenied');
      expect(await outcome(TagUserDocument, { input: { userName, tags: blue } }, dana.token)).toBe('AccessDenied');
      expect(await outcome(UpdateUserDocument, { input: { userName, newPath: '/moved/' } }, dana.token)).toBe('AccessDenied');
      expect(await outcome(DeleteUserDocument, { input: { userName } }, dana.token)).toBe('AccessDenied');
    }
    expect(await outcome(GetUserNameAndArnDocument, { input: { userName: 'bluebird' } }, dana.token)).toBe('OK');
    expect(await outcome(TagUserDocument, { input: { userName: 'bluebird', tags: [{ key: 'owner', value: 'dana' }] } }, dana.token)).toBe('OK');
    expect(await outcome(UpdateUserDocument, { input: { userName: 'bluebird', newPath: '/moved/' } }, dana.token)).toBe('OK');
    expect(await outcome(DeleteUserDocument, { input: { userName: 'bluebird' } }, dana.token)).toBe('OK');
    expect(await server.errorCode(GetUserNameAndArnDocument, { input: { userName: 'bluebird' } }, root.token)).toBe('NoSuchEntity');
  });

  it('a tag written earlier in the same operation decides a later mutation of it', async () => {
    const root = await server.newAccount();
    const erin = await signedInUser(server, root, 'erin', {
      inline: {
        tagAny: policy({ Effect: 'Allow', Action: 'iam:TagUser', Resource: '*' }),
        deleteBlue: policy({ Effect: 'Allow', Action: 'iam:DeleteUser', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } } }),
      },
    });
    await server.ok(CreateUserDocument, { input: { userName: 'soon' } }, root.token);
    const data = await server.ok(TagThenDeleteUserDocument, { userName: 'soon', tags: [{ key: 'team', value: 'blue' }] }, erin.token);
    expect(data).toEqual({ tagUser: true, deleteUser: true });
  });

  it('nested fields are decided per parent, each with its own tags', async () => {
    const root = await server.newAccount();
    const frank = await signedInUser(server, root, 'frank', {
      inline: {
        list: policy({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }),
        profiles: policy({ Effect: 'Allow', Action: 'iam:GetLoginProfile', Resource: '*', Condition: { StringEquals: { 'iam:ResourceTag/team': 'blue' } } }),
      },
    });
    for (const [userName, team] of [['u-blue', 'blue'], ['u-red', 'red']] as const) {
      await server.ok(CreateUserDocument, { input: { userName, tags: [{ key: 'team', value: team }] } }, root.token);
      await createLoginProfile(server, root.token, userName, 'Some-Passw0rd-Long!');
    }
    const result = await server.gql(ListUsersLoginProfilesDocument, {}, frank.token);
    const nodes = result.data!.listUsers.nodes;
    expect(nodes.map((n) => [n.userName, n.loginProfile?.userName ?? null])).toEqual([
      ['frank', null],
      ['u-blue', 'u-blue'],
      ['u-red', null],
    ]);
    const denied = (result.errors ?? []).map((e) => `${e.extensions?.code} ${e.path?.join('.')}`).sort();
    expect(denied).toEqual(['AccessDenied listUsers.nodes.0.loginProfile', 'AccessDenied listUsers.nodes.2.loginProfile']);
  });

  it('aws:ResourceTag governs customer policies and instance profiles too', async () => {
    const root = await server.newAccount();
    const doc = JSON.stringify(policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }));
    const bluePolicy = (await server.ok(CreatePolicyDocument, { input: { policyName: 'BluePolicy', policyDocument: doc, tags: blue } }, root.token)).createPolicy.policy.arn;
    const redPolicy = (await server.ok(CreatePolicyDocument, { input: { policyName: 'RedPolicy', policyDocument: doc } }, root.token)).createPolicy.policy.arn;
    await server.ok(CreateInstanceProfileArnDocument, { input: { instanceProfileName: 'blue-ip', tags: blue } }, root.token);
    await server.ok(CreateInstanceProfileArnDocument, { input: { instanceProfileName: 'red-ip' } }, root.token);
    const gina = await signedInUser(server, root, 'gina', {
      inline: {
        blue: policy({ Effect: 'Allow', Action: ['iam:GetPolicy', 'iam:DeleteInstanceProfile'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } } }),
      },
    });
    expect(await outcome(GetPolicyNameDocument, { input: { policyArn: bluePolicy } }, gina.token)).toBe('OK');
    expect(await outcome(GetPolicyNameDocument, { input: { policyArn: redPolicy } }, gina.token)).toBe('AccessDenied');
    expect(await outcome(DeleteInstanceProfileDocument, { input: { instanceProfileName: 'red-ip' } }, gina.token)).toBe('AccessDenied');
    expect(await outcome(DeleteInstanceProfileDocument, { input: { instanceProfileName: 'blue-ip' } }, gina.token)).toBe('OK');
  });
});

describe('iam:PermissionsBoundary', () => {
  it('a delegated administrator may create and manage users only with boundary X (AWS delegation pattern)', async () => {
    const root = await server.newAccount();
    const doc = JSON.stringify(policy({ Effect: 'Allow', Action: ['s3:*', 'iam:Get*'], Resource: '*' }));
    const boundaryX = (await server.ok(CreatePolicyDocument, { input: { policyName: 'BoundaryX', policyDocument: doc } }, root.token)).createPolicy.policy.arn;
    const boundaryY = (await server.ok(CreatePolicyDocument, { input: { policyName: 'BoundaryY', policyDocument: doc } }, root.token)).createPolicy.policy.arn;
    const hank = await signedInUser(server, root, 'hank', {
      inline: {
        delegate: policy(
          {
            Sid: 'CreateOrChangeOnlyWithBoundary',
            Effect: 'Allow',
            Action: ['iam:CreateUser', 'iam:PutUserPermissionsBoundary', 'iam:AttachUserPolicy', 'iam:PutUserPolicy', 'iam:DeleteUserPolicy'],
            Resource: '*',
            Condition: { StringEquals: { 'iam:PermissionsBoundary': boundaryX } },
          },
          { Sid: 'NoBoundaryDelete', Effect: 'Deny', Action: 'iam:DeleteUserPermissionsBoundary', Resource: '*' },
        ),
      },
    });
    expect(await outcome(CreateUserDocument, { input: { userName: 'bounded', permissionsBoundary: boundaryX } }, hank.token)).toBe('OK');
    expect(await outcome(CreateUserDocument, { input: { userName: 'free' } }, hank.token)).toBe('AccessDenied');
    expect(await outcome(CreateUserDocument, { input: { userName: 'other', permissionsBoundary: boundaryY } }, hank.token)).toBe('AccessDenied');

    const attach = (userName: string, policyArn: string) => outcome(AttachUserPolicyDocument, { input: { userName, policyArn } }, hank.token);
    await server.ok(CreateUserDocument, { input: { userName: 'unbounded' } }, root.token);
    // The condition reads the boundary the user has now.
    expect(await attach('bounded', aws('AmazonS3ReadOnlyAccess'))).toBe('OK');
    expect(await attach('unbounded', aws('AmazonS3ReadOnlyAccess'))).toBe('AccessDenied');
    const s3All = JSON.stringify(policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }));
    const putInline = (userName: string) => outcome(PutUserPolicyDocument, { input: { userName, policyName: 'p', policyDocument: s3All } }, hank.token);
    expect(await putInline('bounded')).toBe('OK');
    expect(await putInline('unbounded')).toBe('AccessDenied');

    // Putting a boundary: the condition reads the requested one.
    const putBoundary = (userName: string, permissionsBoundary: string) =>
      outcome(PutUserPermissionsBoundaryDocument, { input: { userName, permissionsBoundary } }, hank.token);
    expect(await putBoundary('unbounded', boundaryY)).toBe('AccessDenied');
    expect(await putBoundary('unbounded', boundaryX)).toBe('OK');
    expect(await outcome(DeleteUserPermissionsBoundaryDocument, { input: { userName: 'bounded' } }, hank.token)).toBe('AccessDenied');
    const user = (await server.ok(GetUserPermissionsBoundaryDocument, { input: { userName: 'bounded' } }, root.token)).getUser.user;
    expect(user.permissionsBoundary?.permissionsBoundaryArn).toBe(boundaryX);
  });

  it('createRole with a boundary is decided on the requested boundary', async () => {
    const root = await server.newAccount();
    const ivy = await signedInUser(server, root, 'ivy', {
      inline: { roles: policy({ Effect: 'Allow', Action: 'iam:CreateRole', Resource: '*', Condition: { StringEquals: { 'iam:PermissionsBoundary': aws('PowerUserAccess') } } }) },
    });
    expect(await outcome(CreateRoleDocument, { input: { roleName: 'bounded', assumeRolePolicyDocument: EC2_TRUST, permissionsBoundary: aws('PowerUserAccess') } }, ivy.token)).toBe('OK');
    expect(await outcome(CreateRoleDocument, { input: { roleName: 'free', assumeRolePolicyDocument: EC2_TRUST } }, ivy.token)).toBe('AccessDenied');
  });
});

describe('iam:PolicyARN', () => {
  it('restricts which managed policies may be attached and detached, to users, groups and roles', async () => {
    const root = await server.newAccount();
    const jack = await signedInUser(server, root, 'jack', {
      inline: {
        attach: policy({
          Effect: 'Allow',
          Action: ['iam:AttachUserPolicy', 'iam:DetachUserPolicy', 'iam:AttachGroupPolicy', 'iam:AttachRolePolicy'],
          Resource: '*',
          Condition: { ArnEquals: { 'iam:PolicyARN': [aws('ReadOnlyAccess'), aws('AmazonS3ReadOnlyAccess')] } },
        }),
      },
    });
    await server.ok(CreateUserDocument, { input: { userName: 'worker' } }, root.token);
    await server.ok(CreateGroupDocument, { input: { groupName: 'Workers' } }, root.token);
    await server.ok(CreateRoleDocument, { input: { roleName: 'WorkerRole', assumeRolePolicyDocument: EC2_TRUST } }, root.token);
    const attachTo: Array<(policyArn: string) => Promise<string>> = [
      (policyArn) => outcome(AttachUserPolicyDocument, { input: { userName: 'worker', policyArn } }, jack.token),
      (policyArn) => outcome(AttachGroupPolicyDocument, { input: { groupName: 'Workers', policyArn } }, jack.token),
      (policyArn) => outcome(AttachRolePolicyDocument, { input: { roleName: 'WorkerRole', policyArn } }, jack.token),
    ];
    for (const attach of attachTo) {
      expect(await attach(aws('ReadOnlyAccess'))).toBe('OK');
      expect(await attach(aws('AdministratorAccess'))).toBe('AccessDenied');
    }
    const detach = (policyArn: string) => outcome(DetachUserPolicyDocument, { input: { userName: 'worker', policyArn } }, jack.token);
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'worker', policyArn: aws('IAMFullAccess') } }, root.token);
    expect(await detach(aws('IAMFullAccess'))).toBe('AccessDenied');
    expect(await detach(aws('ReadOnlyAccess'))).toBe('OK');
  });
});

describe('iam:PassRole with iam:PassedToService', () => {
  it('addRoleToInstanceProfile passes the role to ec2.amazonaws.com', async () => {
    const root = await server.newAccount();
    await server.ok(CreateRoleDocument, { input: { roleName: 'AppRole', assumeRolePolicyDocument: EC2_TRUST } }, root.token);
    await server.ok(CreateInstanceProfileArnDocument, { input: { instanceProfileName: 'ec2-profile' } }, root.token);
    await server.ok(CreateInstanceProfileArnDocument, { input: { instanceProfileName: 'other-profile' } }, root.token);
    const passTo = (service: string) =>
      policy(
        { Effect: 'Allow', Action: 'iam:AddRoleToInstanceProfile', Resource: '*' },
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: `arn:aws:iam::${root.accountId}:role/AppRole`, Condition: { StringEquals: { 'iam:PassedToService': service } } },
      );
    const toEc2 = await signedInUser(server, root, 'kim', { inline: { pass: passTo('ec2.amazonaws.com') } });
    const toLambda = await signedInUser(server, root, 'lee', { inline: { pass: passTo('lambda.amazonaws.com') } });
    const add = (instanceProfileName: string, token: string) => outcome(AddRoleToInstanceProfileDocument, { input: { instanceProfileName, roleName: 'AppRole' } }, token);
    expect(await add('other-profile', toLambda.token)).toBe('AccessDenied');
    expect(await add('ec2-profile', toEc2.token)).toBe('OK');
    const profile = (await server.ok(GetInstanceProfileDocument, { input: { instanceProfileName: 'other-profile' } }, root.token)).getInstanceProfile.instanceProfile;
    expect(profile.roles).toEqual([]);
  });
});

describe('reading the resource for its condition keys', () => {
  const reads = (...statements: object[]) => readsResourceFacts([parsePolicy(JSON.stringify(policy(...statements)), { policyType: 'managed' })]);
  const allow = { Effect: 'Allow', Action: 'iam:*', Resource: '*' };
  it.each([
    ['no condition', allow, false],
    ['a request tag', { ...allow, Condition: { StringEquals: { 'aws:RequestTag/team': 'blue' } } }, false],
    ['aws:ResourceTag', { ...allow, Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } } }, true],
    ['iam:ResourceTag in another case', { ...allow, Condition: { StringEquals: { 'IAM:resourceTag/team': 'blue' } } }, true],
    ['iam:PermissionsBoundary', { ...allow, Condition: { ArnEquals: { 'iam:PermissionsBoundary': 'arn:aws:iam::123456789012:policy/b' } } }, true],
    ['a resource-tag variable in Resource', { ...allow, Resource: 'arn:aws:iam::*:user/${aws:ResourceTag/team}/*' }, true],
    ['a resource-tag variable in a condition value', { ...allow, Condition: { StringEquals: { 'aws:PrincipalTag/team': '${iam:ResourceTag/team}' } } }, true],
    ['a principal-tag variable', { ...allow, Condition: { StringEquals: { 'aws:RequestTag/team': '${aws:PrincipalTag/team}' } } }, false],
  ])('%s: %s', (_name, statement, expected) => {
    expect(reads(statement)).toBe(expected);
  });
});

describe('the registry of request-specific keys', () => {
  // AWS's Service Authorization Reference, as the service catalog (src/policy/catalog.ts) reads it.
  const sarKeys = (action: string): ReadonlySet<string> => conditionKeysOfAction(action) ?? new Set();
  const guarded = [...new Set([...readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8').matchAll(/@iam\(action: "(iam:\w+)"/g)].map((m) => m[1]!))];

  it('fills only keys AWS documents for each action', () => {
    for (const [action, fillers] of Object.entries(requestKeyFillers)) {
      expect(conditionKeysOfAction(action), action).toBeDefined();
      const documented = sarKeys(action);
      for (const key of fillers.flatMap((f) => f.keys)) expect(documented.has(key), `${action} ${key}`).toBe(true);
    }
  });

  it('fills every tag, boundary and policy-ARN key AWS documents for each guarded action', () => {
    const supported = ['aws:RequestTag/${TagKey}', 'aws:TagKeys', 'aws:ResourceTag/${TagKey}', 'iam:ResourceTag/${TagKey}', 'iam:PermissionsBoundary', 'iam:PolicyARN'];
    const isCreate = (action: string) => /^iam:Create(User|Role|Policy|InstanceProfile|VirtualMFADevice|OpenIDConnectProvider|SAMLProvider)$/.test(action);
    for (const action of guarded) {
      const filled = new Set((requestKeyFillers[action] ?? []).flatMap((f) => f.keys));
      for (const key of sarKeys(action)) {
        if (!supported.includes(key)) continue;
        // A created resource has no tags yet: AWS lists the resource type's keys, but there is nothing to read.
        if (isCreate(action) && key.includes('ResourceTag')) continue;
        expect(filled.has(key), `${action} ${key}`).toBe(true);
      }
    }
  });
});
