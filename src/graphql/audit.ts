// Every root field (each one an AWS API call) is audited, allowed or denied:
// this wraps the guarded resolver, so a denial is recorded with its error code.
import {
  type GraphQLField, type GraphQLFieldResolver, type GraphQLOutputType, type GraphQLResolveInfo, type GraphQLSchema,
  defaultFieldResolver, getNullableType, isLeafType, isListType, isObjectType,
} from 'graphql';
import type { Context } from '../context.js';
import { IamError } from '../errors.js';
import type { AuditCall } from '../audit/event.js';
import { readGuard } from './guard.js';
import { auditedDb, type AuditScope } from '../audit/scope.js';
import { triedIdentityOf } from '../audit/tried-identity.js';

/** Fields that are STS or sign-in calls rather than IAM calls. */
const EVENT_SOURCES: Record<string, string> = {
  getCallerIdentity: 'sts.amazonaws.com',
  assumeRole: 'sts.amazonaws.com',
  assumeRoleWithWebIdentity: 'sts.amazonaws.com',
  getSessionToken: 'sts.amazonaws.com',
  validatePolicy: 'access-analyzer.amazonaws.com',
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
      const meta: CallMeta = { eventName, eventSource, readOnly, payloadKey: payloadKeyOf(field) };
      field.resolve = readOnly
        ? (parent, args, ctx: Context, info) => {
            // A resolver that answers at once (getCallerIdentity) stays synchronous: no promise for
            // graphql-js to wait on.
            let result: unknown;
            try {
              result = inner(parent, args, ctx, info);
            } catch (error) {
              return readFailed(meta, args, ctx, info, error);
            }
            if (!isPromiseLike(result)) return readSucceeded(meta, args, ctx, info, result);
            return result.then(
              (value) => readSucceeded(meta, args, ctx, info, value),
              (error: unknown) => readFailed(meta, args, ctx, info, error),
            );
          }
        : async (parent, args, ctx: Context, info) => {
            // A mutation's event is written by its effect's transaction when it has one (src/audit/scope.ts).
            /** The responseElements the effect's transaction wrote, as JSON. */
            let writtenJson: string | undefined;
            const scope: AuditScope = {
              async write(tx, result) {
                // Shaped without the request's loaders: they would wait for a second connection while this transaction holds one.
                const call = callOf(meta, args, ctx, info, result, await responseElementsOf(info, responseOf(meta, result), undefined));
                writtenJson = JSON.stringify(call.responseElements);
                return ctx.deps.audit.insert(tx, call);
              },
              written: false,
            };
            try {
              let result: unknown;
              // Mutations run one after another, so the handle can be swapped for the call's duration.
              ctx.db = auditedDb(ctx.deps.db, scope);
              try {
                result = await inner(parent, args, ctx, info);
              } finally {
                ctx.db = ctx.deps.db;
                // A mutation may change any row: what this request's loaders remember (the rows its
                // guard read by name, ...) is forgotten, so a later mutation of the operation reads afresh.
                ctx.loaders.cache.clear();
              }
              const response = await responseElementsOf(info, result, ctx);
              if (!scope.written) await ctx.deps.audit.record(callOf(meta, args, ctx, info, result, response));
              // The response written with the effect is the usual case; a resolver that answered
              // something else than its transaction's result has its event updated to match.
              else if (JSON.stringify(response) !== writtenJson) await ctx.deps.audit.attachResponse(scope.eventId!, response);
              return result;
            } catch (error) {
              // An effect that committed keeps its event; otherwise the failure is the event.
              if (!scope.written) await ctx.deps.audit.record(failedCall(meta, args, ctx, info, error));
              throw error;
            }
          };
    }
  }
  return schema;
}

/** Queues a read's event and passes its result on. Lists and connections are not copied into the trail, as CloudTrail omits them for List calls. */
function readSucceeded(meta: CallMeta, args: Record<string, unknown>, ctx: Context, info: GraphQLResolveInfo, result: unknown): unknown {
  const call = callOf(meta, args, ctx, info, result, null);
  call.firstReadOfRequest = ctx.auditedReads++ === 0;
  ctx.deps.audit.recordRead(call);
  return result;
}

/** Writes a failed read's event at once, then fails with its error. */
async function readFailed(meta: CallMeta, args: Record<string, unknown>, ctx: Context, info: GraphQLResolveInfo, error: unknown): Promise<never> {
  await ctx.deps.audit.record(failedCall(meta, args, ctx, info, error));
  throw error;
}

/** What an audited field always records the same way. */
interface CallMeta {
  eventName: string;
  eventSource: string;
  readOnly: boolean;
  /** The one field of the mutation's payload type (`user` of CreateUserPayload), if it has exactly one. */
  payloadKey: string | undefined;
}

function payloadKeyOf(field: GraphQLField<unknown, unknown>): string | undefined {
  const type = getNullableType(field.type);
  if (!isObjectType(type)) return undefined;
  const names = Object.keys(type.getFields());
  return names.length === 1 ? names[0] : undefined;
}

