// The audit trail: lookupEvents.
import type { Resolvers } from '../../generated/graphql.js';
import { lookupEvents } from '../../audit/lookup.js';
import { requirePrincipal } from '../../context.js';

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

export const auditResolvers: Resolvers = {
  Query: {
    lookupEvents: (_parent, { input, first, after }, ctx) =>
      lookupEvents(ctx.db, ctx.deps.cursors, requirePrincipal(ctx).accountId, input ?? {}, { first, after }),
  },
  AuditEvent: {
    userIdentity: (event: { userIdentity: unknown }) => JSON.stringify(event.userIdentity),
    requestParameters: (event: { requestParameters: unknown }) => json(event.requestParameters),
    responseElements: (event: { responseElements: unknown }) => json(event.responseElements),
    requestID: (event: { requestId: string }) => event.requestId,
  },
};
