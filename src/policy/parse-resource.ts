// Checks the shape of Resource / NotResource values (an ARN or "*") with the
// messages IAM uses, and the Action / NotAction shape `vendor:action`.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html

import { messages } from './parse-context.js';

/** The partitions AWS documents; a partition with a wildcard or variable is left to matching. */
export const knownPartitions: ReadonlySet<string> = new Set([
  'aws',
  'aws-cn',
  'aws-us-gov',
  'aws-iso',
  'aws-iso-b',
  'aws-iso-e',
  'aws-iso-f',
  'aws-eusc',
]);

/** IAM's complaint about one Resource value, or undefined when IAM accepts it. */
export function resourceProblem(resource: string): { message: string; detail: string } | undefined {
  if (resource === '*') return undefined;
  const parts = resource.split(':');
  if (parts.length < 2 || parts[0] !== 'arn') {
    return { message: messages.resourceNotArn(resource), detail: `"${resource}" is not an ARN` };
  }
  const partition = parts[1] as string;
  if (!knownPartitions.has(partition) && !/[*?]|\$\{/.test(partition)) {
    const field = (i: number) => (parts[i] === undefined || (parts[i] === '' && parts.length === i + 1) ? '*' : parts[i]);
    const tail = parts.length > 5 ? parts.slice(5).join(':') : '*';
    const shown = `arn:${partition}:${field(2)}:${field(3)}:${field(4)}:${tail}`;
    return { message: messages.invalidPartition(partition, shown), detail: `unknown partition "${partition}"` };
  }
  if (parts.length < 3) return { message: messages.resourceVendor, detail: `"${resource}" has no service` };
  const service = parts[2] as string;
  if (service === '' || (parts.length < 6 && resource.includes('::'))) {
    return { message: messages.legacy, detail: `"${resource}" is not a well-formed ARN` };
  }
  if (/[*?]/.test(service)) return { message: messages.resourceVendor, detail: `the service "${service}" contains a wildcard` };
  const region = parts[3];
  if (region !== undefined && region !== '') {
    if (service === 'iam') return { message: messages.iamRegion(resource), detail: 'IAM ARNs have no region' };
    // Bucket and object ARNs have neither region nor account; access points, access
    // grants, batch jobs and Storage Lens ARNs carry both (arn:aws:s3:us-east-1:123456789012:accesspoint/x).
    if (service === 's3' && (parts[4] ?? '') === '') return { message: messages.s3Region(resource), detail: 'S3 bucket and object ARNs have no region' };
  }
  return undefined;
}

const VENDOR = /^[A-Za-z0-9.-]+$/;

/** IAM's complaint about one Action value, or undefined when IAM accepts it. */
export function actionProblem(action: string): { message: string; detail: string } | undefined {
  if (action === '*') return undefined;
  const colon = action.indexOf(':');
  if (colon === -1) return { message: messages.actionNeedsVendor, detail: `"${action}" has no service prefix` };
  if (action.indexOf(':', colon + 1) !== -1) return { message: messages.actionOneColon, detail: `"${action}" has more than one colon` };
  const vendor = action.slice(0, colon);
  if (!VENDOR.test(vendor)) return { message: messages.invalidVendor(vendor), detail: `"${vendor}" is not a service prefix` };
  return undefined;
}

/**
 * The actions a role trust policy may name, in lower case: the STS actions that
 * assume a role or act on the session being created.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-trust-policy
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html (sts:TagSession)
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html (sts:SetSourceIdentity)
 */
export const trustPolicyActions: ReadonlySet<string> = new Set([
  'sts:assumerole',
  'sts:assumerolewithsaml',
  'sts:assumerolewithwebidentity',
  'sts:tagsession',
  'sts:setsourceidentity',
  'sts:setcontext',
]);

/**
 * True when a trust policy may name `action`: `*`, or one of the STS
 * role-assumption actions in any letter case. IAM answers anything else,
 * `sts:*` included, with "AssumeRole policy may only specify STS AssumeRole actions."
 */
export function isTrustPolicyAction(action: string): boolean {
  return action === '*' || trustPolicyActions.has(action.toLowerCase());
}
