// STS fields: role assumption and federated users.
import type { Resolvers } from '../../generated/graphql.js';
import { guarded } from '../caller.js';
import { requestFacts } from '../../context.js';
import { assumeRole } from '../../sts/assume-role.js';
import { getFederationToken } from '../../sts/get-federation-token.js';
import { revokeOlderRoleSessions } from '../../iam/revocations.js';
import { verifyCallerMfaCode } from '../../auth/mfa-verify.js';

export const stsResolvers: Resolvers = {
  Mutation: {
    revokeRoleSessions: guarded(async (caller, { input }, ctx) => {
      return { revokedBefore: await revokeOlderRoleSessions(ctx.db, caller.accountId, input.roleName, ctx.deps.clock.now()) };
    }),
    getFederationToken: guarded((principal, { input }, ctx) => getFederationToken(ctx.deps, principal, input)),
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
