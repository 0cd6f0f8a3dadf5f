// IAM Access Analyzer's ValidatePolicy: the policy engine's checks of a document
// that is not stored, with each finding's learn-more link and located spans.
// Access Analyzer's policy types map onto the engine's: an identity policy (and a
// service control policy, which is written like one) as a managed policy, a
// resource policy as a resource policy, or as a trust policy for the resource type
// AWS::IAM::AssumeRolePolicyDocument.
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html
import { locateFindings, validatePolicy, type LocatedFinding, type PolicyType } from '../policy/index.js';

/** Access Analyzer's ValidatePolicy request, as far as we answer it. */
export interface ValidatePolicyRequest {
  policyDocument: string;
  policyType: 'IDENTITY_POLICY' | 'RESOURCE_POLICY' | 'SERVICE_CONTROL_POLICY';
  validatePolicyResourceType?: string | null;
}

/** The engine's policy type for an Access Analyzer policy type and resource type. */
function policyTypeOf(request: ValidatePolicyRequest): PolicyType {
  if (request.policyType !== 'RESOURCE_POLICY') return 'managed';
  return request.validatePolicyResourceType === 'AWS::IAM::AssumeRolePolicyDocument' ? 'trust' : 'resource';
}

/** Every finding of the document, most serious first. Never throws for any text. */
export function validatePolicyText(request: ValidatePolicyRequest): LocatedFinding[] {
  return locateFindings(request.policyDocument, validatePolicy(request.policyDocument, { policyType: policyTypeOf(request) }));
}
