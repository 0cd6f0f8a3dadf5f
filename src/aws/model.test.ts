// The generated AWS models (src/aws/model/), the naming rule, and how far
// schema.graphql covers IAM and STS. The recorded lists below change only on purpose:
// a new field, a renamed member or a newer model shows up here first.
import { readFileSync } from 'node:fs';
import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { reportCoverage } from './model/coverage.js';
import { type ServiceModel, type Shape, type StructureShape, findServiceByVersion, getErrorTrait, getShape, serviceModels, toGraphQLName } from './model/index.js';

const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
const report = reportCoverage(schema);
const structure = (model: ServiceModel, name: string) => getShape(model, name) as StructureShape;
const { iam, sts } = serviceModels;

describe('toGraphQLName', () => {
  it.each([
    ['CreateUser', 'createUser'],
    ['CreateSAMLProvider', 'createSAMLProvider'],
    ['GetOpenIDConnectProvider', 'getOpenIDConnectProvider'],
    ['EnableMFADevice', 'enableMFADevice'],
    ['ListMFADevices', 'listMFADevices'],
    ['CreateVirtualMFADevice', 'createVirtualMFADevice'],
    ['GetAccountPasswordPolicy', 'getAccountPasswordPolicy'],
    ['GetCallerIdentity', 'getCallerIdentity'],
    ['AssumeRole', 'assumeRole'],
    ['GetSessionToken', 'getSessionToken'],
    ['UserName', 'userName'],
    ['AccessKeyId', 'accessKeyId'],
    ['VirtualMFADeviceName', 'virtualMFADeviceName'],
    ['OpenIDConnectProviderArn', 'openIDConnectProviderArn'],
    ['AuthenticationCode1', 'authenticationCode1'],
    ['SAMLMetadataDocument', 'samlMetadataDocument'],
    ['SAMLProviderUUID', 'samlProviderUUID'],
    ['MFADevices', 'mfaDevices'],
    ['SSHPublicKeyId', 'sshPublicKeyId'],
    ['QRCodePNG', 'qrCodePNG'],
    ['ARN', 'arn'],
  ])('maps %s to %s', (aws, graphql) => expect(toGraphQLName(aws)).toBe(graphql));

  it('names every root field and member that schema.graphql spells alike case-insensitively', () => {
    expect(report.mismatches.filter((m) => /the rule says/.test(m.problem))).toEqual([]);
  });
});

describe('the generated models', () => {
  it('name their source and licence', () => {
    for (const model of [iam, sts]) {
      expect(model.source).toMatchObject({ package: 'botocore', license: 'Apache-2.0' });
      expect(model.source.notice).toMatch(/Apache License 2\.0/);
    }
    expect(iam.source.version).toBe(sts.source.version);
  });

  it('tell the services apart by Version and signing name', () => {
    expect(findServiceByVersion('2010-05-08')).toBe(iam);
    expect(findServiceByVersion('2011-06-15')).toBe(sts);
    expect(findServiceByVersion('2099-01-01')).toBeUndefined();
    expect([iam.metadata.signingName, sts.metadata.signingName]).toEqual(['iam', 'sts']);
  });

  it('keep what the Query protocol needs of CreateUser', () => {
    expect(iam.operations.CreateUser).toMatchObject({ method: 'POST', input: 'CreateUserRequest', output: 'CreateUserResponse', resultWrapper: 'CreateUserResult' });
    expect(structure(iam, 'CreateUserRequest').members.UserName).toEqual({ shape: 'userNameType', required: true });
    expect(getShape(iam, 'userNameType')).toEqual({ type: 'string', min: 1, max: 64, pattern: '[\\w+=,.@-]+' });
    expect(getShape(iam, 'tagListType')).toEqual({ type: 'list', member: { shape: 'Tag' }, max: 50 });
    expect(getErrorTrait(iam, 'EntityAlreadyExistsException')).toEqual({ code: 'EntityAlreadyExists', httpStatusCode: 409, senderFault: true });
    expect(getErrorTrait(iam, 'OrganizationNotFoundException')).toEqual({ code: 'OrganizationNotFoundException', httpStatusCode: 400, senderFault: true });
    expect(getShape(iam, 'statusType')).toEqual({ type: 'string', enum: ['Active', 'Inactive', 'Expired'] });
  });

  it('mark the STS actions AWS takes unsigned', () => {
    const unsigned = Object.keys(sts.operations).filter((name) => sts.operations[name]!.auth?.includes('smithy.api#noAuth'));
    expect(unsigned).toEqual(['AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity']);
  });

  it('resolve every shape reference and give every declared error a code', () => {
    for (const model of [iam, sts]) {
      const refs = (shape: Shape): string[] =>
        shape.type === 'structure' ? Object.values(shape.members).map((m) => m.shape) : shape.type === 'list' ? [shape.member.shape] : shape.type === 'map' ? [shape.key.shape, shape.value.shape] : [];
      for (const shape of Object.values(model.shapes)) for (const ref of refs(shape)) expect(model.shapes[ref], ref).toBeDefined();
      for (const op of Object.values(model.operations)) {
        for (const name of [op.input, op.output].filter((n) => n !== undefined)) expect(model.shapes[name], name).toBeDefined();
        for (const error of op.errors) expect(getErrorTrait(model, error).code, error).toMatch(/^[A-Za-z.]+$/);
      }
    }
  });
});

