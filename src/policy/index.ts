// The public API of the policy engine (`open-iam/policy`): parse, validate,
// compile a principal's policies, and decide requests against them. Add exports
// to this file with intention: it is public API.
// Pure: nothing here touches a database, the network, or the clock.

export { parsePolicy, type ParsePolicyOptions } from './parse.js';
export { validatePolicy } from './validate.js';
export { compilePolicySet, evaluate, type CompiledPolicySet } from './evaluate.js';
/** What `parsePolicy` throws; `compilePolicySet` and `evaluate` throw it for policy text that does not parse. */
export { PolicyError } from './errors.js';
export type * from './types.js';
export { contextKeysOf } from './context-keys.js';
/** The engine's caches (name, size, release, used since last asked), for an application's idle sweep and metrics. */
export { engineCaches, type EngineCache } from './caches.js';
export {
  describePolicyError,
  locateFindings,
  locatePath,
  locateStatements,
  type LineColumn,
  type LocatedFinding,
  type PathElement,
  type PolicyErrorLocation,
  type PolicyLocation,
  type SpanPosition,
} from './locate.js';
