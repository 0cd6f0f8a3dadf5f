// parsePolicy: policy JSON text → a normalised PolicyDocument, or a PolicyError
// worded as IAM words it. This phase is about shape only; `validatePolicy`
// judges meaning. Checks run in IAM's order: size quota, JSON syntax, element
// syntax, legacy parsing (Effect, dates), Sids, principals, actions, resources.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements.html

import { PolicyError } from './errors.js';
import { JsonSyntaxError, readJson, type JsonNode, type JsonObject } from './json.js';
import { findDisallowedCharacter, measurePolicySize, policySizeMessage, policySizeQuotas } from './limits.js';
import { ParseContext, messages } from './parse-context.js';
import { readCondition } from './parse-condition.js';
import { readPrincipal } from './parse-principal.js';
import { actionProblem, isTrustPolicyAction, resourceProblem } from './parse-resource.js';
import type { PolicyDocument, PolicyType, PolicyVersion, Statement } from './types.js';

/** Options of `parsePolicy`. */
export interface ParsePolicyOptions {
  /** Where the policy is used: decides its size quota and which elements it may carry. */
  policyType: PolicyType;
  /** A label (for example the policy ARN) carried into the document for decisions. */
  policyId?: string;
  /**
   * Check the size quota of `policyType` (default true). AWS-managed policies are
   * not bound by the customer quotas (ReadOnlyAccess is far larger than 6,144).
   */
  enforceSizeQuota?: boolean;
}

const STATEMENT_ELEMENTS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const IDENTITY_TYPES: ReadonlySet<PolicyType> = new Set(['managed', 'user', 'group', 'role', 'session']);
const SID = /^[0-9A-Za-z]*$/;
/** Pairs of elements a statement may carry only one of. */
const EXCLUSIVE = [['Action', 'NotAction'], ['Resource', 'NotResource'], ['Principal', 'NotPrincipal']] as const;
/** The string-or-array elements and the Statement fields they fill. */
const STRING_LISTS = [['Action', 'action'], ['NotAction', 'notAction'], ['Resource', 'resource'], ['NotResource', 'notResource']] as const;

/** A statement read in the syntax phase, with the nodes later phases point at. */
interface DraftStatement {
  statement: Statement;
  /** `['Statement', i]`, or `['Statement']` when Statement is a single object. */
  path: Array<string | number>;
  node: JsonObject;
  members: Map<string, JsonNode>;
}

/**
 * Parses policy JSON text. Throws `PolicyError` with code `LimitExceeded` when
 * the document is over its type's size quota (white space not counted), and
 * `MalformedPolicyDocument` for everything IAM would reject.
 *
 * Version: `2012-10-17`, `2008-10-17` or absent (then 2008-10-17 rules apply).
 * Policy variables (`${aws:username}`) are kept as text; they are only
 * substituted under Version 2012-10-17
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html).
 */
export function parsePolicy(text: string, options: ParsePolicyOptions): PolicyDocument {
  const { policyType } = options;
  const quota = options.enforceSizeQuota === false ? undefined : policySizeQuotas[policyType];
  // The size never exceeds the length, so most documents need no counting.
  if (quota !== undefined && text.length > quota) {
    const size = measurePolicySize(text);
    if (size > quota) {
      throw new PolicyError('LimitExceeded', policySizeMessage(quota), {
        detail: `The policy has ${size} characters without white space; the ${policyType} quota is ${quota}`,
      });
    }
  }
  const ctx = new ParseContext(text);
  // Resource policies belong to other services, which set their own character rules.
  if (policyType !== 'resource') {
    const bad = findDisallowedCharacter(text);
    if (bad !== -1) {
      const code = text.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0');
      throw ctx.error(messages.syntax, [], bad, `character U+${code} is not allowed in a policy document (only tab, line feed, carriage return and U+0020 to U+00FF)`);
    }
  }
  const root = readRoot(ctx, text);

  let version: PolicyVersion;
  let id: string | undefined;
  let statementNode: JsonNode | undefined;
  for (const entry of root.entries) {
    const { key, value } = entry;
    if (key === 'Version') {
      if (value.kind !== 'string' || (value.value !== '2012-10-17' && value.value !== '2008-10-17')) {
        throw ctx.error(messages.syntax, ['Version'], value, 'Version must be "2012-10-17" or "2008-10-17"');
      }
      version = value.value;
    } else if (key === 'Id') {
      if (value.kind !== 'string') throw ctx.error(messages.syntax, ['Id'], value, 'Id must be a string');
      id = value.value;
    } else if (key === 'Statement') {
      statementNode = value;
    } else {
      throw ctx.error(messages.unknownField(key), [key], entry.keyStart);
    }
  }
  if (!statementNode) throw ctx.error(messages.missingStatement, [], root);

  const drafts = readStatements(ctx, statementNode);
  checkLegacy(ctx, drafts);
  checkSids(ctx, drafts, policyType);
  for (const draft of drafts) checkPrincipals(ctx, draft, policyType);
  for (const draft of drafts) checkActions(ctx, draft, policyType);
  for (const draft of drafts) checkResources(ctx, draft, policyType);

  const doc: PolicyDocument = { version, policyType, statements: drafts.map((d) => d.statement) };
  if (id !== undefined) doc.id = id;
  if (options.policyId !== undefined) doc.policyId = options.policyId;
  return doc;
}

