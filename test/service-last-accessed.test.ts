// Service last accessed data over HTTP: for a user, group, role or managed policy,
// every service its policies allow (unused ones with no date) and every service it
// was seen calling, from the audit trail; action-level details; AWS's errors;
// authorization on the entity's ARN; one account never reaching another's.
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetServiceLastAccessedDetails.html
import { describe, expect, it } from 'vitest';
import {
  AddUserToGroupDocument,
  AssumeRoleDocument,
  CreateGroupDocument,
  CreatePolicyDocument,
  CreateRoleDocument,
  CreateUserDocument,
  GenerateServiceLastAccessedDetailsDocument,
  GetCallerIdentityDocument,
  GetServiceLastAccessedDetailsDocument,
  ListRoleNamesDocument,
  ListUserNamesDocument,
  PutGroupPolicyDocument,
  PutRolePolicyDocument,
  type AccessAdvisorUsageGranularityType,
  type GetServiceLastAccessedDetailsQuery,
} from './generated/graphql.js';
import { useTestServer, unchecked } from './support/server.js';
import { createUser, policy, signedInUser } from './support/scenarios.js';

const server = useTestServer();

type Service = GetServiceLastAccessedDetailsQuery['getServiceLastAccessedDetails']['servicesLastAccessed'][number];

/** Generates and reads a report as `token`; the services by namespace. */
async function lastAccessed(token: string, arn: string, granularity?: AccessAdvisorUsageGranularityType) {
  const { jobId } = (await server.ok(GenerateServiceLastAccessedDetailsDocument, { input: { arn, ...(granularity ? { granularity } : {}) } }, token)).generateServiceLastAccessedDetails;
  expect(jobId).toHaveLength(36);
  const details = (await server.ok(GetServiceLastAccessedDetailsDocument, { input: { jobId } }, token)).getServiceLastAccessedDetails;
  const services = new Map<string, Service>(details.servicesLastAccessed.map((s) => [s.serviceNamespace, s]));
  return { details, services, jobId };
}

const READ_IAM = policy({ Effect: 'Allow', Action: ['iam:Get*', 'iam:ListUsers', 's3:GetObject'], Resource: '*' });

