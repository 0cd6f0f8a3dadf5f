// STS fields: role assumption.
import type { Resolvers } from '../../generated/graphql.js';
import { requestFacts, requirePrincipal } from '../../context.js';
import { assumeRole } from '../../sts/assume-role.js';
import { revokeOlderRoleSessions } from '../../iam/revocations.js';
import { verifyCallerMfaCode } from '../../auth/mfa-verify.js';

export const stsResolvers: Resolvers = {
  Mutation: {
    revokeRoleSessions: async (_parent, { input }, ctx) => {
      return { revokedBefore: await revokeOlderRoleSessions(ctx.db, requirePrincipal(ctx).accountId, input.roleName, ctx.deps.clock.now()) };
    },
    assumeRole: async (_parent, { input }, ctx) => {
      const principal = requirePrincipal(ctx);
      const authorizer = ctx.deps.authorizer;
      return assumeRole(ctx.deps, {
        principal,
        input,
        effectivePolicies: (p) => authorizer.effective(p),
        verifyMfa: (p, serial, code) => verifyCallerMfaCode(ctx.deps, p, serial, code, ctx.sourceIp),
        request: requestFacts(ctx),
      });
    },
  },
};
