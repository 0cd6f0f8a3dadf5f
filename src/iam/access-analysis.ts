// Analysis beyond what AWS's IAM answers, on the one evaluator the authorizer uses:
// who of the account may do an action on a resource (listPrincipalsWithAccess), what a
// principal may do, service by service (listAllowedActions), and what a policy change
// would newly allow or deny before it is made (the preview* queries, in the spirit of
// Access Analyzer's CheckNoNewAccess).
//
// Limits, stated where they are used:
// - Identity side only: each principal's identity policies (a user's with its groups') and
//   permissions boundary. A role is judged by its own policies; a session of it may be
//   narrowed further by session policies, which no stored entity holds. Resource-based
//   policies of other services and organizations' SCPs are not here; a role's trust policy
//   is, for who may assume the role and for the preview of updateAssumeRolePolicy (this
//   account's principals only).
// - The request context holds only what the principal itself gives (aws:PrincipalArn,
//   aws:PrincipalAccount, aws:username): a statement whose condition needs another key
//   does not apply, and the key is reported as missing.
// - The preview decides a finite domain: the catalog's actions of the services the changed
//   documents name × the resource ARNs the affected principals' policies and the account's
//   entities name (plus `*`), an action being asked only of its own service's resources.
//   Access outside that domain is not compared, and the work is bounded (MAX_PREVIEW_EVALUATIONS).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html
import type { Db, DbTx } from '../db/client.js';
import { NoSuchEntityError, ValidationError } from '../errors.js';
import { actionNameOf, actionsOfService, isKnownService, knownServices, matchActions, serviceNameOf } from '../policy/catalog.js';
import { compilePolicySet, evaluate, type CompiledPolicySet, type Decision, type EvaluationResult, type PolicyDocument, type RequestContext } from '../policy/index.js';
import { parseIamArn } from './arn.js';
import { findHolder, type PolicyHolderKind } from './attachments.js';
import { lockCustomerPolicy } from './managed-policies.js';
import { getManagedPolicy } from './managed-policy-lookup.js';
import { checkPermissionsBoundary } from './permissions-boundaries.js';
import { getPolicyVersion } from './policy-versions.js';
import { checkPolicyDocument } from './policy-documents.js';
import { loadHeldPolicies, parseManagedPolicy, type HeldPolicies, type IdentityPolicy } from './principal-policies.js';

/** A statement that decided, labelled as the simulators label theirs. */
export interface AnalysisStatement {
  sourcePolicyId: string | null;
  sourcePolicyType: string;
  statementIndex: number;
  sid: string | null;
  effect: string;
}

/** A principal of the account and what governs it. */
export interface AnalysisPrincipal {
  arn: string;
  type: 'root' | 'user' | 'role';
  name: string;
  identity: IdentityPolicy[];
  boundary: PolicyDocument | null;
}

const ROOT_ALLOWS = { sourcePolicyId: null, sourcePolicyType: 'root', statementIndex: 0, sid: null, effect: 'Allow' } as const;

function contextOf(principal: Pick<AnalysisPrincipal, 'arn' | 'type' | 'name'>, accountId: string): RequestContext {
  const context: RequestContext = { 'aws:PrincipalArn': principal.arn, 'aws:PrincipalAccount': accountId };
  if (principal.type === 'user') context['aws:username'] = principal.name;
  return context;
}

function compile(identity: readonly IdentityPolicy[], boundary: PolicyDocument | null): CompiledPolicySet {
  return compilePolicySet({ identityPolicies: identity.map((p) => p.document), permissionsBoundary: boundary });
}

function labelOf(identity: readonly IdentityPolicy[], m: { source: string; policyIndex: number; policyId?: string; statementIndex: number; sid?: string; effect: string }): AnalysisStatement {
  const origin = m.source === 'identity' ? identity[m.policyIndex]?.origin : undefined;
  return {
    sourcePolicyId: origin?.kind === 'inline' ? origin.name : (m.policyId ?? null),
    sourcePolicyType: origin ? (origin.kind === 'inline' ? origin.entityType : origin.isAwsManaged ? 'aws-managed' : 'user-managed') : m.source === 'permissionsBoundary' ? 'PermissionsBoundaryPolicy' : m.source,
    statementIndex: m.statementIndex,
    sid: m.sid ?? null,
    effect: m.effect,
  };
}

