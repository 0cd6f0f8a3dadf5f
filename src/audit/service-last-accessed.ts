// Service last accessed data (AWS's "access advisor"): for a user, group, role or
// managed policy, when each service was last used, from the audit trail.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_last-accessed.html
// What counts as a use: every audited call (allowed or denied: AWS reports
// attempts) made by the entity within AWS's 400-day tracking period: a user's
// own calls (including sessions from GetSessionToken), a role's sessions' calls
// (userIdentity.sessionContext.sessionIssuer), a group's current members' calls,
// a policy's users' (directly or through groups) and roles' calls. Only calls to
// this service are events (iam, sts, cloudtrail...); isAuthorized answers about a
// customer's own services are not uses, so such services never appear used.
// Which services are listed: those the entity's identity policies allow (Allow
// statements' Action elements, parsed by the engine as the authorizer reads them;
// a service prefix with wildcards matches the catalog's services) plus those seen
// in its events. `Action: "*"` and `NotAction` would list every AWS service: they
// are not expanded, and add only the services seen in events. The policies are
// those src/iam/principal-policies.ts loads for the authorizer (the boundary
// grants nothing, so it names no service).
// Jobs complete at once and are kept in the database, per account (at most
// MAX_JOBS_PER_ACCOUNT each, for JOB_TTL_MS of the service's clock).
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Db, DbTx } from '../db/client.js';
import { InvalidInputError, NoSuchEntityError, ValidationError } from '../errors.js';
import { parseIamArn } from '../iam/arn.js';
import { getManagedPolicies } from '../iam/managed-policy-lookup.js';
import { checkArn } from '../iam/names.js';
import { loadHeldPolicies, parseManagedPolicy } from '../iam/principal-policies.js';
import { actionNameOf, globMatcher, isKnownService, knownServices, matchActions, serviceNameOf } from '../policy/catalog.js';
import type { PolicyDocument } from '../policy/index.js';
import { latestCallsSince } from './trail.js';

/** AWS's tracking period for last accessed data. */
export const TRACKING_PERIOD_DAYS = 400;
/** Where this service's calls are reported, as AWS reports its global services. */
const GLOBAL_REGION = 'us-east-1';
const MAX_JOBS_PER_ACCOUNT = 100;
const JOB_TTL_MS = 24 * 60 * 60 * 1000;

export type Granularity = 'SERVICE_LEVEL' | 'ACTION_LEVEL';

export interface TrackedActionLastAccessed {
  actionName: string;
  lastAccessedEntity: string | null;
  lastAccessedTime: Date | null;
  lastAccessedRegion: string | null;
}

export interface ServiceLastAccessed {
  serviceName: string;
  serviceNamespace: string;
  lastAuthenticated: Date | null;
  lastAuthenticatedEntity: string | null;
  lastAuthenticatedRegion: string | null;
  totalAuthenticatedEntities: number | null;
  trackedActionsLastAccessed: TrackedActionLastAccessed[] | null;
}

export interface ServiceLastAccessedJob {
  jobId: string;
  jobStatus: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
  jobType: Granularity;
  jobCreationDate: Date;
  jobCompletionDate: Date | null;
  servicesLastAccessed: ServiceLastAccessed[];
  isTruncated: boolean;
}

/**
 * Keeps a completed job for GetServiceLastAccessedDetails, in the database (so any
 * process answers it); an account keeps its newest MAX_JOBS_PER_ACCOUNT jobs.
 */
export async function saveServiceLastAccessedJob(db: Db, accountId: string, job: ServiceLastAccessedJob): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.serviceLastAccessedJob.create({ data: { jobId: job.jobId, accountId, job: JSON.parse(JSON.stringify(job)), createdAt: job.jobCreationDate } });
    await tx.$executeRaw`
      DELETE FROM "ServiceLastAccessedJob" WHERE "accountId" = ${accountId} AND "jobId" NOT IN (
        SELECT "jobId" FROM "ServiceLastAccessedJob" WHERE "accountId" = ${accountId} ORDER BY "createdAt" DESC LIMIT ${MAX_JOBS_PER_ACCOUNT})`;
  });
}

/** The account's job `jobId` (dates as ISO strings); NoSuchEntity for an unknown, expired or other account's job. */
export async function getServiceLastAccessedJob(db: DbTx, accountId: string, jobId: string, now: Date): Promise<ServiceLastAccessedJob> {
  const row = await db.serviceLastAccessedJob.findFirst({ where: { jobId, accountId, createdAt: { gte: new Date(now.getTime() - JOB_TTL_MS) } }, select: { job: true } });
  if (!row) throw new NoSuchEntityError(`The job with id ${jobId} cannot be found.`);
  return row.job as unknown as ServiceLastAccessedJob;
}

/** Checks a job id's shape: AWS's job ids are 36 characters. */
export function checkJobId(jobId: string): string {
  if (jobId.length !== 36) throw new ValidationError(`1 validation error detected: Value '${jobId}' at 'jobId' failed to satisfy constraint: Member must have length equal to 36`);
  return jobId;
}

