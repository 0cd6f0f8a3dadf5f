// Writing policies with the API's help (issue 22; issue 21 rough edge 7), over HTTP:
// every mutation that takes a policy document says where its problem is; validatePolicy
// answers Access Analyzer's findings with locations; the context keys a simulation needs;
// the simulators' full AWS answers (statement positions, per-resource results, cross-account
// decision details, pages); and the same through the AWS Query protocol with AWS's own SDK.
// https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_ValidatePolicy.html
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
import { GetContextKeysForCustomPolicyCommand, SimulateCustomPolicyCommand } from '@aws-sdk/client-iam';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddUserToGroupDocument,
  AttachUserPolicyDocument,
  AssumeRoleDocument,
  CreateGroupDocument,
  CreatePolicyDetailsDocument,
  CreatePolicyDocument,
  CreatePolicyVersionDocument,
  CreateRoleDocument,
  GetContextKeysForCustomPolicyDocument,
  GetContextKeysForPrincipalPolicyDocument,
  LookupEventsDocument,
  PutGroupPolicyDocument,
  PutRolePolicyDocument,
  PutUserPolicyDocument,
  SimulateCustomPolicyPageDocument,
  SimulatePrincipalPolicyPageDocument,
  UpdateAssumeRolePolicyDocument,
  ValidatePolicyDocument,
  type PolicyIdentifierInput,
} from './generated/graphql.js';
import { accountWithAdminKey, iamClient, sendQuery, xmlText, type KeyPair } from './support/aws.js';
import { createRole, createUser, policy, signedInUser, trustPolicy } from './support/scenarios.js';
import { useTestServer } from './support/server.js';

const server = useTestServer();
let root: { accountId: string; token: string };
beforeAll(async () => {
  root = await server.newAccount('Authoring');
});

/** A one-statement identity policy written one element a line, so lines and columns are easy to read off. */
const lines = (...elements: string[]) => ['{', '  "Version": "2012-10-17",', '  "Statement": [{', ...elements.map((e) => `    ${e}`), '  }]', '}'].join('\n');

interface Rejection {
  name: string;
  document: string;
  message: string;
  jsonPath: string;
  line: number;
  column: number;
  path: Array<{ index?: number; key?: string; value?: string }>;
}

/** Documents IAM refuses, and where each answer must say the problem is. */
const rejections: Rejection[] = [
  {
    name: 'a JSON syntax error (a missing comma)',
    document: lines('"Effect": "Allow"', '"Action": "s3:GetObject",', '"Resource": "*"'),
    message: 'Syntax errors in policy.',
    jsonPath: 'Statement[0]',
    line: 5,
    column: 5,
    path: [{ value: 'Statement' }, { index: 0 }],
  },
  {
    name: 'an unknown element',
    document: lines('"Effect": "Allow",', '"Acton": "s3:GetObject",', '"Resource": "*"'),
    message: 'Unknown field Acton',
    jsonPath: 'Statement[0].Acton',
    line: 5,
    column: 5,
    path: [{ value: 'Statement' }, { index: 0 }, { key: 'Acton' }],
  },
  {
    name: 'an unknown condition operator',
    document: lines('"Effect": "Allow",', '"Action": "s3:GetObject",', '"Resource": "*",', '"Condition": {"StringEqualz": {"aws:username": "bob"}}'),
    message: 'Syntax errors in policy.',
    jsonPath: 'Statement[0].Condition.StringEqualz',
    line: 7,
    column: 19,
    path: [{ value: 'Statement' }, { index: 0 }, { value: 'Condition' }, { key: 'StringEqualz' }],
  },
  {
    name: 'a Resource that is not an ARN',
    document: lines('"Effect": "Allow",', '"Action": "s3:GetObject",', '"Resource": ["arn:aws:s3:::reports/*", "reports/q1.csv"]'),
    message: 'Resource reports/q1.csv must be in ARN format or "*".',
    jsonPath: 'Statement[0].Resource[1]',
    line: 6,
    column: 44,
    path: [{ value: 'Statement' }, { index: 0 }, { value: 'Resource' }, { index: 1 }],
  },
];

