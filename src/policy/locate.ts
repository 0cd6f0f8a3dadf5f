// Where a JSON path lies in policy text, as IAM Access Analyzer reports it: a path
// of `{value}` (an object member's value), `{key}` (a member's name) and `{index}`
// elements, and a span whose positions count lines from 1, columns from 0 and
// offsets from 0 (UTF-16 units). Used for validatePolicy's findings and for the
// location of a MalformedPolicyDocument error.
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Location.html
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_PathElement.html
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_Position.html

import { formatPolicyPath, type PolicyError, type PolicyPath } from './errors.js';
import { getMember, JsonSyntaxError, lineColumnOf, readJson, type JsonNode } from './json.js';
import type { Finding } from './types.js';
import { learnMoreLink } from './validate/learn-more.js';

/** One step of a location's path (Access Analyzer's PathElement). */
export type PathElement = { index: number } | { key: string } | { value: string };

/** A position in the text: `line` from 1, `column` from 0, `offset` from 0. */
export interface SpanPosition {
  line: number;
  column: number;
  offset: number;
}

/** Where something is: the JSON path to it and the text it spans (end exclusive). */
export interface PolicyLocation {
  path: PathElement[];
  span: { start: SpanPosition; end: SpanPosition };
}

/** A finding with its learn-more link and located spans, shaped like Access Analyzer's ValidatePolicyFinding. */
export interface LocatedFinding {
  findingType: Finding['findingType'];
  issueCode: string;
  findingDetails: string;
  learnMoreLink: string;
  locations: PolicyLocation[];
}

/** Access Analyzer's position of a UTF-16 offset. */
export function positionAt(text: string, offset: number): SpanPosition {
  const clamped = Math.max(0, Math.min(offset, text.length));
  const { line, column } = lineColumnOf(text, clamped);
  return { line, column: column - 1, offset: clamped };
}

/**
 * Locates `path` in `text`. Each step that exists in the document narrows the span
 * to that node; when the last step names an object member and `offset` is where
 * that member's name starts, the location is the name (`{key}`) rather than its value.
 * Steps the document does not have (a JSON syntax error stops reading part-way) keep
 * their path elements, and the span falls back to `offset`, one character wide.
 */
export function locatePath(text: string, path: PolicyPath, offset?: number): PolicyLocation {
  let node: JsonNode | undefined;
  let failedAt: number | undefined;
  try {
    node = readJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    failedAt = error.offset;
  }
  const elements: PathElement[] = [];
  let span: [number, number] | undefined = node ? [node.start, node.end] : undefined;
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    if (typeof part === 'number') {
      elements.push({ index: part });
      node = node?.kind === 'array' ? node.items[part] : undefined;
      span = node ? [node.start, node.end] : undefined;
      continue;
    }
    const entry = node?.kind === 'object' ? getMember(node, part) : undefined;
    if (entry && i === path.length - 1 && offset === entry.keyStart) {
      elements.push({ key: part });
      span = [entry.keyStart, stringEnd(text, entry.keyStart)];
      break;
    }
    elements.push({ value: part });
    node = entry?.value;
    span = node ? [node.start, node.end] : undefined;
  }
  const at = offset ?? failedAt;
  // A document-level problem found at one character (a character IAM refuses) points there.
  if (span && path.length === 0 && offset !== undefined && offset !== span[0]) span = undefined;
  if (!span) span = at === undefined ? [0, text.length] : [at, Math.min(at + 1, text.length)];
  return { path: elements, span: { start: positionAt(text, span[0]), end: positionAt(text, span[1]) } };
}

/** The end (exclusive) of the JSON string whose opening quote is at `start`. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i + 1;
  }
  return text.length;
}

/** The location of a parse failure: its path, at its position when the parser knew one. */
export function locatePolicyError(text: string, error: PolicyError): PolicyLocation {
  return locatePath(text, error.path, error.position?.offset);
}

/**
 * What a client needs to point at a rejected document's problem: AWS's message,
 * our precise detail, the path as people read it (`Statement[0].Action[1]`), the
 * 1-based line and column, and the location in Access Analyzer's shape.
 */
export interface PolicyErrorLocation {
  detail: string;
  jsonPath: string;
  line: number | null;
  column: number | null;
  locations: PolicyLocation[];
}

/** Describes where a rejected document's problem is (see `PolicyErrorLocation`). */
export function describePolicyError(text: string, error: PolicyError): PolicyErrorLocation {
  return {
    detail: error.detail,
    jsonPath: formatPolicyPath(error.path),
    line: error.position?.line ?? null,
    column: error.position?.column ?? null,
    locations: [locatePolicyError(text, error)],
  };
}

/** `validatePolicy`'s findings with learn-more links and located spans. */
export function locateFindings(text: string, findings: readonly Finding[]): LocatedFinding[] {
  return findings.map((finding) => ({
    findingType: finding.findingType,
    issueCode: finding.issueCode,
    findingDetails: finding.findingDetails,
    learnMoreLink: learnMoreLink(finding.findingType, finding.issueCode),
    locations: finding.locations.map((path, i) => locatePath(text, path, i === 0 ? finding.offset : undefined)),
  }));
}

/** IAM's Position of a simulated statement: line and column both from 1. */
export interface LineColumn {
  line: number;
  column: number;
}

/**
 * Where each statement of `text` starts (its opening brace) and ends (its closing
 * brace), in document order, as IAM's simulators report matched statements; empty
 * for text that is not JSON.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Statement.html
 */
export function locateStatements(text: string): Array<{ start: LineColumn; end: LineColumn }> {
  let root: JsonNode;
  try {
    root = readJson(text);
  } catch {
    return [];
  }
  const statement = root.kind === 'object' ? getMember(root, 'Statement')?.value : undefined;
  const nodes = statement?.kind === 'array' ? statement.items : statement ? [statement] : [];
  return nodes.map((node) => ({ start: lineColumnOf(text, node.start), end: lineColumnOf(text, node.end - 1) }));
}