function fromHeld(arn: string, type: 'user' | 'role', name: string, held: HeldPolicies): AnalysisPrincipal {
  return { arn, type, name, identity: held.identity, boundary: held.permissionsBoundary };
}

/** Checks an action name: `service:Action`, no wildcard (the question is about one action). */
function checkActionName(action: string, member: string): void {
  if (!/^[A-Za-z0-9-]+:[A-Za-z0-9]+$/.test(action)) {
    throw new ValidationError(`1 validation error detected: Value '${action}' at '${member}' failed to satisfy constraint: Member must be one action, service:Action, without wildcards`);
  }
}

// ---- who can ----------------------------------------------------------------------------

export interface PrincipalWithAccess {
  principalArn: string;
  principalType: string;
  decision: Decision;
  matchedStatements: AnalysisStatement[];
  missingContextValues: string[];
}

/**
 * The principals of the account (root, users, roles) that may perform `action` on
 * `resourceArn`, each with the statements that allow it, ordered by ARN. Root is always
 * allowed in its own account. Assuming a role of the account (and tagging the session or
 * setting its source identity) is decided as AssumeRole decides it: the role's trust policy
 * must allow the caller, so its statements are listed too, and root, which AssumeRole
 * refuses, is not. Reads every user's and role's policies: as many round trips as the
 * account has users and roles (three each at most).
 */
export async function principalsWithAccess(db: Db | DbTx, accountId: string, input: { actionName: string; resourceArn: string }): Promise<PrincipalWithAccess[]> {
  checkActionName(input.actionName, 'actionName');
  const [users, roles] = await Promise.all([
    db.user.findMany({ where: { accountId }, select: { id: true, arn: true, name: true }, orderBy: { arn: 'asc' } }),
    db.role.findMany({ where: { accountId }, select: { id: true, arn: true, name: true }, orderBy: { arn: 'asc' } }),
  ]);
  const trust = await trustGoverning(db, accountId, input.actionName, input.resourceArn);
  const out: PrincipalWithAccess[] = trust
    ? []
    : [{ principalArn: `arn:aws:iam::${accountId}:root`, principalType: 'root', decision: 'allowed', matchedStatements: [ROOT_ALLOWS], missingContextValues: [] }];
  const entities = [...users.map((u) => ({ ...u, type: 'user' as const })), ...roles.map((r) => ({ ...r, type: 'role' as const }))];
  for (const entity of entities) {
    const held = await loadHeldPolicies(db, accountId, { type: entity.type, id: entity.id });
    if (!held) continue; // deleted meanwhile
    const principal = fromHeld(entity.arn, entity.type, entity.name, held);
    const result = trust
      ? trustDecision(principal, trust, input.actionName, input.resourceArn, accountId)
      : evaluate(compile(principal.identity, principal.boundary), {
          principalArn: principal.arn,
          action: input.actionName,
          resourceArn: input.resourceArn,
          context: contextOf(principal, accountId),
          resourceOwnerAccount: null,
        });
    if (result.decision !== 'allowed') continue;
    out.push({
      principalArn: principal.arn,
      principalType: principal.type,
      decision: result.decision,
      matchedStatements: result.matchedStatements.map((m) => labelOf(principal.identity, m)),
      missingContextValues: result.missingContextValues,
    });
  }
  return out.sort((a, b) => (a.principalArn < b.principalArn ? -1 : a.principalArn > b.principalArn ? 1 : 0));
}

/** The actions a trust policy governs for principals of an account: assuming the role, and what a session may carry. */
const TRUST_ACTIONS = ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'];

/** The trust policy of the account's role `resourceArn` when `action` is one it governs; null otherwise. */
async function trustGoverning(db: Db | DbTx, accountId: string, action: string, resourceArn: string): Promise<PolicyDocument | null> {
  if (!TRUST_ACTIONS.some((a) => a.toLowerCase() === action.toLowerCase())) return null;
  const parsed = parseIamArn(resourceArn);
  if (!parsed || parsed.type !== 'role' || parsed.account !== accountId) return null;
  const role = await db.role.findFirst({ where: { accountId, arn: resourceArn }, select: { assumeRolePolicy: true } });
  return role ? checkPolicyDocument(role.assumeRolePolicy, 'trust') : DENY_EVERYONE;
}

/** No role by that ARN: nobody may assume it. */
const DENY_EVERYONE: PolicyDocument = { version: '2012-10-17', policyType: 'trust', policyId: 'none', statements: [] };

