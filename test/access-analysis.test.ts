// Analysis beyond AWS's IAM (issue 22), over HTTP: who can do an action on a resource,
// what a principal can do, and previews of policy changes, with the preview's laws (adding
// a Deny never grants; an identical document changes nothing; a superset never removes).
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddUserToGroupDocument,
  AttachGroupPolicyDocument,
  AttachUserPolicyDocument,
  CreateGroupDocument,
  CreatePolicyDocument,
  ListAllowedActionsDocument,
  ListPolicyVersionsDocument,
  LookupEventOutcomesDocument,
  ListPrincipalsWithAccessDocument,
  CreatePolicyVersionDocument,
  PreviewCreatePolicyVersionDocument,
  PreviewDeleteUserPermissionsBoundaryDocument,
  PreviewPutUserPermissionsBoundaryDocument,
  PreviewSetDefaultPolicyVersionDocument,
  PreviewUpdateAssumeRolePolicyDocument,
  ListUserPoliciesDocument,
  PreviewAttachGroupPolicyDocument,
  PreviewAttachUserPolicyDocument,
  PreviewDeleteUserPolicyDocument,
  PreviewDetachUserPolicyDocument,
  PreviewPutGroupPolicyDocument,
  PreviewPutUserPolicyDocument,
  PutRolePolicyDocument,
  PutUserPermissionsBoundaryDocument,
  PutUserPolicyDocument,
} from './generated/graphql.js';
import { createRole, createUser, policy, signedInUser, trustPolicy } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();
let root: { accountId: string; token: string };
const arn = (kind: string, name: string) => `arn:aws:iam::${root.accountId}:${kind}/${name}`;
const put = (userName: string, policyName: string, document: object) =>
  server.ok(PutUserPolicyDocument, { input: { userName, policyName, policyDocument: JSON.stringify(document) } }, root.token);
