// Shared plumbing of the parser: raising a `PolicyError` at a JSON node, and
// reading the string-or-array shape the policy grammar allows almost everywhere.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html

import { PolicyError, formatPolicyPath, type PolicyPath } from './errors.js';
import { lineColumnOf, type JsonNode } from './json.js';

/** AWS's wording for the MalformedPolicyDocument cases the parser raises. */
export const messages = Object.freeze({
  syntax: 'Syntax errors in policy.',
  legacy: 'The policy failed legacy parsing',
  unknownField: (name: string) => `Unknown field ${name}`,
  missingStatement: 'Missing required field Statement',
  missingEffect: 'Statement is missing required element Effect',
  missingPrincipal: 'Missing required field Principal',
  principalNotAllowed: 'Policy document should not specify a principal.',
  invalidPrincipal: 'Invalid principal in policy',
  prohibitedField: (name: string) => `Has prohibited field ${name}`,
  sidNotUnique: 'Statement IDs (SID) in a single policy must be unique.',
  sidNotAlphanumeric:
    'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  missingActions: 'Policy statement must contain actions.',
  missingResources: 'Policy statement must contain resources.',
  actionNeedsVendor: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  actionOneColon: 'Actions/Condition can contain only one colon.',
  invalidVendor: (vendor: string) => `Vendor ${vendor} is not valid`,
  trustActions: 'AssumeRole policy may only specify STS AssumeRole actions.',
  resourceNotArn: (resource: string) => `Resource ${resource} must be in ARN format or "*".`,
  invalidPartition: (partition: string, shown: string) => `Partition "${partition}" is not valid for resource "${shown}".`,
  resourceVendor: 'Resource vendor must be fully qualified and cannot contain regexes.',
  iamRegion: (resource: string) => `IAM resource ${resource} cannot contain region information.`,
  s3Region: (resource: string) => `Resource ${resource} can not contain region information.`,
});

/** The text being parsed, so errors can point at a line and column. */
export class ParseContext {
  constructor(readonly text: string) {}

  /** Builds a MalformedPolicyDocument error located at `node` (or `offset`). */
  error(message: string, path: PolicyPath, at: JsonNode | number | undefined, detail?: string): PolicyError {
    const offset = typeof at === 'number' ? at : at?.start;
    const position = offset === undefined ? undefined : { offset, ...lineColumnOf(this.text, offset) };
    const where = path.length > 0 ? formatPolicyPath(path) : 'the policy document';
    const fullDetail = `${detail ?? message} (at ${where}${position ? `, line ${position.line} column ${position.column}` : ''})`;
    return new PolicyError('MalformedPolicyDocument', message, { path, ...(position ? { position } : {}), detail: fullDetail });
  }

  /**
   * Reads element `element` of the statement at `statementPath` — a string or
   * an array of strings (possibly empty) — as an array. Anything else is a
   * syntax error. Paths are built only when reporting one.
   */
  stringList(node: JsonNode, statementPath: PolicyPath, element: string): string[] {
    if (node.kind === 'string') return [node.value];
    if (node.kind !== 'array') throw this.error(messages.syntax, [...statementPath, element], node, `${element} must be a string or an array of strings`);
    const items = node.items;
    const out: string[] = new Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as JsonNode;
      if (item.kind !== 'string') throw this.error(messages.syntax, [...statementPath, element, i], item, `${element} must contain only strings`);
      out[i] = item.value;
    }
    return out;
  }
}
