// Creating a child while its parent is deleted: every pair answers as AWS would in one
// order or the other (the create succeeds and the delete answers DeleteConflict, or the
// delete succeeds and the create answers NoSuchEntity), never ServiceFailure, and leaves
// no child row whose parent is gone. Each pair runs in both orders through a gate (the
// parent row held locked by the test until both requests wait on it, so both have read
// the parent before either writes) and then unsynchronized.
import { Secret, TOTP } from 'otpauth';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddRoleToInstanceProfileDocument,
  AddUserToGroupDocument,
  AttachGroupPolicyDocument,
  AttachRolePolicyDocument,
  AttachUserPolicyDocument,
  CreateAccessKeyDocument,
  CreateGroupDocument,
  CreateInstanceProfileDocument,
  CreatePolicyDocument,
  CreateVirtualMFADeviceDocument,
  DeleteGroupDocument,
  DeleteInstanceProfileDocument,
  DeletePolicyDocument,
  DeleteRoleDocument,
  DeleteUserDocument,
  EnableMFADeviceDocument,
  PutGroupPolicyDocument,
  PutRolePolicyDocument,
  PutUserPolicyDocument,
  TagInstanceProfileDocument,
  TagPolicyDocument,
  TagRoleDocument,
  TagUserDocument,
  CreateLoginProfileDocument,
} from './generated/graphql.js';
import { createRole, createUser, policy, trustPolicy, USER_PASSWORD, type Account } from './support/scenarios.js';
import { useTestServer, type GraphQLResponse } from './support/server.js';

const server = useTestServer();
let account: Account;
beforeAll(async () => {
  account = await server.newAccount();
});

type ParentTable = 'User' | 'Group' | 'Role' | 'Policy' | 'InstanceProfile';

/** One "create a child while its parent is deleted" pair; `n` makes the names of one round unique. */
interface Race {
  name: string;
  /** Creates the parent (and what the child needs); answers the parent row to hold. */
  setup(n: string): Promise<{ table: ParentTable; id: string }>;
  remove(n: string): Promise<GraphQLResponse>;
  create(n: string): Promise<GraphQLResponse>;
}

const ALLOW_ALL = JSON.stringify(policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }));
const TAGS = [{ key: 'team', value: 'blue' }];

const userId = async (n: string) => (await createUser(server, account.token, `u${n}`)).userId;
const groupId = async (n: string) => {
  await server.ok(CreateGroupDocument, { input: { groupName: `g${n}` } }, account.token);
  return (await server.db.group.findFirstOrThrow({ where: { accountId: account.accountId, name: `g${n}` } })).id;
};
const roleId = async (n: string) => {
  await createRole(server, account.token, `r${n}`, trustPolicy({ Service: 'ec2.amazonaws.com' }));
  return (await server.db.role.findFirstOrThrow({ where: { accountId: account.accountId, name: `r${n}` } })).id;
};
const policyArn = (n: string) => `arn:aws:iam::${account.accountId}:policy/p${n}`;
const profileId = async (n: string) => {
  await server.ok(CreateInstanceProfileDocument, { input: { instanceProfileName: `ip${n}` } }, account.token);
  return (await server.db.instanceProfile.findFirstOrThrow({ where: { accountId: account.accountId, name: `ip${n}` } })).id;
};
/** Seeds of the devices made for the MFA rounds, by round. */
const seeds = new Map<string, { serial: string; seed: string }>();

const deleteUser = (n: string) => server.gql(DeleteUserDocument, { input: { userName: `u${n}` } }, account.token);
const deleteGroup = (n: string) => server.gql(DeleteGroupDocument, { input: { groupName: `g${n}` } }, account.token);
const deleteRole = (n: string) => server.gql(DeleteRoleDocument, { input: { roleName: `r${n}` } }, account.token);

