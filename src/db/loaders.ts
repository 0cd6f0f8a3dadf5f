// Per-request DataLoaders. Each entity file defines its own loaders with
// `defineLoader`; a loader is created once per request, on first use, so nested
// fields (User.groups, Group.users, ...) batch into one query per level.
import DataLoader from 'dataloader';
import { InvalidClientTokenIdError } from '../errors.js';
import type { Db } from './client.js';

/** The per-request loader cache carried by the context. */
export class Loaders {
  readonly cache = new Map<symbol, DataLoader<unknown, unknown>>();
}

/** What a loader's batch function reads with: the request's database handle and the caller's account. */
export interface LoaderScope {
  readonly db: Db;
  /** The caller's account; throws InvalidClientTokenId when the request has no caller. */
  readonly accountId: string;
}

/**
 * What a loader is asked through: the request's loader cache, its database handle
 * and its caller (a GraphQL context has all three).
 */
export interface LoaderSource {
  readonly db: Db;
  readonly loaders: Loaders;
  readonly principal: { readonly accountId: string } | null;
}

/** Declares a loader; call the returned function with the request's source to get this request's instance. */
export function defineLoader<K, V, C = K>(
  name: string,
  batch: (scope: LoaderScope, keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>,
  options?: DataLoader.Options<K, V, C>,
): (source: LoaderSource) => DataLoader<K, V, C> {
  const id = Symbol(name);
  return (source) => {
    let loader = source.loaders.cache.get(id) as DataLoader<K, V, C> | undefined;
    if (!loader) {
      const scope = scopeOf(source);
      loader = new DataLoader<K, V, C>((keys) => batch(scope, keys), options);
      source.loaders.cache.set(id, loader as DataLoader<unknown, unknown>);
    }
    return loader;
  };
}

/**
 * The scope a batch runs in, read from the source when the batch runs: the
 * context's handle changes per mutation (src/graphql/audit.ts), and a loader that
 * needs no account works for an anonymous request too.
 */
function scopeOf(source: LoaderSource): LoaderScope {
  return {
    get db() {
      return source.db;
    },
    get accountId() {
      if (!source.principal) throw new InvalidClientTokenIdError('The security token included in the request is invalid.');
      return source.principal.accountId;
    },
  };
}

/** Groups rows by a key, in the order of `keys` (the shape DataLoader wants for one-to-many). */
export function groupBy<K, V>(keys: readonly K[], rows: V[], keyOf: (row: V) => K): V[][] {
  const byKey = new Map<K, V[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  return keys.map((key) => byKey.get(key) ?? []);
}