/**
 * Whether `principal` may perform a trust-governed action on the role, as AssumeRole decides:
 * the trust policy must allow it (a statement of it matched), and when the trust policy names
 * only the account, the principal's own policies too.
 */
function trustDecision(principal: AnalysisPrincipal, trust: PolicyDocument, action: string, roleArn: string, accountId: string): EvaluationResult {
  const set = compilePolicySet({ identityPolicies: principal.identity.map((p) => p.document), permissionsBoundary: principal.boundary, resourcePolicy: trust });
  const result = evaluate(set, { principalArn: principal.arn, action, resourceArn: roleArn, context: contextOf(principal, accountId), resourceOwnerAccount: accountId });
  return result.decision === 'allowed' && !result.matchedStatements.some((m) => m.source === 'resource') ? { ...result, decision: 'implicitDeny' } : result;
}

// ---- what can ---------------------------------------------------------------------------

export interface ServiceActions {
  service: string;
  serviceName: string;
  actions: string[];
}

/** The service prefixes an Allow of these documents can reach: all the catalog's when one allows `*` or uses NotAction. */
function servicesAllowedBy(documents: readonly PolicyDocument[]): string[] {
  const services = new Set<string>();
  for (const document of documents) {
    for (const statement of document.statements) {
      if (statement.effect !== 'Allow') continue;
      if (statement.notAction || (statement.action ?? []).some((a) => a === '*' || !a.includes(':') || a.slice(0, a.indexOf(':')).includes('*'))) {
        return [...knownServices()].sort();
      }
      for (const action of statement.action ?? []) services.add(action.slice(0, action.indexOf(':')).toLowerCase());
    }
  }
  return [...services].sort();
}

/**
 * What a user or role (or root) may do on `resourceArn` (the resource a request would name;
 * `*` for actions without resource-level permissions), per service: every action of the
 * catalog, of the services its Allow statements name, that its policies allow. Services the
 * catalog does not know are listed with the actions the policies name literally. On a role
 * of the account, the actions its trust policy governs are decided as AssumeRole decides
 * them (the trust policy must allow too; never the root user).
 */
export async function allowedActions(db: Db | DbTx, accountId: string, input: { principalArn: string; resourceArn?: string | null; service?: string | null }): Promise<ServiceActions[]> {
  const principal = await loadPrincipal(db, accountId, input.principalArn);
  const resourceArn = input.resourceArn ?? '*';
  const set = compile(principal.identity, principal.boundary);
  const context = contextOf(principal, accountId);
  const services = principal.type === 'root' ? [...knownServices()].sort() : servicesAllowedBy(principal.identity.map((p) => p.document));
  const wanted = input.service?.toLowerCase();
  const out: ServiceActions[] = [];
  for (const service of services) {
    if (wanted !== undefined && service !== wanted) continue;
    const candidates = isKnownService(service)
      ? [...actionsOfService(service)].map((a) => `${service}:${actionNameOf(service, a) ?? a}`)
      : literalActionsOf(principal.identity.map((p) => p.document), service);
    const actions: string[] = [];
    for (const action of candidates) {
      const trust = await trustGoverning(db, accountId, action, resourceArn);
      if (trust && principal.type === 'root') continue; // AssumeRole refuses the root user
      const result = trust
        ? trustDecision(principal, trust, action, resourceArn, accountId)
        : evaluate(set, { principalArn: principal.arn, action, resourceArn, context, resourceOwnerAccount: null });
      if (result.decision === 'allowed') actions.push(action);
    }
    if (actions.length > 0) out.push({ service, serviceName: serviceNameOf(service), actions: actions.sort() });
  }
  return out;
}

function literalActionsOf(documents: readonly PolicyDocument[], service: string): string[] {
  const found = new Set<string>();
  for (const document of documents) {
    for (const statement of document.statements) {
      for (const action of statement.action ?? []) if (action.toLowerCase().startsWith(`${service}:`) && !/[*?]/.test(action)) found.add(action);
    }
  }
  return [...found];
}

