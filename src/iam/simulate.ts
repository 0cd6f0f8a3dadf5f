// Authorization answered for other software: AWS's SimulateCustomPolicy and
// SimulatePrincipalPolicy, one to one, and GetContextKeysForCustomPolicy and
// GetContextKeysForPrincipalPolicy (the context keys a simulation needs).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html
import type { DbTx } from '../db/client.js';
import { InvalidInputError, NoSuchEntityError, ValidationError } from '../errors.js';
import {
  compilePolicySet,
  contextKeysOf,
  evaluate,
  locateStatements,
  parsePolicy,
  type CompiledPolicySet,
  type EvaluationResult,
  type LineColumn,
  type MatchedStatement,
  type PolicyDocument,
  type RequestContext,
} from '../policy/index.js';
import { parseIamArn } from './arn.js';
import { checkPolicyDocument } from './policy-documents.js';
import { loadHeldPolicies, type PolicyOrigin } from './principal-policies.js';

/** AWS's ContextEntry. */
export interface ContextEntryInput {
  contextKeyName: string;
  contextKeyValues: string[];
  contextKeyType?: string | null;
}

export interface SimulationInput {
  actionNames: string[];
  /** SimulateCustomPolicy's service control policies, from the organization's root down to the account (at most 7 levels). */
  orderedOrganizationPolicyInputList?: Array<{ serviceControlPolicyInputList?: string[] | null }> | null;
  resourceArns?: string[] | null;
  resourcePolicy?: string | null;
  resourceOwner?: string | null;
  callerArn?: string | null;
  contextEntries?: ContextEntryInput[] | null;
}

/** A matched statement, shaped like AWS's Statement (plus its index, Sid and effect). */
export interface SimulatedStatement {
  sourcePolicyId: string | null;
  sourcePolicyType: string;
  statementIndex: number;
  sid: string | null;
  effect: string;
  /** Where the statement starts and ends in its policy's text (line and column from 1). */
  startPosition: LineColumn | null;
  endPosition: LineColumn | null;
}

/** AWS's EvalDecisionDetails map, as entries: `IAM Policy` and `Resource Policy` to their decisions. */
export type EvalDecisionDetails = Array<{ key: string; value: EvaluationResult['decision'] }>;

/** The decision of one resource (AWS's ResourceSpecificResult). */
export interface ResourceSpecificResult {
  evalResourceName: string;
  evalResourceDecision: EvaluationResult['decision'];
  matchedStatements: SimulatedStatement[];
  missingContextValues: string[];
  evalDecisionDetails: EvalDecisionDetails | null;
  permissionsBoundaryDecisionDetail: { allowedByPermissionsBoundary: boolean } | null;
}

/** One result row, shaped like AWS's EvaluationResult. */
export interface SimulationResult {
  evalActionName: string;
  evalResourceName: string;
  evalDecision: EvaluationResult['decision'];
  matchedStatements: SimulatedStatement[];
  missingContextValues: string[];
  evalDecisionDetails: EvalDecisionDetails | null;
  permissionsBoundaryDecisionDetail: { allowedByPermissionsBoundary: boolean } | null;
  /** Whether the organization's service control policies allow the request, when any were given. */
  organizationsDecisionDetail: { allowedByOrganizations: boolean } | null;
  /** The same decision for the one resource of this row, when resources were named. */
  resourceSpecificResults: ResourceSpecificResult[];
}

/** A policy taking part in a simulation, with its text to locate statements in. */
interface LabelledPolicy {
  document: PolicyDocument;
  type: string;
  text: string | null;
}

/** An identity policy that allows everything: the stand-in for the caller's side when the resource side is decided alone. */
const ALLOW_ALL = parsePolicy('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}', { policyType: 'managed', policyId: 'allow-all' });

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
  const identity = input.policyInputList.map((text, i) => parseInput(text, `PolicyInputList.${i + 1}`));
  const boundaries = (input.permissionsBoundaryPolicyInputList ?? []).map((text, i) =>
    parseInput(text, `PermissionsBoundaryPolicyInputList.${i + 1}`),
  );
  return simulate(identity, boundaries[0] ?? null, input);
}

