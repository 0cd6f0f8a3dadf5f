// Table-driven tests of `evaluate`: each case names the AWS behaviour it checks;
// the pages behind them are linked per section.

import { describe, expect, it } from 'vitest';
import { PolicyError } from './errors.js';
import { compilePolicySet, evaluate } from './evaluate.js';
import { doc, v2012, type PolicyJson, type StatementJson } from './test-support.js';
import type { Decision, PolicySource, PolicySetInput, RequestFacts } from './types.js';

/** A request and the policies it is decided against, in one value. */
type EvaluationRequest = RequestFacts & PolicySetInput;

/** Decides `request` against its own policies: compiles them, then evaluates. */
const evaluateRequest = (request: EvaluationRequest) => evaluate(compilePolicySet(request), request);

const ACCT = '111122223333';
const OTHER = '444455556666';
const USER = `arn:aws:iam::${ACCT}:user/alice`;
const BOB = `arn:aws:iam::${ACCT}:user/bob`;
const ROLE = `arn:aws:iam::${ACCT}:role/app/Deployer`;
const SESSION = `arn:aws:sts::${ACCT}:assumed-role/Deployer/build-1`;
const OTHER_USER = `arn:aws:iam::${OTHER}:user/carol`;
const OBJ = 'arn:aws:s3:::bucket/key';

interface Case {
  name: string;
  identity?: PolicyJson[];
  boundary?: PolicyJson;
  session?: PolicyJson;
  resource?: PolicyJson;
  /** Pass policies as JSON text (through parsePolicy) instead of documents. */
  asText?: boolean;
  request?: Partial<EvaluationRequest>;
  expected: Decision;
  matched?: Array<[PolicySource, number, number]>;
  missing?: string[];
}

const allow = (action: string | string[], resource: string | string[] = '*', extra: Partial<StatementJson> = {}): StatementJson => ({
  Effect: 'Allow', Action: action, Resource: resource, ...extra,
});
const deny = (action: string | string[], resource: string | string[] = '*', extra: Partial<StatementJson> = {}): StatementJson => ({
  Effect: 'Deny', Action: action, Resource: resource, ...extra,
});
const grant = (principal: StatementJson['Principal'], action: string | string[] = 's3:GetObject', resource: string | string[] = OBJ, extra: Partial<StatementJson> = {}): StatementJson => ({
  Effect: 'Allow', Principal: principal, Action: action, Resource: resource, ...extra,
});

function run(c: Case) {
  const load = (p: PolicyJson, type: 'managed' | 'session' | 'resource') => (c.asText ? JSON.stringify(p, null, 2) : doc(p, type));
  const request: EvaluationRequest = {
    principalArn: USER,
    action: 's3:GetObject',
    resourceArn: OBJ,
    context: {},
    identityPolicies: (c.identity ?? []).map((p) => load(p, 'managed')),
    permissionsBoundary: c.boundary ? load(c.boundary, 'managed') : null,
    sessionPolicy: c.session ? load(c.session, 'session') : null,
    resourcePolicy: c.resource ? load(c.resource, 'resource') : null,
    ...c.request,
  };
  return evaluateRequest(request);
}