async function loadPrincipal(db: Db | DbTx, accountId: string, arn: string): Promise<AnalysisPrincipal> {
  if (arn === `arn:aws:iam::${accountId}:root`) {
    return { arn, type: 'root', name: 'root', identity: [{ document: ALLOW_EVERYTHING, origin: { kind: 'inline', entityType: 'user', entityId: accountId, name: 'root' } }], boundary: null };
  }
  const parsed = parseIamArn(arn);
  if (!parsed || parsed.account !== accountId || (parsed.type !== 'user' && parsed.type !== 'role')) {
    throw new NoSuchEntityError(`Entity ${arn} does not exist: name a user, a role or the root user of this account.`);
  }
  const held = await loadHeldPolicies(db, accountId, { type: parsed.type, arn });
  if (!held) throw new NoSuchEntityError(`Entity ${arn} does not exist.`);
  return fromHeld(arn, parsed.type, parsed.name, held);
}

const ALLOW_EVERYTHING: PolicyDocument = {
  version: '2012-10-17',
  policyType: 'managed',
  policyId: 'root',
  statements: [{ index: 0, effect: 'Allow', action: ['*'], resource: ['*'], condition: [] }],
};

// ---- change preview -----------------------------------------------------------------------

/** At most this many decisions (before and after each count once) per preview; beyond, the domain is cut and the answer says so. */
export const MAX_PREVIEW_EVALUATIONS = 400_000;

/** A change a policy-writing mutation would make. */
export type PolicyChange =
  | { kind: 'putInline'; holderKind: PolicyHolderKind; holderName: string; policyName: string; policyDocument: string }
  | { kind: 'deleteInline'; holderKind: PolicyHolderKind; holderName: string; policyName: string }
  | { kind: 'attach'; holderKind: PolicyHolderKind; holderName: string; policyArn: string }
  | { kind: 'detach'; holderKind: PolicyHolderKind; holderName: string; policyArn: string }
  /** Put (an ARN) or delete (null) a user's or role's permissions boundary. */
  | { kind: 'boundary'; holderKind: 'user' | 'role'; holderName: string; policyArn: string | null }
  /** A customer-managed policy's default version becomes `policyDocument` (createPolicyVersion with setAsDefault, setDefaultPolicyVersion); null: the default stays. */
  | { kind: 'defaultVersion'; policyArn: string; policyDocument: string | null }
  /** setDefaultPolicyVersion: the version is read from the store. */
  | { kind: 'setDefaultVersion'; policyArn: string; versionId: string }
  /** updateAssumeRolePolicy: who of the account may assume the role. */
  | { kind: 'trust'; roleName: string; policyDocument: string }
  /** addUserToGroup (`joins`) or removeUserFromGroup: the user gains or loses the group's policies. */
  | { kind: 'membership'; groupName: string; userName: string; joins: boolean }
  /**
   * A write that reaches no principal when it succeeds: createPolicy (a new policy is attached
   * to nothing), deletePolicy (only a policy attached to nothing and no boundary can be deleted),
   * deletePolicyVersion (never the default version).
   */
  | { kind: 'none' };

export interface ActionOnResource {
  action: string;
  resource: string;
}

export interface PrincipalAccessChange {
  principalArn: string;
  newlyAllowed: ActionOnResource[];
  newlyDenied: ActionOnResource[];
}

export interface AccessChangePreview {
  principals: PrincipalAccessChange[];
  /** How many actions and resources the comparison covered, and whether the bound cut it. */
  actionCount: number;
  resourceCount: number;
  truncated: boolean;
}

/** The before and after of every principal a change reaches. */
export interface Scenario {
  principal: AnalysisPrincipal;
  after: readonly IdentityPolicy[];
  afterBoundary: PolicyDocument | null;
}

/**
 * What a change would newly allow and newly deny, per principal it reaches (a user; a
 * group's members; a role; every holder of a managed policy), without writing anything.
 * Fails as the mutation would on a missing holder, a malformed document or a policy that
 * does not exist.
 */
export async function previewPolicyChange(db: Db | DbTx, accountId: string, change: PolicyChange): Promise<AccessChangePreview> {
  if (change.kind === 'none') return { principals: [], actionCount: 0, resourceCount: 0, truncated: false };
  if (change.kind === 'trust') return previewTrust(db, accountId, change);
  const { scenarios, changed } =
    change.kind === 'boundary'
      ? await boundaryScenarios(db, accountId, change)
      : change.kind === 'defaultVersion' || change.kind === 'setDefaultVersion'
        ? await versionScenarios(db, accountId, change)
        : change.kind === 'membership'
          ? await membershipScenarios(db, accountId, change)
          : await holderScenarios(db, accountId, change);
  const resources = await resourceDomain(db, accountId, scenarios);
  return comparePreview(scenarios, actionDomain(changed), resources, accountId);
}

