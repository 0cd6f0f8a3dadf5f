// Table-driven tests of parsePolicy: each case names the behaviour and cites
// the AWS page behind it (`doc`, a key of `docs`).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PolicyError, type PolicyPath } from './errors.js';
import { parsePolicy } from './parse.js';
import type { PolicyType, PolicyVersion, Statement } from './types.js';

const docs = {
  grammar: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html',
  version: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html',
  id: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_id.html',
  statement: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html',
  sid: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html',
  effect: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html',
  principal: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html',
  notPrincipal: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html',
  action: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html',
  notAction: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html',
  resource: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html',
  notResource: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html',
  arns: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html',
  condition: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html',
  operators: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html',
  multivalued: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html',
  quotas: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
  stsPolicy: 'https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html',
  trust: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html',
  createPolicyErrors: 'https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html#API_CreatePolicy_Errors',
  variables: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html',
} as const;

type Expected =
  | { ok: { version?: PolicyVersion; id?: string; statements: Array<Partial<Statement>> } }
  | { error: string; code?: 'MalformedPolicyDocument' | 'LimitExceeded'; path?: PolicyPath };

interface Case {
  name: string;
  doc: keyof typeof docs;
  policy: string | object;
  policyType?: PolicyType;
  expected: Expected;
}

const V = '2012-10-17';
/** A one-statement identity policy. */
const one = (statement: object, top: object = { Version: V }) => ({ ...top, Statement: [statement] });
const allow = (extra: object = {}) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...extra });
const trustStmt = (extra: object = {}) => ({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', ...extra });
const resourceStmt = (extra: object = {}) => ({ Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*', ...extra });
const okStmt = (s: Partial<Statement>) => ({ ok: { statements: [s] } });
const err = (error: string, path?: PolicyPath) => ({ error, ...(path ? { path } : {}) });
const cond = (condition: object) => one(allow({ Condition: condition }));
/** A managed policy whose text is exactly `size` characters once white space is removed. */
function policyOfSize(size: number, pad = ''): string {
  const base = JSON.stringify(one(allow({ Sid: '' })));
  const filler = 'A'.repeat(size - base.length);
  return JSON.stringify(one(allow({ Sid: filler })), null, pad ? 2 : undefined) + pad;
}
function policyOfSizeWithCondition(size: number): string {
  const base = JSON.stringify(cond({ StringEquals: { 'aws:username': '' } }));
  return JSON.stringify(cond({ StringEquals: { 'aws:username': 'x'.repeat(size - base.length) } }), null, 4);
}

const SYNTAX = 'Syntax errors in policy.';
const LEGACY = 'The policy failed legacy parsing';

const cases: Case[] = [
  // ---- JSON and document shape
  { name: 'parses a minimal identity policy', doc: 'grammar', policy: one(allow()), expected: { ok: { version: V, statements: [{ index: 0, effect: 'Allow', action: ['s3:GetObject'], resource: ['*'], condition: [] }] } } },
  { name: 'rejects text that is not JSON', doc: 'grammar', policy: '{"Version": "2012-10-17", ', expected: err(SYNTAX) },
  { name: 'rejects empty text', doc: 'grammar', policy: '', expected: err(SYNTAX) },
  { name: 'rejects a trailing comma', doc: 'grammar', policy: '{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",}]}', expected: err(SYNTAX) },
  { name: 'rejects single-quoted strings', doc: 'grammar', policy: "{'Statement':[]}", expected: err(SYNTAX) },
  { name: 'rejects comments', doc: 'grammar', policy: '{/*x*/"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}', expected: err(SYNTAX) },
  { name: 'rejects a JSON array as the document', doc: 'grammar', policy: [allow()], expected: err(SYNTAX) },
  { name: 'rejects a JSON string as the document', doc: 'grammar', policy: '"policy"', expected: err(SYNTAX) },
  { name: 'rejects text after the document', doc: 'grammar', policy: JSON.stringify(one(allow())) + '{}', expected: err(SYNTAX) },
  { name: 'rejects a raw control character inside a string', doc: 'grammar', policy: '{"Statement":{"Effect":"Allow","Action":"s3:\tGet","Resource":"*"}}', expected: err(SYNTAX) },
  { name: 'rejects a number with a leading zero', doc: 'grammar', policy: JSON.stringify(cond({ NumericEquals: { 's3:max-keys': 0 } })).replace(':0}', ':01}'), expected: err(SYNTAX) },
  { name: 'accepts escapes in strings and decodes them', doc: 'grammar', policy: '{"Statement":{"Effect":"Allow","Action":"s3:Get\\u004fbject","Resource":"arn:aws:s3:::b\\/k"}}', expected: okStmt({ action: ['s3:GetObject'], resource: ['arn:aws:s3:::b/k'] }) },
  { name: 'rejects a duplicate top-level key', doc: 'grammar', policy: '{"Version":"2012-10-17","Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}', expected: err(SYNTAX, ['Version']) },
  { name: 'rejects a duplicate Effect key in a statement', doc: 'grammar', policy: '{"Statement":[{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}]}', expected: err(SYNTAX, ['Statement', 0, 'Effect']) },
  { name: 'rejects a duplicate Action key even when the values are equal', doc: 'grammar', policy: '{"Statement":{"Effect":"Allow","Action":"s3:*","Action":"s3:*","Resource":"*"}}', expected: err(SYNTAX, ['Statement', 'Action']) },
  { name: 'rejects a duplicate condition operator', doc: 'condition', policy: '{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"a"},"StringEquals":{"aws:username":"b"}}}}', expected: err(SYNTAX, ['Statement', 'Condition', 'StringEquals']) },
  { name: 'rejects a duplicate condition key in one operator block', doc: 'condition', policy: '{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"a","aws:username":"b"}}}}', expected: err(SYNTAX, ['Statement', 'Condition', 'StringEquals', 'aws:username']) },
  { name: 'rejects a duplicate principal type', doc: 'principal', policyType: 'resource', policy: '{"Statement":{"Effect":"Allow","Principal":{"AWS":"123456789012","AWS":"*"},"Action":"s3:*","Resource":"*"}}', expected: err(SYNTAX) },
  { name: 'treats keys differing only in case as distinct JSON keys (then rejects the unknown one)', doc: 'grammar', policy: '{"Statement":{"Effect":"Allow","effect":"Allow","Action":"s3:*","Resource":"*"}}', expected: err('Unknown field effect') },
  { name: 'rejects an unknown top-level field', doc: 'grammar', policy: { Version: V, Statement: [allow()], Foo: 1 }, expected: err('Unknown field Foo', ['Foo']) },
  { name: 'rejects a misspelt Statement', doc: 'grammar', policy: { Version: V, Statements: [allow()] }, expected: err('Unknown field Statements') },
  { name: 'rejects an unknown statement field', doc: 'statement', policy: one(allow({ Principals: '*' })), expected: err('Unknown field Principals', ['Statement', 0, 'Principals']) },
  { name: 'rejects a lower-case statement element name (element names are case-sensitive)', doc: 'grammar', policy: one({ Effect: 'Allow', action: 's3:*', Resource: '*' }), expected: err('Unknown field action') },
  { name: 'rejects a document without Statement', doc: 'statement', policy: { Version: V }, expected: err('Missing required field Statement') },
  { name: 'rejects Statement as a string', doc: 'statement', policy: { Statement: 'x' }, expected: err(SYNTAX, ['Statement']) },
  { name: 'rejects an empty Statement array', doc: 'statement', policy: { Statement: [] }, expected: err(SYNTAX, ['Statement']) },
  { name: 'rejects a statement that is not an object', doc: 'statement', policy: { Statement: [allow(), 'x'] }, expected: err(SYNTAX, ['Statement', 1]) },
  { name: 'accepts Statement as a single object', doc: 'statement', policy: { Version: V, Statement: allow() }, expected: okStmt({ index: 0, action: ['s3:GetObject'] }) },
  { name: 'numbers statements by their position', doc: 'statement', policy: { Statement: [allow({ Sid: 'A' }), allow({ Sid: 'B', Effect: 'Deny' })] }, expected: { ok: { statements: [{ index: 0, sid: 'A' }, { index: 1, sid: 'B', effect: 'Deny' }] } } },

  // ---- Version and Id
  { name: 'accepts Version 2012-10-17', doc: 'version', policy: one(allow()), expected: { ok: { version: '2012-10-17', statements: [{}] } } },
  { name: 'accepts Version 2008-10-17', doc: 'version', policy: one(allow(), { Version: '2008-10-17' }), expected: { ok: { version: '2008-10-17', statements: [{}] } } },
  { name: 'accepts a missing Version (2008-10-17 rules then apply)', doc: 'version', policy: { Statement: allow() }, expected: { ok: { version: undefined, statements: [{}] } } },
  { name: 'rejects an unknown Version date', doc: 'version', policy: one(allow(), { Version: '2012-10-18' }), expected: err(SYNTAX, ['Version']) },
  { name: 'rejects a Version that is a number', doc: 'version', policy: one(allow(), { Version: 2012 }), expected: err(SYNTAX, ['Version']) },
  { name: 'rejects a Version with white space', doc: 'version', policy: one(allow(), { Version: ' 2012-10-17' }), expected: err(SYNTAX) },
  { name: 'keeps the document Id', doc: 'id', policy: one(allow(), { Version: V, Id: 'cd3ad3d9-2776-4ef1-a904-4c229d1642ee' }), expected: { ok: { id: 'cd3ad3d9-2776-4ef1-a904-4c229d1642ee', statements: [{}] } } },
  { name: 'rejects an Id that is not a string', doc: 'id', policy: one(allow(), { Id: 7 }), expected: err(SYNTAX, ['Id']) },

  // ---- Placement: each element only where the grammar puts it. "policy = { <version_block?> <id_block?>
  // <statement_block> }"; "<statement> = { <sid_block?>, <principal_block?>, <effect_block>, <action_block>,
  // <resource_block>, <condition_block?> }". Version and Id belong to the document (in every policy type),
  // Sid and the other elements to a statement; nothing else is placed anywhere.
  ...(['managed', 'user', 'group', 'role', 'session'] as const).map((policyType): Case => ({ name: `accepts the document Id in a ${policyType} policy`, doc: 'grammar', policyType, policy: one(allow(), { Version: V, Id: 'P1' }), expected: { ok: { id: 'P1', statements: [{}] } } })),
  { name: 'accepts the document Id in a trust policy', doc: 'grammar', policyType: 'trust', policy: one(trustStmt(), { Version: V, Id: 'T1' }), expected: { ok: { id: 'T1', statements: [{}] } } },
  { name: 'accepts the document Id in a resource policy', doc: 'grammar', policyType: 'resource', policy: one(resourceStmt(), { Version: V, Id: 'R1' }), expected: { ok: { id: 'R1', statements: [{}] } } },
  { name: 'rejects Id inside a statement (a statement has Sid)', doc: 'grammar', policy: one(allow({ Id: 'x' })), expected: err('Unknown field Id', ['Statement', 0, 'Id']) },
  { name: 'rejects Id inside a trust policy statement', doc: 'grammar', policyType: 'trust', policy: one(trustStmt({ Id: 'x' })), expected: err('Unknown field Id', ['Statement', 0, 'Id']) },
  { name: 'rejects Version inside a statement', doc: 'grammar', policy: one(allow({ Version: V })), expected: err('Unknown field Version', ['Statement', 0, 'Version']) },
  { name: 'rejects Statement inside a statement', doc: 'grammar', policy: one(allow({ Statement: [allow()] })), expected: err('Unknown field Statement', ['Statement', 0, 'Statement']) },
  ...(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition'] as const).map((element): Case => ({ name: `rejects ${element} at the document level`, doc: 'grammar', policy: { Version: V, [element]: element === 'Condition' ? {} : '*', Statement: [allow()] }, expected: err(`Unknown field ${element}`, [element]) })),
  { name: 'rejects a Condition block placed inside the Action element', doc: 'grammar', policy: one({ Effect: 'Allow', Action: { Condition: {} }, Resource: '*' }), expected: err(SYNTAX, ['Statement', 0, 'Action']) },
  { name: 'rejects a statement element inside a Principal', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: { AWS: '123456789012', Effect: 'Allow' } })), expected: err('Invalid principal in policy') },

  // ---- Sid
  { name: 'keeps an alphanumeric Sid', doc: 'sid', policy: one(allow({ Sid: 'AllowRead1' })), expected: okStmt({ sid: 'AllowRead1' }) },
  { name: 'rejects a Sid with a space in an IAM policy', doc: 'sid', policy: one(allow({ Sid: 'Allow read' })), expected: err('Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*', ['Statement', 0, 'Sid']) },
  { name: 'rejects a Sid with a hyphen in an IAM policy', doc: 'sid', policy: one(allow({ Sid: 'allow-read' })), expected: err('Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*') },
  { name: 'rejects a Sid with punctuation in a trust policy', doc: 'sid', policyType: 'trust', policy: one(trustStmt({ Sid: 'a.b' })), expected: err('Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*') },
  { name: 'allows spaces in Sids of resource policies (their service decides)', doc: 'sid', policyType: 'resource', policy: one(resourceStmt({ Sid: 'Allow read access' })), expected: okStmt({ sid: 'Allow read access' }) },
  { name: 'accepts an empty Sid', doc: 'sid', policy: one(allow({ Sid: '' })), expected: okStmt({ sid: '' }) },
  { name: 'rejects two statements with the same Sid', doc: 'sid', policy: { Statement: [allow({ Sid: 'A' }), allow({ Sid: 'A' })] }, expected: err('Statement IDs (SID) in a single policy must be unique.', ['Statement', 1, 'Sid']) },
  { name: 'treats Sids as case-sensitive for uniqueness', doc: 'sid', policy: { Statement: [allow({ Sid: 'A' }), allow({ Sid: 'a' })] }, expected: { ok: { statements: [{ sid: 'A' }, { sid: 'a' }] } } },
  { name: 'allows several empty Sids', doc: 'sid', policy: { Statement: [allow({ Sid: '' }), allow({ Sid: '' })] }, expected: { ok: { statements: [{ sid: '' }, { sid: '' }] } } },
  { name: 'rejects a Sid that is not a string', doc: 'sid', policy: one(allow({ Sid: 1 })), expected: err(SYNTAX, ['Statement', 0, 'Sid']) },

  // ---- Effect
  { name: 'accepts Effect Deny', doc: 'effect', policy: one(allow({ Effect: 'Deny' })), expected: okStmt({ effect: 'Deny' }) },
  { name: 'rejects a statement without Effect', doc: 'effect', policy: one({ Action: 's3:*', Resource: '*' }), expected: err('Statement is missing required element Effect', ['Statement', 0]) },
  { name: 'rejects lower-case allow (Effect is case-sensitive)', doc: 'effect', policy: one(allow({ Effect: 'allow' })), expected: err(LEGACY, ['Statement', 0, 'Effect']) },
  { name: 'rejects upper-case DENY', doc: 'effect', policy: one(allow({ Effect: 'DENY' })), expected: err(LEGACY) },
  { name: 'rejects an Effect that is neither Allow nor Deny', doc: 'effect', policy: one(allow({ Effect: 'Permit' })), expected: err(LEGACY) },
  { name: 'rejects an Effect that is an array', doc: 'effect', policy: one(allow({ Effect: ['Allow'] })), expected: err(SYNTAX, ['Statement', 0, 'Effect']) },
  { name: 'reports syntax errors before legacy parsing errors in later statements', doc: 'grammar', policy: { Statement: [allow({ Effect: 'allow' }), allow({ Foo: 1 })] }, expected: err('Unknown field Foo') },

  // ---- Action / NotAction
  { name: 'normalises a single Action string to an array', doc: 'action', policy: one(allow({ Action: 'iam:ListUsers' })), expected: okStmt({ action: ['iam:ListUsers'] }) },
  { name: 'keeps an Action array in order', doc: 'action', policy: one(allow({ Action: ['s3:PutObject', 's3:GetObject'] })), expected: okStmt({ action: ['s3:PutObject', 's3:GetObject'] }) },
  { name: 'accepts Action "*"', doc: 'action', policy: one(allow({ Action: '*' })), expected: okStmt({ action: ['*'] }) },
  { name: 'accepts wildcards inside an action name', doc: 'action', policy: one(allow({ Action: ['s3:Get*', 'ec2:Describe?nstances'] })), expected: okStmt({ action: ['s3:Get*', 'ec2:Describe?nstances'] }) },
  { name: 'keeps the letter case of actions as written', doc: 'action', policy: one(allow({ Action: 'S3:getobject' })), expected: okStmt({ action: ['S3:getobject'] }) },
  { name: 'accepts NotAction instead of Action', doc: 'notAction', policy: one({ Effect: 'Deny', NotAction: 'iam:*', Resource: '*' }), expected: okStmt({ notAction: ['iam:*'] }) },
  { name: 'rejects a statement with both Action and NotAction', doc: 'notAction', policy: one(allow({ NotAction: 'iam:*' })), expected: err(SYNTAX, ['Statement', 0, 'NotAction']) },
  { name: 'rejects a statement with neither Action nor NotAction', doc: 'action', policy: one({ Effect: 'Allow', Resource: '*' }), expected: err('Policy statement must contain actions.', ['Statement', 0]) },
  { name: 'rejects an empty Action array', doc: 'action', policy: one(allow({ Action: [] })), expected: err('Policy statement must contain actions.', ['Statement', 0, 'Action']) },
  { name: 'rejects an empty NotAction array', doc: 'notAction', policy: one({ Effect: 'Allow', NotAction: [], Resource: '*' }), expected: err('Policy statement must contain actions.') },
  { name: 'rejects an action without a service prefix', doc: 'action', policy: one(allow({ Action: 'GetObject' })), expected: err('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.', ['Statement', 0, 'Action']) },
  { name: 'points at the offending array element of Action', doc: 'action', policy: one(allow({ Action: ['s3:GetObject', 'GetObject'] })), expected: err('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.', ['Statement', 0, 'Action', 1]) },
  { name: 'rejects an action with two colons', doc: 'action', policy: one(allow({ Action: 's3:Get:Object' })), expected: err('Actions/Condition can contain only one colon.') },
  { name: 'rejects a service prefix with invalid characters', doc: 'action', policy: one(allow({ Action: 's3_x:GetObject' })), expected: err('Vendor s3_x is not valid') },
  { name: 'rejects a wildcard in the service prefix', doc: 'action', policy: one(allow({ Action: 's*:GetObject' })), expected: err('Vendor s* is not valid') },
  { name: 'rejects an Action that is a number', doc: 'action', policy: one(allow({ Action: 5 })), expected: err(SYNTAX, ['Statement', 0, 'Action']) },
  { name: 'rejects an Action array holding a non-string', doc: 'action', policy: one(allow({ Action: ['s3:GetObject', null] })), expected: err(SYNTAX, ['Statement', 0, 'Action', 1]) },
  { name: 'rejects an Action that is an object', doc: 'action', policy: one(allow({ Action: { s3: 'GetObject' } })), expected: err(SYNTAX) },
  { name: 'accepts an unknown but well-formed service prefix (customer namespaces)', doc: 'action', policy: one(allow({ Action: 'my-app.v2:DoThing' })), expected: okStmt({ action: ['my-app.v2:DoThing'] }) },

  // ---- Resource / NotResource
  { name: 'normalises a single Resource string to an array', doc: 'resource', policy: one(allow({ Resource: 'arn:aws:s3:::bucket/*' })), expected: okStmt({ resource: ['arn:aws:s3:::bucket/*'] }) },
  { name: 'keeps a Resource array', doc: 'resource', policy: one(allow({ Resource: ['arn:aws:s3:::a', 'arn:aws:s3:::a/*'] })), expected: okStmt({ resource: ['arn:aws:s3:::a', 'arn:aws:s3:::a/*'] }) },
  { name: 'accepts NotResource instead of Resource', doc: 'notResource', policy: one({ Effect: 'Deny', Action: 's3:*', NotResource: 'arn:aws:s3:::safe/*' }), expected: okStmt({ notResource: ['arn:aws:s3:::safe/*'] }) },
  { name: 'rejects both Resource and NotResource', doc: 'notResource', policy: one(allow({ NotResource: '*' })), expected: err(SYNTAX, ['Statement', 0, 'NotResource']) },
  { name: 'rejects an identity policy statement without Resource', doc: 'resource', policy: one({ Effect: 'Allow', Action: 's3:*' }), expected: err('Policy statement must contain resources.', ['Statement', 0]) },
  { name: 'rejects an empty Resource array', doc: 'resource', policy: one(allow({ Resource: [] })), expected: err('Policy statement must contain resources.', ['Statement', 0, 'Resource']) },
  { name: 'rejects a Resource that is not an ARN', doc: 'resource', policy: one(allow({ Resource: 'bucket' })), expected: err('Resource bucket must be in ARN format or "*".', ['Statement', 0, 'Resource']) },
  { name: 'rejects a Resource whose prefix is not arn', doc: 'arns', policy: one(allow({ Resource: 'urn:aws:s3:::b' })), expected: err('Resource urn:aws:s3:::b must be in ARN format or "*".') },
  { name: 'rejects an unknown partition', doc: 'arns', policy: one(allow({ Resource: 'arn:aws-moon:s3:::b' })), expected: err('Partition "aws-moon" is not valid for resource "arn:aws-moon:s3:::b".') },
  { name: 'shows missing ARN fields as * in the partition message', doc: 'arns', policy: one(allow({ Resource: 'arn:foo:s3' })), expected: err('Partition "foo" is not valid for resource "arn:foo:s3:*:*:*".') },
  { name: 'accepts the China and GovCloud partitions', doc: 'arns', policy: one(allow({ Resource: ['arn:aws-cn:s3:::b', 'arn:aws-us-gov:s3:::b'] })), expected: okStmt({ resource: ['arn:aws-cn:s3:::b', 'arn:aws-us-gov:s3:::b'] }) },
  { name: 'accepts a wildcard partition', doc: 'arns', policy: one(allow({ Resource: 'arn:*:s3:::b' })), expected: okStmt({ resource: ['arn:*:s3:::b'] }) },
  { name: 'rejects an ARN without a service', doc: 'arns', policy: one(allow({ Resource: 'arn:aws' })), expected: err('Resource vendor must be fully qualified and cannot contain regexes.') },
  { name: 'rejects a wildcard in the ARN service', doc: 'arns', policy: one(allow({ Resource: 'arn:aws:s3*:::b' })), expected: err('Resource vendor must be fully qualified and cannot contain regexes.') },
  { name: 'rejects an empty ARN service', doc: 'arns', policy: one(allow({ Resource: 'arn:aws::::b' })), expected: err(LEGACY) },
  { name: 'rejects a short ARN with empty fields', doc: 'arns', policy: one(allow({ Resource: 'arn:aws:s3::b' })), expected: err(LEGACY) },
  { name: 'rejects a region in an IAM ARN', doc: 'arns', policy: one(allow({ Resource: 'arn:aws:iam:us-east-1:123456789012:user/bob' })), expected: err('IAM resource arn:aws:iam:us-east-1:123456789012:user/bob cannot contain region information.') },
  { name: 'rejects a region in an S3 ARN', doc: 'arns', policy: one(allow({ Resource: 'arn:aws:s3:us-east-1::b' })), expected: err('Resource arn:aws:s3:us-east-1::b can not contain region information.') },
  { name: 'accepts wildcards in the region and account fields', doc: 'resource', policy: one(allow({ Resource: 'arn:aws:ec2:*:*:instance/*' })), expected: okStmt({ resource: ['arn:aws:ec2:*:*:instance/*'] }) },
  { name: 'accepts policy variables in a Resource', doc: 'variables', policy: one(allow({ Resource: 'arn:aws:s3:::b/${aws:username}/*' })), expected: okStmt({ resource: ['arn:aws:s3:::b/${aws:username}/*'] }) },
  { name: 'accepts colons in the resource part of an ARN', doc: 'arns', policy: one(allow({ Resource: 'arn:aws:logs:us-east-1:123456789012:log-group:g:*' })), expected: okStmt({ resource: ['arn:aws:logs:us-east-1:123456789012:log-group:g:*'] }) },
  { name: 'rejects a Resource that is a number', doc: 'resource', policy: one(allow({ Resource: 1 })), expected: err(SYNTAX) },
  { name: 'rejects Resource in a trust policy', doc: 'trust', policyType: 'trust', policy: one(trustStmt({ Resource: '*' })), expected: err('Has prohibited field Resource', ['Statement', 0, 'Resource']) },
  { name: 'rejects NotResource in a trust policy', doc: 'trust', policyType: 'trust', policy: one(trustStmt({ NotResource: '*' })), expected: err('Has prohibited field NotResource') },
  { name: 'requires Resource in a resource policy', doc: 'resource', policyType: 'resource', policy: one({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject' }), expected: err('Policy statement must contain resources.') },

  // ---- Principal / NotPrincipal by policy type
  { name: 'rejects Principal in a managed policy', doc: 'principal', policy: one(allow({ Principal: '*' })), expected: err('Policy document should not specify a principal.', ['Statement', 0, 'Principal']) },
  { name: 'rejects Principal in an inline user policy', doc: 'principal', policyType: 'user', policy: one(allow({ Principal: { AWS: '123456789012' } })), expected: err('Policy document should not specify a principal.') },
  { name: 'rejects Principal in an inline group policy', doc: 'principal', policyType: 'group', policy: one(allow({ Principal: '*' })), expected: err('Policy document should not specify a principal.') },
  { name: 'rejects Principal in an inline role policy', doc: 'principal', policyType: 'role', policy: one(allow({ Principal: '*' })), expected: err('Policy document should not specify a principal.') },
  { name: 'rejects Principal in a session policy', doc: 'stsPolicy', policyType: 'session', policy: one(allow({ Principal: '*' })), expected: err('Policy document should not specify a principal.') },
  { name: 'rejects NotPrincipal in an identity policy', doc: 'notPrincipal', policy: one(allow({ NotPrincipal: { AWS: '123456789012' } })), expected: err('Policy document should not specify a principal.', ['Statement', 0, 'NotPrincipal']) },
  { name: 'requires a principal in a trust policy', doc: 'trust', policyType: 'trust', policy: one({ Effect: 'Allow', Action: 'sts:AssumeRole' }), expected: err('Missing required field Principal', ['Statement', 0]) },
  { name: 'requires a principal in a resource policy', doc: 'principal', policyType: 'resource', policy: one(allow()), expected: err('Missing required field Principal') },
  { name: 'accepts NotPrincipal as the principal of a resource policy', doc: 'notPrincipal', policyType: 'resource', policy: one({ Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 's3:*', Resource: 'arn:aws:s3:::b' }), expected: okStmt({ notPrincipal: { AWS: ['arn:aws:iam::123456789012:root'] } }) },
  { name: 'rejects both Principal and NotPrincipal', doc: 'notPrincipal', policyType: 'resource', policy: one(resourceStmt({ NotPrincipal: '*' })), expected: err(SYNTAX) },
  { name: 'keeps the bare wildcard principal as "*"', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: '*' })), expected: okStmt({ principal: '*' }) },
  { name: 'normalises an AWS principal string to an array', doc: 'principal', policyType: 'trust', policy: one(trustStmt({ Principal: { AWS: 'arn:aws:iam::123456789012:role/Admin' } })), expected: okStmt({ principal: { AWS: ['arn:aws:iam::123456789012:role/Admin'] } }) },
  { name: 'accepts a bare account ID as an AWS principal', doc: 'principal', policyType: 'trust', policy: one(trustStmt({ Principal: { AWS: ['123456789012', 'arn:aws:iam::210987654321:root'] } })), expected: okStmt({ principal: { AWS: ['123456789012', 'arn:aws:iam::210987654321:root'] } }) },
  { name: 'accepts {"AWS": "*"}', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: { AWS: '*' } })), expected: okStmt({ principal: { AWS: ['*'] } }) },
  { name: 'accepts an assumed-role session principal', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: { AWS: 'arn:aws:sts::123456789012:assumed-role/R/s' } })), expected: okStmt({ principal: { AWS: ['arn:aws:sts::123456789012:assumed-role/R/s'] } }) },
  { name: 'accepts a service principal', doc: 'principal', policyType: 'trust', policy: one(trustStmt({ Principal: { Service: ['lambda.amazonaws.com', 'states.us-east-1.amazonaws.com'] } })), expected: okStmt({ principal: { Service: ['lambda.amazonaws.com', 'states.us-east-1.amazonaws.com'] } }) },
  { name: 'accepts a federated SAML provider principal', doc: 'principal', policyType: 'trust', policy: one(trustStmt({ Principal: { Federated: 'arn:aws:iam::123456789012:saml-provider/Okta' }, Action: 'sts:AssumeRoleWithSAML' })), expected: okStmt({ principal: { Federated: ['arn:aws:iam::123456789012:saml-provider/Okta'] } }) },
  { name: 'accepts a federated web identity principal', doc: 'principal', policyType: 'trust', policy: one(trustStmt({ Principal: { Federated: 'accounts.google.com' }, Action: 'sts:AssumeRoleWithWebIdentity' })), expected: okStmt({ principal: { Federated: ['accounts.google.com'] }, action: ['sts:AssumeRoleWithWebIdentity'] }) },
  { name: 'accepts a canonical user principal', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: { CanonicalUser: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be' } })), expected: okStmt({ principal: { CanonicalUser: ['79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be'] } }) },
  { name: 'accepts several principal types in one element', doc: 'principal', policyType: 'trust', policy: one(trustStmt({ Principal: { AWS: '123456789012', Service: 'ec2.amazonaws.com' } })), expected: okStmt({ principal: { AWS: ['123456789012'], Service: ['ec2.amazonaws.com'] } }) },
  { name: 'rejects a string principal other than "*"', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: '123456789012' })), expected: err('Invalid principal in policy', ['Statement', 0, 'Principal']) },
  { name: 'rejects an unknown principal type', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: { User: 'bob' } })), expected: err('Invalid principal in policy', ['Statement', 0, 'Principal', 'User']) },
  { name: 'rejects a lower-case principal type', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: { aws: '*' } })), expected: err('Invalid principal in policy') },
  { name: 'rejects an empty principal object', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: {} })), expected: err('Invalid principal in policy') },
  { name: 'rejects an empty principal array', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: { AWS: [] } })), expected: err('Invalid principal in policy') },
  { name: 'rejects a partial wildcard in an AWS principal ARN', doc: 'principal', policyType: 'trust', policy: one(trustStmt({ Principal: { AWS: 'arn:aws:iam::123456789012:role/*' } })), expected: err('Invalid principal in policy', ['Statement', 0, 'Principal', 'AWS']) },
  { name: 'points at the offending principal array element', doc: 'principal', policyType: 'trust', policy: one(trustStmt({ Principal: { AWS: ['123456789012', 'bob'] } })), expected: err('Invalid principal in policy', ['Statement', 0, 'Principal', 'AWS', 1]) },
  { name: 'rejects an AWS principal that is not an IAM or STS ARN', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: { AWS: 'arn:aws:s3:::bucket' } })), expected: err('Invalid principal in policy') },
  { name: 'rejects a wildcard service principal', doc: 'principal', policyType: 'trust', policy: one(trustStmt({ Principal: { Service: '*.amazonaws.com' } })), expected: err('Invalid principal in policy') },
  { name: 'rejects a malformed canonical user ID', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: { CanonicalUser: 'abc' } })), expected: err('Invalid principal in policy') },
  { name: 'rejects a principal value that is a number', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Principal: { AWS: 123456789012 } })), expected: err('Invalid principal in policy') },

  // ---- Trust policy actions
  { name: 'accepts every STS role-assumption action in a trust policy', doc: 'trust', policyType: 'trust', policy: one(trustStmt({ Action: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity', 'sts:SetContext'] })), expected: okStmt({ action: ['sts:AssumeRole', 'sts:AssumeRoleWithSAML', 'sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity', 'sts:SetContext'] }) },
  { name: 'accepts trust policy actions in any letter case', doc: 'action', policyType: 'trust', policy: one(trustStmt({ Action: 'STS:assumerole' })), expected: okStmt({ action: ['STS:assumerole'] }) },
  { name: 'accepts Action "*" in a trust policy', doc: 'trust', policyType: 'trust', policy: one(trustStmt({ Action: '*' })), expected: okStmt({ action: ['*'] }) },
  { name: 'rejects sts:* in a trust policy (only the named STS actions)', doc: 'trust', policyType: 'trust', policy: one(trustStmt({ Action: 'sts:*' })), expected: err('AssumeRole policy may only specify STS AssumeRole actions.') },
  { name: 'rejects a partial wildcard STS action in a trust policy', doc: 'trust', policyType: 'trust', policy: one(trustStmt({ Action: 'sts:AssumeRole*' })), expected: err('AssumeRole policy may only specify STS AssumeRole actions.') },
  { name: 'rejects NotPrincipal in a trust policy', doc: 'notPrincipal', policyType: 'trust', policy: one({ Effect: 'Deny', NotPrincipal: { AWS: '123456789012' }, Action: 'sts:AssumeRole' }), expected: err('Has prohibited field NotPrincipal', ['Statement', 0, 'NotPrincipal']) },
  { name: 'accepts Deny statements in a trust policy', doc: 'trust', policyType: 'trust', policy: one(trustStmt({ Effect: 'Deny', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })), expected: okStmt({ effect: 'Deny', principal: '*' }) },
  { name: 'rejects a non-STS action in a trust policy', doc: 'trust', policyType: 'trust', policy: one(trustStmt({ Action: ['sts:AssumeRole', 's3:GetObject'] })), expected: err('AssumeRole policy may only specify STS AssumeRole actions.', ['Statement', 0, 'Action', 1]) },
  { name: 'rejects an STS action that does not assume a role in a trust policy', doc: 'trust', policyType: 'trust', policy: one(trustStmt({ Action: 'sts:GetCallerIdentity' })), expected: err('AssumeRole policy may only specify STS AssumeRole actions.') },
  { name: 'accepts a trust policy without Version', doc: 'trust', policyType: 'trust', policy: { Statement: trustStmt() }, expected: okStmt({ principal: { Service: ['ec2.amazonaws.com'] } }) },
  { name: 'accepts sts actions in an identity policy too', doc: 'action', policy: one(allow({ Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::123456789012:role/R' })), expected: okStmt({ action: ['sts:AssumeRole'] }) },

  // ---- Condition
  { name: 'flattens a condition into operator/key/values entries', doc: 'condition', policy: cond({ StringEquals: { 'aws:username': 'bob', 'aws:PrincipalTag/team': ['a', 'b'] } }), expected: okStmt({ condition: [{ operator: 'StringEquals', key: 'aws:username', values: ['bob'] }, { operator: 'StringEquals', key: 'aws:PrincipalTag/team', values: ['a', 'b'] }] }) },
  { name: 'keeps several operators in document order', doc: 'condition', policy: cond({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' }, Bool: { 'aws:SecureTransport': 'true' } }), expected: okStmt({ condition: [{ operator: 'IpAddress', key: 'aws:SourceIp', values: ['10.0.0.0/8'] }, { operator: 'Bool', key: 'aws:SecureTransport', values: ['true'] }] }) },
  { name: 'normalises a boolean value to a string', doc: 'operators', policy: cond({ Bool: { 'aws:MultiFactorAuthPresent': true } }), expected: okStmt({ condition: [{ operator: 'Bool', key: 'aws:MultiFactorAuthPresent', values: ['true'] }] }) },
  { name: 'normalises false to "false"', doc: 'operators', policy: cond({ Bool: { 'aws:SecureTransport': false } }), expected: okStmt({ condition: [{ operator: 'Bool', key: 'aws:SecureTransport', values: ['false'] }] }) },
  { name: 'normalises a number value to its written form', doc: 'operators', policy: '{"Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThanEquals":{"s3:max-keys":10.50}}}}', expected: okStmt({ condition: [{ operator: 'NumericLessThanEquals', key: 's3:max-keys', values: ['10.50'] }] }) },
  { name: 'normalises a mixed array of numbers and strings', doc: 'operators', policy: cond({ NumericEquals: { 's3:max-keys': [1, '2'] } }), expected: okStmt({ condition: [{ operator: 'NumericEquals', key: 's3:max-keys', values: ['1', '2'] }] }) },
  { name: 'accepts an empty value array (validate reports it)', doc: 'condition', policy: cond({ StringEquals: { 'aws:username': [] } }), expected: okStmt({ condition: [{ operator: 'StringEquals', key: 'aws:username', values: [] }] }) },
  { name: 'accepts an empty Condition object', doc: 'condition', policy: cond({}), expected: okStmt({ condition: [] }) },
  { name: 'accepts an empty operator block', doc: 'condition', policy: cond({ StringEquals: {} }), expected: okStmt({ condition: [] }) },
  { name: 'keeps IfExists and set qualifiers in the operator as written', doc: 'multivalued', policy: cond({ 'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': 'env*' } }), expected: okStmt({ condition: [{ operator: 'ForAnyValue:StringLikeIfExists', key: 'aws:TagKeys', values: ['env*'] }] }) },
  { name: 'accepts ForAllValues with StringEquals', doc: 'multivalued', policy: cond({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } }), expected: okStmt({ condition: [{ operator: 'ForAllValues:StringEquals', key: 'aws:TagKeys', values: ['env', 'team'] }] }) },
  { name: 'accepts every documented operator', doc: 'operators', policy: cond({ StringNotEquals: { 'aws:username': 'a' }, StringEqualsIgnoreCase: { 'aws:username': 'a' }, StringNotEqualsIgnoreCase: { 'aws:username': 'a' }, StringLike: { 'aws:username': 'a*' }, StringNotLike: { 'aws:username': 'a*' }, NumericNotEquals: { 's3:max-keys': 1 }, NumericLessThan: { 's3:max-keys': 1 }, NumericGreaterThan: { 's3:max-keys': 1 }, NumericGreaterThanEquals: { 's3:max-keys': 1 }, DateEquals: { 'aws:CurrentTime': '2020-01-01' }, DateNotEquals: { 'aws:CurrentTime': '2020-01-01' }, DateLessThanEquals: { 'aws:CurrentTime': '2020-01-01' }, DateGreaterThanEquals: { 'aws:CurrentTime': '2020-01-01' }, BinaryEquals: { 'aws:x': 'QmluYXJ5' }, NotIpAddress: { 'aws:SourceIp': '10.0.0.1' }, ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:*:*:t' }, ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:t' }, ArnNotEquals: { 'aws:SourceArn': 'arn:aws:sns:*:*:t' }, ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:t' }, Null: { 'aws:TokenIssueTime': 'true' } }), expected: okStmt({}) },
  { name: 'rejects an unknown condition operator', doc: 'operators', policy: cond({ StringContains: { 'aws:username': 'a' } }), expected: err(SYNTAX, ['Statement', 0, 'Condition', 'StringContains']) },
  { name: 'rejects a lower-case condition operator', doc: 'operators', policy: cond({ stringequals: { 'aws:username': 'a' } }), expected: err(SYNTAX) },
  { name: 'rejects NullIfExists', doc: 'operators', policy: cond({ NullIfExists: { 'aws:TokenIssueTime': 'true' } }), expected: err(SYNTAX) },
  { name: 'rejects an unknown set qualifier', doc: 'multivalued', policy: cond({ 'ForSomeValues:StringEquals': { 'aws:TagKeys': 'a' } }), expected: err(SYNTAX) },
  { name: 'rejects a Condition that is an array', doc: 'condition', policy: one(allow({ Condition: [] })), expected: err(SYNTAX, ['Statement', 0, 'Condition']) },
  { name: 'rejects an operator block that is a string', doc: 'condition', policy: cond({ StringEquals: 'aws:username' }), expected: err(SYNTAX) },
  { name: 'rejects a null condition value', doc: 'condition', policy: cond({ StringEquals: { 'aws:username': null } }), expected: err(SYNTAX, ['Statement', 0, 'Condition', 'StringEquals', 'aws:username']) },
  { name: 'rejects an object as a condition value', doc: 'condition', policy: cond({ StringEquals: { 'aws:username': { a: 1 } } }), expected: err(SYNTAX) },
  { name: 'rejects a nested array as a condition value', doc: 'condition', policy: cond({ StringEquals: { 'aws:username': [['a']] } }), expected: err(SYNTAX, ['Statement', 0, 'Condition', 'StringEquals', 'aws:username', 0]) },
  { name: 'rejects a condition key without a service prefix', doc: 'condition', policy: cond({ StringEquals: { username: 'a' } }), expected: err('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.') },
  { name: 'accepts tag keys with colons in condition keys', doc: 'condition', policy: cond({ StringEquals: { 'aws:ResourceTag/aws:cloudformation:stack-name': 's' } }), expected: okStmt({ condition: [{ operator: 'StringEquals', key: 'aws:ResourceTag/aws:cloudformation:stack-name', values: ['s'] }] }) },
  { name: 'accepts an ISO 8601 date-time for a Date operator', doc: 'operators', policy: cond({ DateGreaterThan: { 'aws:CurrentTime': '2020-04-01T00:00:00Z' } }), expected: okStmt({ condition: [{ operator: 'DateGreaterThan', key: 'aws:CurrentTime', values: ['2020-04-01T00:00:00Z'] }] }) },
  { name: 'accepts a date-time with offset and fraction', doc: 'operators', policy: cond({ DateLessThan: { 'aws:CurrentTime': '2020-04-01T10:00:00.123+02:00' } }), expected: okStmt({}) },
  { name: 'accepts an epoch time for a Date operator', doc: 'operators', policy: cond({ DateLessThan: { 'aws:EpochTime': 1585699200 } }), expected: okStmt({ condition: [{ operator: 'DateLessThan', key: 'aws:EpochTime', values: ['1585699200'] }] }) },
  { name: 'rejects a Date operator value that is not a date (legacy parsing)', doc: 'operators', policy: cond({ DateGreaterThan: { 'aws:CurrentTime': 'yesterday' } }), expected: err(LEGACY, ['Statement', 0, 'Condition', 'DateGreaterThan', 'aws:CurrentTime']) },
  { name: 'rejects month 13 in a Date operator value', doc: 'operators', policy: cond({ DateEquals: { 'aws:CurrentTime': '2020-13-01' } }), expected: err(LEGACY) },
  { name: 'rejects hour 24 in a Date operator value', doc: 'operators', policy: cond({ 'DateEqualsIfExists': { 'aws:CurrentTime': '2020-01-01T24:00:00Z' } }), expected: err(LEGACY) },
  { name: 'rejects a negative epoch time', doc: 'operators', policy: cond({ DateEquals: { 'aws:EpochTime': -1 } }), expected: err(LEGACY) },
  { name: 'keeps policy variables in condition values as text', doc: 'variables', policy: cond({ StringLike: { 's3:prefix': '${aws:username}/*' } }), expected: okStmt({ condition: [{ operator: 'StringLike', key: 's3:prefix', values: ['${aws:username}/*'] }] }) },
  { name: 'keeps policy variables as text under Version 2008-10-17 as well', doc: 'variables', policy: one(allow({ Resource: 'arn:aws:s3:::b/${aws:username}' }), { Version: '2008-10-17' }), expected: { ok: { version: '2008-10-17', statements: [{ resource: ['arn:aws:s3:::b/${aws:username}'] }] } } },

  // ---- Characters
  { name: 'accepts Latin-1 characters in a policy', doc: 'quotas', policy: cond({ StringEquals: { 'aws:PrincipalTag/name': 'Zoë Ångström' } }), expected: okStmt({ condition: [{ operator: 'StringEquals', key: 'aws:PrincipalTag/name', values: ['Zoë Ångström'] }] }) },
  { name: 'rejects characters above U+00FF in an IAM policy', doc: 'quotas', policy: cond({ StringEquals: { 'aws:PrincipalTag/name': '名前' } }), expected: err(SYNTAX, []) },
  { name: 'rejects a raw control character outside strings', doc: 'quotas', policy: JSON.stringify(one(allow())) + '\u000b', expected: err(SYNTAX) },
  { name: 'rejects characters above U+00FF in a session policy', doc: 'stsPolicy', policyType: 'session', policy: cond({ StringEquals: { 'aws:username': '\u{1F600}' } }), expected: err(SYNTAX) },
  { name: 'leaves the character rules of resource policies to their service', doc: 'principal', policyType: 'resource', policy: one(resourceStmt({ Sid: 'Lesen für alle – 名前' })), expected: okStmt({ sid: 'Lesen für alle – 名前' }) },
  { name: 'accepts \\u escapes of characters above U+00FF (only the text is restricted)', doc: 'quotas', policy: '{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/n":"\\u540d"}}}}', expected: okStmt({ condition: [{ operator: 'StringEquals', key: 'aws:PrincipalTag/n', values: ['名'] }] }) },

  // ---- Size quotas (white space not counted)
  { name: 'accepts a managed policy of exactly 6,144 characters', doc: 'quotas', policy: policyOfSize(6144), expected: okStmt({}) },
  { name: 'rejects a managed policy of 6,145 characters', doc: 'quotas', policy: policyOfSize(6145), expected: { error: 'Cannot exceed quota for PolicySize: 6144', code: 'LimitExceeded' } },
  { name: 'does not count white space towards the managed quota', doc: 'quotas', policy: policyOfSize(6144, '\n\t   \r\n'), expected: okStmt({}) },
  { name: 'does not count white space inside strings either', doc: 'quotas', policy: policyOfSizeWithCondition(6144).replace('xxxx', 'x  x x'), expected: okStmt({}) },
  { name: 'accepts an inline user policy of exactly 2,048 characters', doc: 'quotas', policyType: 'user', policy: policyOfSize(2048), expected: okStmt({}) },
  { name: 'rejects an inline user policy of 2,049 characters', doc: 'quotas', policyType: 'user', policy: policyOfSize(2049), expected: { error: 'Cannot exceed quota for PolicySize: 2048', code: 'LimitExceeded' } },
  { name: 'accepts an inline group policy of exactly 5,120 characters', doc: 'quotas', policyType: 'group', policy: policyOfSize(5120), expected: okStmt({}) },
  { name: 'rejects an inline group policy of 5,121 characters', doc: 'quotas', policyType: 'group', policy: policyOfSize(5121), expected: { error: 'Cannot exceed quota for PolicySize: 5120', code: 'LimitExceeded' } },
  { name: 'accepts an inline role policy of exactly 10,240 characters', doc: 'quotas', policyType: 'role', policy: policyOfSize(10240), expected: okStmt({}) },
  { name: 'rejects an inline role policy of 10,241 characters', doc: 'quotas', policyType: 'role', policy: policyOfSize(10241), expected: { error: 'Cannot exceed quota for PolicySize: 10240', code: 'LimitExceeded' } },
  { name: 'accepts a session policy of exactly 2,048 characters', doc: 'stsPolicy', policyType: 'session', policy: policyOfSize(2048), expected: okStmt({}) },
  { name: 'rejects a session policy of 2,049 characters', doc: 'stsPolicy', policyType: 'session', policy: policyOfSize(2049), expected: { error: 'Cannot exceed quota for PolicySize: 2048', code: 'LimitExceeded' } },
  { name: 'rejects a trust policy over 2,048 characters', doc: 'quotas', policyType: 'trust', policy: JSON.stringify(one(trustStmt({ Sid: 'A'.repeat(2048) }))), expected: { error: 'Cannot exceed quota for PolicySize: 2048', code: 'LimitExceeded' } },
  { name: 'enforces no size quota on resource policies', doc: 'quotas', policyType: 'resource', policy: one(resourceStmt({ Sid: 'A'.repeat(20000) })), expected: okStmt({}) },
  { name: 'checks the size quota before the syntax', doc: 'quotas', policyType: 'user', policy: '{' + '"a":1,'.repeat(400), expected: { error: 'Cannot exceed quota for PolicySize: 2048', code: 'LimitExceeded' } },
];

function run(c: Case) {
  const text = typeof c.policy === 'string' ? c.policy : JSON.stringify(c.policy);
  return () => parsePolicy(text, { policyType: c.policyType ?? 'managed' });
}

describe('parsePolicy', () => {
  for (const c of cases) {
    it(`${c.name} [${docs[c.doc]}]`, () => {
      if ('ok' in c.expected) {
        const doc = run(c)();
        expect(doc.policyType).toBe(c.policyType ?? 'managed');
        if ('version' in c.expected.ok) expect(doc.version).toBe(c.expected.ok.version);
        if (c.expected.ok.id !== undefined) expect(doc.id).toBe(c.expected.ok.id);
        expect(doc.statements).toHaveLength(c.expected.ok.statements.length);
        c.expected.ok.statements.forEach((s, i) => expect(doc.statements[i]).toMatchObject(s));
      } else {
        let thrown: unknown;
        try {
          run(c)();
        } catch (e) {
          thrown = e;
        }
        expect(thrown).toBeInstanceOf(PolicyError);
        const e = thrown as PolicyError;
        expect(e.message).toBe(c.expected.error);
        expect(e.code).toBe(c.expected.code ?? 'MalformedPolicyDocument');
        if (c.expected.path) expect(e.path).toEqual(c.expected.path);
      }
    });
  }

  it('carries the caller-supplied policyId', () => {
    const doc = parsePolicy(JSON.stringify(one(allow())), { policyType: 'managed', policyId: 'arn:aws:iam::123456789012:policy/P' });
    expect(doc.policyId).toBe('arn:aws:iam::123456789012:policy/P');
  });

  it('reports the line and column of a duplicate key', () => {
    const text = '{\n  "Statement": {\n    "Effect": "Allow",\n    "Effect": "Deny"\n  }\n}';
    try {
      parsePolicy(text, { policyType: 'managed' });
      expect.unreachable();
    } catch (e) {
      expect((e as PolicyError).position).toEqual({ offset: text.lastIndexOf('"Effect"'), line: 4, column: 5 });
      expect((e as PolicyError).detail).toContain('Duplicate key "Effect"');
    }
  });

  it('omits absent optional statement fields', () => {
    const [s] = parsePolicy(JSON.stringify(one(allow())), { policyType: 'managed' }).statements;
    expect(Object.keys(s as object).sort()).toEqual(['action', 'condition', 'effect', 'index', 'resource']);
  });
});

describe('parsePolicy properties', () => {
  const word = fc.stringMatching(/^[A-Za-z0-9]{1,8}$/);
  const action = fc.tuple(fc.constantFrom('s3', 'ec2', 'iam', 'my-svc'), word).map(([s, a]) => `${s}:${a}`);
  const resource = fc.oneof(fc.constant('*'), word.map((w) => `arn:aws:s3:::${w}/*`));
  const condValue = fc.oneof(word, fc.integer({ min: 0, max: 9999 }), fc.boolean());
  const statement = fc.record(
    {
      Effect: fc.constantFrom('Allow', 'Deny'),
      Action: fc.array(action, { minLength: 1, maxLength: 3 }),
      Resource: fc.array(resource, { minLength: 1, maxLength: 3 }),
      Condition: fc.dictionary(fc.constantFrom('StringEquals', 'StringLike', 'ForAnyValue:StringEquals', 'NumericEquals'), fc.dictionary(fc.constantFrom('aws:username', 's3:prefix', 'aws:PrincipalTag/x'), fc.array(condValue, { minLength: 1, maxLength: 3 }), { minKeys: 1, maxKeys: 2 }), { maxKeys: 2 }),
    },
    { requiredKeys: ['Effect', 'Action', 'Resource'] },
  );
  const policy = fc.record({ Version: fc.constant(V), Statement: fc.array(statement, { minLength: 1, maxLength: 3 }) });
  const account = fc.stringMatching(/^\d{12}$/);
  const resourcePolicy = fc.record({
    Version: fc.constant(V),
    Statement: fc.array(
      fc.record({
        Effect: fc.constantFrom('Allow', 'Deny'),
        Principal: fc.record({ AWS: fc.array(account, { minLength: 1, maxLength: 2 }), Service: fc.array(fc.constantFrom('ec2.amazonaws.com', 'lambda.amazonaws.com'), { minLength: 1, maxLength: 2 }) }, { requiredKeys: ['AWS'] }),
        Action: fc.array(action, { minLength: 1, maxLength: 2 }),
        Resource: fc.array(resource, { minLength: 1, maxLength: 2 }),
      }),
      { minLength: 1, maxLength: 2 },
    ),
  });
  /** One-element arrays written as a bare value. */
  function collapse(value: unknown, key?: string): unknown {
    if (Array.isArray(value)) {
      const items = value.map((v) => collapse(v));
      return items.length === 1 && key !== 'Statement' ? items[0] : items;
    }
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, collapse(v, k)]));
    return value;
  }
  const whitespace = fc.array(fc.constantFrom(' ', '\n', '\t', '\r\n'), { maxLength: 3 }).map((a) => a.join(''));

  it('is insensitive to white space between tokens', () => {
    fc.assert(
      fc.property(policy, whitespace, (p, ws) => {
        const compact = JSON.stringify(p);
        const spaced = JSON.stringify(p, null, 2).replace(/\n/g, `\n${ws}`);
        expect(parsePolicy(spaced, { policyType: 'role' })).toEqual(parsePolicy(compact, { policyType: 'role' }));
      }),
      { numRuns: 200 },
    );
  });

  it('treats a single principal string like a one-element array', () => {
    fc.assert(
      fc.property(resourcePolicy, (p) => {
        expect(parsePolicy(JSON.stringify(collapse(p)), { policyType: 'resource' })).toEqual(parsePolicy(JSON.stringify(p), { policyType: 'resource' }));
      }),
      { numRuns: 100 },
    );
  });

  it('treats a single string like a one-element array', () => {
    fc.assert(
      fc.property(policy, (p) => {
        const asArrays = parsePolicy(JSON.stringify(p), { policyType: 'role' });
        const asScalars = parsePolicy(JSON.stringify(collapse(p)), { policyType: 'role' });
        expect(asScalars).toEqual(asArrays);
      }),
      { numRuns: 200 },
    );
  });
});

describe('Date condition values: one grammar for parse and evaluate', () => {
  const withDate = (value: string) =>
    JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': value } } }] });
  it.each(['2020-01', '2020-01-01T10Z', '+2020-01-01', '2020-02-30T24:00:00Z'])('rejects %s, which no Date comparison could read', (value) => {
    expect(() => parsePolicy(withDate(value), { policyType: 'managed' })).toThrow(PolicyError);
  });
  it.each(['2020-01-01', '2020-01-01T10:00:00Z', '2020-01-01T10:00:00+01:00', '1577836800'])('accepts %s', (value) => {
    expect(parsePolicy(withDate(value), { policyType: 'managed' }).statements[0]!.condition[0]!.values).toEqual([value]);
  });
});