function table(title: string, cases: Case[]): void {
  describe(title, () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const result = run(c);
      expect(result.decision).toBe(c.expected);
      if (c.matched) {
        expect(result.matchedStatements.map((m) => [m.source, m.policyIndex, m.statementIndex])).toEqual(c.matched);
      }
      if (c.expected === 'implicitDeny') expect(result.matchedStatements).toEqual([]);
      if (c.missing) expect([...result.missingContextValues].sort()).toEqual([...c.missing].sort());
    });
  });
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
table('policy evaluation logic: explicit deny, allow, implicit deny', [
  { name: 'denies implicitly when there are no policies at all', expected: 'implicitDeny' },
  { name: 'allows when an identity Allow matches action and resource', identity: [v2012(allow('s3:GetObject', OBJ))], expected: 'allowed', matched: [['identity', 0, 0]] },
  { name: 'denies implicitly when the only Allow is for another action', identity: [v2012(allow('s3:PutObject', OBJ))], expected: 'implicitDeny' },
  { name: 'denies implicitly when the only Allow is for another resource', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::bucket/other'))], expected: 'implicitDeny' },
  { name: 'denies explicitly when a Deny matches an allowed action', identity: [v2012(allow('s3:*'), deny('s3:GetObject'))], expected: 'explicitDeny', matched: [['identity', 0, 1]] },
  { name: 'denies explicitly when the Deny is in another identity policy', identity: [v2012(allow('*')), v2012(deny('s3:Get*'))], expected: 'explicitDeny', matched: [['identity', 1, 0]] },
  { name: 'reports every matching Deny statement', identity: [v2012(deny('s3:*'), allow('*'), deny('*'))], expected: 'explicitDeny', matched: [['identity', 0, 0], ['identity', 0, 2]] },
  { name: 'reports every matching Allow statement across policies', identity: [v2012(allow('s3:GetObject')), v2012(allow('s3:Get*', OBJ), allow('ec2:*'))], expected: 'allowed', matched: [['identity', 0, 0], ['identity', 1, 0]] },
  { name: 'does not deny when the Deny statement’s condition is false', identity: [v2012(allow('*'), deny('*', '*', { Condition: { Bool: { 'aws:SecureTransport': 'false' } } }))], request: { context: { 'aws:SecureTransport': 'true' } }, expected: 'allowed' },
  { name: 'a Deny for another resource does not deny', identity: [v2012(allow('*'), deny('*', 'arn:aws:s3:::secret/*'))], expected: 'allowed' },
  { name: 'a single Allow among many policies is enough', identity: [v2012(allow('ec2:*')), v2012(allow('sqs:*')), v2012(allow('s3:GetObject'))], expected: 'allowed', matched: [['identity', 2, 0]] },
  { name: 'an empty statement list grants nothing', identity: [{ Version: '2012-10-17', Statement: [] }], expected: 'implicitDeny' },
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
table('Action and NotAction', [
  { name: 'matches actions case-insensitively (policy side)', identity: [v2012(allow('S3:GETOBJECT'))], expected: 'allowed' },
  { name: 'matches actions case-insensitively (request side)', identity: [v2012(allow('s3:GetObject'))], request: { action: 'S3:getobject' }, expected: 'allowed' },
  { name: 'a prefix wildcard matches actions that start with it', identity: [v2012(allow('s3:Get*'))], expected: 'allowed' },
  { name: 'a prefix wildcard does not match other actions', identity: [v2012(allow('s3:Get*'))], request: { action: 's3:PutObject' }, expected: 'implicitDeny' },
  { name: 'service:* matches every action of the service', identity: [v2012(allow('s3:*'))], request: { action: 's3:DeleteBucket' }, expected: 'allowed' },
  { name: 'service:* does not match another service', identity: [v2012(allow('s3:*'))], request: { action: 'sqs:SendMessage' }, expected: 'implicitDeny' },
  { name: 'service:* does not match a service whose name merely starts the same', identity: [v2012(allow('s3:*'))], request: { action: 's3express:CreateSession' }, expected: 'implicitDeny' },
  { name: '* matches every action of every service', identity: [v2012(allow('*'))], request: { action: 'iam:CreateUser' }, expected: 'allowed' },
  { name: '? matches exactly one character', identity: [v2012(allow('s3:GetObjec?'))], expected: 'allowed' },
  { name: '? does not match zero characters', identity: [v2012(allow('s3:GetObject?'))], expected: 'implicitDeny' },
  { name: 'a wildcard inside the name matches', identity: [v2012(allow('s3:*Object*'))], request: { action: 's3:PutObjectAcl' }, expected: 'allowed' },
  { name: 'a wildcard in the service prefix matches that service', identity: [v2012(allow('s?:GetObject'))], expected: 'allowed' },
  { name: 'a wildcard in the service prefix matches other services too', identity: [v2012(allow('*:Describe*'))], request: { action: 'ec2:DescribeInstances' }, expected: 'allowed' },
  { name: 'one of several listed actions is enough', identity: [v2012(allow(['sqs:SendMessage', 's3:GetObject']))], expected: 'allowed' },
  { name: 'statements for several services are found for each service', identity: [v2012(allow(['sqs:SendMessage', 's3:GetObject']))], request: { action: 'sqs:SendMessage' }, expected: 'allowed' },
  { name: 'an action without a service prefix never matches a prefixed pattern', identity: [v2012(allow('s3:*'))], request: { action: 'GetObject' }, expected: 'implicitDeny' },
  { name: 'NotAction with Allow allows every other action', identity: [v2012({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], expected: 'allowed' },
  { name: 'NotAction with Allow does not allow the listed actions', identity: [v2012({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], request: { action: 'iam:CreateUser' }, expected: 'implicitDeny' },
  { name: 'NotAction with Allow matches the listed action case-insensitively', identity: [v2012({ Effect: 'Allow', NotAction: 's3:getobject', Resource: '*' })], expected: 'implicitDeny' },
  { name: 'NotAction with Deny denies every other action', identity: [v2012(allow('*'), { Effect: 'Deny', NotAction: ['iam:Get*', 'iam:List*'], Resource: '*' })], expected: 'explicitDeny' },
  { name: 'NotAction with Deny leaves the listed actions alone', identity: [v2012(allow('*'), { Effect: 'Deny', NotAction: ['iam:Get*', 'iam:List*'], Resource: '*' })], request: { action: 'iam:ListUsers' }, expected: 'allowed' },
  { name: 'NotAction with Allow still needs the resource to match', identity: [v2012({ Effect: 'Allow', NotAction: 'iam:*', Resource: 'arn:aws:s3:::other/*' })], expected: 'implicitDeny' },
  { name: 'NotAction with Allow and a Deny of the same action denies', identity: [v2012({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }, deny('s3:GetObject'))], expected: 'explicitDeny' },
  { name: 'a policy variable is not substituted in Action', identity: [v2012(allow('s3:${aws:username}'))], request: { action: 's3:alice', context: { 'aws:username': 'alice' } }, expected: 'implicitDeny' },
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
table('Resource and NotResource', [
  { name: 'matches the exact ARN', identity: [v2012(allow('s3:GetObject', OBJ))], expected: 'allowed' },
  { name: 'is case-sensitive', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::bucket/KEY'))], expected: 'implicitDeny' },
  { name: '* matches any resource', identity: [v2012(allow('s3:GetObject', '*'))], expected: 'allowed' },
  { name: '* matches the * resource of actions without resource-level permissions', identity: [v2012(allow('s3:ListAllMyBuckets', '*'))], request: { action: 's3:ListAllMyBuckets', resourceArn: '*' }, expected: 'allowed' },
  { name: 'a specific ARN does not match the * resource', identity: [v2012(allow('s3:ListAllMyBuckets', 'arn:aws:s3:::bucket'))], request: { action: 's3:ListAllMyBuckets', resourceArn: '*' }, expected: 'implicitDeny' },
  { name: 'bucket/* matches keys with slashes', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::bucket/*'))], request: { resourceArn: 'arn:aws:s3:::bucket/a/b/c.txt' }, expected: 'allowed' },
  { name: 'bucket/* does not match the bucket itself', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::bucket/*'))], request: { resourceArn: 'arn:aws:s3:::bucket' }, expected: 'implicitDeny' },
  { name: 'the documented S3 example: a/*/test/* matches deeper paths', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::bucket/*/test/*'))], request: { resourceArn: 'arn:aws:s3:::bucket/1/2/test/3/object.jpg' }, expected: 'allowed' },
  { name: 'the documented S3 example: a/*/test/* needs the /test/ part', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::bucket/*/test/*'))], request: { resourceArn: 'arn:aws:s3:::bucket/1-test/object.jpg' }, expected: 'implicitDeny' },
  { name: '? matches one character of a segment', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::bucket/ke?'))], expected: 'allowed' },
  { name: 'a wildcard region segment matches any region', identity: [v2012(allow('sqs:SendMessage', 'arn:aws:sqs:*:111122223333:queue'))], request: { action: 'sqs:SendMessage', resourceArn: 'arn:aws:sqs:eu-west-1:111122223333:queue' }, expected: 'allowed' },
  { name: 'a * that ends a segment expands beyond the colon boundary', identity: [v2012(allow('logs:*', 'arn:aws:logs:us-east-1:111122223333:log-group:app*'))], request: { action: 'logs:PutLogEvents', resourceArn: 'arn:aws:logs:us-east-1:111122223333:log-group:app:log-stream:s1' }, expected: 'allowed' },
  { name: 'a * that ends the pattern spans the remaining segments', identity: [v2012(allow('iam:*', 'arn:aws:iam::*'))], request: { action: 'iam:GetUser', resourceArn: `arn:aws:iam::${ACCT}:user/alice` }, expected: 'allowed' },
  { name: 'a * inside a segment does not cross a colon', identity: [v2012(allow('sqs:*', 'arn:aws:sqs:us-east-1:*queue'))], request: { action: 'sqs:SendMessage', resourceArn: `arn:aws:sqs:us-east-1:${ACCT}:queue` }, expected: 'implicitDeny' },
  { name: 'a * inside a segment matches within the segment', identity: [v2012(allow('sqs:*', 'arn:aws:sqs:us-*-1:111122223333:queue'))], request: { action: 'sqs:SendMessage', resourceArn: `arn:aws:sqs:us-east-1:${ACCT}:queue` }, expected: 'allowed' },
  { name: '? does not match a colon', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::bucket/a?b'))], request: { resourceArn: 'arn:aws:s3:::bucket/a:b' }, expected: 'implicitDeny' },
  { name: 'one of several listed resources is enough', identity: [v2012(allow('s3:GetObject', ['arn:aws:s3:::x', OBJ]))], expected: 'allowed' },
  { name: 'NotResource with Allow allows other resources', identity: [v2012({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::secret/*' })], expected: 'allowed' },
  { name: 'NotResource with Allow does not allow the listed resources', identity: [v2012({ Effect: 'Allow', Action: 's3:*', NotResource: 'arn:aws:s3:::bucket/*' })], expected: 'implicitDeny' },
  { name: 'NotResource with Deny denies everything but the listed resources', identity: [v2012(allow('*'), { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::public/*'] })], expected: 'explicitDeny' },
  { name: 'NotResource with Deny leaves the listed resources alone', identity: [v2012(allow('*'), { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::bucket/*'] })], expected: 'allowed' },
  { name: 'NotAction and NotResource together', identity: [v2012({ Effect: 'Allow', NotAction: 'iam:*', NotResource: 'arn:aws:s3:::secret/*' })], expected: 'allowed' },
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
table('policy variables', [
  { name: 'substitutes ${aws:username} in Resource', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*'))], request: { resourceArn: 'arn:aws:s3:::home/alice/notes.txt', context: { 'aws:username': 'alice' } }, expected: 'allowed' },
  { name: 'a substituted Resource does not match another user’s folder', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*'))], request: { resourceArn: 'arn:aws:s3:::home/bob/notes.txt', context: { 'aws:username': 'alice' } }, expected: 'implicitDeny' },
  { name: 'a variable whose key is missing makes the statement not match, and is reported', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*'))], request: { resourceArn: 'arn:aws:s3:::home/alice/x' }, expected: 'implicitDeny', missing: ['aws:username'] },
  { name: 'a default value stands in for a missing key', identity: [v2012(allow('s3:GetObject', "arn:aws:s3:::home/${aws:username, 'guest'}/*"))], request: { resourceArn: 'arn:aws:s3:::home/guest/x' }, expected: 'allowed', missing: [] },
  { name: 'a default value is not used when the key is present', identity: [v2012(allow('s3:GetObject', "arn:aws:s3:::home/${aws:username, 'guest'}/*"))], request: { resourceArn: 'arn:aws:s3:::home/guest/x', context: { 'aws:username': 'alice' } }, expected: 'implicitDeny' },
  { name: 'Version 2008-10-17 keeps ${...} as literal text', identity: [{ Version: '2008-10-17', Statement: allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*') }], request: { resourceArn: 'arn:aws:s3:::home/alice/x', context: { 'aws:username': 'alice' } }, expected: 'implicitDeny' },
  { name: 'Version 2008-10-17 matches the literal ${...} text', identity: [{ Version: '2008-10-17', Statement: allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*') }], request: { resourceArn: 'arn:aws:s3:::home/${aws:username}/x' }, expected: 'allowed' },
  { name: 'no Version keeps ${...} as literal text', identity: [{ Statement: allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*') }], request: { resourceArn: 'arn:aws:s3:::home/alice/x', context: { 'aws:username': 'alice' } }, expected: 'implicitDeny' },
  { name: '${*} is a literal star, not a wildcard', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::bucket/${*}'))], request: { resourceArn: 'arn:aws:s3:::bucket/anything' }, expected: 'implicitDeny' },
  { name: '${*} matches a literal star', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::bucket/${*}'))], request: { resourceArn: 'arn:aws:s3:::bucket/*' }, expected: 'allowed' },
  { name: '${?} matches a literal question mark only', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::bucket/a${?}'))], request: { resourceArn: 'arn:aws:s3:::bucket/ab' }, expected: 'implicitDeny' },
  { name: '${$} matches a literal dollar sign', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::bucket/${$}x'))], request: { resourceArn: 'arn:aws:s3:::bucket/$x' }, expected: 'allowed' },
  { name: 'a * inside a substituted value is not a wildcard', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}'))], request: { resourceArn: 'arn:aws:s3:::home/alice', context: { 'aws:username': '*' } }, expected: 'implicitDeny' },
  { name: 'variable key names are case-insensitive', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::home/${AWS:UserName}/*'))], request: { resourceArn: 'arn:aws:s3:::home/alice/x', context: { 'aws:username': 'alice' } }, expected: 'allowed' },
  { name: 'substitutes a principal tag', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::teams/${aws:PrincipalTag/team}/*'))], request: { resourceArn: 'arn:aws:s3:::teams/blue/x', context: { 'aws:PrincipalTag/team': 'blue' } }, expected: 'allowed' },
  { name: 'a multivalued key cannot be used as a variable', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::tags/${aws:TagKeys}/*'))], request: { resourceArn: 'arn:aws:s3:::tags/a/x', context: { 'aws:TagKeys': ['a', 'b'] } }, expected: 'implicitDeny' },
  { name: 'substitutes in a StringEquals condition value', identity: [v2012(allow('s3:ListBucket', '*', { Condition: { StringEquals: { 's3:prefix': 'home/${aws:username}/' } } }))], request: { action: 's3:ListBucket', context: { 'aws:username': 'alice', 's3:prefix': 'home/alice/' } }, expected: 'allowed' },
  { name: 'substitutes in a StringLike value and keeps the trailing wildcard', identity: [v2012(allow('s3:ListBucket', '*', { Condition: { StringLike: { 's3:prefix': 'home/${aws:username}/*' } } }))], request: { action: 's3:ListBucket', context: { 'aws:username': 'alice', 's3:prefix': 'home/alice/docs/' } }, expected: 'allowed' },
  { name: 'a condition value with a missing variable fails the condition', identity: [v2012(allow('s3:ListBucket', '*', { Condition: { StringEquals: { 's3:prefix': 'home/${aws:username}/' } } }))], request: { action: 's3:ListBucket', context: { 's3:prefix': 'home//' } }, expected: 'implicitDeny', missing: ['aws:username'] },
  { name: 'a Deny whose variable is missing does not apply', identity: [v2012(allow('*'), deny('s3:*', 'arn:aws:s3:::home/${aws:username}/*'))], expected: 'allowed', missing: ['aws:username'] },
  { name: 'a NotResource with a missing variable makes the statement not match', identity: [v2012(allow('*'), { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::home/${aws:username}/*' })], expected: 'allowed' },
  { name: 'a NotResource with a resolved variable excludes the user’s own folder', identity: [v2012(allow('*'), { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::home/${aws:username}/*' })], request: { resourceArn: 'arn:aws:s3:::home/alice/x', context: { 'aws:username': 'alice' } }, expected: 'allowed' },
  { name: 'a NotResource with a resolved variable denies other folders', identity: [v2012(allow('*'), { Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::home/${aws:username}/*' })], request: { resourceArn: 'arn:aws:s3:::home/bob/x', context: { 'aws:username': 'alice' } }, expected: 'explicitDeny' },
  { name: 'substitutes a request key such as aws:SourceIp', identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::ip/${aws:SourceIp}'))], request: { resourceArn: 'arn:aws:s3:::ip/10.0.0.1', context: { 'aws:SourceIp': '10.0.0.1' } }, expected: 'allowed' },
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_logic_multiple_context_keys_or_values.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
const when = (condition: StatementJson['Condition']): PolicyJson[] => [v2012(allow('s3:GetObject', OBJ, { Condition: condition }))];
table('conditions in statements', [
  { name: 'several values of one key are ORed', identity: when({ StringEquals: { 'aws:RequestedRegion': ['us-east-1', 'eu-west-1'] } }), request: { context: { 'aws:RequestedRegion': 'eu-west-1' } }, expected: 'allowed' },
  { name: 'several keys of one operator are ANDed (one fails)', identity: when({ StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalTag/team': 'blue' } }), request: { context: { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalTag/team': 'red' } }, expected: 'implicitDeny' },
  { name: 'several keys of one operator are ANDed (all hold)', identity: when({ StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalTag/team': 'blue' } }), request: { context: { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalTag/team': 'blue' } }, expected: 'allowed' },
  { name: 'several operators are ANDed', identity: when({ StringEquals: { 'aws:RequestedRegion': 'us-east-1' }, Bool: { 'aws:SecureTransport': 'true' } }), request: { context: { 'aws:RequestedRegion': 'us-east-1', 'aws:SecureTransport': 'false' } }, expected: 'implicitDeny' },
  { name: 'condition key names are case-insensitive', identity: when({ StringEquals: { 'AWS:REQUESTEDREGION': 'us-east-1' } }), request: { context: { 'aws:requestedregion': 'us-east-1' } }, expected: 'allowed' },
  { name: 'condition values are case-sensitive', identity: when({ StringEquals: { 'aws:PrincipalTag/team': 'Blue' } }), request: { context: { 'aws:PrincipalTag/team': 'blue' } }, expected: 'implicitDeny' },
  { name: 'IgnoreCase operators ignore the case of values', identity: when({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/team': 'Blue' } }), request: { context: { 'aws:PrincipalTag/team': 'BLUE' } }, expected: 'allowed' },
  { name: 'a positive operator on a missing key fails and reports the key', identity: when({ StringEquals: { 'aws:PrincipalTag/team': 'blue' } }), expected: 'implicitDeny', missing: ['aws:PrincipalTag/team'] },
  { name: 'IfExists on a missing key holds', identity: when({ StringEqualsIfExists: { 'ec2:InstanceType': 't3.micro' } }), expected: 'allowed', missing: ['ec2:InstanceType'] },
  { name: 'IfExists on a present key is evaluated', identity: when({ StringEqualsIfExists: { 'ec2:InstanceType': 't3.micro' } }), request: { context: { 'ec2:InstanceType': 'm5.large' } }, expected: 'implicitDeny' },
  { name: 'StringNotEquals on a missing key holds', identity: when({ StringNotEquals: { 'aws:PrincipalTag/team': 'red' } }), expected: 'allowed' },
  { name: 'StringNotEquals in a Deny on a missing key denies', identity: [v2012(allow('*'), deny('*', '*', { Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-123' } } }))], expected: 'explicitDeny' },
  { name: 'ForAllValues on a missing key holds', identity: when({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), expected: 'allowed' },
  { name: 'ForAllValues on an empty list holds', identity: when({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), request: { context: { 'aws:TagKeys': [] } }, expected: 'allowed' },
  { name: 'ForAllValues fails when one value is not allowed', identity: when({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), request: { context: { 'aws:TagKeys': ['env', 'cost'] } }, expected: 'implicitDeny' },
  { name: 'ForAnyValue on a missing key fails', identity: when({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env'] } }), expected: 'implicitDeny', missing: ['aws:TagKeys'] },
  { name: 'ForAnyValue holds when one value matches', identity: when({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env'] } }), request: { context: { 'aws:TagKeys': ['cost', 'env'] } }, expected: 'allowed' },
  { name: 'Null true holds when the key is absent', identity: when({ Null: { 'aws:MultiFactorAuthAge': 'true' } }), expected: 'allowed', missing: [] },
  { name: 'Null false holds when the key is present', identity: when({ Null: { 'aws:MultiFactorAuthAge': 'false' } }), request: { context: { 'aws:MultiFactorAuthAge': '30' } }, expected: 'allowed' },
  { name: 'Null false fails when the key is absent', identity: when({ Null: { 'aws:MultiFactorAuthAge': 'false' } }), expected: 'implicitDeny' },
  { name: 'DateLessThan compares aws:CurrentTime from the context', identity: when({ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }), request: { context: { 'aws:CurrentTime': '2026-11-24T10:00:00Z' } }, expected: 'allowed' },
  { name: 'DateGreaterThan with an epoch value compares aws:EpochTime', identity: when({ DateGreaterThan: { 'aws:EpochTime': '1700000000' } }), request: { context: { 'aws:EpochTime': '1600000000' } }, expected: 'implicitDeny' },
  { name: 'an ISO policy date compares with an epoch context value', identity: when({ DateGreaterThan: { 'aws:EpochTime': '2020-01-01T00:00:00Z' } }), request: { context: { 'aws:EpochTime': '1700000000' } }, expected: 'allowed' },
  { name: 'IpAddress matches an IPv6 address in an IPv6 CIDR', identity: when({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } }), request: { context: { 'aws:SourceIp': '2001:db8:1::5' } }, expected: 'allowed' },
  { name: 'NotIpAddress in a Deny denies addresses outside the range', identity: [v2012(allow('*'), deny('*', '*', { Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } }))], request: { context: { 'aws:SourceIp': '198.51.100.7' } }, expected: 'explicitDeny' },
  { name: 'ArnLike on aws:SourceArn keeps components apart', identity: when({ ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:111122223333:*' } }), request: { context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111122223333:topic' } }, expected: 'allowed' },
  { name: 'ArnLike does not let a trailing * absorb missing components (unlike Resource)', identity: when({ ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*' } }), request: { context: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111122223333:topic' } }, expected: 'implicitDeny' },
  { name: 'NumericLessThan with a non-numeric value fails', identity: when({ NumericLessThan: { 's3:max-keys': '10' } }), request: { context: { 's3:max-keys': 'ten' } }, expected: 'implicitDeny' },
  { name: 'reports every missing key of a statement, even after a failing condition', identity: when({ StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalTag/team': 'blue' } }), expected: 'implicitDeny', missing: ['aws:RequestedRegion', 'aws:PrincipalTag/team'] },
  { name: 'does not report keys of statements whose action does not match', identity: [v2012(allow('ec2:*', '*', { Condition: { StringEquals: { 'ec2:Region': 'x' } } }))], expected: 'implicitDeny', missing: [] },
  { name: 'an unknown operator never holds', identity: when({ StringEqualz: { 'aws:RequestedRegion': 'us-east-1' } }), request: { context: { 'aws:RequestedRegion': 'us-east-1' } }, expected: 'implicitDeny' },
]);

// Policy variables with no value, settled as one rule for every element and policy type:
// a value whose variable cannot be resolved (key absent, or multivalued) and has no
// default makes its statement apply to nothing: an Allow grants nothing and a Deny
// denies nothing, in Resource, NotResource and condition values alike, in identity,
// boundary, session and resource-based policies. "If AWS cannot resolve a variable this
// might cause the entire statement to be invalid." "You can use any available
// single-valued context key as a policy variable, but you cannot use a multivalued
// context key as a policy variable."
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
const HOME = 'arn:aws:s3:::home/${aws:username}/*';
const homeReq = { resourceArn: 'arn:aws:s3:::home/alice/x' };
const homeOf = (who: string) => ({ resourceArn: 'arn:aws:s3:::home/alice/x', context: { 'aws:username': who } });
const byUser = { StringEquals: { 's3:prefix': '${aws:username}/' } };
table('policy variables with no value, in every element and policy type', [
  { name: 'identity Allow, Resource: grants nothing', identity: [v2012(allow('s3:GetObject', HOME))], request: homeReq, expected: 'implicitDeny', missing: ['aws:username'] },
  { name: 'identity Allow, Resource: an empty value does not stand for the missing one', identity: [v2012(allow('s3:GetObject', HOME))], request: { resourceArn: 'arn:aws:s3:::home//x' }, expected: 'implicitDeny' },
  { name: 'identity Allow, NotResource: grants nothing, not everything', identity: [v2012({ Effect: 'Allow', Action: 's3:GetObject', NotResource: HOME })], request: { resourceArn: 'arn:aws:s3:::other/x' }, expected: 'implicitDeny' },
  { name: 'identity Allow, condition value: grants nothing', identity: [v2012(allow('s3:GetObject', '*', { Condition: byUser }))], request: { context: { 's3:prefix': '/' } }, expected: 'implicitDeny' },
  { name: 'identity Deny, Resource: denies nothing', identity: [v2012(allow('*'), deny('s3:*', HOME))], request: homeReq, expected: 'allowed' },
  { name: 'identity Deny, NotResource: denies nothing', identity: [v2012(allow('*'), { Effect: 'Deny', Action: 's3:*', NotResource: HOME })], expected: 'allowed' },
  { name: 'identity Deny, negated condition value: denies nothing', identity: [v2012(allow('*'), deny('s3:*', '*', { Condition: { StringNotEquals: { 's3:prefix': '${aws:username}/' } } }))], request: { context: { 's3:prefix': 'x/' } }, expected: 'allowed' },
  { name: 'identity Deny, ForAnyValue condition value: denies nothing', identity: [v2012(allow('*'), deny('s3:*', '*', { Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': '${aws:username}' } } }))], request: { context: { 'aws:TagKeys': ['a'] } }, expected: 'allowed' },
  { name: 'identity Deny, resolved: denies', identity: [v2012(allow('*'), deny('s3:*', HOME))], request: homeOf('alice'), expected: 'explicitDeny' },
  { name: 'boundary Allow: the boundary allows nothing', identity: [v2012(allow('*'))], boundary: v2012(allow('s3:*', HOME)), request: homeReq, expected: 'implicitDeny' },
  { name: 'boundary Allow, resolved: the boundary allows', identity: [v2012(allow('*'))], boundary: v2012(allow('s3:*', HOME)), request: homeOf('alice'), expected: 'allowed' },
  { name: 'boundary Deny: denies nothing', identity: [v2012(allow('*'))], boundary: v2012(allow('*'), deny('s3:*', HOME)), request: homeReq, expected: 'allowed' },
  { name: 'session Allow: the session policy allows nothing', identity: [v2012(allow('*'))], session: v2012(allow('s3:*', HOME)), request: { ...homeReq, principalArn: SESSION }, expected: 'implicitDeny' },
  { name: 'session Deny: denies nothing', identity: [v2012(allow('*'))], session: v2012(allow('*'), deny('s3:*', HOME)), request: { ...homeReq, principalArn: SESSION }, expected: 'allowed' },
  { name: 'resource-based Allow: grants nothing', resource: v2012(grant({ AWS: USER }, 's3:GetObject', HOME)), request: homeReq, expected: 'implicitDeny' },
  { name: 'resource-based Allow, resolved: grants', resource: v2012(grant({ AWS: USER }, 's3:GetObject', HOME)), request: homeOf('alice'), expected: 'allowed' },
  { name: 'resource-based Deny: denies nothing', identity: [v2012(allow('*'))], resource: v2012({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: HOME }), request: homeReq, expected: 'allowed' },
  { name: 'resource-based Deny, condition value: denies nothing', identity: [v2012(allow('*'))], resource: v2012({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalTag/team': '${aws:ResourceTag/team}' } } }), request: { context: { 'aws:PrincipalTag/team': 'blue' } }, expected: 'allowed' },
  // ${aws:username} exists for IAM users only; a role session has none (its aws:userid is "role-id:session").
  { name: '${aws:username} for a role session: an Allow grants nothing', identity: [v2012(allow('s3:GetObject', HOME))], request: { ...homeReq, principalArn: SESSION, context: { 'aws:userid': 'AROAEXAMPLE:build-1' } }, expected: 'implicitDeny', missing: ['aws:username'] },
  { name: '${aws:username} for a role session: a default value stands in', identity: [v2012(allow('s3:GetObject', "arn:aws:s3:::home/${aws:username, 'shared'}/*"))], request: { resourceArn: 'arn:aws:s3:::home/shared/x', principalArn: SESSION }, expected: 'allowed' },
  { name: '${aws:username} for a federated user: a Deny denies nothing', identity: [v2012(allow('*'), deny('s3:*', HOME))], request: { ...homeReq, principalArn: `arn:aws:sts::${ACCT}:federated-user/dana` }, expected: 'allowed' },
  { name: 'a multivalued key as a variable: a Deny denies nothing', identity: [v2012(allow('*'), deny('s3:*', 'arn:aws:s3:::home/${aws:TagKeys}/*'))], request: { ...homeReq, context: { 'aws:TagKeys': ['alice'] } }, expected: 'allowed' },
]);

// Set operators with IfExists, missing keys and empty lists; single-valued operators on
// a list. "ForAllValues ... It also returns true if there are no context keys in the
// request" (and for an empty value set); ForAnyValue needs one value, so a missing key or
// an empty list fails; "...IfExists": "If the policy key is present in the context of the
// request, process the key as specified in the policy. If the key is not present,
// evaluate the condition element as true." An empty list is present: IfExists does not
// turn it into true. "Multivalued context keys require a condition set operator": without
// one, a positive operator holds when one value matches and a negated one when no value
// matches (the engine's reading; the page gives no rule).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
const setWhen = (condition: StatementJson['Condition']): PolicyJson[] => [v2012(allow('*', '*', { Condition: condition }))];
const keys = (...values: string[]) => ({ context: { 'aws:TagKeys': values } });
table('set operators with IfExists, missing keys and empty lists', [
  { name: 'ForAllValues...IfExists on a missing key holds', identity: setWhen({ 'ForAllValues:StringEqualsIfExists': { 'aws:TagKeys': ['env'] } }), expected: 'allowed' },
  { name: 'ForAllValues...IfExists on an empty list holds', identity: setWhen({ 'ForAllValues:StringEqualsIfExists': { 'aws:TagKeys': ['env'] } }), request: keys(), expected: 'allowed' },
  { name: 'ForAllValues...IfExists with a value outside the set fails', identity: setWhen({ 'ForAllValues:StringEqualsIfExists': { 'aws:TagKeys': ['env'] } }), request: keys('env', 'cost'), expected: 'implicitDeny' },
  { name: 'ForAnyValue...IfExists on a missing key holds', identity: setWhen({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': ['env'] } }), expected: 'allowed', missing: ['aws:TagKeys'] },
  { name: 'ForAnyValue...IfExists on an empty list fails (the key is present)', identity: setWhen({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': ['env'] } }), request: keys(), expected: 'implicitDeny' },
  { name: 'ForAnyValue...IfExists with one value in the set holds', identity: setWhen({ 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': ['env'] } }), request: keys('cost', 'env'), expected: 'allowed' },
  { name: 'ForAnyValue on an empty list fails', identity: setWhen({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env'] } }), request: keys(), expected: 'implicitDeny' },
  { name: 'ForAllValues:StringNotEquals on a missing key holds', identity: setWhen({ 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret'] } }), expected: 'allowed' },
  { name: 'ForAnyValue:StringNotEquals holds when one value is outside the set', identity: setWhen({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['secret'] } }), request: keys('secret', 'env'), expected: 'allowed' },
  { name: 'a Deny with ForAllValues on a missing key denies (vacuous truth)', identity: [v2012(allow('*'), deny('*', '*', { Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } } }))], expected: 'explicitDeny' },
  { name: 'a Deny with ForAnyValue...IfExists on a missing key denies', identity: [v2012(allow('*'), deny('*', '*', { Condition: { 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': ['secret'] } } }))], expected: 'explicitDeny' },
  { name: 'Null true holds for an empty list', identity: setWhen({ Null: { 'aws:TagKeys': 'true' } }), request: keys(), expected: 'allowed' },
  { name: 'StringEquals without a set operator on a list holds when one value matches', identity: setWhen({ StringEquals: { 'aws:TagKeys': 'env' } }), request: keys('cost', 'env'), expected: 'allowed' },
  { name: 'StringEquals without a set operator on an empty list fails', identity: setWhen({ StringEquals: { 'aws:TagKeys': 'env' } }), request: keys(), expected: 'implicitDeny' },
  { name: 'StringNotEquals without a set operator on a list holds only when no value matches', identity: setWhen({ StringNotEquals: { 'aws:TagKeys': 'secret' } }), request: keys('env', 'secret'), expected: 'implicitDeny' },
  { name: 'StringNotEquals without a set operator on a list of other values holds', identity: setWhen({ StringNotEquals: { 'aws:TagKeys': 'secret' } }), request: keys('env', 'cost'), expected: 'allowed' },
  { name: 'StringEqualsIfExists without a set operator on a list holds when one value matches', identity: setWhen({ StringEqualsIfExists: { 'aws:TagKeys': 'env' } }), request: keys('cost', 'env'), expected: 'allowed' },
]);

// Permissions boundaries and session policies with a same-account resource-based policy,
// for every way its Principal can name the requester. Within one account a grant that
// names the IAM user's ARN is not limited by an implicit deny in the user's boundary (the
// boundaries page's evaluation logic); for a session, a grant naming the session ARN is not
// limited by the session policy: when a resource-based policy "specifically references the
// ... session in the Principal element ... these permissions are granted in addition to
// the permissions that are granted by the session policies" (STS AssumeRole,
// GetFederationToken); one naming the role is. "*" and the account are limited like
// identity-based grants (see decide.ts for the disagreement with iam-simulate on "*").
// A federated-user session (GetFederationToken) named by its ARN: "a resource-based policy
// can provide additional permissions for the session. You can access a resource with a
// resource-based policy that specifies your session as the allowed principal" (Permissions
// for GetFederationToken). The pages say nothing of the user's boundary here; we read the
// grant as one to the session itself, like a grant naming a role-session ARN, so neither the
// boundary nor the session policy limits it (the row below states it).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getfederationtoken.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html#access_policies_boundaries-eval-logic
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_accounts.html
// https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
const FED = `arn:aws:sts::${ACCT}:federated-user/dana`;
const notS3 = v2012(allow('ec2:*'));
const forms: Array<[string, StatementJson['Principal'], string, Decision, Decision]> = [
  // [form, Principal, requester, with a boundary that does not allow, with a session policy that does not allow]
  ['the user ARN', { AWS: USER }, USER, 'allowed', 'allowed'],
  ['the role ARN (a session of the role)', { AWS: ROLE }, SESSION, 'implicitDeny', 'implicitDeny'],
  ['the role-session ARN', { AWS: SESSION }, SESSION, 'allowed', 'allowed'],
  ['the federated-user ARN', { AWS: FED }, FED, 'allowed', 'allowed'],
  ['"*"', '*', SESSION, 'implicitDeny', 'implicitDeny'],
  ['the account root', { AWS: `arn:aws:iam::${ACCT}:root` }, SESSION, 'implicitDeny', 'implicitDeny'],
  ['the account id', { AWS: ACCT }, USER, 'implicitDeny', 'implicitDeny'],
];
table('boundaries and session policies with a same-account resource-based policy, by principal form', [
  ...forms.map(([form, principal, who, withBoundary]): Case => ({ name: `naming ${form}, a boundary that does not allow → ${withBoundary}`, identity: [v2012(allow('s3:*'))], boundary: notS3, resource: v2012(grant(principal)), request: { principalArn: who }, expected: withBoundary })),
  ...forms.filter(([, , who]) => who !== USER).map(([form, principal, who, , withSession]): Case => ({ name: `naming ${form}, a session policy that does not allow → ${withSession}`, identity: [v2012(allow('s3:*'))], session: notS3, resource: v2012(grant(principal)), request: { principalArn: who }, expected: withSession })),
  ...forms.map(([form, principal, who]): Case => ({ name: `naming ${form}, boundary and session policy allow → allowed`, identity: [v2012(allow('s3:*'))], boundary: v2012(allow('s3:*')), ...(who === USER ? {} : { session: v2012(allow('s3:*')) }), resource: v2012(grant(principal)), request: { principalArn: who }, expected: 'allowed' })),
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
table('permissions boundaries', [
  { name: 'allows when identity policy and boundary both allow', identity: [v2012(allow('s3:*'))], boundary: v2012(allow('s3:GetObject')), expected: 'allowed', matched: [['identity', 0, 0], ['permissionsBoundary', 0, 0]] },
  { name: 'denies implicitly when the boundary does not allow', identity: [v2012(allow('s3:*'))], boundary: v2012(allow('ec2:*')), expected: 'implicitDeny' },
  { name: 'a boundary alone grants nothing', boundary: v2012(allow('*')), expected: 'implicitDeny' },
  { name: 'denies explicitly when the boundary denies', identity: [v2012(allow('*'))], boundary: v2012(allow('*'), deny('s3:GetObject')), expected: 'explicitDeny', matched: [['permissionsBoundary', 0, 1]] },
  { name: 'a boundary with NotAction limits like any Allow', identity: [v2012(allow('*'))], boundary: v2012({ Effect: 'Allow', NotAction: 's3:*', Resource: '*' }), expected: 'implicitDeny' },
  { name: 'a boundary condition is evaluated', identity: [v2012(allow('*'))], boundary: v2012(allow('*', '*', { Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' } } })), request: { context: { 'aws:RequestedRegion': 'us-east-1' } }, expected: 'allowed' },
  { name: 'a same-account resource policy naming the user ARN is not limited by the boundary', boundary: v2012(allow('ec2:*')), resource: v2012(grant({ AWS: USER })), expected: 'allowed', matched: [['resource', 0, 0]] },
  { name: 'a same-account resource policy naming the role is limited by the boundary of its session', boundary: v2012(allow('ec2:*')), resource: v2012(grant({ AWS: ROLE })), request: { principalArn: SESSION }, expected: 'implicitDeny' },
  { name: 'a same-account resource policy naming the role grants when the boundary allows', boundary: v2012(allow('s3:*')), resource: v2012(grant({ AWS: ROLE })), request: { principalArn: SESSION }, expected: 'allowed' },
  { name: 'a same-account resource policy naming the session ARN is not limited by the boundary', boundary: v2012(allow('ec2:*')), resource: v2012(grant({ AWS: SESSION })), request: { principalArn: SESSION }, expected: 'allowed' },
  { name: 'a public resource policy is limited by the boundary', boundary: v2012(allow('ec2:*')), resource: v2012(grant('*')), expected: 'implicitDeny' },
  { name: 'a resource-policy Deny with NotPrincipal always denies a principal with a boundary', identity: [v2012(allow('*'))], boundary: v2012(allow('*')), resource: v2012({ Effect: 'Deny', NotPrincipal: { AWS: [USER, `arn:aws:iam::${ACCT}:root`] }, Action: 's3:*', Resource: '*' }), expected: 'explicitDeny' },
  { name: 'the same NotPrincipal Deny exempts that principal without a boundary', identity: [v2012(allow('*'))], resource: v2012({ Effect: 'Deny', NotPrincipal: { AWS: [USER, `arn:aws:iam::${ACCT}:root`] }, Action: 's3:*', Resource: '*' }), expected: 'allowed' },
  { name: 'an explicit Deny in the identity policy beats a resource-policy grant', identity: [v2012(deny('s3:*'))], resource: v2012(grant({ AWS: USER })), expected: 'explicitDeny' },
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
table('session policies', [
  { name: 'allows when identity policy and session policy both allow', identity: [v2012(allow('s3:*'))], session: v2012(allow('s3:GetObject')), request: { principalArn: SESSION }, expected: 'allowed', matched: [['identity', 0, 0], ['session', 0, 0]] },
  { name: 'denies implicitly when the session policy does not allow', identity: [v2012(allow('s3:*'))], session: v2012(allow('s3:PutObject')), request: { principalArn: SESSION }, expected: 'implicitDeny' },
  { name: 'a session policy alone grants nothing', session: v2012(allow('*')), request: { principalArn: SESSION }, expected: 'implicitDeny' },
  { name: 'denies explicitly when the session policy denies', identity: [v2012(allow('*'))], session: v2012(allow('*'), deny('s3:Get*')), request: { principalArn: SESSION }, expected: 'explicitDeny' },
  { name: 'identity ∩ boundary ∩ session: all three allow', identity: [v2012(allow('s3:*'))], boundary: v2012(allow('s3:Get*')), session: v2012(allow('*')), request: { principalArn: SESSION }, expected: 'allowed' },
  { name: 'identity ∩ boundary ∩ session: the boundary does not allow', identity: [v2012(allow('s3:*'))], boundary: v2012(allow('s3:Put*')), session: v2012(allow('*')), request: { principalArn: SESSION }, expected: 'implicitDeny' },
  { name: 'a resource policy naming the session ARN is not limited by the session policy', session: v2012(allow('ec2:*')), resource: v2012(grant({ AWS: SESSION })), request: { principalArn: SESSION }, expected: 'allowed' },
  { name: 'a resource policy naming the role ARN is limited by the session policy', session: v2012(allow('ec2:*')), resource: v2012(grant({ AWS: ROLE })), request: { principalArn: SESSION }, expected: 'implicitDeny' },
  { name: 'a resource policy naming the role ARN grants when the session policy allows', session: v2012(allow('s3:GetObject')), resource: v2012(grant({ AWS: ROLE })), request: { principalArn: SESSION }, expected: 'allowed' },
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_accounts.html
table('resource-based policies within one account', [
  { name: 'a grant to the user ARN allows without any identity policy', resource: v2012(grant({ AWS: USER })), expected: 'allowed', matched: [['resource', 0, 0]] },
  { name: 'a grant to another user does not apply', resource: v2012(grant({ AWS: BOB })), expected: 'implicitDeny' },
  { name: 'Principal "*" grants to everyone', resource: v2012(grant('*')), expected: 'allowed' },
  { name: 'Principal {"AWS": "*"} grants to everyone', resource: v2012(grant({ AWS: '*' })), expected: 'allowed' },
  { name: 'a grant to the account id delegates: identity policies must allow', resource: v2012(grant({ AWS: ACCT })), expected: 'implicitDeny' },
  { name: 'a grant to the account root ARN delegates: identity policies must allow', resource: v2012(grant({ AWS: `arn:aws:iam::${ACCT}:root` })), expected: 'implicitDeny' },
  { name: 'a grant to the account with an identity Allow allows', identity: [v2012(allow('s3:GetObject'))], resource: v2012(grant({ AWS: ACCT })), expected: 'allowed', matched: [['identity', 0, 0], ['resource', 0, 0]] },
  { name: 'an identity Allow alone is enough within one account', identity: [v2012(allow('s3:GetObject'))], resource: v2012(grant({ AWS: BOB })), expected: 'allowed', matched: [['identity', 0, 0]] },
  { name: 'a role ARN matches sessions of that role', resource: v2012(grant({ AWS: ROLE })), request: { principalArn: SESSION }, expected: 'allowed' },
  { name: 'a role ARN without its path still matches sessions of the role', resource: v2012(grant({ AWS: `arn:aws:iam::${ACCT}:role/Deployer` })), request: { principalArn: SESSION }, expected: 'allowed' },
  { name: 'a role ARN does not match sessions of another role', resource: v2012(grant({ AWS: `arn:aws:iam::${ACCT}:role/Other` })), request: { principalArn: SESSION }, expected: 'implicitDeny' },
  { name: 'a role ARN in another account does not match', resource: v2012(grant({ AWS: `arn:aws:iam::${OTHER}:role/Deployer` })), request: { principalArn: SESSION }, expected: 'implicitDeny' },
  { name: 'a session ARN matches that session', resource: v2012(grant({ AWS: SESSION })), request: { principalArn: SESSION }, expected: 'allowed' },
  { name: 'a session ARN does not match another session of the role', resource: v2012(grant({ AWS: SESSION })), request: { principalArn: `arn:aws:sts::${ACCT}:assumed-role/Deployer/build-2` }, expected: 'implicitDeny' },
  { name: 'a role ARN matches the role itself', resource: v2012(grant({ AWS: ROLE })), request: { principalArn: ROLE }, expected: 'allowed' },
  { name: 'a user ARN does not match an assumed-role session', resource: v2012(grant({ AWS: USER })), request: { principalArn: SESSION }, expected: 'implicitDeny' },
  { name: 'a service principal is matched by name', resource: v2012(grant({ Service: 'sns.amazonaws.com' }, 'sqs:SendMessage', '*')), request: { principalArn: 'sns.amazonaws.com', action: 'sqs:SendMessage', resourceArn: `arn:aws:sqs:us-east-1:${ACCT}:q` }, expected: 'allowed' },
  { name: 'a service principal does not match another service', resource: v2012(grant({ Service: 'sns.amazonaws.com' }, 'sqs:SendMessage', '*')), request: { principalArn: 'events.amazonaws.com', action: 'sqs:SendMessage', resourceArn: `arn:aws:sqs:us-east-1:${ACCT}:q` }, expected: 'implicitDeny' },
  { name: 'a federated user session is matched by its ARN', resource: v2012(grant({ AWS: `arn:aws:sts::${ACCT}:federated-user/dana` })), request: { principalArn: `arn:aws:sts::${ACCT}:federated-user/dana` }, expected: 'allowed' },
  { name: 'a resource-policy Deny naming the user denies', identity: [v2012(allow('*'))], resource: v2012({ Effect: 'Deny', Principal: { AWS: USER }, Action: 's3:*', Resource: '*' }), expected: 'explicitDeny', matched: [['resource', 0, 0]] },
  { name: 'a resource-policy Deny naming the account denies its users', identity: [v2012(allow('*'))], resource: v2012({ Effect: 'Deny', Principal: { AWS: ACCT }, Action: 's3:*', Resource: '*' }), expected: 'explicitDeny' },
  { name: 'a resource-policy Deny naming another principal does not deny', identity: [v2012(allow('*'))], resource: v2012({ Effect: 'Deny', Principal: { AWS: BOB }, Action: 's3:*', Resource: '*' }), expected: 'allowed' },
  { name: 'a resource-policy statement without Principal applies to nobody', resource: v2012(allow('s3:*')), expected: 'implicitDeny' },
  { name: 'a resource-policy grant still needs the action to match', resource: v2012(grant({ AWS: USER }, 's3:PutObject')), expected: 'implicitDeny' },
  { name: 'a resource-policy grant still needs its condition to hold', resource: v2012(grant({ AWS: USER }, 's3:GetObject', OBJ, { Condition: { Bool: { 'aws:SecureTransport': 'true' } } })), request: { context: { 'aws:SecureTransport': 'false' } }, expected: 'implicitDeny' },
  { name: 'identity policies ignore a Principal element they should not carry', identity: [v2012(grant({ AWS: BOB }))], expected: 'allowed' },
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
const exceptAlice = (...names: string[]): PolicyJson => v2012({ Effect: 'Deny', NotPrincipal: { AWS: names }, Action: 's3:*', Resource: '*' });
table('NotPrincipal', [
  { name: 'Deny with NotPrincipal exempts a user named with its account', identity: [v2012(allow('*'))], resource: exceptAlice(USER, `arn:aws:iam::${ACCT}:root`), expected: 'allowed' },
  { name: 'Deny with NotPrincipal denies a user named without its account', identity: [v2012(allow('*'))], resource: exceptAlice(USER), expected: 'explicitDeny' },
  { name: 'Deny with NotPrincipal denies everyone else', identity: [v2012(allow('*'))], resource: exceptAlice(USER, ACCT), request: { principalArn: BOB }, expected: 'explicitDeny' },
  { name: 'Deny with NotPrincipal exempts a session named with its role and account', identity: [v2012(allow('*'))], resource: exceptAlice(SESSION, ROLE, ACCT), request: { principalArn: SESSION }, expected: 'allowed' },
  { name: 'Deny with NotPrincipal denies a session when only its role and account are named', identity: [v2012(allow('*'))], resource: exceptAlice(ROLE, ACCT), request: { principalArn: SESSION }, expected: 'explicitDeny' },
  { name: 'Deny with NotPrincipal denies a session when its role is not named', identity: [v2012(allow('*'))], resource: exceptAlice(SESSION, ACCT), request: { principalArn: SESSION }, expected: 'explicitDeny' },
  { name: 'Deny with NotPrincipal exempts the account root when the account is named', identity: [v2012(allow('*'))], resource: exceptAlice(ACCT), request: { principalArn: `arn:aws:iam::${ACCT}:root` }, expected: 'allowed' },
  { name: 'Allow with NotPrincipal grants to principals not named', resource: v2012({ Effect: 'Allow', NotPrincipal: { AWS: [BOB, ACCT] }, Action: 's3:GetObject', Resource: '*' }), expected: 'allowed' },
  { name: 'Allow with NotPrincipal does not grant to the principal named', resource: v2012({ Effect: 'Allow', NotPrincipal: { AWS: [USER, ACCT] }, Action: 's3:GetObject', Resource: '*' }), expected: 'implicitDeny' },
]);

// Federated principals: an identity provider asking for a role (AssumeRoleWithWebIdentity,
// AssumeRoleWithSAML) is named by its provider ARN under "Federated", not through its
// account; the web-identity or SAML session it gets is a role session like any other
// (assumed-role ARN), named by its role or session ARN, never by its provider. A federated
// user (GetFederationToken) is named by its federated-user ARN, not by its IAM user's ARN.
// With NotPrincipal in a Deny, "you must also specify the account ARN of the not-denied
// principal", and for a role session the role too.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-federated-web-identity
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
// https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html
const OIDC = `arn:aws:iam::${ACCT}:oidc-provider/token.example.com`;
const WEB_ROLE = `arn:aws:iam::${ACCT}:role/WebApp`;
const WEB_SESSION = `arn:aws:sts::${ACCT}:assumed-role/WebApp/app-user-1`;
const webTrust = (principal: StatementJson['Principal']): PolicyJson => v2012({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRoleWithWebIdentity' });
const byProvider = { principalArn: OIDC, action: 'sts:AssumeRoleWithWebIdentity', resourceArn: WEB_ROLE, resourceOwnerAccount: ACCT };
const denyExcept = (principal: StatementJson['NotPrincipal']): StatementJson => ({ Effect: 'Deny', NotPrincipal: principal, Action: 's3:*', Resource: '*' });
table('federated principals: identity providers, web-identity sessions, federated users, NotPrincipal', [
  { name: 'a trust policy naming the OIDC provider under Federated lets it assume the role', resource: webTrust({ Federated: OIDC }), request: byProvider, expected: 'allowed', matched: [['resource', 0, 0]] },
  { name: 'a trust policy naming the provider for web identity does not cover sts:AssumeRole', resource: webTrust({ Federated: OIDC }), request: { ...byProvider, action: 'sts:AssumeRole' }, expected: 'implicitDeny' },
  { name: 'a trust policy naming the provider’s account does not name the provider', resource: webTrust({ AWS: ACCT }), request: byProvider, expected: 'implicitDeny' },
  { name: 'a trust policy naming the same provider URL in another account does not name it', resource: webTrust({ Federated: `arn:aws:iam::${OTHER}:oidc-provider/token.example.com` }), request: byProvider, expected: 'implicitDeny' },
  { name: 'a trust condition on the token’s aud claim is evaluated', resource: v2012({ Effect: 'Allow', Principal: { Federated: OIDC }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'token.example.com:aud': 'app' } } }), request: { ...byProvider, context: { 'token.example.com:aud': 'other' } }, expected: 'implicitDeny' },
  { name: 'a web-identity session is named by its role', resource: v2012(grant({ AWS: WEB_ROLE })), request: { principalArn: WEB_SESSION }, expected: 'allowed' },
  { name: 'a web-identity session is not named by its provider', resource: v2012(grant({ Federated: OIDC })), request: { principalArn: WEB_SESSION }, expected: 'implicitDeny' },
  { name: 'a web-identity session is limited by its session policy when named by its role', identity: [v2012(allow('s3:*'))], session: v2012(allow('ec2:*')), resource: v2012(grant({ AWS: WEB_ROLE })), request: { principalArn: WEB_SESSION }, expected: 'implicitDeny' },
  { name: 'a web-identity session is not limited by its session policy when named by its session ARN', identity: [v2012(allow('s3:*'))], session: v2012(allow('ec2:*')), resource: v2012(grant({ AWS: WEB_SESSION })), request: { principalArn: WEB_SESSION }, expected: 'allowed' },
  { name: 'a federated user is not named by its IAM user’s ARN', resource: v2012(grant({ AWS: `arn:aws:iam::${ACCT}:user/dana` })), request: { principalArn: `arn:aws:sts::${ACCT}:federated-user/dana` }, expected: 'implicitDeny' },
  { name: 'a federated user is limited by its session policy on the identity side', identity: [v2012(allow('s3:*'))], session: v2012(allow('ec2:*')), request: { principalArn: `arn:aws:sts::${ACCT}:federated-user/dana` }, expected: 'implicitDeny' },
  { name: 'NotPrincipal Deny exempts a web-identity session named with its role and account', identity: [v2012(allow('*'))], resource: v2012(denyExcept({ AWS: [WEB_SESSION, WEB_ROLE, ACCT] })), request: { principalArn: WEB_SESSION }, expected: 'allowed' },
  { name: 'NotPrincipal Deny naming only the provider denies the web-identity session', identity: [v2012(allow('*'))], resource: v2012(denyExcept({ Federated: OIDC })), request: { principalArn: WEB_SESSION }, expected: 'explicitDeny' },
  { name: 'NotPrincipal Deny exempts a federated user named with its account', identity: [v2012(allow('*'))], resource: v2012(denyExcept({ AWS: [`arn:aws:sts::${ACCT}:federated-user/dana`, ACCT] })), request: { principalArn: `arn:aws:sts::${ACCT}:federated-user/dana` }, expected: 'allowed' },
  { name: 'NotPrincipal Deny naming the federated user’s IAM user denies the federated user', identity: [v2012(allow('*'))], resource: v2012(denyExcept({ AWS: [`arn:aws:iam::${ACCT}:user/dana`, ACCT] })), request: { principalArn: `arn:aws:sts::${ACCT}:federated-user/dana` }, expected: 'explicitDeny' },
  { name: 'NotPrincipal Deny across accounts exempts only with the foreign account named', identity: [v2012(allow('*'))], resource: v2012(grant({ AWS: OTHER_USER }), denyExcept({ AWS: [OTHER_USER, OTHER] })), request: { principalArn: OTHER_USER, resourceOwnerAccount: ACCT }, expected: 'allowed' },
  { name: 'NotPrincipal Deny across accounts denies when the account is missing', identity: [v2012(allow('*'))], resource: v2012(grant({ AWS: OTHER_USER }), denyExcept({ AWS: [OTHER_USER] })), request: { principalArn: OTHER_USER, resourceOwnerAccount: ACCT }, expected: 'explicitDeny' },
  { name: 'NotPrincipal Allow grants to a web-identity session not named', resource: v2012({ Effect: 'Allow', NotPrincipal: { AWS: [BOB, ACCT] }, Action: 's3:GetObject', Resource: '*' }), request: { principalArn: WEB_SESSION }, expected: 'allowed' },
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
const cross = { resourceOwnerAccount: OTHER };
table('cross-account requests', [
  { name: 'an identity Allow alone is not enough across accounts', identity: [v2012(allow('s3:GetObject'))], request: cross, expected: 'implicitDeny' },
  { name: 'a resource-policy grant alone is not enough across accounts', resource: v2012(grant({ AWS: USER })), request: cross, expected: 'implicitDeny' },
  { name: 'both sides allowing allows across accounts', identity: [v2012(allow('s3:GetObject'))], resource: v2012(grant({ AWS: USER })), request: cross, expected: 'allowed', matched: [['identity', 0, 0], ['resource', 0, 0]] },
  { name: 'a grant to the caller’s account plus an identity Allow allows across accounts', identity: [v2012(allow('s3:GetObject'))], resource: v2012(grant({ AWS: ACCT })), request: cross, expected: 'allowed' },
  { name: 'a grant to the resource owner’s account does not cover a foreign caller', identity: [v2012(allow('s3:GetObject'))], resource: v2012(grant({ AWS: OTHER })), request: cross, expected: 'implicitDeny' },
  { name: 'the caller’s boundary still limits across accounts', identity: [v2012(allow('s3:GetObject'))], boundary: v2012(allow('ec2:*')), resource: v2012(grant({ AWS: USER })), request: cross, expected: 'implicitDeny' },
  { name: 'a resource-policy Deny denies across accounts', identity: [v2012(allow('*'))], resource: v2012(grant({ AWS: USER }), { Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: '*' }), request: cross, expected: 'explicitDeny' },
  { name: 'a resource owner equal to the caller’s account is the same-account case', resource: v2012(grant({ AWS: USER })), request: { resourceOwnerAccount: ACCT }, expected: 'allowed' },
  { name: 'a null resource owner is the same-account case', resource: v2012(grant({ AWS: USER })), request: { resourceOwnerAccount: null }, expected: 'allowed' },
  { name: 'a foreign principal with only a public grant is denied without its identity side', resource: v2012(grant('*')), request: { principalArn: OTHER_USER, resourceOwnerAccount: ACCT }, expected: 'implicitDeny' },
  { name: 'a foreign session with identity and resource grants is allowed', identity: [v2012(allow('s3:*'))], resource: v2012(grant({ AWS: `arn:aws:iam::${OTHER}:role/Reader` })), request: { principalArn: `arn:aws:sts::${OTHER}:assumed-role/Reader/s`, resourceOwnerAccount: ACCT }, expected: 'allowed' },
  { name: 'the context is not derived from principalArn', identity: [v2012(allow('s3:GetObject', '*', { Condition: { StringEquals: { 'aws:PrincipalAccount': ACCT } } }))], expected: 'implicitDeny', missing: ['aws:PrincipalAccount'] },
]);

// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_manage-assume.html
const trust = (principal: StatementJson['Principal']): PolicyJson => v2012({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' });
const assume = { action: 'sts:AssumeRole', resourceArn: ROLE };
table('role trust policies (sts:AssumeRole)', [
  { name: 'a trust policy naming the user lets it assume the role', resource: trust({ AWS: USER }), request: assume, expected: 'allowed' },
  { name: 'a trust policy naming the account needs an identity Allow', resource: trust({ AWS: ACCT }), request: assume, expected: 'implicitDeny' },
  { name: 'a trust policy naming the account plus an identity Allow allows', identity: [v2012(allow('sts:AssumeRole', ROLE))], resource: trust({ AWS: ACCT }), request: assume, expected: 'allowed' },
  { name: 'a trust policy naming a service lets the service assume the role', resource: trust({ Service: 'ec2.amazonaws.com' }), request: { ...assume, principalArn: 'ec2.amazonaws.com' }, expected: 'allowed' },
  { name: 'a cross-account caller needs both the trust policy and its identity Allow', identity: [v2012(allow('sts:AssumeRole', ROLE))], resource: trust({ AWS: OTHER }), request: { ...assume, principalArn: OTHER_USER, resourceOwnerAccount: ACCT }, expected: 'allowed' },
  { name: 'a cross-account caller without an identity Allow is denied', resource: trust({ AWS: OTHER_USER }), request: { ...assume, principalArn: OTHER_USER, resourceOwnerAccount: ACCT }, expected: 'implicitDeny' },
  { name: 'a trust policy given as JSON text is parsed as a trust policy', asText: true, resource: trust({ AWS: USER }), request: assume, expected: 'allowed' },
]);

// Role trust policies and KMS key policies must allow, in one account too: "For most
// resources, you only need an explicit allow for the principal in either an
// identity-based policy or a resource-based policy to grant access. IAM role trust
// policies and KMS key policies are exceptions to this logic, because they must
// explicitly allow access for principals."
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policies_accounts.html
// "Unless the key policy explicitly allows it, you cannot use IAM policies to allow access
// to a KMS key. ... (You can use an IAM policy to deny a permission to a KMS key without
// permission from a key policy.)" https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html
// "If a user is listed as the principal in a role's trust policy but cannot assume the role,
// check the user's permissions boundary. If a permissions boundary is set for the user, then
// it must allow the sts:AssumeRole action."
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_update-role-trust-policy.html
const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const decrypt = { action: 'kms:Decrypt', resourceArn: KEY };
const keyPolicy = (principal: StatementJson['Principal'], action = 'kms:*'): PolicyJson => v2012({ Effect: 'Allow', Principal: principal, Action: action, Resource: '*' });
table('resource policies that must allow: role trust and KMS key policies', [
  { name: 'an identity Allow alone never lets a user assume a role of its account', identity: [v2012(allow('sts:AssumeRole', '*'))], request: assume, expected: 'implicitDeny' },
  { name: 'an identity Allow of sts:* on every resource does not either', identity: [v2012(allow('*'))], request: assume, expected: 'implicitDeny' },
  { name: 'a trust policy naming another user leaves the identity Allow without effect', identity: [v2012(allow('sts:AssumeRole', ROLE))], resource: trust({ AWS: BOB }), request: assume, expected: 'implicitDeny' },
  { name: 'an identity Allow alone is not enough for AssumeRoleWithWebIdentity', identity: [v2012(allow('sts:*'))], request: { action: 'sts:AssumeRoleWithWebIdentity', resourceArn: ROLE }, expected: 'implicitDeny' },
  { name: 'an identity Allow alone is not enough for sts:TagSession on a role', identity: [v2012(allow('sts:TagSession'))], request: { action: 'sts:TagSession', resourceArn: ROLE }, expected: 'implicitDeny' },
  { name: 'sts:TagSession on a federated user (GetFederationToken) needs no resource policy', identity: [v2012(allow('sts:TagSession'))], request: { action: 'sts:TagSession', resourceArn: `arn:aws:sts::${ACCT}:federated-user/dana` }, expected: 'allowed' },
  { name: 'a trust policy naming the user is limited by the user’s boundary', boundary: v2012(allow('s3:*')), resource: trust({ AWS: USER }), request: assume, expected: 'implicitDeny' },
  { name: 'a trust policy naming the user allows when the boundary allows sts:AssumeRole', boundary: v2012(allow('sts:AssumeRole')), resource: trust({ AWS: USER }), request: assume, expected: 'allowed', matched: [['resource', 0, 0]] },
  { name: 'a trust policy naming the session’s role is limited by the session policy', session: v2012(allow('s3:*')), resource: trust({ AWS: ROLE }), request: { ...assume, principalArn: SESSION }, expected: 'implicitDeny' },
  { name: 'a trust policy naming the session ARN is not limited by the session policy', session: v2012(allow('s3:*')), resource: trust({ AWS: SESSION }), request: { ...assume, principalArn: SESSION }, expected: 'allowed' },
  { name: 'a public trust policy is limited by the boundary', boundary: v2012(allow('s3:*')), resource: trust('*'), request: assume, expected: 'implicitDeny' },
  { name: 'an identity Deny still denies the trusted user', identity: [v2012(deny('sts:AssumeRole'))], resource: trust({ AWS: USER }), request: assume, expected: 'explicitDeny' },
  { name: 'an identity Allow alone is not enough for a KMS key', identity: [v2012(allow('kms:*'))], request: decrypt, expected: 'implicitDeny' },
  { name: 'a key policy that does not name the caller leaves the identity Allow without effect', identity: [v2012(allow('kms:*'))], resource: keyPolicy({ AWS: BOB }), request: decrypt, expected: 'implicitDeny' },
  { name: 'a key policy enabling IAM policies (the account) plus an identity Allow allows', identity: [v2012(allow('kms:Decrypt'))], resource: keyPolicy({ AWS: `arn:aws:iam::${ACCT}:root` }), request: decrypt, expected: 'allowed', matched: [['identity', 0, 0], ['resource', 0, 0]] },
  { name: 'a key policy enabling IAM policies grants nothing without an identity Allow', resource: keyPolicy({ AWS: ACCT }), request: decrypt, expected: 'implicitDeny' },
  { name: 'a key policy naming the user allows on its own', resource: keyPolicy({ AWS: USER }), request: decrypt, expected: 'allowed' },
  { name: 'an identity Deny denies a KMS key without the key policy', identity: [v2012(deny('kms:Decrypt'))], resource: keyPolicy({ AWS: USER }), request: decrypt, expected: 'explicitDeny' },
  { name: 'kms:CreateKey (resource *) is decided by identity policies alone', identity: [v2012(allow('kms:CreateKey'))], request: { action: 'kms:CreateKey', resourceArn: '*' }, expected: 'allowed' },
  { name: 'an alias is decided by identity policies alone', identity: [v2012(allow('kms:CreateAlias'))], request: { action: 'kms:CreateAlias', resourceArn: `arn:aws:kms:us-east-1:${ACCT}:alias/app` }, expected: 'allowed' },
]);

// JSON text goes through parsePolicy; the decision must not depend on the form.
table('policies given as JSON text', [
  { name: 'allows from JSON text', asText: true, identity: [v2012(allow('s3:GetObject', OBJ))], expected: 'allowed' },
  { name: 'denies explicitly from JSON text', asText: true, identity: [v2012(allow('*'), deny('s3:*'))], expected: 'explicitDeny' },
  { name: 'applies a boundary from JSON text', asText: true, identity: [v2012(allow('*'))], boundary: v2012(allow('ec2:*')), expected: 'implicitDeny' },
  { name: 'applies a session policy from JSON text', asText: true, identity: [v2012(allow('*'))], session: v2012(allow('s3:GetObject')), request: { principalArn: SESSION }, expected: 'allowed' },
  { name: 'applies a resource policy from JSON text', asText: true, resource: v2012(grant({ AWS: USER })), expected: 'allowed' },
  { name: 'substitutes variables from JSON text', asText: true, identity: [v2012(allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*'))], request: { resourceArn: 'arn:aws:s3:::home/alice/x', context: { 'aws:username': 'alice' } }, expected: 'allowed' },
]);

describe('evaluate: results and errors', () => {
  it('reports Sid and policyId of the deciding statements', () => {
    const result = evaluateRequest({
      principalArn: USER, action: 's3:GetObject', resourceArn: OBJ,
      identityPolicies: [doc({ Version: '2012-10-17', Id: 'doc-id', Statement: [{ Sid: 'Read', ...allow('s3:*') }] }, 'managed', 'arn:aws:iam::aws:policy/Read')],
    });
    expect(result.matchedStatements).toEqual([
      { source: 'identity', policyIndex: 0, policyId: 'arn:aws:iam::aws:policy/Read', sid: 'Read', statementIndex: 0, effect: 'Allow' },
    ]);
  });
  it('falls back to the document Id when there is no policyId', () => {
    const result = evaluateRequest({ principalArn: USER, action: 's3:GetObject', resourceArn: OBJ, identityPolicies: [doc({ Version: '2012-10-17', Id: 'doc-id', Statement: allow('*') })] });
    expect(result.matchedStatements[0]?.policyId).toBe('doc-id');
  });
  it('throws PolicyError for policy text that does not parse', () => {
    expect(() => evaluateRequest({ principalArn: USER, action: 's3:GetObject', resourceArn: OBJ, identityPolicies: ['{ not json'] })).toThrow(PolicyError);
  });
  it('gives the same answer for a repeated document object (compiled once)', () => {
    const policy = doc(v2012(allow('s3:Get*')));
    const request = { principalArn: USER, action: 's3:GetObject', resourceArn: OBJ, identityPolicies: [policy] };
    expect(evaluateRequest(request).decision).toBe('allowed');
    expect(evaluateRequest({ ...request, action: 's3:PutObject' }).decision).toBe('implicitDeny');
  });
  it('indexes the same policies once, however often they are compiled', () => {
    const text = JSON.stringify(v2012(allow('s3:Get*')));
    const policy = doc(v2012(allow('*')));
    const a = compilePolicySet({ identityPolicies: [text, policy] });
    expect(compilePolicySet({ identityPolicies: [text, policy] }).statements).toBe(a.statements);
    expect(compilePolicySet({ identityPolicies: [policy, text] }).statements).not.toBe(a.statements);
    expect(compilePolicySet({ identityPolicies: [text], permissionsBoundary: policy }).statements).not.toBe(a.statements);
  });
  it('does not change the request context', () => {
    const context = { 'aws:username': 'alice' };
    evaluateRequest({ principalArn: USER, action: 's3:GetObject', resourceArn: OBJ, context, identityPolicies: [doc(v2012(allow('*')))] });
    expect(context).toEqual({ 'aws:username': 'alice' });
  });
});