const readS3 = policy({ Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' });

beforeAll(async () => {
  root = await server.newAccount();
  // alice: an inline Allow; bob: a group's managed policy; carol: s3:* cut by an iam-only boundary; dave: an Allow and a Deny.
  for (const name of ['alice', 'bob', 'carol', 'dave']) await createUser(server, root.token, name);
  await put('alice', 'read-reports', readS3);
  const managed = await server.ok(CreatePolicyDocument, { input: { policyName: 's3-all', policyDocument: JSON.stringify(policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' })) } }, root.token);
  await server.ok(CreateGroupDocument, { input: { groupName: 'analysts' } }, root.token);
  await server.ok(AddUserToGroupDocument, { input: { groupName: 'analysts', userName: 'bob' } }, root.token);
  await server.ok(AttachGroupPolicyDocument, { input: { groupName: 'analysts', policyArn: managed.createPolicy.policy.arn } }, root.token);
  const iamOnly = await server.ok(CreatePolicyDocument, { input: { policyName: 'iam-only', policyDocument: JSON.stringify(policy({ Effect: 'Allow', Action: 'iam:*', Resource: '*' })) } }, root.token);
  await put('carol', 's3', policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }));
  await server.ok(PutUserPermissionsBoundaryDocument, { input: { userName: 'carol', permissionsBoundary: iamOnly.createPolicy.policy.arn } }, root.token);
  await put('dave', 'mixed', policy({ Effect: 'Allow', Action: 's3:*', Resource: '*' }, { Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }));
  await createRole(server, root.token, 'reporter', trustPolicy({ Service: 'lambda.amazonaws.com' }));
  await server.ok(PutRolePolicyDocument, { input: { roleName: 'reporter', policyName: 'read', policyDocument: JSON.stringify(readS3) } }, root.token);
});

describe('listPrincipalsWithAccess (who can)', () => {
  const whoCan = (actionName: string, resourceArn: string, first?: number, after?: string, token = root.token) =>
    server.ok(ListPrincipalsWithAccessDocument, { input: { actionName, resourceArn }, ...(first ? { first } : {}), ...(after ? { after } : {}) }, token);

  it('lists root and every user and role allowed, with the statements that allow it', async () => {
    const { listPrincipalsWithAccess: answer } = await whoCan('s3:GetObject', 'arn:aws:s3:::reports/q1.csv');
    expect(answer.principals.map((p) => p.principalArn)).toEqual([`arn:aws:iam::${root.accountId}:root`, arn('role', 'reporter'), arn('user', 'alice'), arn('user', 'bob')].sort());
    const alice = answer.principals.find((p) => p.principalArn === arn('user', 'alice'))!;
    expect(alice.matchedStatements).toEqual([{ sourcePolicyId: 'read-reports', sourcePolicyType: 'user', statementIndex: 0, sid: 'Read', effect: 'Allow' }]);
    const bob = answer.principals.find((p) => p.principalArn === arn('user', 'bob'))!;
    expect(bob.matchedStatements[0]).toMatchObject({ sourcePolicyId: arn('policy', 's3-all'), sourcePolicyType: 'user-managed' });
    // carol's boundary and dave's Deny keep them out; another object is alice's and the role's no longer.
    const other = (await whoCan('s3:GetObject', 'arn:aws:s3:::other/x')).listPrincipalsWithAccess.principals.map((p) => p.principalArn);
    expect(other).toEqual([`arn:aws:iam::${root.accountId}:root`, arn('user', 'bob'), arn('user', 'dave')].sort());
  });

  it('pages with first/after', async () => {
    const first = (await whoCan('s3:GetObject', 'arn:aws:s3:::reports/q1.csv', 3)).listPrincipalsWithAccess;
    expect(first.principals).toHaveLength(3);
    expect(first.isTruncated).toBe(true);
    const second = (await whoCan('s3:GetObject', 'arn:aws:s3:::reports/q1.csv', 3, first.marker!)).listPrincipalsWithAccess;
    expect(second.isTruncated).toBe(false);
    expect([...first.principals, ...second.principals]).toHaveLength(4);
  });

  it('refuses a wildcard action, and callers without open-iam:ListPrincipalsWithAccess', async () => {
    const bad = await server.gql(ListPrincipalsWithAccessDocument, { input: { actionName: 's3:Get*', resourceArn: '*' } }, root.token);
    expect(bad.errors?.[0]?.extensions?.code).toBe('ValidationError');
    const admin = await signedInUser(server, root, 'iam-admin', { inline: { admin: policy({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }) } });
    const denied = await server.gql(ListPrincipalsWithAccessDocument, { input: { actionName: 's3:GetObject', resourceArn: '*' } }, admin.token);
    expect(denied.errors?.[0]?.extensions?.code).toBe('AccessDenied');
    const analyst = await signedInUser(server, root, 'analyst', { inline: { analyse: policy({ Effect: 'Allow', Action: 'open-iam:ListPrincipalsWithAccess', Resource: '*' }) } });
    expect((await whoCan('s3:GetObject', 'arn:aws:s3:::reports/q1.csv', undefined, undefined, analyst.token)).listPrincipalsWithAccess.principals.length).toBeGreaterThanOrEqual(4);
  });

  it('decides who may assume a role as AssumeRole does: the trust policy must allow, and root is never listed', async () => {
    await createUser(server, root.token, 'erin');
    await put('erin', 'assume-ops', policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${root.accountId}:role/ops-*` }));
    await createRole(server, root.token, 'ops-alice', trustPolicy({ AWS: arn('user', 'alice') }));
    await createRole(server, root.token, 'ops-account', trustPolicy({ AWS: `arn:aws:iam::${root.accountId}:root` }));
    // A trust policy naming alice lets her in by itself (same account), with its statement listed.
    const named = (await whoCan('sts:AssumeRole', arn('role', 'ops-alice'))).listPrincipalsWithAccess.principals;
    expect(named.map((p) => p.principalArn)).toEqual([arn('user', 'alice')]);
    expect(named[0]!.matchedStatements).toEqual([expect.objectContaining({ sourcePolicyType: 'resource', effect: 'Allow' })]);
    // A trust policy naming the account delegates to identity policies: only erin's allows it.
    const delegated = (await whoCan('sts:AssumeRole', arn('role', 'ops-account'))).listPrincipalsWithAccess.principals;
    expect(delegated.map((p) => p.principalArn)).toEqual([arn('user', 'erin')]);
    expect(delegated[0]!.matchedStatements.map((m) => m.sourcePolicyType).sort()).toEqual(['resource', 'user']);
    // No such role: nobody, root included.
    expect((await whoCan('sts:AssumeRole', arn('role', 'ops-missing'))).listPrincipalsWithAccess.principals).toEqual([]);
  });
});

describe('listAllowedActions (what can)', () => {
  const whatCan = (principalArn: string, resourceArn?: string, token = root.token) =>
    server.ok(ListAllowedActionsDocument, { input: { principalArn, ...(resourceArn ? { resourceArn } : {}) } }, token);

  it('lists, per service, the catalog actions a principal may perform on a resource', async () => {
    const alice = (await whatCan(arn('user', 'alice'), 'arn:aws:s3:::reports/q1.csv')).listAllowedActions;
    expect(alice.services).toEqual([{ service: 's3', serviceName: expect.any(String), actions: ['s3:GetObject'] }]);
    // s3:* expands through the catalog; the boundary leaves carol nothing in S3.
    const bob = (await whatCan(arn('user', 'bob'))).listAllowedActions.services;
    expect(bob[0]!.actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 's3:ListBucket']));
    expect(bob[0]!.actions.length).toBeGreaterThan(100);
    expect((await whatCan(arn('user', 'carol'))).listAllowedActions.services).toEqual([]);
    const dave = (await whatCan(arn('user', 'dave'), 'arn:aws:s3:::reports/q1.csv')).listAllowedActions.services[0]!.actions;
    expect(dave).toContain('s3:PutObject');
    expect(dave).not.toContain('s3:GetObject');
  });

  it('on a role, the actions its trust policy governs need the trust policy too (erin and ops-* are made by the who-can test)', async () => {
    const sts = (principalArn: string, roleName: string) =>
      server
        .ok(ListAllowedActionsDocument, { input: { principalArn, resourceArn: arn('role', roleName), service: 'sts' } }, root.token)
        .then((answer) => answer.listAllowedActions.services.find((s) => s.service === 'sts')?.actions ?? []);
    // erin's own policy allows sts:AssumeRole on ops-*; only ops-account's trust policy lets her in.
    expect(await sts(arn('user', 'erin'), 'ops-account')).toContain('sts:AssumeRole');
    expect(await sts(arn('user', 'erin'), 'ops-alice')).not.toContain('sts:AssumeRole');
    // The root user is refused by AssumeRole whatever the trust policy says, but keeps the rest of STS.
    const rootActions = await sts(`arn:aws:iam::${root.accountId}:root`, 'ops-account');
    expect(rootActions).not.toContain('sts:AssumeRole');
    expect(rootActions).toContain('sts:GetCallerIdentity');
  });

  it('answers NoSuchEntity for a group or another account, and AccessDenied without the action', async () => {
    expect((await server.gql(ListAllowedActionsDocument, { input: { principalArn: arn('group', 'analysts') } }, root.token)).errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    expect((await server.gql(ListAllowedActionsDocument, { input: { principalArn: 'arn:aws:iam::999999999999:user/alice' } }, root.token)).errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
    const admin = await signedInUser(server, root, 'iam-admin2', { inline: { admin: policy({ Effect: 'Allow', Action: 'iam:*', Resource: '*' }) } });
    expect((await server.gql(ListAllowedActionsDocument, { input: { principalArn: arn('user', 'alice') } }, admin.token)).errors?.[0]?.extensions?.code).toBe('AccessDenied');
  });
});

describe('change previews (dry runs)', () => {
  const preview = async (userName: string, policyName: string, document: object, token = root.token) =>
    (await server.ok(PreviewPutUserPolicyDocument, { input: { userName, policyName, policyDocument: JSON.stringify(document) } }, token)).previewPutUserPolicy;

  it('answers what putUserPolicy would newly allow, and writes nothing', async () => {
    const answer = await preview('alice', 'write-reports', policy({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::reports/*' }));
    expect(answer.principals).toEqual([{ principalArn: arn('user', 'alice'), newlyAllowed: [{ action: 's3:PutObject', resource: 'arn:aws:s3:::reports/*' }], newlyDenied: [] }]);
    expect(answer.truncated).toBe(false);
    expect(answer.actionCount).toBeGreaterThan(100);
    const names = (await server.ok(ListUserPoliciesDocument, { input: { userName: 'alice' } }, root.token)).listUserPolicies.policyNames;
    expect(names).toEqual(['read-reports']);
  });

  it('answers what deleting, attaching and detaching would change', async () => {
    const deleted = (await server.ok(PreviewDeleteUserPolicyDocument, { input: { userName: 'alice', policyName: 'read-reports' } }, root.token)).previewDeleteUserPolicy;
    expect(deleted.principals[0]!.newlyDenied).toEqual([{ action: 's3:GetObject', resource: 'arn:aws:s3:::reports/*' }]);
    const s3All = arn('policy', 's3-all');
    const attached = (await server.ok(PreviewAttachUserPolicyDocument, { input: { userName: 'alice', policyArn: s3All } }, root.token)).previewAttachUserPolicy;
    expect(attached.principals[0]!.newlyAllowed.length).toBeGreaterThan(100);
    expect(attached.principals[0]!.newlyDenied).toEqual([]);
    // bob holds s3-all through his group: detaching it from bob himself changes nothing.
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'bob', policyArn: s3All } }, root.token);
    const detached = (await server.ok(PreviewDetachUserPolicyDocument, { input: { userName: 'bob', policyArn: s3All } }, root.token)).previewDetachUserPolicy;
    expect(detached.principals).toEqual([{ principalArn: arn('user', 'bob'), newlyAllowed: [], newlyDenied: [] }]);
  });

  it("reaches every member of a group, and fails as the mutation would", async () => {
    await server.ok(AddUserToGroupDocument, { input: { groupName: 'analysts', userName: 'alice' } }, root.token);
    const group = (await server.ok(PreviewPutGroupPolicyDocument, { input: { groupName: 'analysts', policyName: 'iam-read', policyDocument: JSON.stringify(policy({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' })) } }, root.token)).previewPutGroupPolicy;
    expect(group.principals.map((p) => p.principalArn)).toEqual([arn('user', 'alice'), arn('user', 'bob')]);
    for (const p of group.principals) expect(p.newlyAllowed).toContainEqual({ action: 'iam:GetUser', resource: arn('user', 'carol') });
    const malformed = await server.gql(PreviewPutUserPolicyDocument, { input: { userName: 'alice', policyName: 'x', policyDocument: '{"Statement":[' } }, root.token);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('MalformedPolicyDocument');
    const missing = await server.gql(PreviewAttachGroupPolicyDocument, { input: { groupName: 'nobody', policyArn: arn('policy', 's3-all') } }, root.token);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
  });

  it('needs the permission of the mutation it previews', async () => {
    const limited = await signedInUser(server, root, 'limited', { inline: { put: policy({ Effect: 'Allow', Action: 'iam:PutUserPolicy', Resource: arn('user', 'dave') }) } });
    const denied = await server.gql(PreviewPutUserPolicyDocument, { input: { userName: 'alice', policyName: 'p', policyDocument: JSON.stringify(readS3) } }, limited.token);
    expect(denied.errors?.[0]?.extensions?.code).toBe('AccessDenied');
    expect((await preview('dave', 'p', readS3, limited.token)).principals).toHaveLength(1);
    // Audited as a read, allowed or denied.
    await server.service.deps.audit.flush();
    const events = (await server.ok(LookupEventOutcomesDocument, { input: { eventName: 'PreviewPutUserPolicy', userName: 'limited', readOnly: true } }, root.token)).lookupEvents.nodes;
    expect(events.map((e) => e.errorCode).sort()).toEqual(['AccessDenied', null].sort());
  });

  it('answers what a boundary put or deleted would change', async () => {
    const freed = (await server.ok(PreviewDeleteUserPermissionsBoundaryDocument, { input: { userName: 'carol' } }, root.token)).previewDeleteUserPermissionsBoundary;
    expect(freed.principals[0]!.newlyAllowed).toContainEqual({ action: 's3:GetObject', resource: '*' });
    expect(freed.principals[0]!.newlyDenied).toEqual([]);
    const capped = (await server.ok(PreviewPutUserPermissionsBoundaryDocument, { input: { userName: 'alice', permissionsBoundary: arn('policy', 'iam-only') } }, root.token)).previewPutUserPermissionsBoundary;
    expect(capped.principals[0]!.newlyDenied).toContainEqual({ action: 's3:GetObject', resource: 'arn:aws:s3:::reports/*' });
    expect(capped.principals[0]!.newlyAllowed).toEqual([]);
  });

  it("answers what a policy's new default version would change for everyone holding it, and writes nothing", async () => {
    const s3All = arn('policy', 's3-all');
    const readOnly = JSON.stringify(policy({ Effect: 'Allow', Action: ['s3:Get*', 's3:List*'], Resource: '*' }));
    const narrowed = (await server.ok(PreviewCreatePolicyVersionDocument, { input: { policyArn: s3All, policyDocument: readOnly, setAsDefault: true } }, root.token)).previewCreatePolicyVersion;
    const bob = narrowed.principals.find((p) => p.principalArn === arn('user', 'bob'))!;
    expect(bob.newlyDenied).toContainEqual({ action: 's3:PutObject', resource: '*' });
    expect(bob.newlyAllowed).toEqual([]);
    const notDefault = (await server.ok(PreviewCreatePolicyVersionDocument, { input: { policyArn: s3All, policyDocument: readOnly } }, root.token)).previewCreatePolicyVersion;
    for (const p of notDefault.principals) expect(p).toMatchObject({ newlyAllowed: [], newlyDenied: [] });
    expect((await server.ok(ListPolicyVersionsDocument, { input: { policyArn: s3All } }, root.token)).listPolicyVersions.nodes.map((v) => v.versionId)).toEqual(['v1']);
    // Back to v1 once v2 is the default: what v2 took away comes back.
    await server.ok(CreatePolicyVersionDocument, { input: { policyArn: s3All, policyDocument: readOnly, setAsDefault: true } }, root.token);
    const back = (await server.ok(PreviewSetDefaultPolicyVersionDocument, { input: { policyArn: s3All, versionId: 'v1' } }, root.token)).previewSetDefaultPolicyVersion;
    expect(back.principals.find((p) => p.principalArn === arn('user', 'bob'))!.newlyAllowed).toContainEqual({ action: 's3:PutObject', resource: '*' });
    const missing = await server.gql(PreviewSetDefaultPolicyVersionDocument, { input: { policyArn: s3All, versionId: 'v9' } }, root.token);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NoSuchEntity');
  });

  it('answers who of the account could newly assume a role under a new trust policy', async () => {
    const trust = async (document: object) =>
      (await server.ok(PreviewUpdateAssumeRolePolicyDocument, { input: { roleName: 'reporter', policyDocument: JSON.stringify(document) } }, root.token)).previewUpdateAssumeRolePolicy.principals;
    // Naming a user is enough in one account.
    expect(await trust(trustPolicy({ AWS: arn('user', 'alice') }))).toEqual([
      { principalArn: arn('user', 'alice'), newlyAllowed: [{ action: 'sts:AssumeRole', resource: arn('role', 'reporter') }], newlyDenied: [] },
    ]);
    // Naming the account lets in only those whose own policies allow sts:AssumeRole.
    await signedInUser(server, root, 'assumer', { inline: { assume: policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }) } });
    expect((await trust(trustPolicy({ AWS: `arn:aws:iam::${root.accountId}:root` }))).map((p) => p.principalArn)).toEqual([arn('user', 'assumer')]);
    // The role's current trust (a service) lets no principal of the account in: the same document changes nothing.
    expect(await trust(trustPolicy({ Service: 'lambda.amazonaws.com' }))).toEqual([]);
  });

  // The laws, over a table of documents: each is previewed against a user holding `base`.
  const documents: Record<string, object> = {
    'one action': policy({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::reports/*' }),
    'a wildcard action on any resource': policy({ Effect: 'Allow', Action: 'iam:List*', Resource: '*' }),
    'NotResource': policy({ Effect: 'Allow', Action: ['s3:GetObject', 's3:DeleteObject'], NotResource: 'arn:aws:s3:::secret/*' }),
    'a Deny beside an Allow': policy({ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:GetUser', Resource: '*' }),
  };
  const base = policy({ Effect: 'Allow', Action: ['s3:GetObject', 'iam:ListUsers'], Resource: '*' }, { Effect: 'Deny', Action: 'iam:ListRoles', Resource: '*' });
  const denyOf = (doc: { Statement: Array<Record<string, unknown>> }) => ({ ...doc, Statement: doc.Statement.map((s) => ({ ...s, Effect: 'Deny' })) });
  const union = (a: { Statement: object[] }, b: { Statement: object[] }) => policy(...a.Statement, ...b.Statement);

  it.each(Object.entries(documents))('laws hold for %s', async (label, document) => {
    const userName = `law-${label.replace(/[^a-z]/gi, '').slice(0, 20)}`;
    await createUser(server, root.token, userName);
    await put(userName, 'base', base);
    // Adding a Deny never grants.
    const denied = await preview(userName, 'deny', denyOf(document as never));
    expect(denied.principals[0]!.newlyAllowed).toEqual([]);
    // An identical document changes nothing.
    const same = await preview(userName, 'base', base);
    expect(same.principals[0]).toEqual({ principalArn: arn('user', userName), newlyAllowed: [], newlyDenied: [] });
    // A superset policy never removes access (only its Allow statements: an added Deny may).
    const allows = { Statement: (document as { Statement: Array<{ Effect: string }> }).Statement.filter((s) => s.Effect === 'Allow') };
    const superset = await preview(userName, 'base', union(base as never, allows));
    expect(superset.principals[0]!.newlyDenied).toEqual([]);
    expect(superset.principals[0]!.newlyAllowed.length).toBeGreaterThan(0);
    // Not vacuous: the document alone grants something new here.
    const added = await preview(userName, 'more', document);
    expect(added.truncated).toBe(false);
    expect(added.principals[0]!.newlyAllowed.length).toBeGreaterThan(0);
  });
});
