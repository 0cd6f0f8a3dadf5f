// IAM SAML providers and the STS exchange they serve (AssumeRoleWithSAML): thin resolvers
// over src/iam/saml-providers.ts and src/sts/assume-role-with-saml.ts. Every lookup is
// scoped to the caller's account.
import type { Resolvers } from '../../generated/graphql.js';
import { requestFacts } from '../../context.js';
import { guarded } from '../caller.js';
import { paginateList } from '../../db/pagination.js';
import { listTags } from '../../iam/tags.js';
import {
  createSamlProvider,
  deleteSamlProvider,
  findSamlProvider,
  listSamlProviders,
  tagSamlProvider,
  untagSamlProvider,
  updateSamlProvider,
} from '../../iam/saml-providers.js';
import { assumeRoleWithSaml } from '../../sts/assume-role-with-saml.js';

export const samlProviderResolvers: Resolvers = {
  Query: {
    getSAMLProvider: guarded(async ({ accountId }, { input }, ctx) => {
      const provider = await findSamlProvider(ctx.db, accountId, input.samlProviderArn);
      return {
        samlMetadataDocument: provider.metadataDocument,
        createDate: provider.createdAt,
        validUntil: provider.validUntil,
        tags: await listTags(ctx.db, 'saml-provider', provider.id),
      };
    }),
    listSAMLProviders: guarded(async ({ accountId }, _args, ctx) => {
      const providers = await listSamlProviders(ctx.db, accountId);
      return { samlProviderList: providers.map((provider) => ({ arn: provider.arn, validUntil: provider.validUntil, createDate: provider.createdAt })) };
    }),
    listSAMLProviderTags: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const provider = await findSamlProvider(ctx.db, accountId, input.samlProviderArn);
      const tags = await listTags(ctx.db, 'saml-provider', provider.id);
      return paginateList(ctx.deps.cursors, `${accountId}:listSAMLProviderTags:${provider.id}`, { first, after }, (tag) => tag.key.toLowerCase(), tags);
    }),
  },
  Mutation: {
    createSAMLProvider: guarded(async ({ accountId }, { input }, ctx) => {
      const provider = await createSamlProvider(ctx.db, accountId, input);
      return { samlProviderArn: provider.arn, tags: await listTags(ctx.db, 'saml-provider', provider.id) };
    }),
    updateSAMLProvider: guarded(async ({ accountId }, { input }, ctx) => {
      const provider = await updateSamlProvider(ctx.db, accountId, input);
      return { samlProviderArn: provider.arn };
    }),
    deleteSAMLProvider: guarded(async ({ accountId }, { input }, ctx) => {
      await deleteSamlProvider(ctx.db, accountId, input.samlProviderArn);
      return true;
    }),
    tagSAMLProvider: guarded(async ({ accountId }, { input }, ctx) => {
      await tagSamlProvider(ctx.db, accountId, input.samlProviderArn, input.tags);
      return true;
    }),
    untagSAMLProvider: guarded(async ({ accountId }, { input }, ctx) => {
      await untagSamlProvider(ctx.db, accountId, input.samlProviderArn, input.tagKeys);
      return true;
    }),
    // Public, as in AWS: the signed response is the credential (verified in the service, which marks the audit identity).
    assumeRoleWithSAML: (_parent, { input }, ctx) => assumeRoleWithSaml(ctx.deps, input, requestFacts(ctx)),
  },
};
