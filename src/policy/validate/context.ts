// What every validation check receives: the parsed document, its JSON tree
// (to report the JSON path of the exact element, as Access Analyzer does) and
// the list findings are added to.
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicyFinding.html

import type { PolicyPath } from '../errors.js';
import { getMember, type JsonNode, type JsonObject } from '../json.js';
import type { Finding, FindingType, PolicyDocument, PolicyType } from '../types.js';

/** The state shared by the checks of one `validatePolicy` call. */
export class CheckContext {
  readonly findings: Finding[] = [];
  private readonly statementNodes: JsonObject[];
  private readonly statementIsArray: boolean;

  constructor(
    readonly doc: PolicyDocument,
    readonly root: JsonObject,
    readonly policyType: PolicyType,
  ) {
    // INVARIANT: `doc` was parsed from `root`, so Statement is an object or an array of objects.
    const statement = getMember(root, 'Statement')?.value as JsonNode;
    this.statementIsArray = statement.kind === 'array';
    this.statementNodes = statement.kind === 'array' ? (statement.items as JsonObject[]) : [statement as JsonObject];
  }

  /** Adds a finding. */
  report(findingType: FindingType, issueCode: string, findingDetails: string, ...locations: PolicyPath[]): void {
    this.findings.push({ findingType, issueCode, findingDetails, locations: locations.length > 0 ? locations : [[]] });
  }

  /** Path of statement `index`, or of one of its elements. */
  statementPath(index: number, ...rest: Array<string | number>): PolicyPath {
    return this.statementIsArray ? ['Statement', index, ...rest] : ['Statement', ...rest];
  }

  /**
   * Path of value `valueIndex` of a string-or-array element (`Action`,
   * `Resource`, ...): with the index when the element is written as an array.
   */
  valuePath(index: number, element: string, valueIndex: number): PolicyPath {
    const node = this.member(index, element);
    return node?.kind === 'array' ? this.statementPath(index, element, valueIndex) : this.statementPath(index, element);
  }

  /** Path of value `valueIndex` of a condition key. */
  conditionValuePath(index: number, operator: string, key: string, valueIndex: number): PolicyPath {
    const block = this.member(index, 'Condition');
    const opNode = block?.kind === 'object' ? getMember(block, operator)?.value : undefined;
    const valueNode = opNode?.kind === 'object' ? getMember(opNode, key)?.value : undefined;
    const base = this.statementPath(index, 'Condition', operator, key);
    return valueNode?.kind === 'array' ? [...base, valueIndex] : base;
  }

  /** The JSON node of a statement element, if present. */
  member(index: number, element: string): JsonNode | undefined {
    const node = this.statementNodes[index];
    return node ? getMember(node, element)?.value : undefined;
  }
}