const races: Race[] = [
  {
    name: 'createAccessKey while deleteUser',
    setup: async (n) => ({ table: 'User', id: await userId(n) }),
    remove: deleteUser,
    create: (n) => server.gql(CreateAccessKeyDocument, { input: { userName: `u${n}` } }, account.token),
  },
  {
    name: 'createLoginProfile while deleteUser',
    setup: async (n) => ({ table: 'User', id: await userId(n) }),
    remove: deleteUser,
    create: (n) => server.gql(CreateLoginProfileDocument, { input: { userName: `u${n}`, password: USER_PASSWORD } }, account.token),
  },
  {
    name: 'enableMFADevice while deleteUser',
    setup: async (n) => {
      const device = (await server.ok(CreateVirtualMFADeviceDocument, { input: { virtualMFADeviceName: `d${n}` } }, account.token)).createVirtualMFADevice.virtualMFADevice;
      seeds.set(n, { serial: device.serialNumber, seed: device.base32StringSeed! });
      return { table: 'User', id: await userId(n) };
    },
    remove: deleteUser,
    create: (n) => {
      const { serial, seed } = seeds.get(n)!;
      const code = (timestamp: number) => TOTP.generate({ secret: Secret.fromBase32(seed), timestamp });
      const now = Date.now();
      return server.gql(EnableMFADeviceDocument, { input: { userName: `u${n}`, serialNumber: serial, authenticationCode1: code(now - 30_000), authenticationCode2: code(now) } }, account.token);
    },
  },
  {
    name: 'addUserToGroup while deleteUser',
    setup: async (n) => {
      await groupId(n);
      return { table: 'User', id: await userId(n) };
    },
    remove: deleteUser,
    create: (n) => server.gql(AddUserToGroupDocument, { input: { groupName: `g${n}`, userName: `u${n}` } }, account.token),
  },
  {
    name: 'addUserToGroup while deleteGroup',
    setup: async (n) => {
      await userId(n);
      return { table: 'Group', id: await groupId(n) };
    },
    remove: deleteGroup,
    create: (n) => server.gql(AddUserToGroupDocument, { input: { groupName: `g${n}`, userName: `u${n}` } }, account.token),
  },
  {
    name: 'attachUserPolicy while deleteUser',
    setup: async (n) => ({ table: 'User', id: await userId(n) }),
    remove: deleteUser,
    create: (n) => server.gql(AttachUserPolicyDocument, { input: { userName: `u${n}`, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } }, account.token),
  },
  {
    name: 'attachGroupPolicy while deleteGroup',
    setup: async (n) => ({ table: 'Group', id: await groupId(n) }),
    remove: deleteGroup,
    create: (n) => server.gql(AttachGroupPolicyDocument, { input: { groupName: `g${n}`, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } }, account.token),
  },
  {
    name: 'attachRolePolicy while deleteRole',
    setup: async (n) => ({ table: 'Role', id: await roleId(n) }),
    remove: deleteRole,
    create: (n) => server.gql(AttachRolePolicyDocument, { input: { roleName: `r${n}`, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' } }, account.token),
  },
  {
    name: 'attachUserPolicy while deletePolicy',
    setup: async (n) => {
      await userId(n);
      await server.ok(CreatePolicyDocument, { input: { policyName: `p${n}`, policyDocument: ALLOW_ALL } }, account.token);
      return { table: 'Policy', id: (await server.db.policy.findUniqueOrThrow({ where: { arn: policyArn(n) } })).id };
    },
    remove: (n) => server.gql(DeletePolicyDocument, { input: { policyArn: policyArn(n) } }, account.token),
    create: (n) => server.gql(AttachUserPolicyDocument, { input: { userName: `u${n}`, policyArn: policyArn(n) } }, account.token),
  },
  {
    name: 'putUserPolicy while deleteUser',
    setup: async (n) => ({ table: 'User', id: await userId(n) }),
    remove: deleteUser,
    create: (n) => server.gql(PutUserPolicyDocument, { input: { userName: `u${n}`, policyName: 'inline', policyDocument: ALLOW_ALL } }, account.token),
  },
  {
    name: 'putGroupPolicy while deleteGroup',
    setup: async (n) => ({ table: 'Group', id: await groupId(n) }),
    remove: deleteGroup,
    create: (n) => server.gql(PutGroupPolicyDocument, { input: { groupName: `g${n}`, policyName: 'inline', policyDocument: ALLOW_ALL } }, account.token),
  },
  {
    name: 'putRolePolicy while deleteRole',
    setup: async (n) => ({ table: 'Role', id: await roleId(n) }),
    remove: deleteRole,
    create: (n) => server.gql(PutRolePolicyDocument, { input: { roleName: `r${n}`, policyName: 'inline', policyDocument: ALLOW_ALL } }, account.token),
  },
  {
    name: 'tagUser while deleteUser',
    setup: async (n) => ({ table: 'User', id: await userId(n) }),
    remove: deleteUser,
    create: (n) => server.gql(TagUserDocument, { input: { userName: `u${n}`, tags: TAGS } }, account.token),
  },
  {
    name: 'tagRole while deleteRole',
    setup: async (n) => ({ table: 'Role', id: await roleId(n) }),
    remove: deleteRole,
    create: (n) => server.gql(TagRoleDocument, { input: { roleName: `r${n}`, tags: TAGS } }, account.token),
  },
  {
    name: 'tagPolicy while deletePolicy',
    setup: async (n) => {
      await server.ok(CreatePolicyDocument, { input: { policyName: `p${n}`, policyDocument: ALLOW_ALL } }, account.token);
      return { table: 'Policy', id: (await server.db.policy.findUniqueOrThrow({ where: { arn: policyArn(n) } })).id };
    },
    remove: (n) => server.gql(DeletePolicyDocument, { input: { policyArn: policyArn(n) } }, account.token),
    create: (n) => server.gql(TagPolicyDocument, { input: { policyArn: policyArn(n), tags: TAGS } }, account.token),
  },
  {
    name: 'tagInstanceProfile while deleteInstanceProfile',
    setup: async (n) => ({ table: 'InstanceProfile', id: await profileId(n) }),
    remove: (n) => server.gql(DeleteInstanceProfileDocument, { input: { instanceProfileName: `ip${n}` } }, account.token),
    create: (n) => server.gql(TagInstanceProfileDocument, { input: { instanceProfileName: `ip${n}`, tags: TAGS } }, account.token),
  },
  {
    name: 'addRoleToInstanceProfile while deleteInstanceProfile',
    setup: async (n) => {
      await roleId(n);
      return { table: 'InstanceProfile', id: await profileId(n) };
    },
    remove: (n) => server.gql(DeleteInstanceProfileDocument, { input: { instanceProfileName: `ip${n}` } }, account.token),
    create: (n) => server.gql(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: `ip${n}`, roleName: `r${n}` } }, account.token),
  },
  {
    name: 'addRoleToInstanceProfile while deleteRole',
    setup: async (n) => {
      await profileId(n);
      return { table: 'Role', id: await roleId(n) };
    },
    remove: deleteRole,
    create: (n) => server.gql(AddRoleToInstanceProfileDocument, { input: { instanceProfileName: `ip${n}`, roleName: `r${n}` } }, account.token),
  },
];

/** The AWS code of a response, or 'ok'. */
const outcome = (response: GraphQLResponse): string => (response.errors?.length ? (response.errors[0]!.extensions?.code ?? 'unknown') : 'ok');

/** Requests of this database waiting on a lock. */
async function lockWaiters(): Promise<number> {
  const rows = await server.db.$queryRaw<Array<{ n: bigint }>>`
    SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
  return Number(rows[0]!.n);
}

/** Waits until `count` requests wait on a lock, or `request` has answered (it did not need the lock), at most 5 s. */
async function waitForWaiters(count: number, request: Promise<unknown>): Promise<void> {
  let settled = false;
  void request.finally(() => (settled = true));
  for (const deadline = Date.now() + 5_000; Date.now() < deadline && !settled; ) {
    if ((await lockWaiters()) >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Sends `first`, then `second`, while the test holds the parent row locked (FOR UPDATE):
 * each reaches the row lock (or answers without it) before the lock is let go, so both
 * have found the parent before either writes.
 */
async function gated(parent: { table: ParentTable; id: string }, first: () => Promise<GraphQLResponse>, second: () => Promise<GraphQLResponse>) {
  let release!: () => void;
  let locked!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = server.db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SELECT 1 FROM "${parent.table}" WHERE id = $1 FOR UPDATE`, parent.id);
      locked();
      await released;
    },
    { timeout: 30_000 },
  );
  await isLocked;
  const a = first();
  await waitForWaiters(1, a);
  const b = second();
  await waitForWaiters(2, b);
  release();
  await holder;
  return [await a, await b] as const;
}