/**
 * A new trust policy: which users and roles of the account could newly assume the role (or
 * set a source identity, or tag the session), and which no longer, as AssumeRole decides
 * it: the trust policy must allow the caller, and when it names only the account, the
 * caller's own policies too. Only principals whose access changes are listed; principals of
 * other accounts, services and identity providers a trust policy names are not evaluated.
 */
async function previewTrust(db: Db | DbTx, accountId: string, change: Extract<PolicyChange, { kind: 'trust' }>): Promise<AccessChangePreview> {
  const holder = await findHolder(db, accountId, 'role', change.roleName);
  const after = checkPolicyDocument(change.policyDocument, 'trust');
  const role = await db.role.findFirst({ where: { accountId, id: holder.id }, select: { arn: true, assumeRolePolicy: true } });
  if (!role) throw new NoSuchEntityError(`The role with name ${change.roleName} cannot be found.`);
  const before = checkPolicyDocument(role.assumeRolePolicy, 'trust');
  const [users, roles] = await Promise.all([
    db.user.findMany({ where: { accountId }, select: { id: true, arn: true, name: true }, orderBy: { arn: 'asc' } }),
    db.role.findMany({ where: { accountId }, select: { id: true, arn: true, name: true }, orderBy: { arn: 'asc' } }),
  ]);
  const principals: PrincipalAccessChange[] = [];
  for (const entity of [...users.map((u) => ({ ...u, type: 'user' as const })), ...roles.map((r) => ({ ...r, type: 'role' as const }))]) {
    const held = await loadHeldPolicies(db, accountId, { type: entity.type, id: entity.id });
    if (!held) continue;
    const principal = fromHeld(entity.arn, entity.type, entity.name, held);
    const mayAssume = (trust: PolicyDocument, action: string) => trustDecision(principal, trust, action, role.arn, accountId).decision === 'allowed';
    const entry: PrincipalAccessChange = { principalArn: principal.arn, newlyAllowed: [], newlyDenied: [] };
    for (const action of TRUST_ACTIONS) {
      const was = mayAssume(before, action);
      const is = mayAssume(after, action);
      if (!was && is) entry.newlyAllowed.push({ action, resource: role.arn });
      if (was && !is) entry.newlyDenied.push({ action, resource: role.arn });
    }
    if (entry.newlyAllowed.length > 0 || entry.newlyDenied.length > 0) principals.push(entry);
  }
  return { principals, actionCount: TRUST_ACTIONS.length, resourceCount: 1, truncated: false };
}

type HolderChange = Extract<PolicyChange, { kind: 'putInline' | 'deleteInline' | 'attach' | 'detach' }>;

/** An inline policy put or deleted, a managed policy attached or detached. */
async function holderScenarios(db: Db | DbTx, accountId: string, change: HolderChange): Promise<{ scenarios: Scenario[]; changed: PolicyDocument[] }> {
  const holder = await findHolder(db, accountId, change.holderKind, change.holderName);
  const changed: PolicyDocument[] = [];
  let replacement: IdentityPolicy | null = null;
  if (change.kind === 'putInline') {
    const document = checkPolicyDocument(change.policyDocument, change.holderKind);
    replacement = { document: { ...document, policyId: `${change.holderKind}/${holder.id}/${change.policyName}` }, origin: { kind: 'inline', entityType: change.holderKind, entityId: holder.id, name: change.policyName } };
    changed.push(replacement.document);
  } else if (change.kind === 'attach' || change.kind === 'detach') {
    const policy = await getManagedPolicy(db, accountId, change.policyArn);
    if (!policy) throw new NoSuchEntityError(`Policy ${change.policyArn} does not exist or is not attachable.`);
    replacement = { document: parseManagedPolicy(policy), origin: { kind: 'managed', arn: policy.arn, isAwsManaged: policy.isAwsManaged } };
    changed.push(replacement.document);
  }
  const principals = await principalsOfHolder(db, accountId, change.holderKind, holder.id);
  const scenarios: Scenario[] = [];
  for (const principal of principals) {
    const isTarget = (p: IdentityPolicy) => p.origin.kind === 'inline' && p.origin.entityType === change.holderKind && p.origin.entityId === holder.id && 'policyName' in change && p.origin.name === change.policyName;
    let after = principal.identity;
    if (change.kind === 'putInline') {
      const old = principal.identity.find(isTarget);
      if (old) changed.push(old.document);
      after = old ? principal.identity.map((p) => (p === old ? replacement! : p)) : [...principal.identity, replacement!];
    } else if (change.kind === 'deleteInline') {
      const old = principal.identity.find(isTarget);
      if (!old) throw new NoSuchEntityError(`The ${change.holderKind} policy with name ${change.policyName} cannot be found.`);
      changed.push(old.document);
      after = principal.identity.filter((p) => p !== old);
    } else if (change.kind === 'attach') {
      if (!principal.identity.some((p) => p.origin.kind === 'managed' && p.origin.arn === change.policyArn)) after = [...principal.identity, replacement!];
    } else if (!(await stillAttachedElsewhere(db, accountId, principal, change.holderKind, holder.id, change.policyArn))) {
      after = principal.identity.filter((p) => !(p.origin.kind === 'managed' && p.origin.arn === change.policyArn));
    }
    scenarios.push({ principal, after, afterBoundary: principal.boundary });
  }
  return { scenarios, changed };
}