describe('coverage of IAM and STS by schema.graphql', () => {
  it('has a field for these actions', () => {
    const covered = (service: string) => report.operations.filter((o) => o.service === service && o.root).map((o) => o.operation);
    expect(covered('iam')).toEqual([
      'AddClientIDToOpenIDConnectProvider', 'AddRoleToInstanceProfile', 'AddUserToGroup', 'AttachGroupPolicy',
      'AttachRolePolicy', 'AttachUserPolicy', 'ChangePassword', 'CreateAccessKey', 'CreateAccountAlias', 'CreateGroup',
      'CreateInstanceProfile', 'CreateLoginProfile', 'CreateOpenIDConnectProvider', 'CreatePolicy',
      'CreatePolicyVersion', 'CreateRole', 'CreateSAMLProvider', 'CreateUser', 'CreateVirtualMFADevice',
      'DeactivateMFADevice', 'DeleteAccessKey', 'DeleteAccountAlias', 'DeleteAccountPasswordPolicy', 'DeleteGroup',
      'DeleteGroupPolicy', 'DeleteInstanceProfile', 'DeleteLoginProfile', 'DeleteOpenIDConnectProvider',
      'DeletePolicy', 'DeletePolicyVersion', 'DeleteRole', 'DeleteRolePermissionsBoundary', 'DeleteRolePolicy',
      'DeleteSAMLProvider', 'DeleteUser', 'DeleteUserPermissionsBoundary', 'DeleteUserPolicy',
      'DeleteVirtualMFADevice', 'DetachGroupPolicy', 'DetachRolePolicy', 'DetachUserPolicy', 'EnableMFADevice',
      'GenerateCredentialReport', 'GenerateServiceLastAccessedDetails', 'GetAccessKeyLastUsed',
      'GetAccountPasswordPolicy', 'GetContextKeysForCustomPolicy', 'GetContextKeysForPrincipalPolicy',
      'GetCredentialReport', 'GetGroup', 'GetGroupPolicy', 'GetInstanceProfile', 'GetLoginProfile',
      'GetOpenIDConnectProvider', 'GetPolicy', 'GetPolicyVersion', 'GetRole', 'GetRolePolicy', 'GetSAMLProvider',
      'GetServiceLastAccessedDetails', 'GetUser', 'GetUserPolicy', 'ListAccessKeys', 'ListAccountAliases',
      'ListAttachedGroupPolicies', 'ListAttachedRolePolicies', 'ListAttachedUserPolicies', 'ListEntitiesForPolicy',
      'ListGroupPolicies', 'ListGroups', 'ListGroupsForUser', 'ListInstanceProfileTags', 'ListInstanceProfiles',
      'ListInstanceProfilesForRole', 'ListMFADevices', 'ListOpenIDConnectProviderTags', 'ListOpenIDConnectProviders',
      'ListPolicies', 'ListPolicyTags', 'ListPolicyVersions', 'ListRolePolicies', 'ListRoleTags', 'ListRoles',
      'ListSAMLProviderTags', 'ListSAMLProviders', 'ListUserPolicies', 'ListUserTags', 'ListUsers',
      'ListVirtualMFADevices', 'PutGroupPolicy', 'PutRolePermissionsBoundary', 'PutRolePolicy',
      'PutUserPermissionsBoundary', 'PutUserPolicy', 'RemoveClientIDFromOpenIDConnectProvider',
      'RemoveRoleFromInstanceProfile', 'RemoveUserFromGroup', 'SetDefaultPolicyVersion', 'SimulateCustomPolicy',
      'SimulatePrincipalPolicy', 'TagInstanceProfile', 'TagOpenIDConnectProvider', 'TagPolicy', 'TagRole',
      'TagSAMLProvider', 'TagUser', 'UntagInstanceProfile', 'UntagOpenIDConnectProvider', 'UntagPolicy', 'UntagRole',
      'UntagSAMLProvider', 'UntagUser', 'UpdateAccessKey', 'UpdateAccountPasswordPolicy', 'UpdateAssumeRolePolicy',
      'UpdateGroup', 'UpdateLoginProfile', 'UpdateOpenIDConnectProviderThumbprint', 'UpdateRole',
      'UpdateRoleDescription', 'UpdateSAMLProvider', 'UpdateUser',
    ]);
    expect(covered('sts')).toEqual(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'GetCallerIdentity', 'GetFederationToken', 'GetSessionToken']);
  });

  it('departs from AWS only in these recorded ways', () => {
    const found = report.mismatches.map((m) => `${m.service}:${m.at}${m.member ? ` ${m.member}` : ''}: ${m.problem}`);
    expect(found).toEqual([
      'iam:AccessKey → AccessKey Status: enum StatusType lacks Expired',
      'iam:AccessKeyMetadata → AccessKeyMetadata Status: enum StatusType lacks Expired',
      'iam:GetSAMLProvider output AssertionEncryptionMode: no field assertionEncryptionMode',
      'iam:GetSAMLProvider output PrivateKeyList: no field privateKeyList',
      'iam:GetSAMLProvider output SAMLProviderUUID: no field samlProviderUUID',
      'iam:GetServiceLastAccessedDetails input Marker: no argument after',
      'iam:GetServiceLastAccessedDetails input MaxItems: no argument first',
      'iam:GetServiceLastAccessedDetails output Error: no field error',
      'iam:GetServiceLastAccessedDetails output Marker: no field marker',
      'iam:SimulateCustomPolicy input ResourceHandlingOption: no field resourceHandlingOption',
      'iam:SimulatePrincipalPolicy input ResourceHandlingOption: no field resourceHandlingOption',
      'iam:UpdateAccessKey input Status: enum StatusType lacks Expired',
      'iam:VirtualMFADevice → VirtualMFADevice QRCodePNG: no field qrCodePNG',
      'sts:AssumeRole input ProvidedContexts: no field providedContexts',
      'sts:AssumeRole input TransitiveTagKeys: no field transitiveTagKeys',
      'sts:GetFederationToken: on Mutation; AWS Get*/List* actions are queries, the rest mutations',
      'sts:GetSessionToken: on Mutation; AWS Get*/List* actions are queries, the rest mutations',
      'sts:GetSessionToken input accessKeyId: not an AWS member',
      'sts:GetSessionToken input secretAccessKey: not an AWS member',
    ]);
  });

  it('has these root fields of our own, which no AWS action names', () => {
    expect(report.extraFields).toEqual([
      'Query.jwks', 'Query.isAuthorized', 'Query.isAuthorizedBatch', 'Query.validatePolicy', 'Query.listPrincipalsWithAccess', 'Query.listAllowedActions',
      'Query.previewAddUserToGroup', 'Query.previewRemoveUserFromGroup',
      'Query.previewPutUserPolicy', 'Query.previewPutGroupPolicy', 'Query.previewPutRolePolicy', 'Query.previewDeleteUserPolicy',
      'Query.previewDeleteGroupPolicy', 'Query.previewDeleteRolePolicy', 'Query.previewAttachUserPolicy', 'Query.previewAttachGroupPolicy',
      'Query.previewAttachRolePolicy', 'Query.previewDetachUserPolicy', 'Query.previewDetachGroupPolicy', 'Query.previewDetachRolePolicy',
      'Query.previewPutUserPermissionsBoundary', 'Query.previewPutRolePermissionsBoundary', 'Query.previewDeleteUserPermissionsBoundary',
      'Query.previewDeleteRolePermissionsBoundary', 'Query.previewCreatePolicyVersion', 'Query.previewSetDefaultPolicyVersion', 'Query.previewUpdateAssumeRolePolicy',
      'Query.lookupEvents',
      'Mutation.createAccount', 'Mutation.signIn', 'Mutation.rotateSigningKey', 'Mutation.signOut', 'Mutation.revokeRoleSessions',
    ]);
  });
});
