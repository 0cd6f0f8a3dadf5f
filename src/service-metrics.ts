// The gauges and totals a running service's metrics read when scraped: its caches
// (verified tokens, effective policies, the change feed's epochs and sessions, SigV4's
// long-term and signing keys, OpenID Providers' keys, audit identities), the database
// pool, the password-hash pool, the audit trail's read queue and, as they happen,
// password-hash waits and audit flushes; and the one timer that releases what those
// caches hold for no one (`sweepIdleCaches`), the policy engine's own caches too
// (compiled policy text, principals, patterns: `engineCaches`, whole caches at a time).
// Nothing here runs on a request's path.
import type { Deps } from './context.js';
import type { LongTermKeyCache } from './auth/sigv4-authenticate.js';
import type { SigningKeyCache } from './auth/sigv4.js';
import { poolOf } from './db/client.js';
import type { IdleCache, Metrics } from './metrics.js';
import { engineCaches, type EngineCache } from './policy/index.js';

/** The caches outside `Deps` (the AWS endpoint's). */
export interface EndpointCaches {
  longTermKeys: LongTermKeyCache;
  signingKeys: SigningKeyCache;
}

/** The service's caches by the name /metrics labels them with (`cache="..."`); absent ones answer undefined. */
function cachesOf(deps: Deps, { longTermKeys, signingKeys }: EndpointCaches): Record<string, () => IdleCache | undefined> {
  return {
    tokens: () => deps.tokenCache,
    policies: () => deps.authorizer.cache,
    epochs: () => deps.changeFeed?.epochCache,
    sessions: () => deps.changeFeed?.sessionCache,
    access_keys: () => longTermKeys,
    signing_keys: () => signingKeys,
    oidc_issuers: () => deps.oidcKeys,
    audit_identities: () => deps.audit.identities,
  };
}

/** Longest time between two sweeps: an idle entry outlives the idle time by at most this. */
const MAX_SWEEP_INTERVAL_MS = 60_000;

/**
 * Every `min(idle time / 2, 60 s)`, releases each cache's entries no request used for
 * `config.cacheIdleSeconds` (and those expired), at the service's clock's time, and the
 * sign-in throttle's keys that can refuse nothing any more. One timer for all, unref'd
 * (it never keeps the process alive); call the answer to stop it.
 * The policy engine's caches are released whole: the engine marks a cache used on each
 * lookup and keeps no time, so a cache counts as used at the first sweep that finds its
 * mark, and goes once the idle time has passed since (between the idle time and the idle
 * time plus two sweeps after its last lookup). They are the process's, not the service's:
 * two services in one process (tests) share them, and either one's sweep may release them.
 */
export function sweepIdleCaches(deps: Deps, endpoint: EndpointCaches): () => void {
  const caches = Object.values(cachesOf(deps, endpoint));
  const idleMs = deps.config.cacheIdleSeconds * 1000;
  const engineUsedAt = new Map<EngineCache, number>();
  const started = deps.clock.nowMs();
  const timer = setInterval(
    () => {
      const now = deps.clock.nowMs();
      for (const cache of caches) cache()?.sweep(now, idleMs);
      for (const cache of engineCaches()) {
        if (cache.takeUsed()) engineUsedAt.set(cache, now);
        else if (now - (engineUsedAt.get(cache) ?? started) >= idleMs && cache.size > 0) cache.release();
      }
      deps.throttle.sweep(now);
    },
    Math.min(idleMs / 2, MAX_SWEEP_INTERVAL_MS),
  );
  timer.unref();
  return () => clearInterval(timer);
}

/** Registers what `deps.metrics` reads of the service when scraped. */
export function watchService(deps: Deps, endpoint: EndpointCaches): void {
  const { metrics } = deps;
  const caches = cachesOf(deps, endpoint);
  const each = (read: (stats: IdleCache) => number) => () =>
    Object.entries(caches).flatMap(([cache, stats]) => {
      const current = stats();
      return current ? [[{ cache }, read(current)] as const] : [];
    });
  const entries = each((c) => c.size);
  metrics.gauge('iam_cache_entries', 'Entries held by each in-process cache (the policy engine\'s: policy_*).', ['cache'], () => [
    ...entries(),
    ...engineCaches().map((cache) => [{ cache: cache.name }, cache.size] as const),
  ]);
  metrics.counter('iam_cache_hits_total', 'Lookups each cache answered (hit rate: hits / (hits + misses)).', ['cache'], each((c) => c.hits));
  metrics.counter('iam_cache_misses_total', 'Lookups each cache could not answer (the database or a verification answered).', ['cache'], each((c) => c.misses));
  metrics.gauge('iam_sign_in_throttle_keys', 'Users, clients and user-client pairs whose recent sign-in attempts the throttle counts.', [], () => deps.throttle.size);

  watchPool(metrics, deps);
  watchHashPool(metrics, deps);

  metrics.gauge('iam_audit_queue_events', 'Successful reads whose audit events wait for their batch.', [], () => deps.audit.readQueueState().depth);
  metrics.gauge('iam_audit_queue_oldest_seconds', 'How long the oldest read waiting for its batch has waited.', [], () => deps.audit.readQueueState().oldestAgeSeconds);
  deps.audit.onReadsFlushed((lagSeconds, written) => {
    if (written) metrics.auditFlushLag.observe(lagSeconds);
    else metrics.auditFlushFailures.inc();
  });
}

/** The password-hash pool (src/crypto/hash-pool.ts): hashes running and waiting, refusals, and each hash's wait. */
function watchHashPool(metrics: Metrics, deps: Deps): void {
  const pool = deps.passwords.pool;
  metrics.gauge('iam_password_hashes', 'Password hashes (argon2id) of the pool, by state: running, or queued for a turn.', ['state'], () => {
    const stats = pool.stats();
    return [
      [{ state: 'running' }, stats.running],
      [{ state: 'queued' }, stats.queued],
    ];
  });
  metrics.gauge('iam_password_hash_concurrency', 'Password hashes the pool runs at once (IAM_HASH_CONCURRENCY).', [], () => pool.concurrency);
  metrics.gauge('iam_password_hash_queue_limit', 'Password hashes that may wait for a turn (IAM_HASH_QUEUE); past them, Throttling.', [], () => pool.queueLimit);
  metrics.counter('iam_password_hashes_started_total', 'Password hashes started.', [], () => pool.stats().started);
  metrics.counter('iam_password_hashes_throttled_total', 'Password hashes refused with Throttling because the queue was full.', [], () => pool.stats().throttled);
  pool.onSettled = ({ waitMs }) => metrics.passwordHashWait.observe(waitMs / 1000);
}

/** The node-postgres pool under Prisma: connections open, idle and in use, and requests waiting for one. */
function watchPool(metrics: Metrics, deps: Deps): void {
  let pool: ReturnType<typeof poolOf>;
  try {
    pool = poolOf(deps.db);
  } catch {
    // A client not made by createDb (none in the service itself): no pool to watch.
    return;
  }
  metrics.gauge('iam_db_pool_connections', 'Connections of the database pool, by state.', ['state'], () => [
    [{ state: 'idle' }, pool.idleCount],
    [{ state: 'busy' }, pool.totalCount - pool.idleCount],
  ]);
  metrics.gauge('iam_db_pool_max_connections', 'Most connections the database pool opens.', [], () => pool.options.max ?? 10);
  metrics.gauge('iam_db_pool_waiting_requests', 'Queries waiting for a connection of the pool.', [], () => pool.waitingCount);
}