/**
 * A mutation's response as its transaction resolved with it, for a mutation whose
 * payload has one field: as is when it is that payload, else wrapped in the field
 * (`{ user }` around the user a transaction created), which is how resolvers answer.
 * Nothing otherwise: a call answering `true` has no response elements, whatever row
 * its transaction resolved with.
 */
function responseOf(meta: CallMeta, result: unknown): unknown {
  if (meta.payloadKey === undefined || result === null || typeof result !== 'object') return null;
  return meta.payloadKey in result ? result : { [meta.payloadKey]: result };
}

/** A call's responseElements: none for a call that answers no object (AWS's calls that answer nothing but success). */
async function responseElementsOf(info: GraphQLResolveInfo, result: unknown, ctx: Context | undefined): Promise<unknown> {
  return result !== null && typeof result === 'object' ? awsShapeOf(info.returnType, result, ctx) : null;
}

/**
 * A call's answer as AWS names it, for its event's responseElements: the fields of its
 * GraphQL type (AWS's names: `{ user: { userName, userId, arn, path, createDate } }`), not
 * the database row behind them. Fields that reveal more than the answer itself, each
 * authorized on its own (`@iam`: a user's groups, its tags), are left out, as AWS's
 * answers do not carry them. Fields that need the request's loaders (an access key's
 * `userName`) are read only with `ctx`, once the call's transaction has committed; a
 * field that fails is left out.
 */
async function awsShapeOf(type: GraphQLOutputType, value: unknown, ctx: Context | undefined, depth = 0): Promise<unknown> {
  if (value === null || value === undefined) return null;
  const nullable = getNullableType(type);
  if (isListType(nullable)) return Array.isArray(value) ? Promise.all(value.slice(0, 100).map((item) => awsShapeOf(nullable.ofType, item, ctx, depth))) : null;
  if (isLeafType(nullable)) {
    try {
      return nullable.serialize(value);
    } catch {
      return null;
    }
  }
  if (!isObjectType(nullable) || typeof value !== 'object' || depth > 3) return null;
  const fields = Object.values(nullable.getFields()).filter(
    (field) => field.args.length === 0 && !readGuard(field) && (ctx || !field.resolve || field.resolve.length <= 1),
  );
  const shaped = await Promise.all(
    fields.map(async (field) => {
      try {
        const fieldValue = await (field.resolve ? field.resolve(value, {}, ctx, undefined as never) : (value as Record<string, unknown>)[field.name]);
        return fieldValue === undefined || typeof fieldValue === 'function' ? undefined : ([field.name, await awsShapeOf(field.type, fieldValue, ctx, depth + 1)] as const);
      } catch {
        return undefined;
      }
    }),
  );
  return Object.fromEntries(shaped.filter((entry) => entry !== undefined));
}

/**
 * The event of a call. A call that is its own credential check (a sign-in, GetSessionToken
 * with an access key: their caller is anonymous, or a session other than the credentials
 * tried) is in the account whose credentials were tried; any other call in its caller's
 * account, else in the one its result belongs to (createAccount).
 */
function callOf(meta: CallMeta, args: Record<string, unknown>, ctx: Context, info: GraphQLResolveInfo, result: unknown, responseElements: unknown, error?: unknown): AuditCall {
  const triedIdentity = triedIdentityOf(error ?? result);
  const call: AuditCall = {
    eventName: meta.eventName,
    eventSource: meta.eventSource,
    readOnly: meta.readOnly,
    // A call without parameters has none in CloudTrail either (null, not an empty object).
    requestParameters: args.input ?? (hasParameters(args) ? args : null),
    accountId: triedIdentity?.accountId ?? ctx.principal?.accountId ?? accountOfResult(result),
    principal: ctx.principal,
    sourceIp: ctx.sourceIp,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
    responseElements,
    resources: ctx.auditResources.get(info.path.key as string) ?? [],
  };
  if (triedIdentity) call.userIdentity = { ...triedIdentity };
  if (meta.eventName === 'ConsoleLogin') {
    // CloudTrail's sign-in events: no request parameters (a user name that names no one may
    // be a mistyped password) and the outcome alone.
    call.requestParameters = null;
    call.responseElements = { ConsoleLogin: 'Success' };
  }
  return call;
}

/** The event of a call that failed (written at once, reads included: denials are what reviews look for). */
function failedCall(meta: CallMeta, args: Record<string, unknown>, ctx: Context, info: GraphQLResolveInfo, error: unknown): AuditCall {
  const known = error instanceof IamError ? error : undefined;
  const call = callOf(meta, args, ctx, info, null, null, error);
  call.errorCode = known?.code ?? 'ServiceFailure';
  call.errorMessage = known?.message ?? 'An internal error occurred.';
  if (meta.eventName === 'ConsoleLogin') call.responseElements = { ConsoleLogin: 'Failure' };
  return call;
}

function hasParameters(args: Record<string, unknown>): boolean {
  for (const key in args) if (args[key] !== undefined) return true;
  return false;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function accountOfResult(result: unknown): string | null {
  if (!result || typeof result !== 'object') return null;
  const record = result as { accountId?: unknown; arn?: unknown };
  if (typeof record.accountId === 'string') return record.accountId;
  if (typeof record.arn === 'string') return record.arn.split(':')[4] || null;
  return null;
}