/** Rows of tags, attachments, inline policies, memberships, keys, profiles and devices whose parent is gone. */
async function orphans(): Promise<number> {
  const rows = await server.db.$queryRaw<Array<{ n: bigint }>>`
    SELECT
      (SELECT count(*) FROM "Tag" t WHERE
        (t."resourceType" = 'user' AND NOT EXISTS (SELECT 1 FROM "User" x WHERE x.id = t."resourceId")) OR
        (t."resourceType" = 'role' AND NOT EXISTS (SELECT 1 FROM "Role" x WHERE x.id = t."resourceId")) OR
        (t."resourceType" = 'policy' AND NOT EXISTS (SELECT 1 FROM "Policy" x WHERE x.id = t."resourceId")) OR
        (t."resourceType" = 'instance-profile' AND NOT EXISTS (SELECT 1 FROM "InstanceProfile" x WHERE x.id = t."resourceId")))
      + (SELECT count(*) FROM "PolicyAttachment" a WHERE
        (a."entityType" = 'user' AND NOT EXISTS (SELECT 1 FROM "User" x WHERE x.id = a."entityId")) OR
        (a."entityType" = 'group' AND NOT EXISTS (SELECT 1 FROM "Group" x WHERE x.id = a."entityId")) OR
        (a."entityType" = 'role' AND NOT EXISTS (SELECT 1 FROM "Role" x WHERE x.id = a."entityId")) OR
        (a."policyArn" NOT LIKE 'arn:aws:iam::aws:%' AND NOT EXISTS (SELECT 1 FROM "Policy" x WHERE x.arn = a."policyArn")))
      + (SELECT count(*) FROM "InlinePolicy" i WHERE
        (i."entityType" = 'user' AND NOT EXISTS (SELECT 1 FROM "User" x WHERE x.id = i."entityId")) OR
        (i."entityType" = 'group' AND NOT EXISTS (SELECT 1 FROM "Group" x WHERE x.id = i."entityId")) OR
        (i."entityType" = 'role' AND NOT EXISTS (SELECT 1 FROM "Role" x WHERE x.id = i."entityId")))
      AS n`;
  return Number(rows[0]!.n);
}

