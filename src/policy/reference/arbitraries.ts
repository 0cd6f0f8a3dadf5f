// fast-check generators of policy sets and requests for the differential test:
// small vocabularies, so that generated statements often apply to generated
// requests, covering Action/NotAction with `*` and `?`, Resource/NotResource with
// colon-sensitive wildcards and policy variables, Allow/Deny, conditions of every
// operator family over a few keys, Principal/NotPrincipal in resource policies,
// permissions boundaries, session policies and cross-account requests.

import fc from 'fast-check';
import type { ConditionEntry, PolicyDocument, PolicyVersion, PrincipalElement, RequestContext, RequestFacts, Statement } from '../types.js';
import type { ReferencePolicies } from './evaluate.js';

export const ACCT = '111122223333';
export const OTHER = '444455556666';
export const USER = `arn:aws:iam::${ACCT}:user/alice`;
export const BOB = `arn:aws:iam::${ACCT}:user/bob`;
export const ROLE = `arn:aws:iam::${ACCT}:role/app/Deployer`;
export const SESSION = `arn:aws:sts::${ACCT}:assumed-role/Deployer/build-1`;
export const FEDERATED = `arn:aws:sts::${ACCT}:federated-user/dana`;
export const OTHER_USER = `arn:aws:iam::${OTHER}:user/carol`;
export const OTHER_SESSION = `arn:aws:sts::${OTHER}:assumed-role/Reader/s`;
export const SERVICE = 'sns.amazonaws.com';
export const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const PROVIDER = `arn:aws:iam::${ACCT}:oidc-provider/token.example.com`;

const ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:ListBucket', 'ec2:RunInstances', 'ec2:DescribeInstances', 'iam:CreateUser', 'sts:AssumeRole', 'sqs:SendMessage', 'docs:GetDocument', 'kms:Decrypt'];
const ACTION_PATTERNS = [
  '*', 's3:*', 's3:Get*', 's3:GetObject', 'S3:putobject', 's3:List*', 'ec2:*', 'ec2:Describe*', 'EC2:RunInstances', 'iam:*',
  'iam:CreateUser', 'sts:AssumeRole', 'sqs:SendMessage', 'docs:*', 'docs:GetDocument', '*:*Object', '*:Get*', 's?:PutObject',
  's3:Get?bject', 's3:*Object*', '?3:*', 'sqs:*Message', 'docs:Get*', 'ec2:Describe?nstances', 's3:GetObject?', 'kms:*', 'kms:Decrypt',
  'sts:TagSession',
];
const RESOURCES = [
  'arn:aws:s3:::b/k', 'arn:aws:s3:::b/x/y', 'arn:aws:s3:::c/k', 'arn:aws:s3:::b', 'arn:aws:s3:::home/alice/notes', 'arn:aws:s3:::home/bob/notes',
  `arn:aws:ec2:us-east-1:${ACCT}:instance/i-1`, `arn:aws:sqs:eu-west-1:${ACCT}:queue`, `arn:aws:logs:us-east-1:${ACCT}:log-group:app:log-stream:s1`,
  ROLE, '*', 'arn:aws:s3:::b/*', 'arn:aws:s3:::b/a:b', KEY,
];
const RESOURCE_PATTERNS = [
  '*', '*', '*', '*', 'arn:aws:s3:::b/*', 'arn:aws:s3:::b/k', 'arn:aws:s3:::b', 'arn:aws:ec2:*:*:instance/*', 'arn:aws:s3:::*', 'arn:aws:s3:::?/k',
  'arn:aws:s3:::b/a?b', 'arn:aws:sqs:*:111122223333:queue', 'arn:aws:sqs:us-*-1:111122223333:queue', 'arn:aws:sqs:eu-west-1:*queue',
  'arn:aws:logs:us-east-1:111122223333:log-group:app*', 'arn:aws:iam::*', 'arn:aws:iam::111122223333:role/*', ROLE,
  'arn:aws:s3:::home/${aws:username}/*', "arn:aws:s3:::home/${aws:username, 'bob'}/*", 'arn:aws:s3:::${aws:PrincipalTag/team}/k',
  'arn:aws:s3:::b/${*}', 'arn:aws:s3:::b/${?}', 'arn:aws:s3:::home/${AWS:USERNAME}/notes', 'arn:aws:s3:::b/*/y', 'arn:aws:*:*:111122223333:*', 'arn:aws:kms:*:111122223333:key/*',
];

