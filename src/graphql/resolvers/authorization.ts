// Authorization questions from other software: isAuthorized for the calling
// session, AWS's policy simulators and the context keys they need, and Access
// Analyzer's ValidatePolicy for writing policies before storing them.
import type { Resolvers } from '../../generated/graphql.js';
import { guarded } from '../caller.js';
import { requestFacts, requirePrincipal, type Context } from '../../context.js';
import { ValidationError } from '../../errors.js';
import { isAuthorized } from '../../auth/is-authorized.js';
import {
  getContextKeysForCustomPolicy,
  getContextKeysForPrincipalPolicy,
  simulateCustomPolicy,
  simulatePrincipalPolicy,
  toRequestContext,
  type ContextEntryInput,
  type SimulationResult,
} from '../../iam/simulate.js';
import { validatePolicyText } from '../../iam/validate-policy.js';
import { allowedActions, previewPolicyChange, principalsWithAccess, type PolicyChange } from '../../iam/access-analysis.js';
import type { PolicyHolderKind } from '../../iam/attachments.js';
import { paginateList, type PageArgs } from '../../db/pagination.js';
import type { EvaluationResult, MatchedStatement } from '../../policy/index.js';

const MAX_BATCH = 100;

interface Question {
  action: string;
  resource: string;
  context?: ContextEntryInput[] | null;
}

type Answer = ReturnType<typeof toAnswer>;

/** Answers one question; synchronously when the caller's policies are cached, so graphql-js has no promise to wait on. */
function answer(ctx: Context, question: Question): Answer | Promise<Answer> {
  const principal = requirePrincipal(ctx);
  const result = isAuthorized(
    ctx.deps.authorizer,
    principal,
    { action: question.action, resource: question.resource, context: toRequestContext(question.context) },
    requestFacts(ctx),
  );
  return result instanceof Promise ? result.then((decided) => toAnswer(question, decided)) : toAnswer(question, result);
}

function toAnswer(question: Question, result: EvaluationResult) {
  return {
    allowed: result.decision === 'allowed',
    decision: result.decision,
    action: question.action,
    resource: question.resource,
    matchedStatements: result.matchedStatements.map(toStatement),
    missingContextValues: result.missingContextValues,
  };
}

function toStatement(m: MatchedStatement) {
  return { sourcePolicyId: m.policyId ?? null, sourcePolicyType: m.source, statementIndex: m.statementIndex, sid: m.sid ?? null, effect: m.effect };
}

/**
 * One page of simulation results (AWS's MaxItems and Marker). A marker is bound to
 * the account and the simulator; the caller sends the same input again with it.
 */
async function simulationPage(ctx: Context, scope: string, page: PageArgs, results: SimulationResult[]) {
  const rows = results.map((result, i) => ({ result, key: String(i).padStart(6, '0') }));
  const connection = await paginateList(ctx.deps.cursors, scope, page, (row) => row.key, rows);
  return { evaluationResults: connection.nodes.map((row) => row.result), isTruncated: connection.isTruncated, marker: connection.marker };
}

/** A preview resolver: the mutation's input read as the change it would make (the guard checked the mutation's own action). */
function preview<TInput>(toChange: (input: TInput) => PolicyChange) {
  return guarded(({ accountId }, { input }: { input: TInput }, ctx: Context) => previewPolicyChange(ctx.db, accountId, toChange(input)));
}

type Holder = { userName: string } | { groupName: string } | { roleName: string };

function holderOf(kind: PolicyHolderKind, input: Holder): { holderKind: PolicyHolderKind; holderName: string } {
  const name = kind === 'user' ? (input as { userName: string }).userName : kind === 'group' ? (input as { groupName: string }).groupName : (input as { roleName: string }).roleName;
  return { holderKind: kind, holderName: name };
}

const putInline = (kind: PolicyHolderKind) => preview((input: Holder & { policyName: string; policyDocument: string }) => ({ kind: 'putInline', ...holderOf(kind, input), policyName: input.policyName, policyDocument: input.policyDocument }));
const deleteInline = (kind: PolicyHolderKind) => preview((input: Holder & { policyName: string }) => ({ kind: 'deleteInline', ...holderOf(kind, input), policyName: input.policyName }));
const attachment = (kind: PolicyHolderKind, change: 'attach' | 'detach') => preview((input: Holder & { policyArn: string }) => ({ kind: change, ...holderOf(kind, input), policyArn: input.policyArn }));