/** The error of an operation that must fail with MalformedPolicyDocument. */
async function rejection<TResult, TVariables>(document: TypedDocumentNode<TResult, TVariables>, variables: NoInfer<TVariables>, token = root.token) {
  const result = await server.gql(document, variables, token);
  expect(result.errors?.[0]?.extensions?.code).toBe('MalformedPolicyDocument');
  return result.errors![0]!;
}

/** What every answer about `c` carries in its extensions. */
function expectLocated(error: { message: string; extensions?: Record<string, unknown> }, c: Rejection) {
  expect(error.message).toBe(c.message);
  expect(error.extensions).toMatchObject({ jsonPath: c.jsonPath, line: c.line, column: c.column });
  expect(error.extensions?.detail).toContain(`line ${c.line} column ${c.column}`);
  // Access Analyzer's location: line from 1, column from 0.
  expect(error.extensions?.locations).toEqual([{ path: c.path, span: { start: expect.objectContaining({ line: c.line, column: c.column - 1 }), end: expect.any(Object) } }]);
}

describe('policy errors say where the problem is', () => {
  it.each(rejections)('createPolicy locates $name', async (c) => {
    expectLocated(await rejection(CreatePolicyDetailsDocument, { input: { policyName: 'broken', policyDocument: c.document } }), c);
  });

  it('every other mutation that takes a document locates it the same way', async () => {
    const [syntax, unknown] = rejections as [Rejection, Rejection];
    const trustLines = (...extra: string[]) => lines('"Effect": "Allow",', `"Principal": {"AWS": "arn:aws:iam::${root.accountId}:root"},`, ...extra);
    const badTrust = { ...unknown, document: trustLines('"Acton": "sts:AssumeRole"'), line: 6, path: unknown.path };
    await createUser(server, root.token, 'writer');
    await server.ok(CreateGroupDocument, { input: { groupName: 'writers' } }, root.token);
    const role = await createRole(server, root.token, 'reader', trustPolicy({ AWS: `arn:aws:iam::${root.accountId}:root` }));
    const created = await server.ok(CreatePolicyDocument, { input: { policyName: 'good', policyDocument: JSON.stringify(policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })) } }, root.token);
    const doc = syntax.document;
    expectLocated(await rejection(CreatePolicyVersionDocument, { input: { policyArn: created.createPolicy.policy.arn, policyDocument: doc } }), syntax);
    expectLocated(await rejection(PutUserPolicyDocument, { input: { userName: 'writer', policyName: 'p', policyDocument: doc } }), syntax);
    expectLocated(await rejection(PutGroupPolicyDocument, { input: { groupName: 'writers', policyName: 'p', policyDocument: doc } }), syntax);
    expectLocated(await rejection(PutRolePolicyDocument, { input: { roleName: 'reader', policyName: 'p', policyDocument: doc } }), syntax);
    expectLocated(await rejection(CreateRoleDocument, { input: { roleName: 'broken', assumeRolePolicyDocument: badTrust.document } }), badTrust);
    expectLocated(await rejection(UpdateAssumeRolePolicyDocument, { input: { roleName: 'reader', policyDocument: badTrust.document } }), badTrust);
    const simulated = await rejection(SimulateCustomPolicyPageDocument, { input: { policyInputList: [JSON.stringify(policy({ Effect: 'Allow', Action: '*', Resource: '*' })), doc], actionNames: ['s3:GetObject'] } });
    expectLocated(simulated, syntax);
    // Which of several documents it was, in AWS's member notation.
    expect(simulated.extensions?.policyInput).toBe('PolicyInputList.2');
    const user = await signedInUser(server, root, 'assumer', { inline: { assume: policy({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: role.arn }) } });
    expectLocated(await rejection(AssumeRoleDocument, { input: { roleArn: role.arn, roleSessionName: 'session', policy: doc } }, user.token), syntax);
  });
});