/** Condition keys, each with the values policies and requests draw from (malformed ones included). */
const KEYS: Record<string, { policy: string[]; request: string[] }> = {
  'aws:username': { policy: ['alice', 'bob', 'al*', '${aws:PrincipalTag/team}'], request: ['alice', 'bob', '*'] },
  'aws:PrincipalTag/team': { policy: ['blue', 'Blue', 'b?ue', 'red*', '${aws:username}', "${aws:missing, 'blue'}"], request: ['blue', 'BLUE', 'red', 'redder', 'alice'] },
  'aws:SecureTransport': { policy: ['true', 'false', 'TRUE', 'maybe'], request: ['true', 'false', 'True', 'yes'] },
  's3:max-keys': { policy: ['10', '5.5', '1e1', 'ten', '-3'], request: ['10', '3', '100', 'ten', '10.0'] },
  'aws:SourceArn': { policy: ['arn:aws:sns:*:111122223333:*', 'arn:aws:sns:*', 'arn:aws:sns:us-east-1:111122223333:topic', 'arn:aws:s?s:*:*:t*', 'arn:aws:sns:us-east-1:${aws:username}:*'], request: ['arn:aws:sns:us-east-1:111122223333:topic', 'arn:aws:sqs:eu-west-1:111122223333:q:x', 'arn:aws:sns', 'arn:aws:sns:us-east-1:alice:t'] },
  'aws:TagKeys': { policy: ['env', 'team', 'e*'], request: ['env', 'team', 'cost'] },
  'aws:CurrentTime': { policy: ['2026-01-01T00:00:00Z', '1700000000', 'not-a-date'], request: ['2025-06-01T00:00:00Z', '2027-01-01T00:00:00Z', '1700000000', 'never'] },
  'aws:SourceIp': { policy: ['203.0.113.0/24', '2001:db8::/32', '10.0.0.1', 'bad'], request: ['203.0.113.7', '198.51.100.1', '2001:db8::5', 'x'] },
};

const STRING_OPS = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'];
const OPS_BY_KEY: Record<string, string[]> = {
  'aws:username': STRING_OPS,
  'aws:PrincipalTag/team': STRING_OPS,
  'aws:SecureTransport': ['Bool', 'StringEquals'],
  's3:max-keys': ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals', 'StringEquals'],
  'aws:SourceArn': ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'StringLike'],
  'aws:TagKeys': ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike'],
  'aws:CurrentTime': ['DateLessThan', 'DateGreaterThan', 'DateEquals', 'DateNotEquals', 'DateGreaterThanEquals'],
  'aws:SourceIp': ['IpAddress', 'NotIpAddress'],
};

/** A key name in a random letter case (key names are case-insensitive). */
const keyCase = (key: string): fc.Arbitrary<string> => fc.constantFrom(key, key.toLowerCase(), key.toUpperCase());

const operatorArb = (key: string): fc.Arbitrary<string> =>
  fc.oneof(
    {
      weight: 12,
      arbitrary: fc
        .record({ base: fc.constantFrom(...OPS_BY_KEY[key]!), qualifier: fc.constantFrom('', '', '', 'ForAllValues:', 'ForAnyValue:'), ifExists: fc.boolean() })
        .map(({ base, qualifier, ifExists }) => `${qualifier}${base}${ifExists ? 'IfExists' : ''}`),
    },
    { weight: 2, arbitrary: fc.constantFrom('Null', 'ForAnyValue:Null') },
    // Names that are not operators: the condition never holds.
    { weight: 1, arbitrary: fc.constantFrom('StringEqualz', 'NullIfExists', 'stringequals', 'ForOneValue:StringEquals') },
  );

