// Reads a Principal or NotPrincipal element into its normalised form and
// rejects the shapes IAM answers with "Invalid principal in policy".
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html

import type { PolicyPath } from './errors.js';
import type { JsonNode } from './json.js';
import { messages, type ParseContext } from './parse-context.js';
import type { PrincipalElement } from './types.js';

type PrincipalKind = 'AWS' | 'Service' | 'Federated' | 'CanonicalUser';

const ACCOUNT_ID = /^\d{12}$/;
const SERVICE_PRINCIPAL = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;
const CANONICAL_USER = /^[0-9a-fA-F]{64}$/;

/**
 * Accepts `"*"` or an object whose keys are AWS, Service, Federated or
 * CanonicalUser, each a string or a non-empty array of strings. Wildcards are
 * allowed only as the whole value `"*"` of the AWS key ("You cannot use a
 * wildcard to match part of a principal name or ARN").
 */
export function readPrincipal(ctx: ParseContext, node: JsonNode, path: PolicyPath): PrincipalElement {
  if (node.kind === 'string') {
    if (node.value === '*') return '*';
    throw ctx.error(messages.invalidPrincipal, path, node, `a string principal must be "*", not "${node.value}"`);
  }
  if (node.kind !== 'object') throw ctx.error(messages.invalidPrincipal, path, node, 'the principal must be "*" or an object');
  if (node.entries.length === 0) throw ctx.error(messages.invalidPrincipal, path, node, 'the principal object is empty');
  const out: Exclude<PrincipalElement, '*'> = {};
  for (const entry of node.entries) {
    const entryPath = [...path, entry.key];
    if (entry.key !== 'AWS' && entry.key !== 'Service' && entry.key !== 'Federated' && entry.key !== 'CanonicalUser') {
      throw ctx.error(messages.invalidPrincipal, entryPath, entry.keyStart, `unknown principal type "${entry.key}"`);
    }
    const kind: PrincipalKind = entry.key;
    const values = readPrincipalValues(ctx, entry.value, entryPath, kind);
    for (let i = 0; i < values.length; i++) {
      const problem = principalValueProblem(kind, values[i] as string);
      if (problem) {
        const at = entry.value.kind === 'array' ? entry.value.items[i] : entry.value;
        throw ctx.error(messages.invalidPrincipal, entry.value.kind === 'array' ? [...entryPath, i] : entryPath, at, problem);
      }
    }
    out[kind] = values;
  }
  return out;
}

function readPrincipalValues(ctx: ParseContext, node: JsonNode, path: PolicyPath, kind: string): string[] {
  if (node.kind === 'string') return [node.value];
  if (node.kind !== 'array') throw ctx.error(messages.invalidPrincipal, path, node, `${kind} must be a string or an array of strings`);
  if (node.items.length === 0) throw ctx.error(messages.invalidPrincipal, path, node, `${kind} must not be an empty array`);
  return node.items.map((item, i) => {
    if (item.kind !== 'string') throw ctx.error(messages.invalidPrincipal, [...path, i], item, `${kind} must contain only strings`);
    return item.value;
  });
}

/** Why a principal value is not acceptable for its kind, or undefined when it is. */
export function principalValueProblem(kind: PrincipalKind, value: string): string | undefined {
  if (value === '') return `an empty ${kind} principal`;
  const hasWildcard = value.includes('*') || value.includes('?');
  switch (kind) {
    case 'AWS':
      if (value === '*' || ACCOUNT_ID.test(value)) return undefined;
      if (hasWildcard) return `a wildcard cannot match part of an AWS principal ("${value}")`;
      return isPrincipalArn(value) ? undefined : `"${value}" is not an account ID or an IAM/STS principal ARN`;
    case 'Service':
      if (hasWildcard) return `a wildcard cannot be used in a service principal ("${value}")`;
      return SERVICE_PRINCIPAL.test(value) ? undefined : `"${value}" is not a service principal name`;
    case 'Federated':
      return hasWildcard ? `a wildcard cannot be used in a federated principal ("${value}")` : undefined;
    case 'CanonicalUser':
      return CANONICAL_USER.test(value) ? undefined : `"${value}" is not a canonical user ID`;
  }
}

/** `arn:<partition>:iam|sts::<account>:<resource>` with a non-empty resource. */
function isPrincipalArn(value: string): boolean {
  const parts = value.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[1] === '') return false;
  if (parts[2] !== 'iam' && parts[2] !== 'sts') return false;
  return parts[4] !== '' && parts.slice(5).join(':') !== '';
}