/** Whose calls count and which policy documents name the allowed services. */
interface Subject {
  userIds: string[];
  roleIds: string[];
  documents: PolicyDocument[];
}

/** AWS's GenerateServiceLastAccessedDetails, computed at once; it starts and completes at `clock`'s times. */
export async function generateServiceLastAccessedDetails(
  db: DbTx,
  accountId: string,
  input: { arn: string; granularity?: Granularity | null },
  clock: Clock,
): Promise<ServiceLastAccessedJob> {
  const now = clock.now();
  const jobType = input.granularity ?? 'SERVICE_LEVEL';
  const subject = await resolveSubject(db, accountId, checkArn(input.arn, 'arn'));
  const since = new Date(now.getTime() - TRACKING_PERIOD_DAYS * 86_400_000);
  const [uses, arns] = await Promise.all([loadUses(db, accountId, subject, since), entityArns(db, accountId, subject)]);
  const allowed = allowedActionPatterns(subject.documents);

  const services = new Map<string, Use[]>();
  for (const namespace of servicesOf(allowed)) services.set(namespace, []);
  for (const use of uses) {
    const list = services.get(use.namespace) ?? [];
    list.push(use);
    services.set(use.namespace, list);
  }
  const servicesLastAccessed = [...services].map(([namespace, serviceUses]) => {
    const latest = latestOf(serviceUses);
    const entities = new Set(serviceUses.map((use) => use.entityId));
    return {
      serviceName: serviceNameOf(namespace),
      serviceNamespace: namespace,
      lastAuthenticated: latest?.at ?? null,
      lastAuthenticatedEntity: latest ? (arns.get(latest.entityId) ?? null) : null,
      lastAuthenticatedRegion: latest ? GLOBAL_REGION : null,
      totalAuthenticatedEntities: entities.size > 0 ? entities.size : null,
      trackedActionsLastAccessed: jobType === 'ACTION_LEVEL' ? trackedActions(namespace, allowed, serviceUses, arns) : null,
    };
  });
  servicesLastAccessed.sort((a, b) => a.serviceName.localeCompare(b.serviceName) || a.serviceNamespace.localeCompare(b.serviceNamespace));
  return {
    jobId: randomUUID(),
    jobStatus: 'COMPLETED',
    jobType,
    jobCreationDate: now,
    jobCompletionDate: clock.now(),
    servicesLastAccessed,
    isTruncated: false,
  };
}

/** The entity behind `arn` in the account, as the calls that count and its policy documents. */
async function resolveSubject(db: DbTx, accountId: string, arn: string): Promise<Subject> {
  const parsed = parseIamArn(arn);
  if (!parsed || !['user', 'group', 'role', 'policy'].includes(parsed.type)) {
    throw new InvalidInputError(`ARN ${arn} is not valid: give the ARN of a user, group, role or managed policy.`);
  }
  const notFound = () => new NoSuchEntityError(`The ${parsed.type} with name ${parsed.name} cannot be found.`);
  // Tenant isolation: every lookup names the caller's account; another account's ARN is simply not found.
  if (parsed.type === 'policy') {
    if (parsed.account !== accountId && parsed.account !== 'aws') throw notFound();
    const policies = await getManagedPolicies(db, accountId, [arn]);
    const policy = policies.get(arn);
    if (!policy) throw new NoSuchEntityError(`Policy ${arn} does not exist or is not attachable.`);
    const attachments = await db.policyAttachment.findMany({ where: { accountId, policyArn: arn }, select: { entityType: true, entityId: true } });
    const groupIds = attachments.filter((a) => a.entityType === 'group').map((a) => a.entityId);
    const members = groupIds.length > 0 ? await db.groupMembership.findMany({ where: { groupId: { in: groupIds }, group: { accountId } }, select: { userId: true } }) : [];
    return {
      userIds: [...new Set([...attachments.filter((a) => a.entityType === 'user').map((a) => a.entityId), ...members.map((m) => m.userId)])],
      roleIds: attachments.filter((a) => a.entityType === 'role').map((a) => a.entityId),
      documents: [parseManagedPolicy(policy)],
    };
  }
  if (parsed.account !== accountId) throw notFound();
  const type = parsed.type as 'user' | 'group' | 'role';
  const [held, members] = await Promise.all([
    loadHeldPolicies(db, accountId, { type, arn }),
    type === 'group' ? db.groupMembership.findMany({ where: { group: { accountId, arn } }, select: { userId: true } }) : [],
  ]);
  if (!held) throw notFound();
  const documents = held.identity.map((policy) => policy.document);
  if (type === 'user') return { userIds: [held.entityId], roleIds: [], documents };
  if (type === 'group') return { userIds: members.map((m) => m.userId), roleIds: [], documents };
  return { userIds: [], roleIds: [held.entityId], documents };
}

