// graphql-codegen: resolver types generated from schema.graphql, and typed documents for the
// operations the tests send (test/operations/*.graphql); neither is written by hand.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema.graphql',
  generates: {
    'src/generated/graphql.ts': {
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        contextType: '../context.js#Context',
        useIndexSignature: false,
        scalars: { DateTime: 'Date | string' },
        mappers: {
          AuditEvent: '../generated/prisma/client.js#AuditEvent as AuditEventModel',
          User: '../generated/prisma/client.js#User as UserModel',
          Group: '../generated/prisma/client.js#Group as GroupModel',
          GetGroupResult: '../graphql/models.js#GetGroupResultModel',
          Role: '../generated/prisma/client.js#Role as RoleModel',
          InstanceProfile: '../generated/prisma/client.js#InstanceProfile as InstanceProfileModel',
          AccessKeyMetadata: '../iam/access-keys.js#AccessKeyRecord',
          LoginProfile: '../iam/login-profiles.js#LoginProfileRecord',
          Policy: '../iam/managed-policies.js#PolicyModel',
          PolicyVersion: '../iam/policy-versions.js#PolicyVersionModel',
          AttachedPolicy: '../iam/attachments.js#AttachedPolicyModel',
          PolicyEntity: '../iam/attachments.js#PolicyEntityModel',
          UserInlinePolicy: '../iam/inline-policies.js#InlinePolicyModel',
          GroupInlinePolicy: '../iam/inline-policies.js#InlinePolicyModel',
          RoleInlinePolicy: '../iam/inline-policies.js#InlinePolicyModel',
          VirtualMFADevice: '../iam/mfa.js#VirtualMfaDeviceModel',
        },
        optionalResolveType: true,
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: false,
        maybeValue: 'T | null | undefined',
      },
    },
    'test/generated/graphql.ts': {
      documents: 'test/operations/*.graphql',
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        // Names as the schema and test/operations spell them (CreateVirtualMFADeviceDocument).
        namingConvention: 'keep',
        // The tests read responses as JSON: a DateTime arrives as its ISO string.
        scalars: { DateTime: 'string' },
      },
    },
  },
};

export default config;
