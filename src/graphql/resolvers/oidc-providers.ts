// IAM OIDC providers and the STS exchange they serve (AssumeRoleWithWebIdentity): thin
// resolvers over src/iam/oidc-providers.ts and src/sts/assume-role-with-web-identity.ts.
// Every lookup is scoped to the caller's account.
import type { Resolvers } from '../../generated/graphql.js';
import { requestFacts } from '../../context.js';
import { guarded } from '../caller.js';
import { paginateList } from '../../db/pagination.js';
import { listTags } from '../../iam/tags.js';
import {
  addClientIdToOidcProvider,
  createOidcProvider,
  deleteOidcProvider,
  findOidcProvider,
  listOidcProviders,
  removeClientIdFromOidcProvider,
  tagOidcProvider,
  untagOidcProvider,
  updateOidcProviderThumbprint,
} from '../../iam/oidc-providers.js';
import { assumeRoleWithWebIdentity } from '../../sts/assume-role-with-web-identity.js';

export const oidcProviderResolvers: Resolvers = {
  Query: {
    getOpenIDConnectProvider: guarded(async ({ accountId }, { input }, ctx) => {
      const provider = await findOidcProvider(ctx.db, accountId, input.openIDConnectProviderArn);
      return {
        url: provider.url,
        clientIDList: provider.clientIds,
        thumbprintList: provider.thumbprints,
        createDate: provider.createdAt,
        tags: await listTags(ctx.db, 'oidc-provider', provider.id),
      };
    }),
    listOpenIDConnectProviders: guarded(async ({ accountId }, _args, ctx) => {
      return { openIDConnectProviderList: (await listOidcProviders(ctx.db, accountId)).map((provider) => ({ arn: provider.arn })) };
    }),
    listOpenIDConnectProviderTags: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const provider = await findOidcProvider(ctx.db, accountId, input.openIDConnectProviderArn);
      const tags = await listTags(ctx.db, 'oidc-provider', provider.id);
      return paginateList(ctx.deps.cursors, `${accountId}:listOpenIDConnectProviderTags:${provider.id}`, { first, after }, (tag) => tag.key.toLowerCase(), tags);
    }),
  },
  Mutation: {
    createOpenIDConnectProvider: guarded(async ({ accountId }, { input }, ctx) => {
      const provider = await createOidcProvider(ctx.db, accountId, input, { allowHttpLoopback: ctx.deps.config.oidcAllowHttpLoopback });
      return { openIDConnectProviderArn: provider.arn, tags: await listTags(ctx.db, 'oidc-provider', provider.id) };
    }),
    deleteOpenIDConnectProvider: guarded(async ({ accountId }, { input }, ctx) => {
      await deleteOidcProvider(ctx.db, accountId, input.openIDConnectProviderArn);
      return true;
    }),
    addClientIDToOpenIDConnectProvider: guarded(async ({ accountId }, { input }, ctx) => {
      await addClientIdToOidcProvider(ctx.db, accountId, input.openIDConnectProviderArn, input.clientID);
      return true;
    }),
    removeClientIDFromOpenIDConnectProvider: guarded(async ({ accountId }, { input }, ctx) => {
      await removeClientIdFromOidcProvider(ctx.db, accountId, input.openIDConnectProviderArn, input.clientID);
      return true;
    }),
    updateOpenIDConnectProviderThumbprint: guarded(async ({ accountId }, { input }, ctx) => {
      await updateOidcProviderThumbprint(ctx.db, accountId, input.openIDConnectProviderArn, input.thumbprintList);
      return true;
    }),
    tagOpenIDConnectProvider: guarded(async ({ accountId }, { input }, ctx) => {
      await tagOidcProvider(ctx.db, accountId, input.openIDConnectProviderArn, input.tags);
      return true;
    }),
    untagOpenIDConnectProvider: guarded(async ({ accountId }, { input }, ctx) => {
      await untagOidcProvider(ctx.db, accountId, input.openIDConnectProviderArn, input.tagKeys);
      return true;
    }),
    // Public, as in AWS: the token is the credential (verified in the service, which marks the audit identity).
    assumeRoleWithWebIdentity: (_parent, { input }, ctx) => assumeRoleWithWebIdentity(ctx.deps, input, requestFacts(ctx)),
  },
};