/**
 * A boundary put or deleted. Loosening a boundary can let through anything the identity
 * policies allow, so the domain takes the services of those too.
 */
async function boundaryScenarios(db: Db | DbTx, accountId: string, change: Extract<PolicyChange, { kind: 'boundary' }>): Promise<{ scenarios: Scenario[]; changed: PolicyDocument[] }> {
  const holder = await findHolder(db, accountId, change.holderKind, change.holderName);
  let afterBoundary: PolicyDocument | null = null;
  if (change.policyArn !== null) {
    const arn = await checkPermissionsBoundary(db, accountId, change.policyArn);
    afterBoundary = parseManagedPolicy((await getManagedPolicy(db, accountId, arn))!);
  }
  const scenarios = (await principalsOfHolder(db, accountId, change.holderKind, holder.id)).map((principal) => ({ principal, after: principal.identity, afterBoundary }));
  const changed = scenarios.flatMap((s) => [...(s.principal.boundary ? [s.principal.boundary] : []), ...s.principal.identity.map((p) => p.document)]);
  if (afterBoundary) changed.push(afterBoundary);
  return { scenarios, changed };
}

/** A customer-managed policy's new default version: every user and role holding it (attached, through a group, or as boundary). */
async function versionScenarios(db: Db | DbTx, accountId: string, change: Extract<PolicyChange, { kind: 'defaultVersion' | 'setDefaultVersion' }>): Promise<{ scenarios: Scenario[]; changed: PolicyDocument[] }> {
  await lockCustomerPolicy(db, accountId, change.policyArn, 'share');
  const text = change.kind === 'setDefaultVersion' ? (await getPolicyVersion(db, accountId, change.policyArn, change.versionId)).document : change.policyDocument;
  const current = (await getManagedPolicy(db, accountId, change.policyArn))!;
  const before = parseManagedPolicy(current);
  if (text !== null) checkPolicyDocument(text, 'managed');
  const next = text === null ? before : parseManagedPolicy({ ...current, document: text });
  const arn = current.arn;
  const [attachments, userBoundaries, roleBoundaries] = await Promise.all([
    db.policyAttachment.findMany({ where: { accountId, policyArn: arn }, select: { entityType: true, entityId: true } }),
    db.user.findMany({ where: { accountId, permissionsBoundaryArn: arn }, select: { id: true } }),
    db.role.findMany({ where: { accountId, permissionsBoundaryArn: arn }, select: { id: true } }),
  ]);
  const groupIds = attachments.filter((a) => a.entityType === 'group').map((a) => a.entityId);
  const members = groupIds.length > 0 ? await db.groupMembership.findMany({ where: { groupId: { in: groupIds } }, select: { userId: true } }) : [];
  const userIds = new Set([...attachments.filter((a) => a.entityType === 'user').map((a) => a.entityId), ...members.map((m) => m.userId), ...userBoundaries.map((u) => u.id)]);
  const roleIds = new Set([...attachments.filter((a) => a.entityType === 'role').map((a) => a.entityId), ...roleBoundaries.map((r) => r.id)]);
  const principals: AnalysisPrincipal[] = [];
  for (const kind of ['user', 'role'] as const) {
    const ids = [...(kind === 'user' ? userIds : roleIds)];
    for (const id of ids) principals.push(...(await principalsOfHolder(db, accountId, kind, id)));
  }
  principals.sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
  const replaced = { document: next, origin: { kind: 'managed' as const, arn, isAwsManaged: false } };
  const scenarios = principals.map((principal) => ({
    principal,
    after: principal.identity.map((p) => (p.origin.kind === 'managed' && p.origin.arn === arn ? replaced : p)),
    afterBoundary: principal.boundary?.policyId === arn ? next : principal.boundary,
  }));
  return { scenarios, changed: [before, next] };
}