/** One (entity, action) pair's latest call. */
interface Use {
  entityId: string;
  namespace: string;
  action: string;
  at: Date;
}

/** The latest call per entity and action, from the audit trail, within the tracking period. */
async function loadUses(db: DbTx, accountId: string, subject: Subject, since: Date): Promise<Use[]> {
  const rows: Array<{ entityId: string; eventSource: string; eventName: string; at: Date }> = [];
  if (subject.userIds.length > 0) {
    rows.push(
      ...(await db.$queryRaw<typeof rows>`
        SELECT "userIdentity"->>'principalId' AS "entityId", "eventSource", "eventName", max("eventTime") AS at
        FROM ${latestCallsSince(accountId, since)} AS calls
        WHERE "userIdentity"->>'type' = 'IAMUser' AND "userIdentity"->>'principalId' = ANY(${subject.userIds})
          AND "eventSource" <> 'signin.amazonaws.com'
        GROUP BY 1, 2, 3`),
    );
  }
  if (subject.roleIds.length > 0) {
    rows.push(
      ...(await db.$queryRaw<typeof rows>`
        SELECT "userIdentity"#>>'{sessionContext,sessionIssuer,principalId}' AS "entityId", "eventSource", "eventName", max("eventTime") AS at
        FROM ${latestCallsSince(accountId, since)} AS calls
        WHERE "userIdentity"->>'type' = 'AssumedRole' AND "userIdentity"#>>'{sessionContext,sessionIssuer,principalId}' = ANY(${subject.roleIds})
        GROUP BY 1, 2, 3`),
    );
  }
  return rows.map((row) => ({ entityId: row.entityId, namespace: row.eventSource.split('.')[0]!, action: row.eventName, at: new Date(row.at) }));
}

/** Current ARNs of the subject's users and roles. */
async function entityArns(db: DbTx, accountId: string, subject: Subject): Promise<Map<string, string>> {
  const [users, roles] = await Promise.all([
    subject.userIds.length > 0 ? db.user.findMany({ where: { accountId, id: { in: subject.userIds } }, select: { id: true, arn: true } }) : [],
    subject.roleIds.length > 0 ? db.role.findMany({ where: { accountId, id: { in: subject.roleIds } }, select: { id: true, arn: true } }) : [],
  ]);
  return new Map([...users, ...roles].map((row) => [row.id, row.arn]));
}

function latestOf(uses: Use[]): Use | undefined {
  let latest: Use | undefined;
  for (const use of uses) if (!latest || use.at > latest.at) latest = use;
  return latest;
}

/** An allowed action pattern split at its colon, both parts lower case. */
interface ActionPattern {
  service: string;
  action: string;
}

/** The Action patterns of the documents' Allow statements (`*` and NotAction are not expanded: see the header). */
export function allowedActionPatterns(documents: readonly PolicyDocument[]): ActionPattern[] {
  const patterns: ActionPattern[] = [];
  for (const document of documents) {
    for (const statement of document.statements) {
      if (statement.effect !== 'Allow') continue;
      for (const action of statement.action ?? []) {
        // The parser admits only `*` or `service:action`, and the engine matches the two parts apart from the one colon.
        const colon = action.indexOf(':');
        if (colon < 0) continue; // `*`: every action of every service.
        patterns.push({ service: action.slice(0, colon).toLowerCase(), action: action.slice(colon + 1).toLowerCase() });
      }
    }
  }
  return patterns;
}

/** The catalog's services the patterns name. */
function servicesOf(patterns: ActionPattern[]): Set<string> {
  const services = new Set<string>();
  for (const { service } of patterns) {
    if (!/[*?]/.test(service)) {
      if (isKnownService(service)) services.add(service);
      continue;
    }
    const matches = globMatcher(service);
    for (const namespace of knownServices()) if (matches(namespace)) services.add(namespace);
  }
  return services;
}

/** ACTION_LEVEL: the service's actions that the patterns allow or that were used, each with its latest use. */
function trackedActions(namespace: string, patterns: ActionPattern[], uses: Use[], arns: Map<string, string>): TrackedActionLastAccessed[] {
  const actions = new Map<string, Use | undefined>();
  for (const pattern of patterns) {
    if (!globMatcher(pattern.service)(namespace)) continue;
    for (const lower of matchActions(namespace, pattern.action)) {
      const name = actionNameOf(namespace, lower)!;
      actions.set(name, actions.get(name));
    }
  }
  for (const use of uses) {
    const known = actions.get(use.action);
    if (!known || use.at > known.at) actions.set(use.action, use);
  }
  return [...actions]
    .map(([actionName, use]) => ({
      actionName,
      lastAccessedEntity: use ? (arns.get(use.entityId) ?? null) : null,
      lastAccessedTime: use?.at ?? null,
      lastAccessedRegion: use ? GLOBAL_REGION : null,
    }))
    .sort((a, b) => a.actionName.localeCompare(b.actionName));
}