/** Simulates the policies of a user, group or role of this account, plus extra documents (SimulatePrincipalPolicy). */
export async function simulatePrincipalPolicy(
  db: DbTx,
  accountId: string,
  input: SimulationInput & {
    policySourceArn: string;
    policyInputList?: string[] | null;
    permissionsBoundaryPolicyInputList?: string[] | null;
    policyExclusionList?: PolicyIdentifierInput[] | null;
  },
): Promise<SimulationResult[]> {
  const held = await loadSimulatedEntity(db, accountId, input.policySourceArn);
  const source = parseIamArn(input.policySourceArn)!;
  const excludes = await exclusionsOf(db, accountId, source.name, input.policyExclusionList ?? [], held.identity);
  const identity: LabelledPolicy[] = held.identity.filter((p) => !excludes.identity(p)).map(({ document, origin, text }) =>
    origin.kind === 'inline'
      ? // AWS reports an inline policy by its name.
        { document: { ...document, policyId: origin.name }, type: origin.entityType, text: text ?? null }
      : { document, type: origin.isAwsManaged ? 'aws-managed' : 'user-managed', text: text ?? null },
  );
  (input.policyInputList ?? []).forEach((text, i) => identity.push(parseInput(text, `PolicyInputList.${i + 1}`)));
  const boundaryInputs = input.permissionsBoundaryPolicyInputList ?? [];
  const boundary =
    boundaryInputs.length > 0
      ? parseInput(boundaryInputs[0]!, 'PermissionsBoundaryPolicyInputList.1')
      : held.permissionsBoundary && !excludes.boundary(held.permissionsBoundary)
        ? { document: held.permissionsBoundary, type: 'PermissionsBoundaryPolicy', text: held.permissionsBoundaryText ?? null }
        : null;
  const callerArn = input.callerArn ?? (source.type === 'group' ? undefined : input.policySourceArn);
  return simulate(identity, boundary, { ...input, callerArn: callerArn ?? null });
}

/**
 * The context keys of documents given as text (GetContextKeysForCustomPolicy).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetContextKeysForCustomPolicy.html
 */
export function getContextKeysForCustomPolicy(policyInputList: string[]): string[] {
  return contextKeysOf(policyInputList.map((text, i) => parseInput(text, `PolicyInputList.${i + 1}`).document));
}

/**
 * The context keys of a user's (with its groups'), group's or role's identity
 * policies, plus extra documents (GetContextKeysForPrincipalPolicy).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetContextKeysForPrincipalPolicy.html
 */
export async function getContextKeysForPrincipalPolicy(db: DbTx, accountId: string, policySourceArn: string, policyInputList: string[] | null | undefined): Promise<string[]> {
  const held = await loadSimulatedEntity(db, accountId, policySourceArn);
  const extra = (policyInputList ?? []).map((text, i) => parseInput(text, `PolicyInputList.${i + 1}`).document);
  return contextKeysOf([...held.identity.map((p) => p.document), ...extra]);
}

/** AWS's PolicyIdentifier (a union: exactly one member): a policy type, a managed policy's ARN, or an inline policy by holder. */
export interface PolicyIdentifierInput {
  policyType?: string | null;
  policyArn?: string | null;
  inlinePolicyIdentifier?: { policyName: string; attachmentType: string; attachmentName: string } | null;
}

const POLICY_TYPES = ['inline', 'aws-managed', 'user-managed', 'permission-boundary', 'scp', 'rcp'];

/**
 * Which of an entity's policies SimulatePrincipalPolicy's PolicyExclusionList leaves out:
 * every policy of a type, a managed policy (or the boundary) by ARN, or an inline policy by
 * its name and its holder's type and name (the entity's own, or one of a user's groups).
 * `scp` and `rcp` exclude nothing here: there are no Organizations policies to simulate.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_PolicyIdentifier.html
 */
async function exclusionsOf(db: DbTx, accountId: string, entityName: string, list: PolicyIdentifierInput[], held: ReadonlyArray<{ origin: PolicyOrigin }>) {
  const types = new Set<string>();
  const arns = new Set<string>();
  const inline = new Set<string>();
  const inlineKey = (attachmentType: string, attachmentName: string, policyName: string) => `${attachmentType}\0${attachmentName.toLowerCase()}\0${policyName.toLowerCase()}`;
  list.forEach((identifier, i) => {
    const set = [identifier.policyType, identifier.policyArn, identifier.inlinePolicyIdentifier].filter((member) => member != null);
    if (set.length !== 1) {
      throw new ValidationError(`1 validation error detected: Value at 'policyExclusionList.${i + 1}' failed to satisfy constraint: exactly one of policyType, policyArn or inlinePolicyIdentifier must be set`);
    }
    if (identifier.policyType != null) {
      if (!POLICY_TYPES.includes(identifier.policyType)) {
        throw new ValidationError(`1 validation error detected: Value '${identifier.policyType}' at 'policyExclusionList.${i + 1}.policyType' failed to satisfy constraint: Member must satisfy enum value set: [${POLICY_TYPES.join(', ')}]`);
      }
      types.add(identifier.policyType);
    }
    if (identifier.policyArn != null) arns.add(identifier.policyArn);
    const named = identifier.inlinePolicyIdentifier;
    if (named) inline.add(inlineKey(named.attachmentType, named.attachmentName, named.policyName));
  });
  // A user's groups hold inline policies too; their names come from the store.
  const groupNames = new Map<string, string>();
  const groupIds = [...new Set(held.flatMap(({ origin }) => (origin.kind === 'inline' && origin.entityType === 'group' ? [origin.entityId] : [])))];
  if (inline.size > 0 && groupIds.length > 0) {
    for (const group of await db.group.findMany({ where: { accountId, id: { in: groupIds } }, select: { id: true, name: true } })) groupNames.set(group.id, group.name);
  }
  return {
    identity({ origin }: { origin: PolicyOrigin }): boolean {
      if (origin.kind === 'managed') return types.has(origin.isAwsManaged ? 'aws-managed' : 'user-managed') || arns.has(origin.arn);
      if (types.has('inline')) return true;
      const holder = origin.entityType === 'group' ? groupNames.get(origin.entityId) : entityName;
      return holder !== undefined && inline.has(inlineKey(origin.entityType, holder, origin.name));
    },
    boundary(document: PolicyDocument): boolean {
      return types.has('permission-boundary') || (document.policyId !== undefined && arns.has(document.policyId));
    },
  };
}

