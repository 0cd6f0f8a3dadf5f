// The engine's own caches (compiled policy text, principal ARNs read, glob matchers,
// the catalog's action patterns and condition keys), for the application that runs
// the engine: each one's name, its size, a release, and whether a lookup used it since
// the application last asked. The engine keeps no clock and runs no timer: an
// application that wants idle caches released asks `takeUsed()` on a timer of its own
// and calls `release()` on those unused long enough (src/service-metrics.ts does).
// A released cache is filled again by the next lookups: the same answers, computed again.

/** A cache of the engine's, as the application sees it. */
export interface EngineCache {
  /** A stable name (`policy_texts`, ...), usable as a metric label. */
  readonly name: string;
  /** Entries held now. */
  readonly size: number;
  /** True when a lookup used the cache since the last call (or since it was made); clears the mark. */
  takeUsed(): boolean;
  /** Lets go of every entry. */
  release(): void;
}

/** What a cache's module holds to mark a lookup: one property store on the lookup path. */
export interface UseMark {
  used: boolean;
}

class RegisteredCache implements EngineCache, UseMark {
  used = false;

  constructor(
    readonly name: string,
    private readonly count: () => number,
    private readonly clear: () => void,
  ) {}

  get size(): number {
    return this.count();
  }

  takeUsed(): boolean {
    const used = this.used;
    this.used = false;
    return used;
  }

  release(): void {
    this.clear();
  }
}

const registry: RegisteredCache[] = [];

/**
 * Registers a cache of the engine's (at its module's load); answers the mark its
 * lookups set. Not public API: src/policy's modules call it.
 */
export function registerCache(name: string, count: () => number, clear: () => void): UseMark {
  if (registry.some((cache) => cache.name === name)) throw new Error(`engine cache ${name} registered twice`);
  const cache = new RegisteredCache(name, count, clear);
  registry.push(cache);
  return cache;
}

/** The engine's caches, in a stable order. */
export function engineCaches(): readonly EngineCache[] {
  return registry;
}
