// The learn-more link of a finding: the section of IAM's policy checks reference
// that explains its issue code, whose anchors follow the finding type and the code
// (`…#access-analyzer-reference-policy-checks-error-invalid-action`).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html

import type { FindingType } from '../types.js';

const CHECKS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html';

/** Issue codes of our own, which the reference does not list: the page itself. */
const OWN_CODES: ReadonlySet<string> = new Set(['MALFORMED_POLICY_DOCUMENT', 'VALIDATION_CHECK_FAILED']);

/** The link that explains `issueCode` of a `findingType` finding. */
export function learnMoreLink(findingType: FindingType, issueCode: string): string {
  if (OWN_CODES.has(issueCode)) return CHECKS;
  const anchor = `${findingType}-${issueCode}`.toLowerCase().replace(/_/g, '-');
  return `${CHECKS}#access-analyzer-reference-policy-checks-${anchor}`;
}
