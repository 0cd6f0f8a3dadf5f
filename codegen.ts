// graphql-codegen: resolver types generated from schema.graphql (never written by hand).
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
          User: '../generated/prisma/client.js#User as UserModel',
          Group: '../generated/prisma/client.js#Group as GroupModel',
          Role: '../generated/prisma/client.js#Role as RoleModel',
          InstanceProfile: '../generated/prisma/client.js#InstanceProfile as InstanceProfileModel',
          AccessKeyMetadata: '../generated/prisma/client.js#AccessKey as AccessKeyModel',
        },
        optionalResolveType: true,
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: false,
        maybeValue: 'T | null | undefined',
      },
    },
  },
};

export default config;
