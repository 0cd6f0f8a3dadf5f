// STS fields: role assumption.
import type { Resolvers } from '../../generated/graphql.js';
import { requirePrincipal } from '../../context.js';
import { assumeRole } from '../../sts/assume-role.js';
import { verifyCallerMfaCode } from '../../auth/mfa-verify.js';

export const stsResolvers: Resolvers = {
  Mutation: {
    assumeRole: async (_parent, { input }, ctx) => {
      const principal = requirePrincipal(ctx);
      const authorizer = ctx.deps.authorizer;
      return assumeRole(ctx.deps, {
        principal,
        input,
        effectivePolicies: (p) => authorizer.effective(p),
        verifyMfa: (p, serial, code) => verifyCallerMfaCode(ctx.deps, p, serial, code),
        request: { sourceIp: ctx.sourceIp, secureTransport: ctx.secureTransport, now: new Date() },
      });
    },
  },
};