const conditionEntryArb: fc.Arbitrary<ConditionEntry> = fc
  .constantFrom(...Object.keys(KEYS))
  .chain((key) => fc.tuple(fc.constant(key), operatorArb(key)))
  .chain(([key, operator]) =>
    fc.record({
      operator: fc.constant(operator),
      key: keyCase(key),
      values: operator.endsWith('Null')
        ? fc.constantFrom(['true'], ['false'], ['TRUE'], ['maybe'], ['true', 'false'])
        : fc.uniqueArray(fc.constantFrom(...KEYS[key]!.policy), { minLength: 1, maxLength: 3 }),
    }),
  );

const someOf = <T>(items: readonly T[], max = 3) => fc.uniqueArray(fc.constantFrom(...items), { minLength: 1, maxLength: max });

const principalArb: fc.Arbitrary<PrincipalElement> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<PrincipalElement>('*') },
  { weight: 6, arbitrary: someOf(['*', USER, BOB, ROLE, `arn:aws:iam::${ACCT}:role/Deployer`, `arn:aws:iam::${ACCT}:role/Other`, SESSION, FEDERATED, ACCT, `arn:aws:iam::${ACCT}:root`, OTHER, OTHER_USER, `arn:aws:iam::${OTHER}:role/Reader`, OTHER_SESSION, `arn:aws:iam::${OTHER}:root`], 4).map((AWS) => ({ AWS })) },
  { weight: 1, arbitrary: fc.record({ Service: someOf([SERVICE, 'SNS.amazonaws.com', 'events.amazonaws.com']) }) },
  { weight: 1, arbitrary: fc.record({ AWS: someOf([USER, ACCT, `arn:aws:iam::${ACCT}:root`]), Federated: someOf([FEDERATED, PROVIDER, 'cognito-identity.amazonaws.com']) }) },
  { weight: 2, arbitrary: fc.record({ Federated: someOf([PROVIDER, `arn:aws:iam::${ACCT}:saml-provider/Corp`]) }) },
);

interface StatementOptions {
  /** Resource-based policies: Principal or NotPrincipal, and sometimes no Resource (trust policies). */
  resourceBased: boolean;
  /** One statement in `denyOneIn` is a Deny (large sets need fewer, or every request is denied). */
  denyOneIn: number;
}

const statementArb = (options: StatementOptions): fc.Arbitrary<Omit<Statement, 'index'>> =>
  fc
    .record({
      effect: fc.nat(options.denyOneIn - 1).map((n): 'Allow' | 'Deny' => (n === 0 ? 'Deny' : 'Allow')),
      sid: fc.option(fc.constantFrom('A', 'B', 'Read'), { nil: undefined }),
      notAction: fc.constantFrom(false, false, false, true),
      actions: someOf(ACTION_PATTERNS),
      resourceKind: fc.constantFrom('resource', 'resource', 'resource', 'notResource', ...(options.resourceBased ? ['none'] : [])),
      resources: someOf(RESOURCE_PATTERNS),
      conditions: fc.oneof({ weight: 2, arbitrary: fc.constant<ConditionEntry[]>([]) }, { weight: 3, arbitrary: fc.array(conditionEntryArb, { minLength: 1, maxLength: 3 }) }),
      principalKind: fc.constantFrom('principal', 'principal', 'principal', 'notPrincipal', 'none'),
      principal: principalArb,
    })
    .map((r) => {
      const st: Omit<Statement, 'index'> = { effect: r.effect, condition: r.conditions };
      if (r.sid !== undefined) st.sid = r.sid;
      if (r.notAction) st.notAction = r.actions;
      else st.action = r.actions;
      if (r.resourceKind === 'resource') st.resource = r.resources;
      else if (r.resourceKind === 'notResource') st.notResource = r.resources;
      if (options.resourceBased && r.principalKind === 'principal') st.principal = r.principal;
      if (options.resourceBased && r.principalKind === 'notPrincipal') st.notPrincipal = r.principal;
      return st;
    });

const versionArb = fc.constantFrom<PolicyVersion>('2012-10-17', '2012-10-17', '2012-10-17', '2008-10-17', undefined);

