// Every resolver map, merged. Add one line per entity file.
import { GraphQLScalarType } from 'graphql';
import type { Resolvers } from '../../generated/graphql.js';
import { DateTime } from '../scalars.js';
import { credentialsResolvers } from './credentials.js';
import { groupResolvers } from './groups.js';
import { instanceProfileResolvers } from './instance-profiles.js';
import { policyResolvers } from './policies.js';
import { roleResolvers } from './roles.js';
import { sessionResolvers } from './session.js';
import { stsResolvers } from './sts.js';
import { auditResolvers } from './audit.js';
import { authorizationResolvers } from './authorization.js';
import { userResolvers } from './users.js';
import { reportResolvers } from './reports.js';
import { oidcProviderResolvers } from './oidc-providers.js';
import { samlProviderResolvers } from './saml-providers.js';

const maps: Resolvers[] = [
  sessionResolvers,
  stsResolvers,
  auditResolvers,
  authorizationResolvers,
  userResolvers,
  groupResolvers,
  policyResolvers,
  roleResolvers,
  instanceProfileResolvers,
  credentialsResolvers,
  reportResolvers,
  oidcProviderResolvers,
  samlProviderResolvers,
];

/** The merged resolver map. */
export const resolvers: Resolvers = mergeResolvers([{ DateTime }, ...maps]);

function mergeResolvers(list: Resolvers[]): Resolvers {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const map of list) {
    for (const [type, fields] of Object.entries(map)) {
      if (fields instanceof GraphQLScalarType) {
        merged[type] = fields as unknown as Record<string, unknown>;
        continue;
      }
      const target = (merged[type] ??= {});
      for (const [field, resolve] of Object.entries(fields as Record<string, unknown>)) {
        if (field in target) throw new Error(`Two resolvers for ${type}.${field}`);
        target[field] = resolve;
      }
    }
  }
  return merged as Resolvers;
}
