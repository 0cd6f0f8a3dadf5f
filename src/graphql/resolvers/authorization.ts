// Authorization questions from other software: isAuthorized for the calling
// session, AWS's policy simulators and the context keys they need, and Access
// Analyzer's ValidatePolicy for writing policies before storing them. (The change
// previews are built with the mutations they preview: src/graphql/dry-run.ts.)
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
import { allowedActions, principalsWithAccess } from '../../iam/access-analysis.js';
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