/**
 * A user joins or leaves a group: it gains the group's inline and attached policies, or
 * loses them (a managed policy it still holds itself or through another group stays).
 * Joining a group it is in, or leaving one it is not in, changes nothing (both succeed, as
 * AddUserToGroup and RemoveUserFromGroup do).
 */
async function membershipScenarios(db: Db | DbTx, accountId: string, change: Extract<PolicyChange, { kind: 'membership' }>): Promise<{ scenarios: Scenario[]; changed: PolicyDocument[] }> {
  const group = await findHolder(db, accountId, 'group', change.groupName);
  const user = await findHolder(db, accountId, 'user', change.userName);
  const [principal] = await principalsOfHolder(db, accountId, 'user', user.id);
  const groupHeld = await loadHeldPolicies(db, accountId, { type: 'group', id: group.id });
  if (!principal || !groupHeld) throw new NoSuchEntityError(`The group with name ${change.groupName} cannot be found.`);
  const isMember = (await db.groupMembership.count({ where: { groupId: group.id, userId: user.id } })) > 0;
  const fromGroup = (p: IdentityPolicy) => p.origin.kind === 'inline' && p.origin.entityType === 'group' && p.origin.entityId === group.id;
  let after = principal.identity;
  if (change.joins && !isMember) {
    const held = new Set(principal.identity.flatMap((p) => (p.origin.kind === 'managed' ? [p.origin.arn] : [])));
    after = [...principal.identity, ...groupHeld.identity.filter((p) => p.origin.kind === 'inline' || !held.has(p.origin.arn))];
  } else if (!change.joins && isMember) {
    const kept: IdentityPolicy[] = [];
    const groupArns = new Set(groupHeld.identity.flatMap((g) => (g.origin.kind === 'managed' ? [g.origin.arn] : [])));
    for (const p of principal.identity) {
      if (fromGroup(p)) continue;
      if (p.origin.kind === 'managed' && groupArns.has(p.origin.arn) && !(await stillAttachedElsewhere(db, accountId, principal, 'group', group.id, p.origin.arn))) continue;
      kept.push(p);
    }
    after = kept;
  }
  return { scenarios: [{ principal, after, afterBoundary: principal.boundary }], changed: groupHeld.identity.map((p) => p.document) };
}

/** The users of a group, or the user or role itself, with their policies now. */
async function principalsOfHolder(db: Db | DbTx, accountId: string, kind: PolicyHolderKind, id: string): Promise<AnalysisPrincipal[]> {
  if (kind === 'group') {
    const members = await db.groupMembership.findMany({ where: { groupId: id }, select: { user: { select: { id: true, arn: true, name: true, accountId: true } } } });
    const out: AnalysisPrincipal[] = [];
    for (const { user } of members.filter((m) => m.user.accountId === accountId).sort((a, b) => (a.user.arn < b.user.arn ? -1 : 1))) {
      const held = await loadHeldPolicies(db, accountId, { type: 'user', id: user.id });
      if (held) out.push(fromHeld(user.arn, 'user', user.name, held));
    }
    return out;
  }
  const entity = kind === 'user'
    ? await db.user.findFirst({ where: { accountId, id }, select: { arn: true, name: true } })
    : await db.role.findFirst({ where: { accountId, id }, select: { arn: true, name: true } });
  const held = entity && (await loadHeldPolicies(db, accountId, { type: kind, id }));
  return entity && held ? [fromHeld(entity.arn, kind, entity.name, held)] : [];
}

/** Whether a user still holds `policyArn` through another owner (itself or one of its groups) once it is detached from the holder. */
async function stillAttachedElsewhere(db: Db | DbTx, accountId: string, principal: AnalysisPrincipal, kind: PolicyHolderKind, holderId: string, policyArn: string): Promise<boolean> {
  if (principal.type !== 'user') return false;
  const user = await db.user.findFirst({ where: { accountId, arn: principal.arn }, select: { id: true, memberships: { select: { groupId: true } } } });
  if (!user) return false;
  const owners = [{ entityType: 'user', entityId: user.id }, ...user.memberships.map((m) => ({ entityType: 'group', entityId: m.groupId }))].filter((o) => !(o.entityType === kind && o.entityId === holderId));
  if (owners.length === 0) return false;
  return (await db.policyAttachment.count({ where: { accountId, policyArn, OR: owners } })) > 0;
}

