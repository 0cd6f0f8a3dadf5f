// One guard for every field: each Query, Mutation and data-revealing nested
// field states its IAM action and resource with `@iam` in schema.graphql (or is
// marked `@public` with a reason). This wraps those fields' resolvers so the
// authorizer decides before the resolver touches any protected data.
import { type GraphQLFieldResolver, type GraphQLSchema, defaultFieldResolver, isObjectType, valueFromASTUntyped } from 'graphql';
import type { Context } from '../context.js';
import { requirePrincipal } from '../context.js';
import type { Principal } from '../auth/principal.js';
import { accessDenied, isInAccount } from '../auth/authorize.js';
import { NoSuchEntityError } from '../errors.js';
import { parseIamArn } from '../iam/arn.js';
import { compileResource } from '../auth/resources.js';
import { compileRequestKeys } from '../auth/request-keys.js';

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
}

/** Reads the `@iam` directive of a field, if any. */
export function readGuard(field: { astNode?: { directives?: readonly { name: { value: string }; arguments?: readonly { name: { value: string }; value: unknown }[] }[] } | null }): FieldGuard | undefined {
  const directive = field.astNode?.directives?.find((d) => d.name.value === 'iam');
  if (!directive) return undefined;
  const arg = (name: string) => {
    const node = directive.arguments?.find((a) => a.name.value === name);
    return node ? (valueFromASTUntyped(node.value as Parameters<typeof valueFromASTUntyped>[0]) as string) : undefined;
  };
  return { action: arg('action')!, resource: arg('resource') ?? '*', decision: arg('decision') === 'resolver' ? 'resolver' : 'guard' };
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

/** Wraps every `@iam` field of the schema with the authorization check. */
export function applyGuards(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const guard = readGuard(field);
      if (!guard) continue;
      const resolveResource = compileResource(guard.resource);
      const resolveRequestKeys = compileRequestKeys(guard.action);
      const inner: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
      field.resolve = async (parent, args, ctx: Context, info) => {
        const principal = requirePrincipal(ctx);
        const resourceArn = await resolveResource({ parent, args, ctx, principal });
        if (info.path.prev === undefined) ctx.auditResources.set(info.path.key as string, resourceArn === '*' ? [] : [resourceArn]);
        if (principal.passwordResetOnly && !PASSWORD_RESET_ACTIONS.has(guard.action)) {
          throw accessDenied(principal, guard.action, resourceArn, 'the password must be changed before any other action');
        }
        if (guard.decision === 'resolver') return inner(parent, args, ctx, info);
        // Tenants are sealed: another account's IAM entity answers exactly what a missing one does.
        if (isForeignArn(resourceArn, principal.accountId)) throw foreignEntityError(resourceArn);
        await ctx.deps.authorizer.authorize({
          principal,
          action: guard.action,
          resourceArn,
          context: await resolveRequestKeys?.({ args, ctx, principal, resourceArn, resourceFacts: await readsResourceFacts(ctx, principal) }),
          request: { sourceIp: ctx.sourceIp, secureTransport: ctx.secureTransport, now: new Date() },
        });
        return inner(parent, args, ctx, info);
      };
    }
  }
  return schema;
}
