// Accounts, sign-in and "who am I": the fields that establish identity.
import type { Resolvers } from '../../generated/graphql.js';
import { requirePrincipal } from '../../context.js';
import { signIn } from '../../auth/sign-in.js';
import { AccessDeniedError } from '../../errors.js';
import { createAccount } from '../../iam/accounts.js';
import { checkRootPassword } from '../../iam/password-rules.js';
import { revokeSession } from '../../sessions/sessions.js';

export const sessionResolvers: Resolvers = {
  Query: {
    // Public (AWS asks no permission for it), so no guard hands over the caller: it is read here.
    getCallerIdentity: (_parent, _args, ctx) => {
      const principal = requirePrincipal(ctx);
      return { account: principal.accountId, arn: principal.arn, userId: principal.principalId };
    },
    jwks: (_parent, _args, ctx) => JSON.stringify({ keys: ctx.deps.keys.publicKeys() }),
  },
  Mutation: {
    createAccount: async (_parent, { input }, ctx) => {
      const secret = ctx.deps.config.operatorToken;
      if (!secret || !ctx.operator) {
        throw new AccessDeniedError(
          secret
            ? 'createAccount requires the operator token: send Authorization: Bearer <IAM_OPERATOR_TOKEN>.'
            : 'createAccount is disabled: the server was started without IAM_OPERATOR_TOKEN.',
        );
      }
      return createAccount(ctx.db, ctx.deps.passwords, input, checkRootPassword);
    },
    rotateSigningKey: async (_parent, _args, ctx) => {
      if (!ctx.deps.config.operatorToken || !ctx.operator) {
        throw new AccessDeniedError('rotateSigningKey requires the operator token: send Authorization: Bearer <IAM_OPERATOR_TOKEN>.');
      }
      const kid = await ctx.deps.keys.rotate();
      return { kid, publishedKeys: ctx.deps.keys.publicKeys().length, activatesAt: ctx.deps.keys.activationOf(kid) };
    },
    signIn: async (_parent, { input }, ctx) => {
      // The result (or the error) carries whose credentials were tried, for the audit's ConsoleLogin event.
      return signIn(ctx.deps, input, { sourceIp: ctx.sourceIp });
    },
    signOut: async (_parent, _args, ctx) => {
      await revokeSession(ctx.db, requirePrincipal(ctx).sessionId, ctx.deps.clock.now());
      return true;
    },
  },
};

