// One guard for every field: each Query, Mutation and data-revealing nested
// field states its IAM action and resource with `@iam` in schema.graphql (or is
// marked `@public` with a reason). This wraps those fields' resolvers so the
// authorizer decides before the resolver touches any protected data.
import { type GraphQLFieldResolver, type GraphQLResolveInfo, type GraphQLSchema, defaultFieldResolver, isObjectType, valueFromASTUntyped } from 'graphql';
import type { Context } from '../context.js';
import { noteDecision, requestFacts, requirePrincipal } from '../context.js';
import type { Principal } from '../sessions/principal.js';
import { callerResolverOf } from './caller.js';
import { accessDenied, isInAccount, PolicyDenialError } from '../auth/authorize.js';
import { NoSuchEntityError } from '../errors.js';
import { parseIamArn } from '../iam/arn.js';
import { compileResource } from '../auth/resources.js';
import { compileRequestKeys, type RequestKeysResolver } from '../auth/request-keys.js';

/**
 * A federated user's session (GetFederationToken) calls no IAM operation and no STS operation
 * but GetCallerIdentity (a public field): "You cannot call any IAM operations using the AWS CLI
 * or the AWS API" and "You cannot call any STS operations except GetCallerIdentity".
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
 */
function isRefusedToFederatedUsers(action: string): boolean {
  return action.startsWith('iam:') || action.startsWith('sts:');
}

/** Actions a session that must first change its password may still perform. */
const PASSWORD_RESET_ACTIONS = new Set(['iam:ChangePassword', 'iam:GetAccountPasswordPolicy', 'sts:GetCallerIdentity']);

export interface FieldGuard {
  action: string;
  resource: string;
  /**
   * `guard` (default): decided here from the caller's policies. `resolver`: the
   * decision also needs a resource-based policy (a role's trust policy), so the
   * resolver asks the policy engine itself, with both sides at once.
   */
  decision: 'guard' | 'resolver';
  /** Also required, on the same resource, when `input.tags` is not empty (tag on create). */
  tagAction?: string;
}

/** Reads the `@iam` directive of a field, if any. */
export function readGuard(field: { astNode?: { directives?: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: unknown }[] }[] } | null }): FieldGuard | undefined {
  const directive = field.astNode?.directives?.find((d) => d.name.value === 'iam');
  if (!directive) return undefined;
  const arg = (name: string) => {
    const node = directive.arguments?.find((a) => a.name.value === name);
    return node ? (valueFromASTUntyped(node.value as Parameters<typeof valueFromASTUntyped>[0]) as string) : undefined;
  };
  const tagAction = arg('tagAction');
  return { action: arg('action')!, resource: arg('resource') ?? '*', decision: arg('decision') === 'resolver' ? 'resolver' : 'guard', ...(tagAction ? { tagAction } : {}) };
}

/** True for a well-formed ARN that names another account (the `aws` account's policies belong to every account). */
function isForeignArn(arn: string, accountId: string): boolean {
  const parts = arn.split(':');
  return parts[0] === 'arn' && parts.length >= 6 && parts[4] !== 'aws' && !isInAccount(arn, accountId);
}

/** NoSuchEntity for an ARN of another account, worded as the services word a missing entity. */
function foreignEntityError(arn: string): NoSuchEntityError {
  const parsed = parseIamArn(arn);
  switch (parsed?.type) {
    case 'policy':
      return new NoSuchEntityError(`Policy ${arn} was not found.`);
    case 'mfa':
      return new NoSuchEntityError(`VirtualMFADevice with serial number ${arn} doesn't exist.`);
    case 'user':
    case 'group':
    case 'role':
      return new NoSuchEntityError(`The ${parsed.type} with name ${parsed.name} cannot be found.`);
    case 'instance-profile':
      return new NoSuchEntityError(`Instance Profile ${parsed.name} cannot be found.`);
    default:
      return new NoSuchEntityError(`Entity ${arn} does not exist.`);
  }
}

