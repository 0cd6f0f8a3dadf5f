// Table-driven tests of validatePolicy: each case names the behaviour, cites
// the Access Analyzer check (or AWS page) behind it, and lists the findings
// expected, exactly (type, issue code and, where given, location).
import { describe, expect, it } from 'vitest';
import type { FindingType, PolicyType } from './types.js';
import { validatePolicy } from './validate.js';

const CHECKS = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html';
const docs = {
  checks: CHECKS,
  version: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html',
  variables: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html',
  operators: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
  multivalued: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html',
  passRole: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html',
  notAction: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html',
  notPrincipal: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html',
  arns: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html',
  catalog: 'https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html',
  globalKeys: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html',
  grammar: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
} as const;

interface ExpectedFinding {
  findingType: FindingType;
  issueCode: string;
  locations?: Array<Array<string | number>>;
  details?: string;
}
interface Case {
  name: string;
  doc: keyof typeof docs;
  policy: string | object;
  policyType?: PolicyType;
  expected: ExpectedFinding[];
}

const V = '2012-10-17';
const one = (statement: object, top: object = { Version: V }) => ({ ...top, Statement: [statement] });
const allow = (extra: object = {}) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*', ...extra });
const cond = (condition: object, extra: object = {}) => one(allow({ Condition: condition, ...extra }));
const f = (findingType: FindingType, issueCode: string, locations?: Array<Array<string | number>>, details?: string): ExpectedFinding => ({
  findingType,
  issueCode,
  ...(locations ? { locations } : {}),
  ...(details ? { details } : {}),
});

