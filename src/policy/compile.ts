// Compiles a parsed policy once into matchers: action patterns into a set of exact
// names plus globs, Resource patterns into colon-aware globs, conditions into
// compiled entries. A principal's statements are then indexed by action across its
// whole policy set (statement-index.ts). Compiled policies are cached (WeakMap for
// documents, a bounded map for JSON text).

import { registerCache } from './caches.js';
import { compileCondition, type CompiledCondition } from './conditions/evaluate-condition.js';
import type { ContextView } from './context.js';
import { compileGlob, compileResourcePattern, hasWildcard, type Matcher } from './match.js';
import { parsePolicy } from './parse.js';
import type { PolicyDocument, PolicyType, PrincipalElement, Statement } from './types.js';
import { parseTemplate, resolveTemplate, type Template } from './variables.js';

/** Matches a lower-cased `service:Action`. */
export type ActionMatcher = (lowerAction: string) => boolean;

/** Matches a resource ARN; may read the context to substitute policy variables. */
export type ResourceMatcher = (resourceArn: string, context: ContextView) => boolean;

/** One statement, ready to evaluate. */
export interface CompiledStatement {
  readonly statement: Statement;
  readonly deny: boolean;
  readonly matchAction: ActionMatcher;
  readonly matchResource: ResourceMatcher;
  readonly principal: PrincipalElement | undefined;
  readonly notPrincipal: PrincipalElement | undefined;
  readonly conditions: readonly CompiledCondition[];
}

/** A policy, ready to evaluate. */
export interface CompiledPolicy {
  readonly document: PolicyDocument;
  /** Its statements, compiled, in document order. */
  readonly statements: readonly CompiledStatement[];
}

const always = (): boolean => true;
const never = (): boolean => false;

/**
 * Action matching: case-insensitive, `*` and `?` wildcards.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 */
function compileActions(patterns: readonly string[]): ActionMatcher {
  const exact = new Set<string>();
  const globs: Matcher[] = [];
  for (const pattern of patterns) {
    const lower = pattern.toLowerCase();
    if (lower === '*') return always;
    // Action globs use the free colon rule: `*:Describe*` may match any service.
    if (hasWildcard(lower)) globs.push(compileGlob(lower));
    else exact.add(lower);
  }
  // A few names compare faster in a list than through a Set's hashing.
  const names = [...exact];
  const hasName = names.length > 4 ? (action: string) => exact.has(action) : (action: string) => names.includes(action);
  if (globs.length === 0) {
    if (names.length === 1) {
      const only = names[0] as string;
      return (action) => action === only;
    }
    return hasName;
  }
  return (action) => {
    if (hasName(action)) return true;
    for (let i = 0; i < globs.length; i++) if ((globs[i] as Matcher)(action)) return true;
    return false;
  };
}

/** A Resource value with policy variables: substituted, then compiled (cached per substitution). */
function compileResourceTemplate(template: Template): ResourceMatcher {
  const cache = new Map<string, Matcher>();
  return (arn, context) => {
    const pattern = resolveTemplate(template, context, true);
    if (pattern === undefined) return false;
    let matcher = cache.get(pattern);
    if (!matcher) {
      matcher = compileResourcePattern(pattern);
      if (cache.size >= 64) cache.clear();
      cache.set(pattern, matcher);
    }
    return matcher(arn);
  };
}

/** One Resource/NotResource value; substitutes policy variables per request when it has any. */
function compileResourceValue(value: string, doc: PolicyDocument): ResourceMatcher {
  const template = parseTemplate(value, doc.version);
  if (template.hasVariables) return compileResourceTemplate(template);
  const matcher = compileResourcePattern(template.parts[0] as string);
  return (arn) => matcher(arn);
}

/**
 * Resource / NotResource: case-sensitive ARN patterns with the Resource element's
 * wildcard rules; policy variables substituted under Version 2012-10-17. A
 * NotResource value whose variable cannot be resolved makes the statement not
 * match (it cannot tell which resources are excluded).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
 */