/** The policies of the user, group or role `arn` names in this account; NoSuchEntity otherwise. */
async function loadSimulatedEntity(db: DbTx, accountId: string, arn: string) {
  const source = parseIamArn(arn);
  if (!source || source.account !== accountId || !['user', 'group', 'role'].includes(source.type)) {
    throw new NoSuchEntityError(`Entity ${arn} does not exist.`);
  }
  const held = await loadHeldPolicies(db, accountId, { type: source.type as 'user' | 'group' | 'role', arn });
  if (!held) throw new NoSuchEntityError(`Entity ${arn} does not exist.`);
  return held;
}

/** The account of an ARN, or an account id given as is. */
function accountOf(arnOrAccount: string): string | undefined {
  return arnOrAccount.startsWith('arn:') ? arnOrAccount.split(':')[4] || undefined : arnOrAccount;
}

function simulate(identity: LabelledPolicy[], boundary: LabelledPolicy | null, input: SimulationInput): SimulationResult[] {
  if (input.actionNames.length === 0) throw new InvalidInputError('ActionNames must not be empty.');
  const resourcePolicy = input.resourcePolicy ? checkPolicyDocument(input.resourcePolicy, 'resource', 'ResourcePolicy') : null;
  const set: CompiledPolicySet = compilePolicySet({
    identityPolicies: identity.map((p) => p.document),
    permissionsBoundary: boundary?.document ?? null,
    resourcePolicy,
  });
  const boundarySet = boundary ? compilePolicySet({ identityPolicies: [boundary.document] }) : undefined;
  const context = toRequestContext(input.contextEntries);
  const principalArn = input.callerArn ?? 'arn:aws:iam::000000000000:user/simulated';
  const resourceOwnerAccount = input.resourceOwner ? (accountOf(input.resourceOwner) ?? null) : null;
  // AWS fills EvalDecisionDetails for a cross-account simulation, leaves it empty for named resources of the
  // caller's account, and omits it for `*`.
  const crossAccount = resourceOwnerAccount !== null && resourceOwnerAccount !== accountOf(principalArn);
  // Each side alone: the identity side as in the caller's own account; the resource side as the
  // cross-account request of a caller whose identity policies allow everything, so that only
  // the resource policy decides (a grant to the caller's account counts, as the trusting account delegates).
  const sides = crossAccount
    ? {
        identity: compilePolicySet({ identityPolicies: identity.map((p) => p.document), permissionsBoundary: boundary?.document ?? null }),
        resource: compilePolicySet({ identityPolicies: [ALLOW_ALL], resourcePolicy }),
      }
    : undefined;
  const locate = statementLocator(identity, boundary, input.resourcePolicy ?? null);
  const organizations = organizationLevels(input.orderedOrganizationPolicyInputList ?? []);
  const namedResources = Boolean(input.resourceArns?.length);
  const resources = namedResources ? input.resourceArns! : ['*'];
  const results: SimulationResult[] = [];
  for (const action of input.actionNames) {
    for (const resource of resources) {
      const request = { principalArn, action, resourceArn: resource, context, resourceOwnerAccount };
      const organization = organizations.decide(request);
      const result = organization ? organization.combine(evaluate(set, request)) : evaluate(set, request);
      const matchedStatements = result.matchedStatements.map((m) => ({
        sourcePolicyId: m.policyId ?? null,
        sourcePolicyType: organizations.owns(m) ? 'scp' : m.source === 'identity' ? (identity[m.policyIndex]?.type ?? 'IAM Policy') : m.source === 'permissionsBoundary' ? 'PermissionsBoundaryPolicy' : m.source,
        statementIndex: m.statementIndex,
        sid: m.sid ?? null,
        effect: m.effect,
        ...(organizations.owns(m) ? organizations.locate(m) : locate(m)),
      }));
      const evalDecisionDetails: EvalDecisionDetails | null = sides
        ? [
            { key: 'IAM Policy', value: evaluate(sides.identity, { ...request, resourceOwnerAccount: null }).decision },
            { key: 'Resource Policy', value: evaluate(sides.resource, request).decision },
          ]
        : namedResources
          ? []
          : null;
      const permissionsBoundaryDecisionDetail = boundarySet ? { allowedByPermissionsBoundary: evaluate(boundarySet, request).decision === 'allowed' } : null;
      results.push({
        evalActionName: action,
        evalResourceName: resource,
        evalDecision: result.decision,
        matchedStatements,
        missingContextValues: result.missingContextValues,
        evalDecisionDetails,
        permissionsBoundaryDecisionDetail,
        organizationsDecisionDetail: organization ? { allowedByOrganizations: organization.allowed } : null,
        resourceSpecificResults: namedResources
          ? [{ evalResourceName: resource, evalResourceDecision: result.decision, matchedStatements, missingContextValues: result.missingContextValues, evalDecisionDetails, permissionsBoundaryDecisionDetail }]
          : [],
      });
    }
  }
  return results;
}