const cases: Case[] = [
  // ---- clean policies
  { name: 'finds nothing in a tidy identity policy', doc: 'checks', policy: one(allow()), expected: [] },
  { name: 'finds nothing in a tidy trust policy', doc: 'checks', policyType: 'trust', policy: one({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }), expected: [] },
  { name: 'finds nothing in a tidy bucket policy', doc: 'checks', policyType: 'resource', policy: one({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::bucket/*' }), expected: [] },
  { name: 'passes actions of an unknown service prefix silently (a customer namespace)', doc: 'catalog', policy: one(allow({ Action: ['mycorp:DoThing', 'mycorp:*'] })), expected: [f('SUGGESTION', 'REDUNDANT_ACTION')] },
  { name: 'passes condition keys of an identity provider namespace silently', doc: 'globalKeys', policyType: 'trust', policy: one({ Effect: 'Allow', Principal: { Federated: 'accounts.google.com' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { 'accounts.google.com:aud': 'app' } } }), expected: [] },

  // ---- parse failures become one ERROR finding
  { name: 'reports invalid JSON as one JSON_SYNTAX_ERROR', doc: 'grammar', policy: '{"Statement": [', expected: [f('ERROR', 'JSON_SYNTAX_ERROR', [['Statement', 0]])] },
  { name: 'reports a duplicate key as one JSON_SYNTAX_ERROR at the key', doc: 'grammar', policy: '{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Action":"s3:PutObject","Resource":"*"}}', expected: [f('ERROR', 'JSON_SYNTAX_ERROR', [['Statement', 'Action']])] },
  { name: 'reports an action without a service prefix as INVALID_ACTION', doc: 'checks', policy: one(allow({ Action: 'GetObject' })), expected: [f('ERROR', 'INVALID_ACTION', [['Statement', 0, 'Action']], 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc. "GetObject" has no service prefix (at Statement[0].Action, line 1 column 65)')] },
  { name: 'reports a Principal in an identity policy as UNSUPPORTED_PRINCIPAL', doc: 'checks', policy: one(allow({ Principal: '*' })), expected: [f('ERROR', 'UNSUPPORTED_PRINCIPAL')] },
  { name: 'reports a trust policy without principal as MISSING_PRINCIPAL', doc: 'checks', policyType: 'trust', policy: one({ Effect: 'Allow', Action: 'sts:AssumeRole' }), expected: [f('ERROR', 'MISSING_PRINCIPAL')] },
  { name: 'reports an unknown element as INVALID_POLICY_ELEMENT', doc: 'checks', policy: one(allow({ Foo: 'x' })), expected: [f('ERROR', 'INVALID_POLICY_ELEMENT', [['Statement', 0, 'Foo']])] },
  { name: 'reports lower-case allow as INVALID_EFFECT', doc: 'checks', policy: one(allow({ Effect: 'allow' })), expected: [f('ERROR', 'INVALID_EFFECT')] },
  { name: 'reports a missing Effect as MISSING_EFFECT', doc: 'checks', policy: one({ Action: 's3:GetObject', Resource: '*' }), expected: [f('ERROR', 'MISSING_EFFECT')] },
  { name: 'reports an empty Action array as MISSING_ACTION', doc: 'checks', policy: one(allow({ Action: [] })), expected: [f('ERROR', 'MISSING_ACTION')] },
  { name: 'reports an empty Resource array as MISSING_RESOURCE', doc: 'checks', policy: one(allow({ Resource: [] })), expected: [f('ERROR', 'MISSING_RESOURCE')] },
  { name: 'reports duplicate Sids as UNIQUE_SIDS_REQUIRED', doc: 'checks', policy: { Version: V, Statement: [allow({ Sid: 'A' }), allow({ Sid: 'A', Effect: 'Deny' })] }, expected: [f('ERROR', 'UNIQUE_SIDS_REQUIRED')] },
  { name: 'reports Action with NotAction as UNSUPPORTED_ELEMENT_COMBINATION', doc: 'checks', policy: one(allow({ NotAction: 's3:*' })), expected: [f('ERROR', 'UNSUPPORTED_ELEMENT_COMBINATION')] },
  { name: 'reports an unknown operator as INVALID_CONDITION_OPERATOR', doc: 'checks', policy: cond({ StringContains: { 'aws:username': 'a' } }), expected: [f('ERROR', 'INVALID_CONDITION_OPERATOR')] },
  { name: 'reports an unknown Version as INVALID_VERSION', doc: 'version', policy: one(allow(), { Version: '2020-01-01' }), expected: [f('ERROR', 'INVALID_VERSION', [['Version']])] },
  { name: 'reports an oversized policy as one ERROR finding', doc: 'checks', policyType: 'user', policy: one(allow({ Sid: 'A'.repeat(3000) })), expected: [f('ERROR', 'POLICY_SIZE_EXCEEDS_QUOTA')] },
  { name: 'reports a Date value that is not a date as INVALID_CONDITION_DATA_TYPE', doc: 'operators', policy: cond({ DateLessThan: { 'aws:CurrentTime': 'tomorrow' } }), expected: [f('ERROR', 'INVALID_CONDITION_DATA_TYPE')] },

  // ---- actions
  { name: 'reports an action that does not exist in a known service', doc: 'catalog', policy: one(allow({ Action: ['s3:GetObject', 's3:GetObjekt'] })), expected: [f('ERROR', 'INVALID_ACTION', [['Statement', 0, 'Action', 1]], 'The action s3:GetObjekt does not exist.')] },
  { name: 'matches action names case-insensitively against the catalog', doc: 'catalog', policy: one(allow({ Action: 'S3:getobject' })), expected: [] },
  { name: 'reports a wildcard action that matches no action of the service', doc: 'catalog', policy: one(allow({ Action: 'ec2:Frobnicate*' })), expected: [f('ERROR', 'INVALID_ACTION', [['Statement', 0, 'Action']])] },
  { name: 'accepts a wildcard action that matches some action', doc: 'catalog', policy: one(allow({ Action: ['ec2:Describe*', 'iam:Get?ser'] , Resource: '*' })), expected: [] },
  { name: 'checks NotAction entries against the catalog too', doc: 'catalog', policy: one({ Effect: 'Deny', NotAction: 'iam:Nope', Resource: '*' }), expected: [f('ERROR', 'INVALID_ACTION', [['Statement', 0, 'NotAction']])] },
  { name: 'suggests removing an action a service wildcard already grants', doc: 'checks', policy: one(allow({ Action: ['s3:*', 's3:GetObject'] })), expected: [f('SUGGESTION', 'REDUNDANT_ACTION', [['Statement', 0, 'Action', 1]])] },
  { name: 'suggests removing a repeated action (case-insensitively)', doc: 'checks', policy: one(allow({ Action: ['s3:GetObject', 's3:getobject'] })), expected: [f('SUGGESTION', 'REDUNDANT_ACTION', [['Statement', 0, 'Action', 1]])] },
  { name: 'suggests removing a narrower wildcard covered by a wider one', doc: 'checks', policy: one(allow({ Action: ['s3:Get*', 's3:GetObject*'] })), expected: [f('SUGGESTION', 'REDUNDANT_ACTION', [['Statement', 0, 'Action', 1]])] },
  { name: 'does not call overlapping but different actions redundant', doc: 'checks', policy: one(allow({ Action: ['s3:GetObject', 's3:PutObject', 's3:List*'] })), expected: [] },
  { name: 'warns about iam:PassRole on every resource', doc: 'passRole', policy: one(allow({ Action: 'iam:PassRole', Resource: '*' })), expected: [f('SECURITY_WARNING', 'PASS_ROLE_WITH_STAR_IN_RESOURCE', [['Statement', 0, 'Resource']])] },
  { name: 'warns about iam:PassRole on a wildcard role ARN', doc: 'passRole', policy: one(allow({ Action: ['iam:GetRole', 'iam:PassRole'], Resource: 'arn:aws:iam::123456789012:role/*' })), expected: [f('SECURITY_WARNING', 'PASS_ROLE_WITH_STAR_IN_RESOURCE')] },
  { name: 'warns about a wildcard action that includes iam:PassRole on every resource', doc: 'passRole', policy: one(allow({ Action: 'iam:*', Resource: '*' })), expected: [f('SECURITY_WARNING', 'PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE')] },
  { name: 'does not warn about iam:PassRole limited by iam:PassedToService', doc: 'passRole', policy: one(allow({ Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } })), expected: [] },
  { name: 'does not warn about iam:PassRole on one role', doc: 'passRole', policy: one(allow({ Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/App' })), expected: [] },
  { name: 'does not warn about a Deny of iam:PassRole', doc: 'passRole', policy: one(allow({ Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' })), expected: [] },
  { name: 'warns about Allow with NotAction on every resource', doc: 'notAction', policy: one({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }), expected: [f('SECURITY_WARNING', 'ALLOW_WITH_NOT_ACTION_AND_STAR_IN_RESOURCE', [['Statement', 0, 'NotAction']])] },
  { name: 'does not warn about Deny with NotAction', doc: 'notAction', policy: one({ Effect: 'Deny', NotAction: 'iam:*', Resource: '*' }), expected: [] },

  // ---- resources
  { name: 'suggests removing a resource a wildcard already covers', doc: 'checks', policy: one(allow({ Resource: ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/key'] })), expected: [f('SUGGESTION', 'REDUNDANT_RESOURCE', [['Statement', 0, 'Resource', 1]])] },
  { name: 'treats resources as case-sensitive when looking for redundancy', doc: 'arns', policy: one(allow({ Resource: ['arn:aws:s3:::Bucket/*', 'arn:aws:s3:::bucket/key'] })), expected: [] },
  { name: 'reports an ARN with missing fields', doc: 'arns', policy: one(allow({ Resource: 'arn:aws:s3' })), expected: [f('ERROR', 'MISSING_ARN_FIELD', [['Statement', 0, 'Resource']])] },
  { name: 'reports an upper-case service in an ARN', doc: 'arns', policy: one(allow({ Resource: 'arn:aws:S3:::bucket' })), expected: [f('ERROR', 'INVALID_ARN_SERVICE_CASE')] },
  { name: 'reports a malformed Region in an ARN', doc: 'arns', policy: one(allow({ Resource: 'arn:aws:ec2:useast1:123456789012:instance/*' })), expected: [f('ERROR', 'INVALID_ARN_REGION')] },
  { name: 'reports a malformed account ID in an ARN', doc: 'arns', policy: one(allow({ Resource: 'arn:aws:ec2:us-east-1:1234:instance/*' })), expected: [f('ERROR', 'INVALID_ARN_ACCOUNT')] },
  { name: 'reports a literal ARN that matches no resource type of its service', doc: 'catalog', policy: one(allow({ Action: 'iam:GetRole', Resource: 'arn:aws:iam::123456789012:rol/App' })), expected: [f('ERROR', 'INVALID_ARN_RESOURCE', [['Statement', 0, 'Resource']])] },
  { name: 'accepts literal ARNs of documented resource types', doc: 'catalog', policy: one(allow({ Action: '*', Resource: ['arn:aws:iam::123456789012:user/path/bob', 'arn:aws:lambda:us-east-1:123456789012:function:f', 'arn:aws:dynamodb:us-east-1:123456789012:table/T', 'arn:aws:iam::aws:policy/AdministratorAccess'] })), expected: [] },
  { name: 'checks the resource type of an ARN with wildcard Region and account', doc: 'catalog', policy: one(allow({ Action: 'ec2:StartInstances', Resource: 'arn:aws:ec2:*:*:instanse/i-1' })), expected: [f('ERROR', 'INVALID_ARN_RESOURCE')] },
  { name: 'leaves ARNs with wildcards in the resource part to matching', doc: 'catalog', policy: one(allow({ Action: 'ec2:StartInstances', Resource: 'arn:aws:ec2:*:*:inst*' })), expected: [] },
  { name: 'leaves the resource type of unknown services unchecked', doc: 'catalog', policy: one(allow({ Action: 'mycorp:Do', Resource: 'arn:aws:mycorp:us-east-1:123456789012:thing/x' })), expected: [] },
  { name: 'accepts wildcards and variables in ARN fields', doc: 'arns', policy: one(allow({ Action: 'ec2:StartInstances', Resource: ['arn:aws:ec2:*:${aws:PrincipalAccount}:instance/*'] })), expected: [] },

  // ---- principals
  { name: 'warns about Allow with NotPrincipal', doc: 'notPrincipal', policyType: 'resource', policy: one({ Effect: 'Allow', NotPrincipal: { AWS: '123456789012' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), expected: [f('SECURITY_WARNING', 'ALLOW_WITH_NOT_PRINCIPAL')] },

  // ---- conditions
  { name: 'reports a global condition key that does not exist', doc: 'globalKeys', policy: cond({ StringEquals: { 'aws:UserName2': 'bob' } }), expected: [f('ERROR', 'INVALID_GLOBAL_CONDITION_KEY', [['Statement', 0, 'Condition', 'StringEquals', 'aws:UserName2']])] },
  { name: 'reports a service condition key that does not exist', doc: 'catalog', policy: cond({ StringEquals: { 's3:prefixx': 'home/' } }), expected: [f('ERROR', 'INVALID_SERVICE_CONDITION_KEY')] },
  { name: 'matches condition key names case-insensitively', doc: 'globalKeys', policy: cond({ IpAddress: { 'AWS:SOURCEIP': '203.0.113.0/24' } }), expected: [] },
  { name: 'accepts tag condition keys with any tag name', doc: 'globalKeys', policy: cond({ StringEquals: { 'aws:PrincipalTag/team': 'x', 'aws:ResourceTag/env': 'prod', 's3:ExistingObjectTag/class': 'a' } }), expected: [] },
  { name: 'warns about a Date operator on a String key', doc: 'operators', policy: cond({ DateGreaterThan: { 'aws:username': '2020-01-01' } }), expected: [f('WARNING', 'TYPE_MISMATCH')] },
  { name: 'warns about a Numeric operator on an IP key', doc: 'operators', policy: cond({ NumericEquals: { 'aws:SourceIp': 1 } }), expected: [f('WARNING', 'TYPE_MISMATCH')] },
  { name: 'accepts a String operator on an ARN key', doc: 'operators', policy: cond({ StringLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/x' } }), expected: [] },
  { name: 'warns about a non-numeric value with a Numeric operator', doc: 'operators', policy: cond({ NumericLessThan: { 's3:max-keys': 'ten' } }), expected: [f('WARNING', 'TYPE_MISMATCH_NUMBER', [['Statement', 0, 'Condition', 'NumericLessThan', 's3:max-keys']])] },
  { name: 'accepts numeric strings with a Numeric operator', doc: 'operators', policy: cond({ NumericLessThan: { 's3:max-keys': ['10', 2.5, '-3'] } }), expected: [] },
  { name: 'warns about an invalid CIDR with IpAddress', doc: 'operators', policy: cond({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '203.0.113.0/33'] } }), expected: [f('WARNING', 'TYPE_MISMATCH_IP_RANGE', [['Statement', 0, 'Condition', 'IpAddress', 'aws:SourceIp', 1]])] },
  { name: 'accepts IPv6 ranges with NotIpAddress', doc: 'operators', policy: cond({ NotIpAddress: { 'aws:SourceIp': '2001:db8::/32' } }), expected: [] },
  { name: 'warns that a private address never matches aws:SourceIp', doc: 'globalKeys', policy: cond({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }), expected: [f('WARNING', 'PRIVATE_IP_ADDRESS')] },
  { name: 'warns about a Bool value that is neither true nor false', doc: 'operators', policy: cond({ Bool: { 'aws:SecureTransport': 'yes' } }), expected: [f('WARNING', 'TYPE_MISMATCH_BOOL')] },
  { name: 'reports a Bool key given both true and false', doc: 'operators', policy: cond({ Bool: { 'aws:SecureTransport': [true, false] } }), expected: [f('ERROR', 'INVALID_CONDITION_MULTIPLE_BOOLEAN')] },
  { name: 'warns about a Null check value other than true or false', doc: 'operators', policy: cond({ Null: { 'aws:TokenIssueTime': 'maybe' } }), expected: [f('WARNING', 'TYPE_MISMATCH_BOOL')] },
  { name: 'warns about ForAllValues with a single-valued key', doc: 'multivalued', policy: cond({ 'ForAllValues:StringEquals': { 'aws:username': ['a', 'b'] } }), expected: [f('SECURITY_WARNING', 'FORALLVALUES_WITH_SINGLE_VALUED_KEY', undefined, 'Using ForAllValues qualifier with the single-valued condition key aws:username can be overly permissive. We recommend that you remove ForAllValues:.')] },
  { name: 'accepts ForAllValues with a multivalued key', doc: 'multivalued', policy: cond({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), expected: [] },
  { name: 'suggests removing an empty condition value array', doc: 'checks', policy: cond({ StringEquals: { 'aws:username': [] } }), expected: [f('SUGGESTION', 'EMPTY_ARRAY_CONDITION')] },
  { name: 'suggests removing an empty Condition object', doc: 'checks', policy: cond({}), expected: [f('SUGGESTION', 'EMPTY_OBJECT_CONDITION', [['Statement', 0, 'Condition']])] },
  { name: 'suggests removing an empty operator block', doc: 'checks', policy: cond({ StringEquals: {} }), expected: [f('SUGGESTION', 'EMPTY_OBJECT_CONDITION', [['Statement', 0, 'Condition', 'StringEquals']])] },
  { name: 'reports one condition key written twice in different case', doc: 'checks', policy: cond({ StringEquals: { 'aws:username': 'a', 'aws:UserName': 'b' } }), expected: [f('ERROR', 'DUPLICATE_KEYS_WITH_DIFFERENT_CASE')] },
  { name: 'reports a policy variable with a Numeric operator', doc: 'variables', policy: cond({ NumericEquals: { 's3:max-keys': '${aws:username}' } }), expected: [f('ERROR', 'INVALID_VARIABLE_FOR_OPERATOR')] },

  // ---- version and policy variables
  { name: 'warns about a missing Version', doc: 'version', policy: { Statement: allow() }, expected: [f('WARNING', 'MISSING_VERSION', [[]])] },
  { name: 'does not warn about Version 2008-10-17 without variables', doc: 'version', policy: one(allow(), { Version: '2008-10-17' }), expected: [] },
  { name: 'reports policy variables under Version 2008-10-17 (read literally)', doc: 'variables', policy: one(allow({ Resource: 'arn:aws:s3:::b/${aws:username}/*' }), { Version: '2008-10-17' }), expected: [f('ERROR', 'VARIABLE_UNSUPPORTED_IN_VERSION', [['Version']])] },
  { name: 'reports policy variables without a Version', doc: 'variables', policy: { Statement: allow({ Resource: 'arn:aws:s3:::b/${aws:username}/*' }) }, expected: [f('ERROR', 'VARIABLE_UNSUPPORTED_IN_VERSION', [['Statement', 'Resource']]), f('WARNING', 'MISSING_VERSION')] },
  { name: 'accepts a variable with a quoted default value', doc: 'variables', policy: one(allow({ Resource: "arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*" })), expected: [] },
  { name: 'accepts the ${*} ${?} ${$} escapes', doc: 'variables', policy: one(allow({ Resource: 'arn:aws:s3:::b/${*}${?}${$}' })), expected: [] },
  { name: 'reports a variable without a closing brace', doc: 'variables', policy: one(allow({ Resource: 'arn:aws:s3:::b/${aws:username' })), expected: [f('ERROR', 'MISSING_BRACE_IN_VARIABLE')] },
  { name: 'reports an empty variable', doc: 'variables', policy: one(allow({ Resource: 'arn:aws:s3:::b/${}' })), expected: [f('ERROR', 'EMPTY_VARIABLE')] },
  { name: 'reports a space inside a variable name', doc: 'variables', policy: cond({ StringLike: { 's3:prefix': '${aws: username}/*' } }), expected: [f('ERROR', 'UNSUPPORTED_SPACE_IN_VARIABLE', [['Statement', 0, 'Condition', 'StringLike', 's3:prefix']])] },
  { name: 'reports an unquoted default value', doc: 'variables', policy: one(allow({ Resource: 'arn:aws:s3:::b/${aws:username, nobody}' })), expected: [f('ERROR', 'MISSING_QUOTE_IN_VARIABLE')] },
  { name: 'reports a policy variable in Action', doc: 'variables', policy: one(allow({ Action: 'mycorp:${Verb}' })), expected: [f('ERROR', 'VARIABLE_UNSUPPORTED_IN_ELEMENT', [['Statement', 0, 'Action']])] },

  // ---- statements
  { name: 'suggests removing a statement identical to another (Sid and order aside)', doc: 'checks', policy: { Version: V, Statement: [allow({ Sid: 'A', Action: ['s3:GetObject', 's3:PutObject'] }), allow({ Sid: 'B', Action: ['s3:putobject', 's3:GetObject'] })] }, expected: [f('SUGGESTION', 'REDUNDANT_STATEMENT', [['Statement', 0], ['Statement', 1]])] },
  { name: 'does not call statements with different effects redundant', doc: 'checks', policy: { Version: V, Statement: [allow(), allow({ Effect: 'Deny' })] }, expected: [] },
  { name: 'lists findings most severe first', doc: 'checks', policy: { Statement: [allow({ Action: ['s3:*', 's3:GetObject', 's3:Nope'] })] }, expected: [f('ERROR', 'INVALID_ACTION'), f('WARNING', 'MISSING_VERSION'), f('SUGGESTION', 'REDUNDANT_ACTION')] },
];

describe('validatePolicy', () => {
  for (const c of cases) {
    it(`${c.name} [${docs[c.doc]}]`, () => {
      const text = typeof c.policy === 'string' ? c.policy : JSON.stringify(c.policy);
      const findings = validatePolicy(text, { policyType: c.policyType ?? 'managed' });
      expect(findings.map((x) => `${x.findingType} ${x.issueCode}`)).toEqual(c.expected.map((x) => `${x.findingType} ${x.issueCode}`));
      c.expected.forEach((e, i) => {
        if (e.locations) expect(findings[i]?.locations).toEqual(e.locations);
        if (e.details) expect(findings[i]?.findingDetails).toBe(e.details);
      });
    });
  }

  it('never throws, whatever the input', () => {
    for (const text of ['', 'null', '[]', '{"Statement":null}', '{"Statement":[{}]}', '\u0000', '{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":[[]]}}}}']) {
      expect(() => validatePolicy(text, { policyType: 'managed' })).not.toThrow();
      expect(validatePolicy(text, { policyType: 'managed' })).toHaveLength(1);
    }
  });
});
