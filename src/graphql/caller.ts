// Resolvers of guarded fields receive the caller the @iam guard already checked,
// as their first argument: `createUser: guarded((caller, { input }, ctx) => …)`.
// The guard (src/graphql/guard.ts) hands it over; such a resolver on a field
// without a guard fails loudly instead of running unchecked.
import type { Context } from '../context.js';
import type { Principal } from '../sessions/principal.js';

/** A guarded field's resolver: the checked caller, the field's arguments, the context and the parent. */
export type CallerResolver<TParent, TArgs, TResult> = (caller: Principal, args: TArgs, ctx: Context, parent: TParent) => TResult;

const TAKES_CALLER = Symbol('takesCaller');

/** Declares a resolver that the guard calls with the caller it checked. */
export function guarded<TResult, TParent, TArgs>(resolve: CallerResolver<TParent, TArgs, TResult>): (parent: TParent, args: TArgs, ctx: Context) => TResult {
  const unguarded = (): never => {
    throw new Error('A guarded resolver runs only behind the @iam guard: the field needs an @iam directive.');
  };
  return Object.assign(unguarded, { [TAKES_CALLER]: resolve });
}

/** The caller-taking form of a resolver declared with `guarded`, if it is one. */
export function callerResolverOf(resolve: unknown): CallerResolver<unknown, Record<string, unknown>, unknown> | undefined {
  return typeof resolve === 'function' ? (resolve as { [TAKES_CALLER]?: CallerResolver<unknown, Record<string, unknown>, unknown> })[TAKES_CALLER] : undefined;
}
