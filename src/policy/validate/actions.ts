// Action checks: actions that do not exist in a known service, actions made
// redundant by another of the statement's patterns, iam:PassRole on any role,
// and Allow + NotAction on every resource.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html

import { globMatcher, isKnownService, matchActions } from '../catalog.js';
import type { Statement } from '../types.js';
import type { CheckContext } from './context.js';
import { findRedundant } from './redundant.js';

/** Runs the action checks on every statement. */
export function checkActions(ctx: CheckContext): void {
  for (const statement of ctx.doc.statements) {
    const element = statement.action ? 'Action' : 'NotAction';
    const actions = statement.action ?? statement.notAction ?? [];
    checkActionsExist(ctx, statement, element, actions);
    checkRedundantActions(ctx, statement, element, actions);
    if (statement.effect === 'Allow' && statement.action) checkPassRole(ctx, statement);
    if (statement.effect === 'Allow' && statement.notAction && statement.resource?.includes('*')) {
      ctx.report(
        'SECURITY_WARNING',
        'ALLOW_WITH_NOT_ACTION_AND_STAR_IN_RESOURCE',
        'Using Allow with NotAction and a wildcard (*) in the resource can be overly permissive because it allows every action of every service, present and future, except the listed ones, on all resources. We recommend that you list the allowed actions in Action instead.',
        ctx.statementPath(statement.index, 'NotAction'),
      );
    }
  }
}

function split(action: string): [service: string, name: string] | undefined {
  const colon = action.indexOf(':');
  return colon === -1 ? undefined : [action.slice(0, colon), action.slice(colon + 1)];
}

/** INVALID_ACTION: a known service with no action of that name (or no action the wildcard matches). Unknown prefixes are a customer's own. */
function checkActionsExist(ctx: CheckContext, statement: Statement, element: string, actions: string[]): void {
  actions.forEach((action, i) => {
    const parts = split(action);
    if (!parts || !isKnownService(parts[0])) return;
    if (matchActions(parts[0], parts[1]).length === 0) {
      ctx.report('ERROR', 'INVALID_ACTION', `The action ${action} does not exist.`, ctx.valuePath(statement.index, element, i));
    }
  });
}

/**
 * REDUNDANT_ACTION: an action another entry of the same element already
 * grants (`s3:*` makes `s3:GetObject` redundant; a repeated entry is redundant).
 */
function checkRedundantActions(ctx: CheckContext, statement: Statement, element: string, actions: string[]): void {
  if (actions.length < 2) return;
  // Actions compare case-insensitively.
  const redundant = findRedundant(actions.map((a) => a.toLowerCase()), covers);
  if (redundant.length === 0) return;
  ctx.report(
    'SUGGESTION',
    'REDUNDANT_ACTION',
    `The ${redundant.length} action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: ${redundant.map((i) => actions[i]).join(', ')}.`,
    ...redundant.map((i) => ctx.valuePath(statement.index, element, i)),
  );
}

/** True when every action `narrow` grants is also granted by `wide` (both lower case). */
function covers(wide: string, narrow: string): boolean {
  if (wide === '*') return true;
  if (narrow === '*') return false;
  const w = split(wide);
  const n = split(narrow);
  if (!w || !n || w[0] !== n[0]) return false;
  if (!/[*?]/.test(n[1])) return globMatcher(w[1])(n[1]);
  if (isKnownService(n[0])) {
    const narrowSet = matchActions(n[0], n[1]);
    if (narrowSet.length === 0) return false;
    const wideSet = new Set(matchActions(w[0], w[1]));
    return narrowSet.every((a) => wideSet.has(a));
  }
  // Sound without a catalog only when `wide` has no single-character wildcard.
  return !w[1].includes('?') && globMatcher(w[1])(n[1]);
}

/**
 * PASS_ROLE_WITH_STAR_IN_RESOURCE / PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE:
 * an Allow of iam:PassRole on a wildcard resource without iam:PassedToService.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
 */
function checkPassRole(ctx: CheckContext, statement: Statement): void {
  const actions = statement.action ?? [];
  const passRole = actions.map((a) => a.toLowerCase()).findIndex((a) => a === 'iam:passrole' || covers(a, 'iam:passrole'));
  if (passRole === -1) return;
  if (statement.condition.some((c) => c.key.toLowerCase() === 'iam:passedtoservice')) return;
  const resources = statement.resource;
  if (!resources) {
    if (statement.notResource) {
      ctx.report(
        'SECURITY_WARNING',
        'PASS_ROLE_WITH_NOT_RESOURCE',
        'Using the iam:PassRole action with NotResource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.',
        ctx.statementPath(statement.index, 'NotResource'),
      );
    }
    return;
  }
  const star = resources.findIndex((r) => r.includes('*'));
  if (star === -1) return;
  const wildcardAction = (actions[passRole] as string).toLowerCase() !== 'iam:passrole';
  if (wildcardAction) {
    ctx.report(
      'SECURITY_WARNING',
      'PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE',
      'Using the iam:PassRole action with wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.',
      ctx.valuePath(statement.index, 'Action', passRole),
      ctx.valuePath(statement.index, 'Resource', star),
    );
  } else {
    ctx.report(
      'SECURITY_WARNING',
      'PASS_ROLE_WITH_STAR_IN_RESOURCE',
      'Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement.',
      ctx.valuePath(statement.index, 'Resource', star),
    );
  }
}
