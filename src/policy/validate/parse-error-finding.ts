// Turns a parse failure into the single ERROR finding `validatePolicy` returns
// for a document IAM would reject, with the Access Analyzer issue code closest
// to the failure.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html

import type { PolicyError } from '../errors.js';
import type { Finding } from '../types.js';

/** [message prefix, Access Analyzer issue code], first match wins. */
const issueCodes: ReadonlyArray<readonly [string, string]> = [
  ['Cannot exceed quota for PolicySize', 'POLICY_SIZE_EXCEEDS_QUOTA'],
  ['Syntax errors in policy.', 'JSON_SYNTAX_ERROR'],
  ['Unknown field', 'INVALID_POLICY_ELEMENT'],
  ['Missing required field Statement', 'MISSING_STATEMENT'],
  ['Statement is missing required element Effect', 'MISSING_EFFECT'],
  ['Missing required field Principal', 'MISSING_PRINCIPAL'],
  ['Policy document should not specify a principal.', 'UNSUPPORTED_PRINCIPAL'],
  ['Invalid principal in policy', 'INVALID_PRINCIPAL_FORMAT'],
  ['Has prohibited field', 'ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE'],
  ['Statement IDs (SID) in a single policy must be unique.', 'UNIQUE_SIDS_REQUIRED'],
  ['Statement IDs (SID) must be alpha-numeric.', 'UNSUPPORTED_SID'],
  ['Policy statement must contain actions.', 'MISSING_ACTION'],
  ['Policy statement must contain resources.', 'MISSING_RESOURCE'],
  ['Actions/Conditions must be prefaced by a vendor', 'INVALID_ACTION'],
  ['Actions/Condition can contain only one colon.', 'INVALID_ACTION'],
  ['Vendor ', 'INVALID_SERVICE_IN_ACTION'],
  ['AssumeRole policy may only specify STS AssumeRole actions.', 'INVALID_ACTION'],
  ['Partition ', 'INVALID_PARTITION'],
  ['Resource vendor must be fully qualified', 'INVALID_ARN_SERVICE'],
  ['IAM resource ', 'ARN_REGION_NOT_ALLOWED'],
  ['Resource ', 'INVALID_ARN_PREFIX'],
];

/** The one ERROR finding for a policy that does not parse; `findingDetails` is AWS's message plus our detail. */
export function parseErrorFinding(error: PolicyError): Finding {
  let issueCode = 'MALFORMED_POLICY_DOCUMENT';
  for (const [prefix, code] of issueCodes) {
    if (error.message.startsWith(prefix)) {
      issueCode = code;
      break;
    }
  }
  if (issueCode === 'JSON_SYNTAX_ERROR') issueCode = syntaxIssueCode(error);
  // A Resource with a region where the service has none.
  if (error.message.endsWith('can not contain region information.')) issueCode = 'ARN_REGION_NOT_ALLOWED';
  if (error.message === 'The policy failed legacy parsing') {
    issueCode = error.path.at(-1) === 'Effect' ? 'INVALID_EFFECT' : error.path.includes('Condition') ? 'INVALID_CONDITION_DATA_TYPE' : 'INVALID_ARN_RESOURCE';
  }
  const findingDetails = error.detail.startsWith(error.message)
    ? error.detail
    : `${error.message}${error.message.endsWith('.') ? '' : ':'} ${error.detail.charAt(0).toUpperCase()}${error.detail.slice(1)}`;
  return { findingType: 'ERROR', issueCode, findingDetails, locations: [error.path], ...(error.position ? { offset: error.position.offset } : {}) };
}

/** Narrows "Syntax errors in policy." by what the parser found. */
function syntaxIssueCode(error: PolicyError): string {
  const { detail, path } = error;
  if (detail.includes('unknown condition operator')) return 'INVALID_CONDITION_OPERATOR';
  if (detail.includes('cannot have both')) return 'UNSUPPORTED_ELEMENT_COMBINATION';
  if (path[0] === 'Version' && path.length === 1 && !detail.startsWith('Duplicate')) return 'INVALID_VERSION';
  if (/ must be | must contain only | must not be empty/.test(detail)) return 'DATA_TYPE_MISMATCH';
  return 'JSON_SYNTAX_ERROR';
}