export const authorizationResolvers: Resolvers = {
  Query: {
    isAuthorized: (_parent, { input }, ctx) => answer(ctx, input),
    isAuthorizedBatch: async (_parent, { input }, ctx) => {
      if (input.requests.length < 1 || input.requests.length > MAX_BATCH) {
        throw new ValidationError(`1 validation error detected: Value at 'requests' failed to satisfy constraint: Member must have length between 1 and ${MAX_BATCH}`);
      }
      const out = [];
      for (const question of input.requests) out.push(await answer(ctx, question));
      return out;
    },
    validatePolicy: (_parent, { input }) => ({ findings: validatePolicyText(input) }),
    getContextKeysForCustomPolicy: (_parent, { input }) => ({ contextKeyNames: getContextKeysForCustomPolicy(input.policyInputList) }),
    getContextKeysForPrincipalPolicy: guarded(async ({ accountId }, { input }, ctx) => ({
      contextKeyNames: await getContextKeysForPrincipalPolicy(ctx.db, accountId, input.policySourceArn, input.policyInputList),
    })),
    listPrincipalsWithAccess: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const rows = await principalsWithAccess(ctx.db, accountId, input);
      const page = await paginateList(ctx.deps.cursors, `${accountId}:listPrincipalsWithAccess`, { first, after }, (row) => row.principalArn, rows);
      return { principals: page.nodes, isTruncated: page.isTruncated, marker: page.marker };
    }),
    listAllowedActions: guarded(async ({ accountId }, { input, first, after }, ctx) => {
      const rows = await allowedActions(ctx.db, accountId, input);
      const page = await paginateList(ctx.deps.cursors, `${accountId}:listAllowedActions`, { first, after }, (row) => row.service, rows);
      return { services: page.nodes, isTruncated: page.isTruncated, marker: page.marker };
    }),
    previewPutUserPolicy: putInline('user'),
    previewPutGroupPolicy: putInline('group'),
    previewPutRolePolicy: putInline('role'),
    previewDeleteUserPolicy: deleteInline('user'),
    previewDeleteGroupPolicy: deleteInline('group'),
    previewDeleteRolePolicy: deleteInline('role'),
    previewAttachUserPolicy: attachment('user', 'attach'),
    previewAttachGroupPolicy: attachment('group', 'attach'),
    previewAttachRolePolicy: attachment('role', 'attach'),
    previewDetachUserPolicy: attachment('user', 'detach'),
    previewDetachGroupPolicy: attachment('group', 'detach'),
    previewDetachRolePolicy: attachment('role', 'detach'),
    previewPutUserPermissionsBoundary: preview((input: { userName: string; permissionsBoundary: string }) => ({ kind: 'boundary', holderKind: 'user', holderName: input.userName, policyArn: input.permissionsBoundary })),
    previewPutRolePermissionsBoundary: preview((input: { roleName: string; permissionsBoundary: string }) => ({ kind: 'boundary', holderKind: 'role', holderName: input.roleName, policyArn: input.permissionsBoundary })),
    previewDeleteUserPermissionsBoundary: preview((input: { userName: string }) => ({ kind: 'boundary', holderKind: 'user', holderName: input.userName, policyArn: null })),
    previewDeleteRolePermissionsBoundary: preview((input: { roleName: string }) => ({ kind: 'boundary', holderKind: 'role', holderName: input.roleName, policyArn: null })),
    previewCreatePolicyVersion: preview((input: { policyArn: string; policyDocument: string; setAsDefault?: boolean | null }) => ({
      kind: 'defaultVersion',
      policyArn: input.policyArn,
      policyDocument: input.setAsDefault === true ? input.policyDocument : null,
    })),
    previewSetDefaultPolicyVersion: preview((input: { policyArn: string; versionId: string }) => ({ kind: 'setDefaultVersion', policyArn: input.policyArn, versionId: input.versionId })),
    previewUpdateAssumeRolePolicy: preview((input: { roleName: string; policyDocument: string }) => ({ kind: 'trust', roleName: input.roleName, policyDocument: input.policyDocument })),
  },
  Mutation: {
    simulateCustomPolicy: guarded(({ accountId }, { input, first, after }, ctx) =>
      simulationPage(ctx, `${accountId}:simulateCustomPolicy`, { first, after }, simulateCustomPolicy(input)),
    ),
    simulatePrincipalPolicy: guarded(async ({ accountId }, { input, first, after }, ctx) =>
      simulationPage(ctx, `${accountId}:simulatePrincipalPolicy`, { first, after }, await simulatePrincipalPolicy(ctx.db, accountId, input)),
    ),
  },
};