/**
 * What one round may answer (`create/delete`): the create wins (the delete then conflicts or,
 * for tags, takes them along) or the delete wins (the create then finds no parent).
 */
function isOneOrder(answer: string): boolean {
  return ['ok/DeleteConflict', 'ok/ok', 'NoSuchEntity/ok'].includes(answer);
}

/** Rounds sent at once without a gate, after the two gated ones. */
const FREE_ROUNDS = 3;

describe('creating a child while its parent is deleted', () => {
  it.each(races)('$name: never ServiceFailure, no orphan', async (race) => {
    const orphansBefore = await orphans();
    const seen: string[] = [];
    const round = async (n: string, send: () => Promise<readonly [GraphQLResponse, GraphQLResponse]>) => {
      const [remove, create] = (await send()).map(outcome) as [string, string];
      seen.push(`${create}/${remove}`);
    };
    const key = `x${races.indexOf(race)}`;
    const deleteFirst = await race.setup(`${key}a`);
    await round(`${key}a`, () => gated(deleteFirst, () => race.remove(`${key}a`), () => race.create(`${key}a`)));
    const createFirst = await race.setup(`${key}b`);
    await round(`${key}b`, async () => {
      const [create, remove] = await gated(createFirst, () => race.create(`${key}b`), () => race.remove(`${key}b`));
      return [remove, create] as const;
    });
    for (let i = 0; i < FREE_ROUNDS; i++) {
      const n = `${key}${i}`;
      await race.setup(n);
      await round(n, () => Promise.all([race.remove(n), race.create(n)]));
    }
    // Each answer as `create/delete`, in the order gated delete-first, gated create-first, then free rounds.
    expect(seen.filter((answer) => !isOneOrder(answer)), seen.join(' ')).toEqual([]);
    expect(await orphans()).toBe(orphansBefore);
  });
});
