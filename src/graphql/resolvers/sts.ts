// STS fields: role assumption.
import type { Resolvers } from '../../generated/graphql.js';
import { requirePrincipal } from '../../context.js';
import { assumeRole } from '../../sts/assume-role.js';
import { putInlinePolicy } from '../../iam/inline-policies.js';
import { verifyCallerMfaCode } from '../../auth/mfa-verify.js';

/** AWS's inline policy for "Revoke active sessions". */
export const REVOKE_OLDER_SESSIONS = 'AWSRevokeOlderSessions';

export const stsResolvers: Resolvers = {
  Mutation: {
    revokeRoleSessions: async (_parent, { input }, ctx) => {
      const revokedBefore = new Date();
      const document = JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': revokedBefore.toISOString() } } },
        ],
      });
      await putInlinePolicy(ctx.db, requirePrincipal(ctx).accountId, 'role', input.roleName, REVOKE_OLDER_SESSIONS, document);
      return { revokedBefore };
    },
    assumeRole: async (_parent, { input }, ctx) => {
      const principal = requirePrincipal(ctx);
      const authorizer = ctx.deps.authorizer;
      return assumeRole(ctx.deps, {
        principal,
        input,
        effectivePolicies: (p) => authorizer.effective(p),
        verifyMfa: (p, serial, code) => verifyCallerMfaCode(ctx.deps, p, serial, code, ctx.sourceIp),
        request: { sourceIp: ctx.sourceIp, secureTransport: ctx.secureTransport, now: new Date() },
      });
    },
  },
};