/** The catalog's actions of the services the changed documents name (all services for `*` or NotAction); unknown services' literal actions. */
function actionDomain(changed: readonly PolicyDocument[]): string[] {
  const services = new Set<string>();
  let everything = false;
  const literals = new Set<string>();
  for (const document of changed) {
    for (const statement of document.statements) {
      if (statement.notAction) everything = true;
      for (const action of statement.action ?? []) {
        const colon = action.indexOf(':');
        if (action === '*' || colon < 0 || action.slice(0, colon).includes('*')) everything = true;
        else if (isKnownService(action.slice(0, colon))) services.add(action.slice(0, colon).toLowerCase());
        else if (!/[*?]/.test(action)) literals.add(action);
      }
    }
  }
  const prefixes = everything ? [...knownServices()] : [...services];
  const actions = prefixes.flatMap((service) => matchActions(service, '*').map((a) => `${service}:${actionNameOf(service, a) ?? a}`));
  return [...actions, ...literals].sort();
}

/** `*`, the account's entities' ARNs and every resource the affected principals' policies (before and after) name. */
async function resourceDomain(db: Db | DbTx, accountId: string, scenarios: readonly Scenario[]): Promise<string[]> {
  const [users, groups, roles, policies] = await Promise.all([
    db.user.findMany({ where: { accountId }, select: { arn: true } }),
    db.group.findMany({ where: { accountId }, select: { arn: true } }),
    db.role.findMany({ where: { accountId }, select: { arn: true } }),
    db.policy.findMany({ where: { accountId }, select: { arn: true } }),
  ]);
  const resources = new Set<string>(['*', ...[...users, ...groups, ...roles, ...policies].map((e) => e.arn)]);
  for (const { principal, after, afterBoundary } of scenarios) {
    for (const policy of [...principal.identity, ...after, ...[principal.boundary, afterBoundary].flatMap((d) => (d ? [{ document: d }] : []))]) {
      for (const statement of policy.document.statements) for (const r of [...(statement.resource ?? []), ...(statement.notResource ?? [])]) resources.add(r);
    }
  }
  return [...resources].sort();
}

/** The service an ARN belongs to (`*` for `*` or a wildcard service). */
function serviceOfArn(arn: string): string {
  const parts = arn.split(':');
  return arn === '*' || parts.length < 3 || /[*?]/.test(parts[2]!) ? '*' : parts[2]!.toLowerCase();
}

/** The pure comparison: each principal's decisions before and after, over the domain, within the bound. */
export function comparePreview(scenarios: readonly Scenario[], actions: readonly string[], resources: readonly string[], accountId: string): AccessChangePreview {
  const byService = new Map<string, string[]>();
  for (const resource of resources) {
    const service = serviceOfArn(resource);
    byService.set(service, [...(byService.get(service) ?? []), resource]);
  }
  const anyService = byService.get('*') ?? [];
  let budget = MAX_PREVIEW_EVALUATIONS;
  let truncated = false;
  const principals: PrincipalAccessChange[] = [];
  for (const { principal, after, afterBoundary } of scenarios) {
    const before = compile(principal.identity, principal.boundary);
    const next = compile(after, afterBoundary);
    const context = contextOf(principal, accountId);
    const change: PrincipalAccessChange = { principalArn: principal.arn, newlyAllowed: [], newlyDenied: [] };
    outer: for (const action of actions) {
      const service = action.slice(0, action.indexOf(':')).toLowerCase();
      for (const resource of [...anyService, ...(byService.get(service) ?? [])]) {
        if (budget < 2) {
          truncated = true;
          break outer;
        }
        budget -= 2;
        const request = { principalArn: principal.arn, action, resourceArn: resource, context, resourceOwnerAccount: null };
        const was = evaluate(before, request).decision === 'allowed';
        const is = evaluate(next, request).decision === 'allowed';
        if (!was && is) change.newlyAllowed.push({ action, resource });
        if (was && !is) change.newlyDenied.push({ action, resource });
      }
    }
    principals.push(change);
  }
  return { principals, actionCount: actions.length, resourceCount: resources.length, truncated };
}