describe('validatePolicy', () => {
  const validate = async (policyDocument: string, token = root.token, policyType: 'IDENTITY_POLICY' | 'RESOURCE_POLICY' = 'IDENTITY_POLICY', validatePolicyResourceType?: string) =>
    (await server.ok(ValidatePolicyDocument, { input: { policyDocument, policyType, ...(validatePolicyResourceType ? { validatePolicyResourceType } : {}) } }, token)).validatePolicy.findings;

  it('reports an action of a known service that does not exist, at the action, while createPolicy stores it as AWS does', async () => {
    const document = lines('"Effect": "Allow",', '"Action": ["s3:GetObject", "s3:GetObjekt"],', '"Resource": "arn:aws:s3:::reports/*"');
    const findings = await validate(document);
    expect(findings).toEqual([
      {
        findingType: 'ERROR',
        issueCode: 'INVALID_ACTION',
        findingDetails: 'The action s3:GetObjekt does not exist.',
        learnMoreLink: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action',
        locations: [
          {
            path: [{ index: null, key: null, value: 'Statement' }, { index: 0, key: null, value: null }, { index: null, key: null, value: 'Action' }, { index: 1, key: null, value: null }],
            span: { start: { line: 5, column: 31, offset: document.indexOf('"s3:GetObjekt"') }, end: { line: 5, column: 45, offset: document.indexOf('"s3:GetObjekt"') + 14 } },
          },
        ],
      },
    ]);
    // AWS's CreatePolicy accepts actions it does not know; so do we (validatePolicy is where to look first).
    const created = await server.ok(CreatePolicyDocument, { input: { policyName: 'objekt', policyDocument: document } }, root.token);
    expect(created.createPolicy.policy.arn).toMatch(/:policy\/objekt$/);
  });

  it.each(rejections)('answers one ERROR at the same place as the mutation for $name', async (c) => {
    const [finding, ...rest] = await validate(c.document);
    expect(rest).toEqual([]);
    expect(finding!.findingType).toBe('ERROR');
    const error = await rejection(CreatePolicyDetailsDocument, { input: { policyName: 'again', policyDocument: c.document } });
    const strip = (locations: NonNullable<typeof finding>['locations']) => locations.map((l) => ({ path: l.path.map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== null))), span: l.span }));
    expect(strip(finding!.locations)).toEqual(error.extensions?.locations);
  });

  it('checks a trust policy with the resource type AWS::IAM::AssumeRolePolicyDocument', async () => {
    const trust = JSON.stringify(policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole', Resource: '*' }));
    const findings = await validate(trust, root.token, 'RESOURCE_POLICY', 'AWS::IAM::AssumeRolePolicyDocument');
    expect(findings.map((f) => f.findingType)).toEqual(['ERROR']);
    expect(findings[0]!.findingDetails).toMatch(/^Has prohibited field Resource/);
  });

  it('needs access-analyzer:ValidatePolicy', async () => {
    const plain = await signedInUser(server, root, 'plain');
    const document = JSON.stringify(policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }));
    const denied = await server.gql(ValidatePolicyDocument, { input: { policyDocument: document, policyType: 'IDENTITY_POLICY' } }, plain.token);
    expect(denied.errors?.[0]?.extensions?.code).toBe('AccessDenied');
    expect(denied.errors?.[0]?.message).toContain('access-analyzer:ValidatePolicy');
    const author = await signedInUser(server, root, 'author', { inline: { analyze: policy({ Effect: 'Allow', Action: 'access-analyzer:ValidatePolicy', Resource: '*' }) } });
    expect(await validate(document, author.token)).toEqual([]);
    // CloudTrail records Access Analyzer's calls under its own event source.
    // Successful reads are queued and written in batches.
    await server.service.deps.audit.flush();
    const events = (await server.ok(LookupEventsDocument, { input: { eventName: 'ValidatePolicy' } }, root.token)).lookupEvents.nodes;
    expect(new Set(events.map((e) => e.eventSource))).toEqual(new Set(['access-analyzer.amazonaws.com']));
    expect(events.filter((e) => e.errorCode === 'AccessDenied')).toHaveLength(1);
  });
});

