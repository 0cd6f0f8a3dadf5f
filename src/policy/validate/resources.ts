// Resource checks beyond what IAM rejects: ARN fields that cannot match
// anything (missing fields, a malformed account or Region, an upper-case
// service) and resources another entry of the statement already covers.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html

import { globMatcher, resourceArnFormats } from '../catalog.js';
import type { Statement } from '../types.js';
import type { CheckContext } from './context.js';
import { findRedundant } from './redundant.js';

const ACCOUNT = /^(\d{12}|aws)$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const PATTERN = /[*?]|\$\{/;

/** Runs the resource checks on every statement. */
export function checkResources(ctx: CheckContext): void {
  for (const statement of ctx.doc.statements) {
    const element = statement.resource ? 'Resource' : 'NotResource';
    const resources = statement.resource ?? statement.notResource;
    if (!resources) continue;
    resources.forEach((resource, i) => checkArn(ctx, resource, ctx.valuePath(statement.index, element, i)));
    checkRedundantResources(ctx, statement, element, resources);
  }
}

function checkArn(ctx: CheckContext, resource: string, path: Array<string | number>): void {
  if (resource === '*' || !resource.startsWith('arn:')) return;
  const parts = resource.split(':');
  if (parts.length < 6) {
    ctx.report('ERROR', 'MISSING_ARN_FIELD', `The resource ARN ${resource} is missing fields. An ARN has the form arn:partition:service:region:account-id:resource.`, path);
    return;
  }
  const [, , service = '', region = '', account = ''] = parts;
  if (service !== service.toLowerCase()) {
    ctx.report('ERROR', 'INVALID_ARN_SERVICE_CASE', `Update the service name ${service} in the resource ARN to use all lowercase letters.`, path);
  }
  if (region !== '' && !PATTERN.test(region) && !REGION.test(region)) {
    ctx.report('ERROR', 'INVALID_ARN_REGION', `The Region ${region} in the resource ARN is not valid. Use a valid Region code, such as us-east-1.`, path);
  }
  if (account !== '' && !PATTERN.test(account) && !ACCOUNT.test(account)) {
    ctx.report('ERROR', 'INVALID_ARN_ACCOUNT', `The account ID ${account} in the resource ARN is not valid. Use a 12-digit account ID.`, path);
  }
  const resourcePart = parts.slice(5).join(':');
  if (resourcePart === '') {
    ctx.report('ERROR', 'INVALID_ARN_RESOURCE', `The resource ARN ${resource} has an empty resource part. Specify the resource, or * for all resources.`, path);
    return;
  }
  // An upper-case service is reported above; its ARN cannot match a format either.
  if (service === service.toLowerCase()) checkResourceType(ctx, resource, service, resourcePart, path);
}

/**
 * INVALID_ARN_RESOURCE: a literal ARN of a known service that matches none of
 * the service's documented resource ARN formats (for example `role` misspelt
 * in an IAM ARN). ARNs with wildcards or variables in the resource part are
 * left alone: they are patterns, not names.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 */
function checkResourceType(ctx: CheckContext, resource: string, service: string, resourcePart: string, path: Array<string | number>): void {
  if (PATTERN.test(resourcePart) || PATTERN.test(service)) return;
  // The catalog files STS session ARNs (arn:aws:sts::…:assumed-role/…) under
  // IAM with an `iam` ARN, and lists no type for an account's `root`.
  if (service === 'sts' || (service === 'iam' && resourcePart === 'root')) return;
  const formats = resourceArnFormats(service);
  if (formats.length === 0) return;
  // Wildcards in the partition, Region or account fields match like any value there.
  const probe = resource.replace(/[*?]/g, 'x');
  if (formats.some((f) => f.regex.test(probe))) return;
  ctx.report(
    'ERROR',
    'INVALID_ARN_RESOURCE',
    `The resource ${resource} does not match the ARN format of any ${service} resource type. Use one of the documented formats, such as ${formats
      .slice(0, 3)
      .map((f) => f.regex.source.replace(/^\^|\$$/g, '').replace(/\[\^:\]\*|\.\+/g, '…').replace(/\\/g, ''))
      .join(', ')}.`,
    path,
  );
}

/**
 * REDUNDANT_RESOURCE: a resource another entry of the same element already
 * covers (`arn:aws:s3:::b/*` covers `arn:aws:s3:::b/k`; a repeat is redundant).
 * Resource ARNs are case-sensitive.
 */
function checkRedundantResources(ctx: CheckContext, statement: Statement, element: string, resources: string[]): void {
  if (resources.length < 2) return;
  const redundant = findRedundant(resources, covers);
  if (redundant.length === 0) return;
  ctx.report(
    'SUGGESTION',
    'REDUNDANT_RESOURCE',
    `The ${redundant.length} resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*) and remove the redundant resource ARN such as: ${redundant.map((i) => resources[i]).join(', ')}.`,
    ...redundant.map((i) => ctx.valuePath(statement.index, element, i)),
  );
}

/**
 * True when `wide` matches everything `narrow` matches: when `narrow` is
 * literal and `wide` matches it, or when `wide` uses only `*` and matches
 * `narrow`'s text (its literal parts then cannot meet `narrow`'s wildcards).
 */
function covers(wide: string, narrow: string): boolean {
  if (wide.includes('${') || narrow.includes('${')) return false;
  if (!/[*?]/.test(narrow)) return globMatcher(wide)(narrow);
  return !wide.includes('?') && globMatcher(wide)(narrow);
}
