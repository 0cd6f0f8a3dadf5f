// The authorizer: root may do everything in its own account; every other
// principal is decided by the policy engine over its effective policies, with the
// request context AWS fills for the call.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
import type { Clock } from '../clock.js';
import type { DbTx } from '../db/client.js';
import { releaseIdle, type Decision } from '../metrics.js';
import { evaluate as evaluatePolicySet, type EvaluationResult, type MatchedStatement } from '../policy/index.js';
import { accessDenied, isInAccount, resourceOwnerOf, type AuthorizationRequest, type Authorizer } from './authorize.js';
import { loadPrincipalPolicies, type PrincipalPolicies } from './effective-policies.js';
import { sessionContext, withRequestKeys } from './request-context.js';
import type { Principal } from '../sessions/principal.js';

interface CacheEntry extends PrincipalPolicies {
  epoch: number;
  /** Epoch ms (the clock's) of its last use: `sweep` releases it once idle. */
  usedAt: number;
  /** The fixed part of the request context, per session of the principal (see `sessionContext`). */
  sessionContexts: Map<string, Readonly<Record<string, string | string[]>>>;
}

/** Most sessions per principal whose context is kept. */
const SESSION_CONTEXT_LIMIT = 64;

/** Most principals cached at once; the least recently loaded is dropped beyond this. */
const CACHE_LIMIT = 10_000;

/**
 * Builds the authorizer. Compiled policy sets are cached per principal and
 * reused while the account's policy epoch is unchanged (and released once no request
 * used them for the idle time, see `cache.sweep`): every write that changes
 * anyone's effective policies bumps the epoch, so a change applies to the very
 * next request in this process, and in another process sharing the database as
 * soon as its change feed delivers the new epoch (src/auth/change-feed.ts).
 * A request without HTTP facts is decided at `clock`'s time (aws:CurrentTime).
 * `onDecision` is told of each decision `authorize` makes (metrics), not of `decide`'s
 * answers, which may be questions (isAuthorized) rather than requests.
 */
export function createPolicyAuthorizer(db: DbTx, clock: Clock, { onDecision }: { onDecision?: (decision: Decision) => void } = {}): Authorizer {
  const cache = new Map<string, CacheEntry>();
  const stats = { hits: 0, misses: 0 };

  // Role and federated sessions differ by their session policies and tags: one entry per session.
  const keyOf = (principal: Principal) => (principal.kind === 'assumed-role' || principal.kind === 'federated-user' ? `s:${principal.sessionId}` : `${principal.kind}:${principal.userId ?? principal.accountId}`);

  /** The principal's entry if it is cached and current. */
  function cached(principal: Principal): CacheEntry | undefined {
    const hit = cache.get(keyOf(principal));
    if (!hit || hit.epoch !== principal.policyEpoch) return undefined;
    hit.usedAt = clock.nowMs();
    return hit;
  }

  async function effective(principal: Principal): Promise<CacheEntry> {
    const hit = cached(principal);
    if (hit) return hit;
    stats.misses++;
    const entry: CacheEntry = { ...(await loadPrincipalPolicies(db, principal)), epoch: principal.policyEpoch, usedAt: clock.nowMs(), sessionContexts: new Map() };
    const key = keyOf(principal);
    cache.delete(key);
    cache.set(key, entry);
    if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    return entry;
  }

  function evaluate(entry: CacheEntry, request: AuthorizationRequest): EvaluationResult {
    const { principal, action, resourceArn } = request;
    let session = entry.sessionContexts.get(principal.sessionId);
    if (!session) {
      session = sessionContext(principal, entry.principalTags);
      if (entry.sessionContexts.size >= SESSION_CONTEXT_LIMIT) entry.sessionContexts.clear();
      entry.sessionContexts.set(principal.sessionId, session);
    }
    const context = withRequestKeys(session, principal, request.request, request.request?.now ?? clock.now());
    if (request.context) Object.assign(context, request.context);
    return evaluatePolicySet(entry.policies, {
      principalArn: principal.arn,
      action,
      resourceArn,
      context,
      resourceOwnerAccount: resourceOwnerOf(resourceArn, principal.accountId),
    });
  }

  /** Answers at once when the principal's policies are cached (no promise to wait on), else once they are loaded. */
  function decide(request: AuthorizationRequest): EvaluationResult | Promise<EvaluationResult> {
    const { principal, resourceArn } = request;
    if (principal.kind === 'root') {
      // Root may do everything in its own account, and nothing in another without a resource-based policy.
      return { decision: isInAccount(resourceArn, principal.accountId) ? 'allowed' : 'implicitDeny', matchedStatements: [], missingContextValues: [] };
    }
    const entry = cached(principal);
    if (entry) stats.hits++;
    return entry ? evaluate(entry, request) : effective(principal).then((loaded) => evaluate(loaded, request));
  }

  return {
    effective,
    decide,
    async authorize(request: AuthorizationRequest) {
      const result = await decide(request);
      onDecision?.(result.decision);
      if (result.decision === 'allowed') return;
      const { principal, action, resourceArn } = request;
      throw accessDenied(principal, action, resourceArn, denialReason(principal, action, result.decision, result.matchedStatements), result.decision);
    },
    cache: {
      get size() {
        return cache.size;
      },
      get hits() {
        return stats.hits;
      },
      get misses() {
        return stats.misses;
      },
      // A released principal's policies are loaded again on its next request, as after a policy change.
      sweep(now: number, idleMs: number) {
        return releaseIdle(cache, now, idleMs);
      },
    },
  };
}

const SOURCE_NAMES: Record<MatchedStatement['source'], string> = {
  identity: 'identity-based policy',
  permissionsBoundary: 'permissions boundary',
  session: 'session policy',
  resource: 'resource-based policy',
};

/** AWS's wording of why a request was denied. */
function denialReason(principal: Principal, action: string, decision: string, matched: MatchedStatement[]): string {
  if (principal.kind === 'root') return `no resource-based policy allows the ${action} action`;
  if (decision === 'explicitDeny') {
    const source = matched.find((m) => m.effect === 'Deny')?.source ?? 'identity';
    return `with an explicit deny in ${source === 'identity' ? 'an' : 'a'} ${SOURCE_NAMES[source]}`;
  }
  return `no identity-based policy allows the ${action} action`;
}
