// Entities a read names (a user, group, role or instance profile, by name), read
// once per request: the guard reads the row to learn its ARN (the resource of the
// decision), and a read-only resolver finds the same row here instead of reading
// it again. Mutations read their rows afresh in their own transactions.
import type { Group, InstanceProfile, Role, User } from '../generated/prisma/client.js';
import { defineLoader, type LoaderScope, type LoaderSource } from '../db/loaders.js';

interface Rows {
  user: User;
  group: Group;
  role: Role;
  instanceProfile: InstanceProfile;
}

export type NamedKind = keyof Rows;

/** The query for rows of the caller's account by lower-cased name. */
function named({ accountId }: LoaderScope, nameKeys: readonly string[]) {
  return { where: { accountId, nameKey: { in: [...nameKeys] } } };
}

/** Rows in the order of `nameKeys`, null where none has that name. */
function inOrder<T extends { nameKey: string }>(nameKeys: readonly string[], rows: T[]): Array<T | null> {
  const byKey = new Map(rows.map((row) => [row.nameKey, row]));
  return nameKeys.map((key) => byKey.get(key) ?? null);
}

const loaders: { [K in NamedKind]: (source: LoaderSource) => { load(nameKey: string): Promise<Rows[K] | null> } } = {
  user: defineLoader<string, User | null>('userByName', async (scope, keys) =>
    inOrder(keys, await scope.db.user.findMany(named(scope, keys))),
  ),
  group: defineLoader<string, Group | null>('groupByName', async (scope, keys) =>
    inOrder(keys, await scope.db.group.findMany(named(scope, keys))),
  ),
  role: defineLoader<string, Role | null>('roleByName', async (scope, keys) =>
    inOrder(keys, await scope.db.role.findMany(named(scope, keys))),
  ),
  instanceProfile: defineLoader<string, InstanceProfile | null>('instanceProfileByName', async (scope, keys) =>
    inOrder(keys, await scope.db.instanceProfile.findMany(named(scope, keys))),
  ),
};

/**
 * The caller's account's `kind` named `name` (case-insensitively), or null; one read per request.
 * `source` is the request's database handle, loaders and caller (a GraphQL context will do).
 */
export function findNamed<K extends NamedKind>(source: LoaderSource, kind: K, name: string): Promise<Rows[K] | null> {
  return loaders[kind](source).load(name.toLowerCase());
}

/** A reader for the iam modules' find functions, answering from this request's rows. */
export function namedReader<K extends NamedKind>(source: LoaderSource, kind: K): (name: string) => Promise<Rows[K] | null> {
  return (name) => findNamed(source, kind, name);
}