describe('context keys', () => {
  const conditional = policy({
    Effect: 'Allow',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::home/${aws:username}/*',
    Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' }, Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
  });

  it('lists the condition keys and policy variables of given documents', async () => {
    const data = await server.ok(GetContextKeysForCustomPolicyDocument, { input: { policyInputList: [JSON.stringify(conditional), JSON.stringify(policy({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'eu-west-1', 'AWS:SOURCEIP': 'x' } } }))] } }, root.token);
    expect(data.getContextKeysForCustomPolicy.contextKeyNames).toEqual(['aws:username', 'aws:SourceIp', 'aws:MultiFactorAuthPresent', 'aws:RequestedRegion']);
  });

  it("lists a user's keys, its groups' too, and those of extra documents", async () => {
    await createUser(server, root.token, 'keyholder');
    await server.ok(PutUserPolicyDocument, { input: { userName: 'keyholder', policyName: 'own', policyDocument: JSON.stringify(conditional) } }, root.token);
    await server.ok(CreateGroupDocument, { input: { groupName: 'tagged' } }, root.token);
    await server.ok(AddUserToGroupDocument, { input: { groupName: 'tagged', userName: 'keyholder' } }, root.token);
    const groupPolicy = policy({ Effect: 'Allow', Action: 'ec2:StartInstances', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } });
    await server.ok(PutGroupPolicyDocument, { input: { groupName: 'tagged', policyName: 'team', policyDocument: JSON.stringify(groupPolicy) } }, root.token);
    const extra = JSON.stringify(policy({ Effect: 'Allow', Action: 's3:PutObject', Resource: '*', Condition: { StringEquals: { 's3:x-amz-acl': 'private' } } }));
    const data = await server.ok(GetContextKeysForPrincipalPolicyDocument, { input: { policySourceArn: `arn:aws:iam::${root.accountId}:user/keyholder`, policyInputList: [extra] } }, root.token);
    expect(new Set(data.getContextKeysForPrincipalPolicy.contextKeyNames)).toEqual(
      new Set(['aws:username', 'aws:SourceIp', 'aws:MultiFactorAuthPresent', 'aws:ResourceTag/team', 'aws:PrincipalTag/team', 's3:x-amz-acl']),
    );
  });

  it('answers NoSuchEntity for an entity of another account', async () => {
    const other = await server.newAccount('Other authoring');
    expect(await server.errorCode(GetContextKeysForPrincipalPolicyDocument, { input: { policySourceArn: `arn:aws:iam::${other.accountId}:user/keyholder` } }, root.token)).toBe('NoSuchEntity');
  });
});

describe('the simulators answer all of AWS’s members', () => {
  const identity = [
    '{',
    '  "Version": "2012-10-17",',
    '  "Statement": [',
    '    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"},',
    '    {',
    '      "Sid": "NoSecrets",',
    '      "Effect": "Deny",',
    '      "Action": "s3:*",',
    '      "Resource": "arn:aws:s3:::reports/secret/*"',
    '    }',
    '  ]',
    '}',
  ].join('\n');

  it('locates matched statements and gives each named resource its result', async () => {
    const data = await server.ok(SimulateCustomPolicyPageDocument, { input: { policyInputList: [identity], actionNames: ['s3:GetObject'], resourceArns: ['arn:aws:s3:::reports/q1.csv', 'arn:aws:s3:::reports/secret/pay.csv'] } }, root.token);
    const [open, secret] = data.simulateCustomPolicy.evaluationResults;
    expect(open).toMatchObject({
      evalDecision: 'allowed',
      matchedStatements: [{ sourcePolicyId: 'PolicyInputList.1', sid: 'Read', startPosition: { line: 4, column: 5 }, endPosition: { line: 4, column: 102 } }],
      evalDecisionDetails: [],
      resourceSpecificResults: [{ evalResourceName: 'arn:aws:s3:::reports/q1.csv', evalResourceDecision: 'allowed', matchedStatements: [{ sid: 'Read' }] }],
    });
    expect(secret).toMatchObject({
      evalDecision: 'explicitDeny',
      matchedStatements: [{ sid: 'NoSecrets', effect: 'Deny', startPosition: { line: 5, column: 5 }, endPosition: { line: 10, column: 5 } }],
    });
    expect(data.simulateCustomPolicy).toMatchObject({ isTruncated: false, marker: null });
  });

  it('omits evalDecisionDetails and resource results for *', async () => {
    const data = await server.ok(SimulateCustomPolicyPageDocument, { input: { policyInputList: [identity], actionNames: ['s3:ListAllMyBuckets'] } }, root.token);
    expect(data.simulateCustomPolicy.evaluationResults[0]).toMatchObject({ evalResourceName: '*', evalDecision: 'implicitDeny', evalDecisionDetails: null, resourceSpecificResults: [] });
  });

  it('gives each side of a cross-account simulation its decision', async () => {
    const bucketPolicy = JSON.stringify(policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${root.accountId}:root` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' }));
    const input = {
      policyInputList: [identity],
      actionNames: ['s3:GetObject'],
      resourceArns: ['arn:aws:s3:::shared/a.csv'],
      resourcePolicy: bucketPolicy,
      resourceOwner: 'arn:aws:iam::999999999999:root',
      callerArn: `arn:aws:iam::${root.accountId}:user/alice`,
    };
    const [result] = (await server.ok(SimulateCustomPolicyPageDocument, { input }, root.token)).simulateCustomPolicy.evaluationResults;
    // The identity policy allows reports/* only: the bucket's allow alone does not cross accounts.
    expect(result).toMatchObject({ evalDecision: 'implicitDeny', evalDecisionDetails: [{ key: 'IAM Policy', value: 'implicitDeny' }, { key: 'Resource Policy', value: 'allowed' }] });
  });

  it('applies service control policies level by level, and says whether the organization allowed', async () => {
    const scp = (statement: object) => JSON.stringify(policy(statement));
    const allowAll = scp({ Effect: 'Allow', Action: '*', Resource: '*' });
    const input = (levels: string[][]) => ({
      policyInputList: [identity],
      actionNames: ['s3:GetObject'],
      resourceArns: ['arn:aws:s3:::reports/q1.csv'],
      orderedOrganizationPolicyInputList: levels.map((serviceControlPolicyInputList) => ({ serviceControlPolicyInputList })),
    });
    const decide = async (levels: string[][]) => (await server.ok(SimulateCustomPolicyPageDocument, { input: input(levels) }, root.token)).simulateCustomPolicy.evaluationResults[0]!;
    // The root allows everything and the account level allows S3: the identity policy decides.
    expect(await decide([[allowAll], [scp({ Effect: 'Allow', Action: 's3:*', Resource: '*' })]])).toMatchObject({ evalDecision: 'allowed', organizationsDecisionDetail: { allowedByOrganizations: true } });
    // A level that allows only EC2 filters S3 out; SCPs grant nothing themselves.
    expect(await decide([[allowAll], [scp({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' })]])).toMatchObject({ evalDecision: 'implicitDeny', matchedStatements: [], organizationsDecisionDetail: { allowedByOrganizations: false } });
    // An SCP's Deny decides, and is reported with its place in the organization's list.
    const denied = await decide([[allowAll, '{"Version": "2012-10-17",\n "Statement": {"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}}']]);
    expect(denied).toMatchObject({
      evalDecision: 'explicitDeny',
      organizationsDecisionDetail: { allowedByOrganizations: false },
      matchedStatements: [{ sourcePolicyId: 'OrderedOrganizationPolicyInputList.1.ServiceControlPolicyInputList.2', sourcePolicyType: 'scp', sid: 'NoS3', startPosition: { line: 2, column: 15 } }],
    });
    expect((await server.ok(SimulateCustomPolicyPageDocument, { input: { policyInputList: [identity], actionNames: ['s3:GetObject'] } }, root.token)).simulateCustomPolicy.evaluationResults[0]!.organizationsDecisionDetail).toBeNull();
  });

  it('pages results with first and after (AWS’s MaxItems and Marker)', async () => {
    const input = { policyInputList: [identity], actionNames: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], resourceArns: ['arn:aws:s3:::reports/a', 'arn:aws:s3:::reports/secret/b'] };
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: Awaited<ReturnType<typeof simulatePage>> = await simulatePage(input, after);
      seen.push(...page.evaluationResults.map((r) => `${r.evalActionName} ${r.evalResourceName} ${r.evalDecision}`));
      after = page.isTruncated ? page.marker! : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual([
      's3:GetObject arn:aws:s3:::reports/a allowed',
      's3:GetObject arn:aws:s3:::reports/secret/b explicitDeny',
      's3:PutObject arn:aws:s3:::reports/a implicitDeny',
      's3:PutObject arn:aws:s3:::reports/secret/b explicitDeny',
      's3:DeleteObject arn:aws:s3:::reports/a implicitDeny',
      's3:DeleteObject arn:aws:s3:::reports/secret/b explicitDeny',
    ]);
    expect(await server.errorCode(SimulateCustomPolicyPageDocument, { input, first: 2, after: 'forged.marker' }, root.token)).toBe('InvalidInput');
  });

  async function simulatePage(input: { policyInputList: string[]; actionNames: string[]; resourceArns: string[] }, after: string | null) {
    return (await server.ok(SimulateCustomPolicyPageDocument, { input, first: 2, ...(after ? { after } : {}) }, root.token)).simulateCustomPolicy;
  }

  it('leaves the policies of policyExclusionList out of a principal simulation', async () => {
    await createUser(server, root.token, 'excluded');
    const created = await server.ok(CreatePolicyDocument, { input: { policyName: 'read-all', policyDocument: JSON.stringify(policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })) } }, root.token);
    const policyArn = created.createPolicy.policy.arn;
    await server.ok(AttachUserPolicyDocument, { input: { userName: 'excluded', policyArn } }, root.token);
    await server.ok(PutUserPolicyDocument, { input: { userName: 'excluded', policyName: 'read-too', policyDocument: JSON.stringify(policy({ Sid: 'Inline', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' })) } }, root.token);
    const simulate = async (policyExclusionList: PolicyIdentifierInput[]) =>
      (await server.ok(SimulatePrincipalPolicyPageDocument, { input: { policySourceArn: `arn:aws:iam::${root.accountId}:user/excluded`, actionNames: ['s3:GetObject'], policyExclusionList } }, root.token)).simulatePrincipalPolicy.evaluationResults[0]!;
    const sources = async (list: PolicyIdentifierInput[]) => (await simulate(list)).matchedStatements.map((m) => m.sourcePolicyId);
    expect(await sources([])).toEqual(['read-too', policyArn]);
    expect(await sources([{ policyArn }])).toEqual(['read-too']);
    expect(await sources([{ inlinePolicyIdentifier: { policyName: 'READ-TOO', attachmentType: 'user', attachmentName: 'excluded' } }])).toEqual([policyArn]);
    expect(await simulate([{ policyType: 'inline' }, { policyType: 'user-managed' }])).toMatchObject({ evalDecision: 'implicitDeny', matchedStatements: [] });
    expect(await server.errorCode(SimulatePrincipalPolicyPageDocument, { input: { policySourceArn: `arn:aws:iam::${root.accountId}:user/excluded`, actionNames: ['s3:GetObject'], policyExclusionList: [{ policyType: 'inline', policyArn }] } }, root.token)).toBe('ValidationError');
  });

  it('locates statements of stored policies in their stored text', async () => {
    await createUser(server, root.token, 'reporter');
    await server.ok(PutUserPolicyDocument, { input: { userName: 'reporter', policyName: 'reports', policyDocument: identity } }, root.token);
    const data = await server.ok(SimulatePrincipalPolicyPageDocument, { input: { policySourceArn: `arn:aws:iam::${root.accountId}:user/reporter`, actionNames: ['s3:GetObject'], resourceArns: ['arn:aws:s3:::reports/secret/x'] } }, root.token);
    expect(data.simulatePrincipalPolicy.evaluationResults[0]!.matchedStatements).toEqual([
      { sourcePolicyId: 'reports', sourcePolicyType: 'user', sid: 'NoSecrets', effect: 'Deny', startPosition: { line: 5, column: 5 }, endPosition: { line: 10, column: 5 } },
    ]);
  });
});

describe('through the AWS Query protocol', () => {
  let admin: KeyPair;
  beforeAll(async () => {
    ({ admin } = await accountWithAdminKey(server, 'Authoring AWS'));
  });

  it('GetContextKeysForCustomPolicy answers AWS’s SDK', async () => {
    const answer = await iamClient(server, admin).send(
      new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [JSON.stringify(policy({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::b/${aws:userid}', Condition: { Bool: { 'aws:SecureTransport': 'true' } } }))] }),
    );
    expect(answer.ContextKeyNames).toEqual(['aws:userid', 'aws:SecureTransport']);
  });

  it('SimulateCustomPolicy answers positions, resource results, decision details and a marker to AWS’s SDK', async () => {
    const answer = await iamClient(server, admin).send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: ['{"Version": "2012-10-17",\n "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}'],
        ActionNames: ['s3:GetObject', 's3:PutObject'],
        ResourceArns: ['arn:aws:s3:::b/k'],
        ResourcePolicy: JSON.stringify(policy({ Effect: 'Allow', Principal: { AWS: '111122223333' }, Action: 's3:GetObject', Resource: '*' })),
        ResourceOwner: 'arn:aws:iam::999999999999:root',
        CallerArn: 'arn:aws:iam::111122223333:user/alice',
        MaxItems: 1,
      }),
    );
    expect(answer.IsTruncated).toBe(true);
    expect(answer.Marker).toEqual(expect.any(String));
    expect(answer.EvaluationResults).toEqual([
      expect.objectContaining({
        EvalActionName: 's3:GetObject',
        EvalDecision: 'allowed',
        MatchedStatements: expect.arrayContaining([expect.objectContaining({ SourcePolicyId: 'PolicyInputList.1', StartPosition: { Line: 2, Column: 15 }, EndPosition: { Line: 2, Column: 68 } })]),
        EvalDecisionDetails: { 'IAM Policy': 'allowed', 'Resource Policy': 'allowed' },
        ResourceSpecificResults: [expect.objectContaining({ EvalResourceName: 'arn:aws:s3:::b/k', EvalResourceDecision: 'allowed' })],
      }),
    ]);
  });

  it('says where a malformed document’s problem is in the message, keeping AWS’s error shape', async () => {
    const [, unknown] = rejections;
    const answer = await sendQuery(server, admin, `Action=CreatePolicy&Version=2010-05-08&PolicyName=p&PolicyDocument=${encodeURIComponent(unknown!.document)}`);
    expect([answer.status, xmlText(answer.body, 'Code')]).toEqual([400, 'MalformedPolicyDocument']);
    expect(xmlText(answer.body, 'Message')).toBe('Unknown field Acton (at Statement[0].Acton, line 5 column 5)');
  });
});
