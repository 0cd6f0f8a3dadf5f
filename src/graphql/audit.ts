// Every root field (each one an AWS API call) is audited, allowed or denied:
// this wraps the guarded resolver, so a denial is recorded with its error code.
import { type GraphQLFieldResolver, type GraphQLSchema, defaultFieldResolver, isObjectType } from 'graphql';
import type { Context } from '../context.js';
import { IamError } from '../errors.js';

/** Fields that are STS or sign-in calls rather than IAM calls. */
const EVENT_SOURCES: Record<string, string> = {
  getCallerIdentity: 'sts.amazonaws.com',
  assumeRole: 'sts.amazonaws.com',
  getSessionToken: 'sts.amazonaws.com',
  signIn: 'signin.amazonaws.com',
  signOut: 'signin.amazonaws.com',
  lookupEvents: 'cloudtrail.amazonaws.com',
  createAccount: 'organizations.amazonaws.com',
};

/** CloudTrail's eventName for a field: its AWS action name. */
export function eventNameOf(fieldName: string): string {
  if (fieldName === 'signIn') return 'ConsoleLogin';
  return fieldName.charAt(0).toUpperCase() + fieldName.slice(1);
}

/** Reads that are not worth an event each (answered for the caller about itself, at high rates). */
const NOT_AUDITED = new Set(['jwks']);

/** Wraps every Query and Mutation field so that each call writes one audit event. */
export function applyAudit(schema: GraphQLSchema): GraphQLSchema {
  for (const typeName of ['Query', 'Mutation'] as const) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    const readOnly = typeName === 'Query';
    for (const field of Object.values(type.getFields())) {
      if (NOT_AUDITED.has(field.name)) continue;
      const inner: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
      const eventName = eventNameOf(field.name);
      const eventSource = EVENT_SOURCES[field.name] ?? 'iam.amazonaws.com';
      field.resolve = async (parent, args, ctx: Context, info) => {
        const base = { eventName, eventSource, readOnly, requestParameters: args.input ?? args };
        try {
          const result = await inner(parent, args, ctx, info);
          await ctx.deps.audit.record({
            ...base,
            accountId: ctx.principal?.accountId ?? accountOfResult(result),
            principal: ctx.principal,
            sourceIp: ctx.sourceIp,
            userAgent: ctx.userAgent,
            requestId: ctx.requestId,
            // Lists and connections are not copied into the trail, as CloudTrail omits them for List calls.
            responseElements: readOnly ? null : result,
            resources: ctx.auditResources.get(info.path.key as string) ?? [],
          });
          return result;
        } catch (error) {
          const known = error instanceof IamError ? error : undefined;
          await ctx.deps.audit.record({
            ...base,
            readOnly: false,
            accountId: ctx.principal?.accountId ?? null,
            principal: ctx.principal,
            sourceIp: ctx.sourceIp,
            userAgent: ctx.userAgent,
            requestId: ctx.requestId,
            responseElements: null,
            resources: ctx.auditResources.get(info.path.key as string) ?? [],
            errorCode: known?.code ?? 'ServiceFailure',
            errorMessage: known?.message ?? 'An internal error occurred.',
          });
          throw error;
        }
      };
    }
  }
  return schema;
}

function accountOfResult(result: unknown): string | null {
  if (!result || typeof result !== 'object') return null;
  const record = result as { accountId?: unknown; arn?: unknown };
  if (typeof record.accountId === 'string') return record.accountId;
  if (typeof record.arn === 'string') return record.arn.split(':')[4] || null;
  return null;
}