/** Whether the caller's policies can read condition keys taken from the resource (root's are never evaluated). */
async function readsResourceFacts(ctx: Context, principal: Principal): Promise<boolean> {
  return principal.kind !== 'root' && (await ctx.deps.authorizer.effective(principal)).readsResourceFacts;
}

/** Throws AccessDenied unless the caller's policies allow `action` on `resourceArn`, with the action's request keys. */
async function authorizeAction(ctx: Context, principal: Principal, action: string, keysOf: RequestKeysResolver | undefined, args: Record<string, unknown>, resourceArn: string): Promise<void> {
  await ctx.deps.authorizer.authorize({
    principal,
    action,
    resourceArn,
    context: await keysOf?.({ args, db: ctx.db, loaders: ctx.loaders, principal, resourceArn, resourceFacts: await readsResourceFacts(ctx, principal) }),
    request: requestFacts(ctx),
  });
  noteDecision(ctx.record, 'allowed');
}

/** Runs a field whose resolver makes the decision itself (AssumeRole's trust), noting and counting it. */
async function resolveDeciding(ctx: Context, run: () => unknown): Promise<unknown> {
  try {
    const result = await run();
    noteDecision(ctx.record, 'allowed');
    ctx.deps.metrics.decisions.count('allowed');
    return result;
  } catch (error) {
    if (error instanceof PolicyDenialError) ctx.deps.metrics.decisions.count(error.decision);
    throw error;
  }
}

/** True when the call's input carries at least one tag. */
function hasTags(args: Record<string, unknown>): boolean {
  const tags = (args.input as { tags?: unknown } | undefined)?.tags;
  return Array.isArray(tags) && tags.length > 0;
}

/** Wraps every `@iam` field of the schema with the authorization check. */
export function applyGuards(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const guard = readGuard(field);
      if (!guard) {
        // INVARIANT: a resolver written to receive the checked caller never runs unchecked.
        if (callerResolverOf(field.resolve)) throw new Error(`${type.name}.${field.name} is declared guarded() but has no @iam directive`);
        continue;
      }
      const resolveResource = compileResource(guard.resource);
      const resolveRequestKeys = compileRequestKeys(guard.action);
      const tag = guard.tagAction ? { action: guard.tagAction, resolveRequestKeys: compileRequestKeys(guard.tagAction) } : undefined;
      const inner: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
      // A resolver declared with `guarded` is handed the caller checked here.
      const takesCaller = callerResolverOf(field.resolve);
      const resolve = (principal: Principal, parent: unknown, args: Record<string, unknown>, ctx: Context, info: GraphQLResolveInfo) =>
        takesCaller ? takesCaller(principal, args, ctx, parent) : inner(parent, args, ctx, info);
      field.resolve = async (parent, args, ctx: Context, info) => {
        const principal = requirePrincipal(ctx);
        const resourceArn = await resolveResource({ parent, args, principal, db: ctx.db, loaders: ctx.loaders });
        if (info.path.prev === undefined) ctx.auditResources.set(info.path.key as string, resourceArn === '*' ? [] : [resourceArn]);
        if (principal.passwordResetOnly && !PASSWORD_RESET_ACTIONS.has(guard.action)) {
          throw accessDenied(principal, guard.action, resourceArn, 'the password must be changed before any other action');
        }
        if (principal.kind === 'federated-user' && isRefusedToFederatedUsers(guard.action)) {
          throw accessDenied(principal, guard.action, resourceArn, 'a federated user session cannot call IAM or STS operations (except GetCallerIdentity)');
        }
        if (guard.decision === 'resolver') return resolveDeciding(ctx, () => resolve(principal, parent, args, ctx, info));
        // Tenants are sealed: another account's IAM entity answers exactly what a missing one does.
        if (isForeignArn(resourceArn, principal.accountId)) throw foreignEntityError(resourceArn);
        await authorizeAction(ctx, principal, guard.action, resolveRequestKeys, args, resourceArn);
        if (tag && hasTags(args)) await authorizeAction(ctx, principal, tag.action, tag.resolveRequestKeys, args, resourceArn);
        return resolve(principal, parent, args, ctx, info);
      };
    }
  }
  return schema;
}
