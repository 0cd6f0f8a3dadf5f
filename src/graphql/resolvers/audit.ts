// The audit trail: lookupEvents.
import type { Resolvers } from '../../generated/graphql.js';
import { guarded } from '../caller.js';
import { lookupEvents } from '../../audit/lookup.js';

const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

export const auditResolvers: Resolvers = {
  Query: {
    lookupEvents: guarded((caller, { input, first, after }, ctx) => 
      lookupEvents(ctx.db, ctx.deps.cursors, caller.accountId, input ?? {}, { first, after }, ctx.deps.clock.now())),
  },
  AuditEvent: {
    userIdentity: (event: { userIdentity: unknown }) => JSON.stringify(event.userIdentity),
    requestParameters: (event: { requestParameters: unknown }) => json(event.requestParameters),
    responseElements: (event: { responseElements: unknown }) => json(event.responseElements),
    requestID: (event: { requestId: string }) => event.requestId,
  },
};
