// Every policy document is parsed by the policy engine before it is stored: a
// document it rejects never reaches the database. Engine errors become AWS errors.
import { parsePolicy, PolicyError, type PolicyDocument, type PolicyType } from '../policy/index.js';
import { IamError, LimitExceededError, MalformedPolicyDocumentError } from '../errors.js';

/** Parses `text` as a policy of `policyType`; throws MalformedPolicyDocument or LimitExceeded. */
export function checkPolicyDocument(text: string, policyType: PolicyType): PolicyDocument {
  try {
    return parsePolicy(text, { policyType });
  } catch (error) {
    if (error instanceof PolicyError) {
      if (error.code === 'LimitExceeded') throw new LimitExceededError(error.message, { cause: error });
      throw new MalformedPolicyDocumentError(error.message, { cause: error });
    }
    if (error instanceof IamError) throw error;
    throw new MalformedPolicyDocumentError('Syntax errors in policy.', { cause: error });
  }
}
