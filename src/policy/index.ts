// The public API of the policy engine (`open-iam/policy`): parse, validate and
// evaluate IAM policies. Add exports to this file with intention: it is public API.
// Pure: nothing here touches a database, the network, or the clock.

export { parsePolicy, type ParsePolicyOptions } from './parse.js';
export { validatePolicy } from './validate.js';
export { PolicyError } from './errors.js';
export {
  evaluate,
  evaluateWithPolicySet,
  compilePolicySet,
  createEvaluator,
  type CompiledPolicySet,
  type PolicySetInput,
  type RequestFacts,
} from './evaluate.js';
export { compilePolicy, loadPolicy, type CompiledPolicy } from './compile.js';
export type * from './types.js';