function readRoot(ctx: ParseContext, text: string): JsonObject {
  let root: JsonNode;
  try {
    root = readJson(text);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw ctx.error(messages.syntax, err.path, err.offset, err.reason);
  }
  if (root.kind !== 'object') throw ctx.error(messages.syntax, [], root, 'the policy must be a JSON object');
  return root;
}

/** Syntax phase: Statement as an object or a non-empty array of objects, each element of the right JSON type. */
function readStatements(ctx: ParseContext, node: JsonNode): DraftStatement[] {
  if (node.kind === 'object') return [readStatement(ctx, node, ['Statement'], 0)];
  if (node.kind !== 'array') throw ctx.error(messages.syntax, ['Statement'], node, 'Statement must be an object or an array');
  if (node.items.length === 0) throw ctx.error(messages.syntax, ['Statement'], node, 'Statement must not be empty');
  return node.items.map((item, i) => readStatement(ctx, item, ['Statement', i], i));
}

function readStatement(ctx: ParseContext, node: JsonNode, path: Array<string | number>, index: number): DraftStatement {
  if (node.kind !== 'object') throw ctx.error(messages.syntax, path, node, 'a statement must be an object');
  const members = new Map<string, JsonNode>();
  for (const entry of node.entries) {
    if (!STATEMENT_ELEMENTS.has(entry.key)) throw ctx.error(messages.unknownField(entry.key), [...path, entry.key], entry.keyStart);
    members.set(entry.key, entry.value);
  }
  for (const [a, b] of EXCLUSIVE) {
    if (members.has(a) && members.has(b)) throw ctx.error(messages.syntax, [...path, b], members.get(b), `a statement cannot have both ${a} and ${b}`);
  }
  const effectNode = members.get('Effect');
  if (!effectNode) throw ctx.error(messages.missingEffect, path, node);
  if (effectNode.kind !== 'string') throw ctx.error(messages.syntax, [...path, 'Effect'], effectNode, 'Effect must be a string');

  const statement: Statement = { index, effect: effectNode.value as Statement['effect'], condition: [] };
  const sid = members.get('Sid');
  if (sid) {
    if (sid.kind !== 'string') throw ctx.error(messages.syntax, [...path, 'Sid'], sid, 'Sid must be a string');
    statement.sid = sid.value;
  }
  const principal = members.get('Principal');
  if (principal) statement.principal = readPrincipal(ctx, principal, [...path, 'Principal']);
  const notPrincipal = members.get('NotPrincipal');
  if (notPrincipal) statement.notPrincipal = readPrincipal(ctx, notPrincipal, [...path, 'NotPrincipal']);
  for (const [element, field] of STRING_LISTS) {
    const value = members.get(element);
    if (value) statement[field] = ctx.stringList(value, path, element);
  }
  const condition = members.get('Condition');
  if (condition) statement.condition = readCondition(ctx, condition, [...path, 'Condition']);
  return { statement, path, node, members };
}

function pathOf(draft: DraftStatement, ...rest: Array<string | number>): Array<string | number> {
  return [...draft.path, ...rest];
}

/** Legacy parsing: Effect is exactly `Allow` or `Deny` (case-sensitive). https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html */
function checkLegacy(ctx: ParseContext, drafts: DraftStatement[]): void {
  for (const d of drafts) {
    if (d.statement.effect !== 'Allow' && d.statement.effect !== 'Deny') {
      throw ctx.error(messages.legacy, pathOf(d, 'Effect'), d.members.get('Effect'), `Effect must be "Allow" or "Deny", not "${d.statement.effect}"`);
    }
  }
}