const documentArb = (maxStatements: number, options: StatementOptions): fc.Arbitrary<PolicyDocument> =>
  fc
    .record({
      version: versionArb,
      statements: fc.array(statementArb(options), { maxLength: maxStatements, ...(maxStatements > 10 ? { size: 'max' as const } : {}) }),
      id: fc.option(fc.constantFrom('doc-a', 'doc-b'), { nil: undefined }),
      policyId: fc.option(fc.constantFrom('arn:aws:iam::aws:policy/P1', 'arn:aws:iam::111122223333:policy/P2'), { nil: undefined }),
    })
    .map(({ version, statements, id, policyId }) => {
      const out: PolicyDocument = { version, policyType: options.resourceBased ? 'resource' : 'managed', statements: statements.map((s, index) => ({ ...s, index })) };
      if (id !== undefined) out.id = id;
      if (policyId !== undefined) out.policyId = policyId;
      return out;
    });

const PRINCIPALS = [USER, USER, BOB, ROLE, SESSION, SESSION, FEDERATED, OTHER_USER, OTHER_SESSION, SERVICE, `arn:aws:iam::${ACCT}:root`, PROVIDER];
const SESSION_PRINCIPALS = [SESSION, FEDERATED, OTHER_SESSION];

const contextArb: fc.Arbitrary<RequestContext> = fc
  .uniqueArray(fc.constantFrom(...Object.keys(KEYS)), { maxLength: 6 })
  .chain((keys) =>
    fc.tuple(
      ...keys.map((key) =>
        fc.tuple(
          keyCase(key),
          key === 'aws:TagKeys'
            ? fc.uniqueArray(fc.constantFrom(...KEYS[key]!.request), { maxLength: 3 })
            : fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...KEYS[key]!.request) }, { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...KEYS[key]!.request), { maxLength: 2 }) }),
        ),
      ),
    ),
  )
  .map((entries) => Object.fromEntries(entries) as RequestContext);

/** One generated principal's policies (as documents) and requests of that principal. */
export interface DifferentialCase {
  policies: ReferencePolicies;
  requests: RequestFacts[];
}

const requestArb = (principalArn: string): fc.Arbitrary<RequestFacts> =>
  fc
    .record({
      action: fc.constantFrom(...ACTIONS).chain((a) => fc.constantFrom(a, a.toLowerCase(), a.toUpperCase())),
      resourceArn: fc.constantFrom(...RESOURCES),
      context: contextArb,
      resourceOwnerAccount: fc.constantFrom<string | null | undefined>(undefined, undefined, null, ACCT, ACCT, OTHER, ''),
    })
    .map((r) => {
      const request: RequestFacts = { principalArn, action: r.action, resourceArn: r.resourceArn, context: r.context };
      if (r.resourceOwnerAccount !== undefined) request.resourceOwnerAccount = r.resourceOwnerAccount;
      return request;
    });

/**
 * A principal's policy set and `requestsPerSet` requests of that principal (the
 * set is compiled once, as a server does). `maxStatements` bounds the statements of
 * each policy; the identity side gets up to four policies, so large sets share
 * action names across policies (what an index across the set must keep apart).
 */
export function differentialCaseArb(maxStatements: number, requestsPerSet: number): fc.Arbitrary<DifferentialCase> {
  const denyOneIn = maxStatements > 10 ? 15 : 4;
  const identityOptions = { resourceBased: false, denyOneIn };
  return fc
    .constantFrom(...PRINCIPALS)
    .chain((principalArn) =>
      fc.record({
        identity: fc.array(documentArb(maxStatements, identityOptions), { minLength: 1, maxLength: 4 }),
        boundary: fc.option(documentArb(maxStatements, identityOptions), { freq: 3, nil: undefined }),
        // Session policies exist only for sessions (AssumeRole*, GetFederationToken).
        session: SESSION_PRINCIPALS.includes(principalArn)
          ? fc.option(documentArb(maxStatements, identityOptions), { freq: 2, nil: undefined })
          : fc.constant(undefined),
        resource: fc.option(documentArb(Math.min(maxStatements, 5), { resourceBased: true, denyOneIn: 4 }), { freq: 2, nil: undefined }),
        requests: fc.array(requestArb(principalArn), { minLength: requestsPerSet, maxLength: requestsPerSet }),
      }),
    )
    .map((r) => ({
      policies: { identityPolicies: r.identity, permissionsBoundary: r.boundary, sessionPolicy: r.session, resourcePolicy: r.resource },
      requests: r.requests,
    }));
}