const MAX_ORGANIZATION_LEVELS = 7;

/**
 * The organization's service control policies, level by level (root, organizational units,
 * account): a request passes only when every level has an SCP that allows it and no SCP denies
 * it; an SCP's Deny is an explicit deny of the whole request. They grant nothing themselves.
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
 */
function organizationLevels(levels: Array<{ serviceControlPolicyInputList?: string[] | null }>) {
  if (levels.length > MAX_ORGANIZATION_LEVELS) {
    throw new ValidationError(`1 validation error detected: Value at 'orderedOrganizationPolicyInputList' failed to satisfy constraint: Member must have length less than or equal to ${MAX_ORGANIZATION_LEVELS}`);
  }
  const policies = new Map<string, LabelledPolicy>();
  const sets = levels.map((level, i) =>
    compilePolicySet({
      identityPolicies: (level.serviceControlPolicyInputList ?? []).map((text, j) => {
        const member = `OrderedOrganizationPolicyInputList.${i + 1}.ServiceControlPolicyInputList.${j + 1}`;
        const policy = parseInput(text, member);
        policies.set(member, policy);
        return policy.document;
      }),
    }),
  );
  const spans = new Map<string, ReturnType<typeof locateStatements>>();
  return {
    /** Each level's decision for `request`, combined; undefined when no SCP was given. */
    decide(request: Parameters<typeof evaluate>[1]) {
      if (sets.length === 0) return undefined;
      const decided = sets.map((set) => evaluate(set, { ...request, resourceOwnerAccount: null }));
      const denial = decided.find((d) => d.decision === 'explicitDeny');
      const allowed = decided.every((d) => d.decision === 'allowed');
      return {
        allowed,
        combine(result: EvaluationResult): EvaluationResult {
          if (denial) return { ...denial, missingContextValues: [...new Set([...result.missingContextValues, ...denial.missingContextValues])] };
          return allowed || result.decision === 'explicitDeny' ? result : { ...result, decision: 'implicitDeny', matchedStatements: [] };
        },
      };
    },
    /** True for a statement of an SCP. */
    owns: (m: MatchedStatement) => m.policyId !== undefined && policies.has(m.policyId),
    locate(m: MatchedStatement): { startPosition: LineColumn | null; endPosition: LineColumn | null } {
      const text = policies.get(m.policyId!)?.text ?? null;
      if (text !== null && !spans.has(text)) spans.set(text, locateStatements(text));
      const span = text === null ? undefined : spans.get(text)![m.statementIndex];
      return { startPosition: span?.start ?? null, endPosition: span?.end ?? null };
    },
  };
}

/** Finds a matched statement's start and end in the text of the policy it came from. */
function statementLocator(identity: LabelledPolicy[], boundary: LabelledPolicy | null, resourcePolicy: string | null) {
  const cache = new Map<string | null, ReturnType<typeof locateStatements>>();
  const spansOf = (text: string | null) => {
    if (!cache.has(text)) cache.set(text, text === null ? [] : locateStatements(text));
    return cache.get(text)!;
  };
  return (m: MatchedStatement): { startPosition: LineColumn | null; endPosition: LineColumn | null } => {
    const text = m.source === 'identity' ? (identity[m.policyIndex]?.text ?? null) : m.source === 'permissionsBoundary' ? (boundary?.text ?? null) : m.source === 'resource' ? resourcePolicy : null;
    const span = spansOf(text)[m.statementIndex];
    return { startPosition: span?.start ?? null, endPosition: span?.end ?? null };
  };
}

function parseInput(text: string, member: string): LabelledPolicy {
  const document = checkPolicyDocument(text, 'managed', member);
  return { document: { ...document, policyId: document.policyId ?? member }, type: 'IAM Policy', text };
}