/** Sids are unique within a policy and, in IAM's own policies, alphanumeric. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html */
function checkSids(ctx: ParseContext, drafts: DraftStatement[], policyType: PolicyType): void {
  // Resource policies belong to other services, which set their own Sid rules (SQS and SNS allow more characters).
  if (policyType === 'resource') return;
  const seen = new Set<string>();
  for (const d of drafts) {
    const sid = d.statement.sid;
    if (sid === undefined) continue;
    if (!SID.test(sid)) throw ctx.error(messages.sidNotAlphanumeric, pathOf(d, 'Sid'), d.members.get('Sid'));
    if (sid === '') continue;
    if (seen.has(sid)) throw ctx.error(messages.sidNotUnique, pathOf(d, 'Sid'), d.members.get('Sid'), `Sid "${sid}" is used twice`);
    seen.add(sid);
  }
}

/**
 * Identity policies name no principal; resource and trust policies must, and
 * trust policies cannot use NotPrincipal.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
 */
function checkPrincipals(ctx: ParseContext, d: DraftStatement, policyType: PolicyType): void {
  if (policyType === 'trust' && d.members.has('NotPrincipal')) {
    throw ctx.error(messages.prohibitedField('NotPrincipal'), pathOf(d, 'NotPrincipal'), d.members.get('NotPrincipal'));
  }
  const hasPrincipal = d.members.has('Principal') || d.members.has('NotPrincipal');
  if (IDENTITY_TYPES.has(policyType)) {
    if (hasPrincipal) {
      const element = d.members.has('Principal') ? 'Principal' : 'NotPrincipal';
      throw ctx.error(messages.principalNotAllowed, pathOf(d, element), d.members.get(element));
    }
  } else if (!hasPrincipal) {
    throw ctx.error(messages.missingPrincipal, pathOf(d), d.node);
  }
}

/** Exactly one of Action / NotAction, non-empty, each `vendor:action`; trust policies name only STS role-assumption actions. */
function checkActions(ctx: ParseContext, d: DraftStatement, policyType: PolicyType): void {
  const element = d.statement.action ? 'Action' : d.statement.notAction ? 'NotAction' : undefined;
  const values = d.statement.action ?? d.statement.notAction;
  if (!element || !values || values.length === 0) {
    throw ctx.error(messages.missingActions, element ? pathOf(d, element) : pathOf(d), element ? d.members.get(element) : d.node);
  }
  const node = d.members.get(element) as JsonNode;
  for (let i = 0; i < values.length; i++) {
    const action = values[i] as string;
    const at = node.kind === 'array' ? node.items[i] : node;
    const path = node.kind === 'array' ? pathOf(d, element, i) : pathOf(d, element);
    const problem = actionProblem(action);
    if (problem) throw ctx.error(problem.message, path, at, problem.detail);
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user.html (trust policy actions)
    if (policyType === 'trust' && element === 'Action' && !isTrustPolicyAction(action)) {
      throw ctx.error(messages.trustActions, path, at, `"${action}" is not an STS role-assumption action`);
    }
  }
}

/** Trust policies have no Resource; every other policy needs exactly one of Resource / NotResource, each an ARN or "*". */
function checkResources(ctx: ParseContext, d: DraftStatement, policyType: PolicyType): void {
  if (policyType === 'trust') {
    for (const element of ['Resource', 'NotResource']) {
      if (d.members.has(element)) throw ctx.error(messages.prohibitedField(element), pathOf(d, element), d.members.get(element));
    }
    return;
  }
  const element = d.statement.resource ? 'Resource' : d.statement.notResource ? 'NotResource' : undefined;
  const values = d.statement.resource ?? d.statement.notResource;
  if (!element || !values || values.length === 0) {
    throw ctx.error(messages.missingResources, element ? pathOf(d, element) : pathOf(d), element ? d.members.get(element) : d.node);
  }
  const node = d.members.get(element) as JsonNode;
  for (let i = 0; i < values.length; i++) {
    const problem = resourceProblem(values[i] as string);
    if (problem) {
      const at = node.kind === 'array' ? node.items[i] : node;
      throw ctx.error(problem.message, node.kind === 'array' ? pathOf(d, element, i) : pathOf(d, element), at, problem.detail);
    }
  }
}
