// Every root field (each one an AWS API call) is audited, allowed or denied:
// this wraps the guarded resolver, so a denial is recorded with its error code.
import { type GraphQLFieldResolver, type GraphQLSchema, defaultFieldResolver, isObjectType } from 'graphql';
import type { Context } from '../context.js';
import { IamError } from '../errors.js';
import type { AuditCall } from '../audit/events.js';
import { auditedDb, type AuditScope } from '../audit/scope.js';

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

/**
 * Calls that write no event. `jwks` reveals nothing; `isAuthorized*` are authorization
 * questions asked at request rates, like CloudTrail's data events (which AWS records
 * only on request) rather than management events.
 */
const NOT_AUDITED = new Set(['jwks', 'isAuthorized', 'isAuthorizedBatch']);

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
        const call = (overrides: Partial<AuditCall>): AuditCall => ({
          eventName,
          eventSource,
          readOnly,
          requestParameters: args.input ?? args,
          accountId: ctx.principal?.accountId ?? null,
          principal: ctx.principal,
          sourceIp: ctx.sourceIp,
          userAgent: ctx.userAgent,
          requestId: ctx.requestId,
          responseElements: null,
          resources: ctx.auditResources.get(info.path.key as string) ?? [],
          ...overrides,
        });
        // A mutation's event is written by its effect's transaction when it has one (src/audit/scope.ts).
        const scope: AuditScope | undefined = readOnly ? undefined : { build: () => ctx.deps.audit.rowOf(call({})), written: false };
        const run = () => inner(parent, args, ctx, info) as Promise<unknown>;
        try {
          let result: unknown;
          if (scope) {
            // Mutations run one after another, so the handle can be swapped for the call's duration.
            ctx.db = auditedDb(ctx.deps.db, scope);
            try {
              result = await run();
            } finally {
              ctx.db = ctx.deps.db;
            }
          } else {
            result = await run();
          }
          if (scope?.written) {
            await ctx.deps.audit.attachResponse(scope.eventId!, result);
          } else {
            await ctx.deps.audit.record(
              // Lists and connections are not copied into the trail, as CloudTrail omits them for List calls.
              call({ accountId: ctx.principal?.accountId ?? accountOfResult(result), responseElements: readOnly ? null : result }),
            );
          }
          return result;
        } catch (error) {
          // An effect that committed keeps its event; otherwise the failure is the event.
          if (!scope?.written) {
            const known = error instanceof IamError ? error : undefined;
            await ctx.deps.audit.record(
              call({ readOnly: false, errorCode: known?.code ?? 'ServiceFailure', errorMessage: known?.message ?? 'An internal error occurred.' }),
            );
          }
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
