// STS fields: role assumption.
import type { Resolvers } from '../../generated/graphql.js';
import { guarded } from '../caller.js';
import { requestFacts } from '../../context.js';
import { assumeRole } from '../../sts/assume-role.js';
import { revokeOlderRoleSessions } from '../../iam/revocations.js';
import { verifyCallerMfaCode } from '../../auth/mfa-verify.js';

export const stsResolvers: Resolvers = {
  Mutation: {
    revokeRoleSessions: guarded(async (caller, { input }, ctx) => {
      return { revokedBefore: await revokeOlderRoleSessions(ctx.db, caller.accountId, input.roleName, ctx.deps.clock.now()) };
    }),
    assumeRole: guarded(async (principal, { input }, ctx) => {
      const authorizer = ctx.deps.authorizer;
      return assumeRole(ctx.deps, {
        principal,
        input,
        effectivePolicies: (p) => authorizer.effective(p),
        verifyMfa: (p, serial, code) => verifyCallerMfaCode(ctx.deps, p, serial, code, ctx.sourceIp),
        request: requestFacts(ctx),
      });
    }),
  },
};