function compileResources(statement: Statement, doc: PolicyDocument): ResourceMatcher {
  if (statement.resource) {
    if (statement.resource.includes('*')) return always;
    const matchers = statement.resource.map((v) => compileResourceValue(v, doc));
    if (matchers.length === 1) return matchers[0] as ResourceMatcher;
    return (arn, context) => {
      for (let i = 0; i < matchers.length; i++) if ((matchers[i] as ResourceMatcher)(arn, context)) return true;
      return false;
    };
  }
  if (statement.notResource) {
    if (statement.notResource.includes('*')) return never;
    const templates = statement.notResource.map((v) => parseTemplate(v, doc.version));
    const matchers = statement.notResource.map((v) => compileResourceValue(v, doc));
    return (arn, context) => {
      for (let i = 0; i < matchers.length; i++) {
        const template = templates[i] as Template;
        if (template.hasVariables && resolveTemplate(template, context, true) === undefined) return false;
        if ((matchers[i] as ResourceMatcher)(arn, context)) return false;
      }
      return true;
    };
  }
  // Trust policies carry no Resource element: the statement is about the role itself.
  return always;
}

/** Compiles one statement of `doc`. */
export function compileStatement(statement: Statement, doc: PolicyDocument): CompiledStatement {
  let matchAction: ActionMatcher = never;
  if (statement.action) matchAction = compileActions(statement.action);
  else if (statement.notAction) {
    // NotAction matches every action except the listed ones (of every service).
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
    const listed = compileActions(statement.notAction);
    matchAction = (action) => !listed(action);
  }
  return Object.freeze({
    statement,
    deny: statement.effect === 'Deny',
    matchAction,
    matchResource: compileResources(statement, doc),
    principal: statement.principal,
    notPrincipal: statement.notPrincipal,
    conditions: statement.condition.map((c) => compileCondition(c, doc.version)),
  });
}

/** Compiles a whole document. */
function compileUncached(doc: PolicyDocument): CompiledPolicy {
  const statements = Object.freeze(doc.statements.map((statement) => compileStatement(statement, doc)));
  return Object.freeze({ document: doc, statements });
}

const documentCache = new WeakMap<PolicyDocument, CompiledPolicy>();
// Keyed by the text itself (V8 keeps a string's hash, so a repeated string costs
// no rehash), one map per policy type.
const textCaches = new Map<PolicyType, Map<string, CompiledPolicy>>();
const textUse = registerCache(
  'policy_texts',
  () => {
    let size = 0;
    for (const cache of textCaches.values()) size += cache.size;
    return size;
  },
  () => textCaches.clear(),
);
/** How many JSON texts stay compiled; the oldest is dropped first. */
export const TEXT_CACHE_LIMIT = 1000;

/** Compiles a parsed document; the same object is compiled only once. */
export function compilePolicy(doc: PolicyDocument): CompiledPolicy {
  let compiled = documentCache.get(doc);
  if (!compiled) {
    compiled = compileUncached(doc);
    documentCache.set(doc, compiled);
  }
  return compiled;
}

/**
 * Parses (with `parsePolicy`) and compiles policy JSON text, or compiles a parsed
 * document. Text is cached by its exact content and `policyType`, in a bounded map.
 * Throws `PolicyError` for text that does not parse.
 */
export function loadPolicy(input: string | PolicyDocument, policyType: PolicyType): CompiledPolicy {
  if (typeof input !== 'string') return compilePolicy(input);
  textUse.used = true;
  let cache = textCaches.get(policyType);
  if (!cache) textCaches.set(policyType, (cache = new Map()));
  let compiled = cache.get(input);
  if (!compiled) {
    compiled = compileUncached(parsePolicy(input, { policyType }));
    if (cache.size >= TEXT_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(input, compiled);
  }
  return compiled;
}
