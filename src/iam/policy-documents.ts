// Every policy document is parsed by the policy engine before it is stored: a
// document it rejects never reaches the database. Engine errors become AWS errors
// that say where the problem is: `extensions` carry the engine's detail, the JSON
// path, the line and column, and the location in Access Analyzer's shape (the same
// as validatePolicy's findings), so every mutation that takes a document points at it.
import { describePolicyError, parsePolicy, PolicyError, type PolicyDocument, type PolicyType } from '../policy/index.js';
import { IamError, LimitExceededError, MalformedPolicyDocumentError } from '../errors.js';

/**
 * Parses `text` as a policy of `policyType`; throws MalformedPolicyDocument or
 * LimitExceeded with the problem's location. `policyInput` names the input the
 * text came from when a request takes several (`PolicyInputList.2`).
 */
export function checkPolicyDocument(text: string, policyType: PolicyType, policyInput?: string): PolicyDocument {
  try {
    return parsePolicy(text, { policyType });
  } catch (error) {
    if (error instanceof PolicyError) {
      const extensions = { ...describePolicyError(text, error), ...(policyInput ? { policyInput } : {}) };
      if (error.code === 'LimitExceeded') throw new LimitExceededError(error.message, { cause: error, extensions });
      throw new MalformedPolicyDocumentError(error.message, { cause: error, extensions });
    }
    if (error instanceof IamError) throw error;
    throw new MalformedPolicyDocumentError('Syntax errors in policy.', { cause: error });
  }
}
