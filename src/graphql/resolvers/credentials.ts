// Credentials: the account password policy, changePassword, virtual MFA devices
// and STS getSessionToken. Thin resolvers over src/auth/{password-policy,
// change-password,mfa}.ts and src/sts/get-session-token.ts; every lookup is
// scoped to the caller's account.
import { namedReader } from '../../iam/named-entities.js';
import type { Resolvers } from '../../generated/graphql.js';
import { requirePrincipal } from '../../context.js';
import { guarded } from '../caller.js';
import { authorizeOwnPasswordCall, changePassword } from '../../auth/change-password.js';
import {
  createVirtualMfaDevice,
  deactivateMfaDevice,
  deleteVirtualMfaDevice,
  enableMfaDevice,
  fetchMfaDevicesOfUser,
  fetchVirtualMfaDevices,
  toVirtualMfaDeviceModel,
  type VirtualMfaDeviceModel,
} from '../../iam/mfa.js';
import { deletePasswordPolicy, getPasswordPolicy, updatePasswordPolicy } from '../../iam/password-policy.js';
import { getSessionToken } from '../../sts/get-session-token.js';
import { tagsLoader } from '../../iam/tags.js';
import { findTargetUser } from '../../iam/users.js';
import type { Principal } from '../../sessions/principal.js';
import { paginate, type Connection } from '../../db/pagination.js';

const callerOf = (principal: Principal) => ({ kind: principal.kind, accountId: principal.accountId, userId: principal.userId });

const emptyConnection = <T>(): Connection<T> => ({
  edges: [],
  nodes: [],
  pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
  isTruncated: false,
  marker: null,
});

export const credentialsResolvers: Resolvers = {
  Query: {
    getAccountPasswordPolicy: async (_parent, _args, ctx) => {
      const principal = requirePrincipal(ctx);
      await authorizeOwnPasswordCall({ db: ctx.db, authorizer: ctx.deps.authorizer }, principal, 'iam:GetAccountPasswordPolicy', '*');
      return { passwordPolicy: await getPasswordPolicy(ctx.db, principal.accountId) };
    },
    listMFADevices: guarded(async (principal, { input, first, after }, ctx) => {
      // Root MFA devices are not supported: the root user, naming no user, has none.
      if (!input?.userName && principal.kind === 'root') return emptyConnection();
      const user = await findTargetUser(ctx.db, callerOf(principal), input?.userName, namedReader(ctx, 'user'));
      return paginate(
        ctx.deps.cursors,
        `${principal.accountId}:listMFADevices:${user.id}`,
        { first, after },
        (row) => row.serialNumber,
        (afterKey, take) => fetchMfaDevicesOfUser(ctx.db, principal.accountId, user, afterKey, take),
      );
    }),
    listVirtualMFADevices: guarded(async (principal, { input, first, after }, ctx) => {
      const status = input?.assignmentStatus ?? 'Any';
      return paginate<VirtualMfaDeviceModel>(
        ctx.deps.cursors,
        `${principal.accountId}:listVirtualMFADevices:${status}`,
        { first, after },
        (row) => row.serialNumber,
        (afterKey, take) => fetchVirtualMfaDevices(ctx.db, principal.accountId, status, afterKey, take),
      );
    }),
  },
  Mutation: {
    updateAccountPasswordPolicy: guarded(async (principal, { input }, ctx) => {
      await updatePasswordPolicy(ctx.db, principal.accountId, input ?? {});
      return true;
    }),
    deleteAccountPasswordPolicy: guarded(async (principal, _args, ctx) => {
      await deletePasswordPolicy(ctx.db, principal.accountId);
      return true;
    }),
    changePassword: async (_parent, { input }, ctx) => {
      const caller = requirePrincipal(ctx);
      await changePassword({ ...ctx.deps, db: ctx.db }, caller, input, { sourceIp: ctx.sourceIp });
      return true;
    },
    createVirtualMFADevice: guarded(async (principal, { input }, ctx) => {
      const created = await createVirtualMfaDevice(ctx.db, ctx.deps.sealer, principal.accountId, input);
      return {
        virtualMFADevice: {
          ...toVirtualMfaDeviceModel(created.device),
          base32StringSeed: created.base32StringSeed,
          otpauthUri: created.otpauthUri,
        },
      };
    }),
    enableMFADevice: guarded(async (principal, { input }, ctx) => {
      await enableMfaDevice(ctx.db, ctx.deps.sealer, principal.accountId, input, ctx.deps.clock.now());
      return true;
    }),
    deactivateMFADevice: guarded(async (principal, { input }, ctx) => {
      await deactivateMfaDevice(ctx.db, callerOf(principal), input);
      return true;
    }),
    deleteVirtualMFADevice: guarded(async (principal, { input }, ctx) => {
      await deleteVirtualMfaDevice(ctx.db, principal.accountId, input.serialNumber);
      return true;
    }),
    getSessionToken: (_parent, { input }, ctx) =>
      getSessionToken({ ...ctx.deps, db: ctx.db, issuer: ctx.deps, sourceIp: ctx.sourceIp, caller: () => requirePrincipal(ctx) }, input ?? {}),
  },
  VirtualMFADevice: {
    tags: (device, _args, ctx) => tagsLoader(ctx).load({ resourceType: 'mfa', resourceId: device.serialNumber }),
  },
};