describe('generateServiceLastAccessedDetails and getServiceLastAccessedDetails', () => {
  it('lists the services a user’s policies allow and those it used, with when and by whom', async () => {
    const root = await server.newAccount();
    const alice = await signedInUser(server, root, 'alice', { inline: { read: READ_IAM } });
    await server.ok(ListUserNamesDocument, {}, alice.token);
    await server.ok(GetCallerIdentityDocument, {}, alice.token);
    const { details, services } = await lastAccessed(root.token, alice.arn);
    expect(details).toMatchObject({ jobStatus: 'COMPLETED', jobType: 'SERVICE_LEVEL', isTruncated: false });
    expect(new Date(details.jobCompletionDate!).getTime()).toBeGreaterThanOrEqual(new Date(details.jobCreationDate).getTime());
    expect([...services.keys()].sort()).toEqual(['iam', 's3', 'sts']);
    expect(services.get('iam')).toMatchObject({
      serviceName: 'AWS Identity and Access Management (IAM)',
      lastAuthenticatedEntity: alice.arn,
      lastAuthenticatedRegion: 'us-east-1',
      totalAuthenticatedEntities: 1,
      trackedActionsLastAccessed: null,
    });
    expect(Date.now() - new Date(services.get('iam')!.lastAuthenticated!).getTime()).toBeLessThan(60_000);
    // Allowed but never used: listed, with nothing known.
    expect(services.get('s3')).toEqual({
      serviceName: 'Amazon S3',
      serviceNamespace: 's3',
      lastAuthenticated: null,
      lastAuthenticatedEntity: null,
      lastAuthenticatedRegion: null,
      totalAuthenticatedEntities: null,
      trackedActionsLastAccessed: null,
    });
    // Used (getCallerIdentity needs no permission): listed from the audit trail.
    expect(services.get('sts')).toMatchObject({ serviceName: 'AWS Security Token Service', lastAuthenticatedEntity: alice.arn });
    // Ordered by service name.
    const names = details.servicesLastAccessed.map((s) => s.serviceName);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
  });

  it('details actions at ACTION_LEVEL: allowed ones without a date, attempted ones (denied too) with theirs', async () => {
    const root = await server.newAccount();
    const alice = await signedInUser(server, root, 'alice', { inline: { read: READ_IAM } });
    await server.ok(ListUserNamesDocument, {}, alice.token);
    expect(await server.errorCode(CreateUserDocument, { input: { userName: 'nope' } }, alice.token)).toBe('AccessDenied');
    const { details, services } = await lastAccessed(root.token, alice.arn, 'ACTION_LEVEL');
    expect(details.jobType).toBe('ACTION_LEVEL');
    const iamActions = new Map(services.get('iam')!.trackedActionsLastAccessed!.map((a) => [a.actionName, a]));
    expect(iamActions.get('ListUsers')).toMatchObject({ lastAccessedEntity: alice.arn, lastAccessedRegion: 'us-east-1' });
    expect(iamActions.get('ListUsers')!.lastAccessedTime).not.toBeNull();
    // AWS reports attempts: the denied CreateUser counts.
    expect(iamActions.get('CreateUser')!.lastAccessedTime).not.toBeNull();
    // iam:Get* expands through the service catalog.
    expect(iamActions.get('GetUser')).toEqual({ actionName: 'GetUser', lastAccessedEntity: null, lastAccessedTime: null, lastAccessedRegion: null });
    expect(iamActions.has('DeleteUser')).toBe(false);
    expect(services.get('s3')!.trackedActionsLastAccessed).toEqual([
      { actionName: 'GetObject', lastAccessedEntity: null, lastAccessedTime: null, lastAccessedRegion: null },
    ]);
  });

  it('counts a group’s members’ calls, naming the last caller and how many called', async () => {
    const root = await server.newAccount();
    await server.ok(CreateGroupDocument, { input: { groupName: 'readers' } }, root.token);
    await server.ok(
      PutGroupPolicyDocument,
      { input: { groupName: 'readers', policyName: 'read', policyDocument: JSON.stringify(READ_IAM) } },
      root.token,
    );
    const alice = await signedInUser(server, root, 'alice');
    const bob = await signedInUser(server, root, 'bob');
    const carol = await signedInUser(server, root, 'carol');
    for (const userName of ['alice', 'bob']) {
      await server.ok(AddUserToGroupDocument, { input: { groupName: 'readers', userName } }, root.token);
    }
    await server.ok(ListUserNamesDocument, {}, alice.token);
    await server.ok(ListUserNamesDocument, {}, bob.token);
    await server.ok(ListUserNamesDocument, {}, carol.token).catch(() => undefined);
    const groupArn = `arn:aws:iam::${root.accountId}:group/readers`;
    const { services } = await lastAccessed(root.token, groupArn);
    expect(services.get('iam')).toMatchObject({ lastAuthenticatedEntity: bob.arn, totalAuthenticatedEntities: 2 });
    expect(services.has('s3')).toBe(true);
    // A member's own report includes the services its groups' policies allow.
    const aliceReport = await lastAccessed(root.token, alice.arn);
    expect(aliceReport.services.get('s3')?.lastAuthenticated).toBeNull();
  });

  it('attributes a role session’s calls to the role, not to the user who assumed it', async () => {
    const root = await server.newAccount();
    const alice = await signedInUser(server, root, 'alice');
    const roleArn = (
      await server.ok(
        CreateRoleDocument,
        { input: { roleName: 'Reader', assumeRolePolicyDocument: JSON.stringify(policy({ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'sts:AssumeRole' })) } },
        root.token,
      )
    ).createRole.role.arn;
    await server.ok(
      PutRolePolicyDocument,
      { input: { roleName: 'Reader', policyName: 'roles', policyDocument: JSON.stringify(policy({ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' })) } },
      root.token,
    );
    const session = (
      await server.ok(AssumeRoleDocument, { input: { roleArn, roleSessionName: 's1' } }, alice.token)
    ).assumeRole.credentials.sessionToken;
    await server.ok(ListRoleNamesDocument, {}, session);

    const role = await lastAccessed(root.token, roleArn, 'ACTION_LEVEL');
    expect(role.services.get('iam')).toMatchObject({ lastAuthenticatedEntity: roleArn, totalAuthenticatedEntities: 1 });
    const listRoles = role.services.get('iam')!.trackedActionsLastAccessed!.find((a) => a.actionName === 'ListRoles');
    expect(listRoles).toMatchObject({ lastAccessedEntity: roleArn });
    expect(listRoles!.lastAccessedTime).not.toBeNull();

    const user = await lastAccessed(root.token, alice.arn, 'ACTION_LEVEL');
    const aliceIam = user.services.get('iam')?.trackedActionsLastAccessed ?? [];
    expect(aliceIam.find((a) => a.actionName === 'ListRoles')).toBeUndefined();
    // Alice's own call was AssumeRole (sts).
    expect(user.services.get('sts')?.trackedActionsLastAccessed?.find((a) => a.actionName === 'AssumeRole')?.lastAccessedEntity).toBe(alice.arn);
  });

  it('reports a managed policy through the users it is attached to', async () => {
    const root = await server.newAccount();
    const policyArn = (
      await server.ok(
        CreatePolicyDocument,
        { input: { policyName: 'ReadUsers', policyDocument: JSON.stringify(policy({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' })) } },
        root.token,
      )
    ).createPolicy.policy.arn;
    const dave = await signedInUser(server, root, 'dave', { managed: [policyArn] });
    await server.ok(ListUserNamesDocument, {}, dave.token);
    const { services } = await lastAccessed(root.token, policyArn);
    expect([...services.keys()]).toEqual(['iam']);
    expect(services.get('iam')).toMatchObject({ lastAuthenticatedEntity: dave.arn, totalAuthenticatedEntities: 1 });
  });

  it('answers NoSuchEntity for an unknown entity or job, ValidationError for a malformed ARN or job id, InvalidInput for other ARNs', async () => {
    const root = await server.newAccount();
    // An administrator: allowed on any resource, so the request itself is what is judged.
    const { token } = await signedInUser(server, root, 'admin', { managed: ['arn:aws:iam::aws:policy/AdministratorAccess'] });
    const missing = `arn:aws:iam::${root.accountId}:user/ghost`;
    expect(await server.errorCode(GenerateServiceLastAccessedDetailsDocument, { input: { arn: missing } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(GenerateServiceLastAccessedDetailsDocument, { input: { arn: `arn:aws:iam::${root.accountId}:role/ghost` } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(GenerateServiceLastAccessedDetailsDocument, { input: { arn: `arn:aws:iam::${root.accountId}:policy/ghost` } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(GenerateServiceLastAccessedDetailsDocument, { input: { arn: 'not-an-arn' } }, token)).toBe('ValidationError');
    expect(await server.errorCode(GenerateServiceLastAccessedDetailsDocument, { input: { arn: `arn:aws:iam::${root.accountId}:instance-profile/web` } }, token)).toBe('InvalidInput');
    expect(await server.errorCode(GenerateServiceLastAccessedDetailsDocument, { input: { arn: 'arn:aws:s3:::bucket/key' } }, token)).toBe('InvalidInput');
    expect(await server.errorCode(GetServiceLastAccessedDetailsDocument, { input: { jobId: 'short' } }, token)).toBe('ValidationError');
    expect(await server.errorCode(GetServiceLastAccessedDetailsDocument, { input: { jobId: '00000000-0000-4000-8000-000000000000' } }, token)).toBe('NoSuchEntity');
    expect(await server.errorCode(unchecked(GenerateServiceLastAccessedDetailsDocument), { input: { arn: missing, granularity: 'EVERYTHING' } }, token)).toBe('BAD_USER_INPUT');
  });

  it('authorizes on the entity’s ARN: a user may be allowed its own report only', async () => {
    const root = await server.newAccount();
    const nobody = await signedInUser(server, root, 'nobody');
    expect(await server.errorCode(GenerateServiceLastAccessedDetailsDocument, { input: { arn: nobody.arn } }, nobody.token)).toBe('AccessDenied');
    const self = await signedInUser(server, root, 'self', {
      inline: {
        own: policy(
          { Effect: 'Allow', Action: 'iam:GenerateServiceLastAccessedDetails', Resource: `arn:aws:iam::${root.accountId}:user/self` },
          { Effect: 'Allow', Action: 'iam:GetServiceLastAccessedDetails', Resource: '*' },
        ),
      },
    });
    const { details } = await lastAccessed(self.token, self.arn);
    expect(details.jobStatus).toBe('COMPLETED');
    expect(await server.errorCode(GenerateServiceLastAccessedDetailsDocument, { input: { arn: nobody.arn } }, self.token)).toBe('AccessDenied');
  });

  it('never lets one account report on another’s entities or read its jobs', async () => {
    const a = await server.newAccount();
    const b = await server.newAccount();
    const aliceArn = (await createUser(server, a.token, 'alice')).arn;
    const { jobId } = await lastAccessed(a.token, aliceArn);
    expect(await server.errorCode(GenerateServiceLastAccessedDetailsDocument, { input: { arn: aliceArn } }, b.token)).toBe('NoSuchEntity');
    expect(await server.errorCode(GetServiceLastAccessedDetailsDocument, { input: { jobId } }, b.token)).toBe('NoSuchEntity');
    // Even a same-named user of b's own account is a different entity.
    await createUser(server, b.token, 'alice');
    expect(await server.errorCode(GenerateServiceLastAccessedDetailsDocument, { input: { arn: aliceArn } }, b.token)).toBe('NoSuchEntity');
  });
});
