// Authorization answered for other software: AWS's SimulateCustomPolicy and
// SimulatePrincipalPolicy, one to one, and isAuthorized for the calling session.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
import type { DbTx } from '../db/client.js';
import { InvalidInputError, NoSuchEntityError } from '../errors.js';
import {
  compilePolicySet,
  evaluate,
  type CompiledPolicySet,
  type EvaluationResult,
  type PolicyDocument,
  type RequestContext,
} from '../policy/index.js';
import { parseIamArn } from './arn.js';
import { checkPolicyDocument } from './policy-documents.js';
import { loadHeldPolicies } from './principal-policies.js';

/** AWS's ContextEntry. */
export interface ContextEntryInput {
  contextKeyName: string;
  contextKeyValues: string[];
  contextKeyType?: string | null;
}

export interface SimulationInput {
  actionNames: string[];
  resourceArns?: string[] | null;
  resourcePolicy?: string | null;
  resourceOwner?: string | null;
  callerArn?: string | null;
  contextEntries?: ContextEntryInput[] | null;
}

/** One result row, shaped like AWS's EvaluationResult. */
export interface SimulationResult {
  evalActionName: string;
  evalResourceName: string;
  evalDecision: EvaluationResult['decision'];
  matchedStatements: Array<{ sourcePolicyId: string | null; sourcePolicyType: string; statementIndex: number; sid: string | null; effect: string }>;
  missingContextValues: string[];
  permissionsBoundaryDecisionDetail: { allowedByPermissionsBoundary: boolean } | null;
}

interface LabelledPolicy {
  document: PolicyDocument;
  type: string;
}

const MULTI_VALUED_TYPES = new Set(['stringList', 'numericList', 'booleanList', 'dateList', 'ipList', 'binaryList']);

/** Turns AWS's ContextEntry list into a request context. */
export function toRequestContext(entries: ContextEntryInput[] | null | undefined): RequestContext {
  const context: RequestContext = {};
  for (const entry of entries ?? []) {
    const multi = entry.contextKeyType ? MULTI_VALUED_TYPES.has(entry.contextKeyType) : entry.contextKeyValues.length !== 1;
    context[entry.contextKeyName] = multi ? entry.contextKeyValues : (entry.contextKeyValues[0] ?? '');
  }
  return context;
}

/** Simulates documents given as text (SimulateCustomPolicy). */
export function simulateCustomPolicy(
  input: SimulationInput & { policyInputList: string[]; permissionsBoundaryPolicyInputList?: string[] | null },
): SimulationResult[] {
  const identity = input.policyInputList.map((text, i) => ({ document: parseInput(text, `PolicyInputList.${i + 1}`), type: 'IAM Policy' }));
  const boundaries = (input.permissionsBoundaryPolicyInputList ?? []).map((text, i) => parseInput(text, `PermissionsBoundaryPolicyInputList.${i + 1}`));
  return simulate(identity, boundaries[0] ?? null, input);
}

/** Simulates the policies of a user, group or role of this account, plus extra documents (SimulatePrincipalPolicy). */
export async function simulatePrincipalPolicy(
  db: DbTx,
  accountId: string,
  input: SimulationInput & { policySourceArn: string; policyInputList?: string[] | null; permissionsBoundaryPolicyInputList?: string[] | null },
): Promise<SimulationResult[]> {
  const source = parseIamArn(input.policySourceArn);
  if (!source || source.account !== accountId || !['user', 'group', 'role'].includes(source.type)) {
    throw new NoSuchEntityError(`Entity ${input.policySourceArn} does not exist.`);
  }
  const held = await loadHeldPolicies(db, accountId, { type: source.type as 'user' | 'group' | 'role', arn: input.policySourceArn });
  if (!held) throw new NoSuchEntityError(`Entity ${input.policySourceArn} does not exist.`);
  const identity: LabelledPolicy[] = held.identity.map(({ document, origin }) =>
    origin.kind === 'inline'
      ? // AWS reports an inline policy by its name.
        { document: { ...document, policyId: origin.name }, type: origin.entityType }
      : { document, type: origin.isAwsManaged ? 'aws-managed' : 'user-managed' },
  );
  (input.policyInputList ?? []).forEach((text, i) => identity.push({ document: parseInput(text, `PolicyInputList.${i + 1}`), type: 'IAM Policy' }));
  const boundaryInputs = input.permissionsBoundaryPolicyInputList ?? [];
  const boundary = boundaryInputs.length > 0 ? parseInput(boundaryInputs[0]!, 'PermissionsBoundaryPolicyInputList.1') : held.permissionsBoundary;
  const callerArn = input.callerArn ?? (source.type === 'group' ? undefined : input.policySourceArn);
  return simulate(identity, boundary, { ...input, callerArn: callerArn ?? null });
}

function simulate(identity: LabelledPolicy[], boundary: PolicyDocument | null, input: SimulationInput): SimulationResult[] {
  if (input.actionNames.length === 0) throw new InvalidInputError('ActionNames must not be empty.');
  const set: CompiledPolicySet = compilePolicySet({
    identityPolicies: identity.map((p) => p.document),
    permissionsBoundary: boundary,
    resourcePolicy: input.resourcePolicy ? checkPolicyDocument(input.resourcePolicy, 'resource') : null,
  });
  const boundarySet = boundary ? compilePolicySet({ identityPolicies: [boundary] }) : undefined;
  const typeOf = new Map(identity.map((p) => [p.document.policyId, p.type]));
  const context = toRequestContext(input.contextEntries);
  const principalArn = input.callerArn ?? 'arn:aws:iam::000000000000:user/simulated';
  const resources = input.resourceArns?.length ? input.resourceArns : ['*'];
  const results: SimulationResult[] = [];
  for (const action of input.actionNames) {
    for (const resource of resources) {
      const request = { principalArn, action, resourceArn: resource, context, resourceOwnerAccount: input.resourceOwner ? input.resourceOwner.split(':')[4] || input.resourceOwner : null };
      const result = evaluate(set, request);
      results.push({
        evalActionName: action,
        evalResourceName: resource,
        evalDecision: result.decision,
        matchedStatements: result.matchedStatements.map((m) => ({
          sourcePolicyId: m.policyId ?? null,
          sourcePolicyType: m.source === 'identity' ? (typeOf.get(m.policyId) ?? 'IAM Policy') : m.source === 'permissionsBoundary' ? 'PermissionsBoundaryPolicy' : m.source,
          statementIndex: m.statementIndex,
          sid: m.sid ?? null,
          effect: m.effect,
        })),
        missingContextValues: result.missingContextValues,
        permissionsBoundaryDecisionDetail: boundarySet
          ? { allowedByPermissionsBoundary: evaluate(boundarySet, request).decision === 'allowed' }
          : null,
      });
    }
  }
  return results;
}

function parseInput(text: string, member: string): PolicyDocument {
  const document = checkPolicyDocument(text, 'managed');
  return { ...document, policyId: document.policyId ?? member };
}
