// Per-request DataLoaders. Each entity file defines its own loaders with
// `defineLoader`; a loader is created once per request, on first use, so nested
// fields (User.groups, Group.users, ...) batch into one query per level.
import DataLoader from 'dataloader';
import type { Context } from '../context.js';

/** The per-request loader cache carried by the context. */
export class Loaders {
  readonly cache = new Map<symbol, DataLoader<unknown, unknown>>();
}

/** Declares a loader; call the returned function with the context to get this request's instance. */
export function defineLoader<K, V, C = K>(
  name: string,
  batch: (ctx: Context, keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>,
  options?: DataLoader.Options<K, V, C>,
): (ctx: Context) => DataLoader<K, V, C> {
  const id = Symbol(name);
  return (ctx) => {
    let loader = ctx.loaders.cache.get(id) as DataLoader<K, V, C> | undefined;
    if (!loader) {
      loader = new DataLoader<K, V, C>((keys) => batch(ctx, keys), options);
      ctx.loaders.cache.set(id, loader as DataLoader<unknown, unknown>);
    }
    return loader;
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
