// Dry runs of the policy-writing mutations. Each takes `dryRun: true` and answers, without
// writing, whether it would have succeeded and what it would newly allow and deny; each of
// most of them also has a read-only twin, `preview<Mutation>`, that answers the same typed.
//
// Both rehearse the mutation (src/db/rehearsal.ts): its own resolver runs, with the guard's
// decision, its checks, locks and quotas, in a transaction that is rolled back. A failure is
// the mutation's own error (NoSuchEntity, LimitExceeded, MalformedPolicyDocument, ...). On
// success the change is read as a PolicyChange and previewed (src/iam/access-analysis.ts).
// The mutation then answers as EC2's DryRun parameter does, with the error DryRunOperation
// ("Request would have succeeded, but DryRun flag is set"), here carrying the preview in
// `extensions.accessPreview`; the twin answers the preview as data.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/CommonParameters.html (DryRun)
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_CheckNoNewAccess.html
import type { Resolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { IamError } from '../errors.js';
import { rehearse } from '../db/rehearsal.js';
import { previewPolicyChange, type AccessChangePreview, type PolicyChange } from '../iam/access-analysis.js';
import type { PolicyHolderKind } from '../iam/attachments.js';
import type { Principal } from '../sessions/principal.js';
import { callerResolverOf, guarded, type CallerResolver } from './caller.js';

/** EC2's answer to a dry run that would have succeeded (HTTP 412 there too). */
export class DryRunOperationError extends IamError {
  constructor(preview: AccessChangePreview) {
    super('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412, { extensions: { accessPreview: preview } });
  }
}

type Input = Record<string, unknown>;
type Holder = { userName?: string; groupName?: string; roleName?: string };

function holderOf(kind: PolicyHolderKind, input: Holder): { holderKind: PolicyHolderKind; holderName: string } {
  const name = kind === 'user' ? input.userName : kind === 'group' ? input.groupName : input.roleName;
  return { holderKind: kind, holderName: name! };
}

const putInline = (kind: PolicyHolderKind) => (input: Holder & { policyName: string; policyDocument: string }): PolicyChange => ({
  kind: 'putInline',
  ...holderOf(kind, input),
  policyName: input.policyName,
  policyDocument: input.policyDocument,
});
const deleteInline = (kind: PolicyHolderKind) => (input: Holder & { policyName: string }): PolicyChange => ({ kind: 'deleteInline', ...holderOf(kind, input), policyName: input.policyName });
const attachment = (kind: PolicyHolderKind, change: 'attach' | 'detach') => (input: Holder & { policyArn: string }): PolicyChange => ({ kind: change, ...holderOf(kind, input), policyArn: input.policyArn });
const boundary = (kind: 'user' | 'role', put: boolean) => (input: Holder & { permissionsBoundary?: string }): PolicyChange => ({
  kind: 'boundary',
  holderKind: kind,
  holderName: (kind === 'user' ? input.userName : input.roleName)!,
  policyArn: put ? input.permissionsBoundary! : null,
});
const membership = (joins: boolean) => (input: { groupName: string; userName: string }): PolicyChange => ({ kind: 'membership', groupName: input.groupName, userName: input.userName, joins });
const reachesNoOne = (): PolicyChange => ({ kind: 'none' });

/** Every mutation that takes `dryRun`, and the change its input describes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry reads its own mutation's input type
export const POLICY_CHANGES: Readonly<Record<string, (input: any) => PolicyChange>> = {
  putUserPolicy: putInline('user'),
  putGroupPolicy: putInline('group'),
  putRolePolicy: putInline('role'),
  deleteUserPolicy: deleteInline('user'),
  deleteGroupPolicy: deleteInline('group'),
  deleteRolePolicy: deleteInline('role'),
  attachUserPolicy: attachment('user', 'attach'),
  attachGroupPolicy: attachment('group', 'attach'),
  attachRolePolicy: attachment('role', 'attach'),
  detachUserPolicy: attachment('user', 'detach'),
  detachGroupPolicy: attachment('group', 'detach'),
  detachRolePolicy: attachment('role', 'detach'),
  putUserPermissionsBoundary: boundary('user', true),
  putRolePermissionsBoundary: boundary('role', true),
  deleteUserPermissionsBoundary: boundary('user', false),
  deleteRolePermissionsBoundary: boundary('role', false),
  createPolicyVersion: (input: { policyArn: string; policyDocument: string; setAsDefault?: boolean | null }) => ({
    kind: 'defaultVersion',
    policyArn: input.policyArn,
    policyDocument: input.setAsDefault === true ? input.policyDocument : null,
  }),
  setDefaultPolicyVersion: (input: { policyArn: string; versionId: string }) => ({ kind: 'setDefaultVersion', policyArn: input.policyArn, versionId: input.versionId }),
  updateAssumeRolePolicy: (input: { roleName: string; policyDocument: string }) => ({ kind: 'trust', roleName: input.roleName, policyDocument: input.policyDocument }),
  addUserToGroup: membership(true),
  removeUserFromGroup: membership(false),
  createPolicy: reachesNoOne,
  deletePolicy: reachesNoOne,
  deletePolicyVersion: reachesNoOne,
};

/** The read-only twin of a mutation: `preview` and the mutation's name, capitalised. */
export function previewFieldOf(mutation: string): string {
  return `preview${mutation[0]!.toUpperCase()}${mutation.slice(1)}`;
}

/** Rehearses the mutation, then previews its change: what a dry run and a preview answer. */
async function dryRun(mutation: string, resolve: CallerResolver<unknown, Input, unknown>, caller: Principal, args: Input, ctx: Context, parent: unknown): Promise<AccessChangePreview> {
  await rehearse(ctx.db, (client) => Promise.resolve(resolve(caller, args, { ...ctx, db: client }, parent)));
  return previewPolicyChange(ctx.db, caller.accountId, POLICY_CHANGES[mutation]!(args.input));
}

/**
 * Gives every mutation of POLICY_CHANGES its `dryRun` argument and every such mutation whose
 * twin the schema declares (`queryFields`) its preview query. Throws at start-up when a
 * listed mutation has no guarded resolver, so a new one cannot be forgotten half-way.
 */
export function withDryRuns(resolvers: Resolvers, queryFields: ReadonlySet<string>): Resolvers {
  const mutations = { ...(resolvers.Mutation as Record<string, unknown>) };
  const queries = { ...(resolvers.Query as Record<string, unknown>) };
  for (const mutation of Object.keys(POLICY_CHANGES)) {
    const resolve = callerResolverOf(mutations[mutation]);
    if (!resolve) throw new Error(`withDryRuns: ${mutation} has no guarded resolver`);
    mutations[mutation] = guarded(async (caller: Principal, args: Input, ctx: Context, parent: unknown) => {
      if (args.dryRun !== true) return resolve(caller, args, ctx, parent);
      throw new DryRunOperationError(await dryRun(mutation, resolve, caller, args, ctx, parent));
    });
    const twin = previewFieldOf(mutation);
    if (queryFields.has(twin)) {
      if (twin in queries) throw new Error(`withDryRuns: two resolvers for Query.${twin}`);
      queries[twin] = guarded((caller: Principal, args: Input, ctx: Context, parent: unknown) => dryRun(mutation, resolve, caller, args, ctx, parent));
    }
  }
  return { ...resolvers, Mutation: mutations, Query: queries } as Resolvers;
}
