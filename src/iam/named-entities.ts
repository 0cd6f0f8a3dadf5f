// Entities a read names (a user, group, role or instance profile, by name), read
// once per request: the guard reads the row to learn its ARN (the resource of the
// decision), and a read-only resolver finds the same row here instead of reading
// it again. Mutations read their rows afresh in their own transactions.
import type { Context } from '../context.js';
import { requirePrincipal } from '../context.js';
import type { Group, InstanceProfile, Role, User } from '../generated/prisma/client.js';
import { defineLoader } from '../db/loaders.js';

interface Rows {
  user: User;
  group: Group;
  role: Role;
  instanceProfile: InstanceProfile;
}

export type NamedKind = keyof Rows;

/** The query for rows of the caller's account by lower-cased name. */
function named(ctx: Context, nameKeys: readonly string[]) {
  return { where: { accountId: requirePrincipal(ctx).accountId, nameKey: { in: [...nameKeys] } } };
}

/** Rows in the order of `nameKeys`, null where none has that name. */
function inOrder<T extends { nameKey: string }>(nameKeys: readonly string[], rows: T[]): Array<T | null> {
  const byKey = new Map(rows.map((row) => [row.nameKey, row]));
  return nameKeys.map((key) => byKey.get(key) ?? null);
}

const loaders: { [K in NamedKind]: (ctx: Context) => { load(nameKey: string): Promise<Rows[K] | null> } } = {
  user: defineLoader<string, User | null>('userByName', async (ctx, keys) =>
    inOrder(keys, await ctx.db.user.findMany(named(ctx, keys))),
  ),
  group: defineLoader<string, Group | null>('groupByName', async (ctx, keys) =>
    inOrder(keys, await ctx.db.group.findMany(named(ctx, keys))),
  ),
  role: defineLoader<string, Role | null>('roleByName', async (ctx, keys) =>
    inOrder(keys, await ctx.db.role.findMany(named(ctx, keys))),
  ),
  instanceProfile: defineLoader<string, InstanceProfile | null>('instanceProfileByName', async (ctx, keys) =>
    inOrder(keys, await ctx.db.instanceProfile.findMany(named(ctx, keys))),
  ),
};

/** The caller's account's `kind` named `name` (case-insensitively), or null; one read per request. */
export function findNamed<K extends NamedKind>(ctx: Context, kind: K, name: string): Promise<Rows[K] | null> {
  return loaders[kind](ctx).load(name.toLowerCase());
}

/** A reader for the iam modules' find functions, answering from this request's rows. */
export function namedReader<K extends NamedKind>(ctx: Context, kind: K): (name: string) => Promise<Rows[K] | null> {
  return (name) => findNamed(ctx, kind, name);
}
