// Condition checks: keys that do not exist in a known namespace, operators
// used with keys of another type, values the operator cannot compare,
// qualifiers that widen access, and empty or duplicated condition parts.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html

import ipaddr from 'ipaddr.js';
import { findConditionKey } from '../catalog.js';
import { parseOperatorName, type OperatorValueType, type ParsedOperator } from '../conditions/operator-name.js';
import type { ConditionEntry, Statement } from '../types.js';
import type { CheckContext } from './context.js';

/** Catalog key types each operator family compares correctly (`null`: any key). */
const keyTypesFor: Record<OperatorValueType, ReadonlySet<string> | null> = {
  // String operators also read ARN keys as text.
  string: new Set(['String', 'ArrayOfString', 'ARN', 'ArrayOfARN']),
  arn: new Set(['ARN', 'ArrayOfARN', 'String', 'ArrayOfString']),
  numeric: new Set(['Numeric', 'ArrayOfNumeric']),
  date: new Set(['Date', 'ArrayOfDate']),
  bool: new Set(['Bool', 'ArrayOfBool']),
  ipAddress: new Set(['IPAddress', 'ArrayOfIPAddress']),
  binary: null,
  null: null,
};
const operatorExample: Record<OperatorValueType, string> = {
  string: 'StringEquals',
  arn: 'ArnLike',
  numeric: 'NumericEquals',
  date: 'DateGreaterThan',
  bool: 'Bool',
  ipAddress: 'IpAddress',
  binary: 'BinaryEquals',
  null: 'Null',
};
const exampleForKeyType: Record<string, string> = {
  String: 'StringEquals', ArrayOfString: 'ForAnyValue:StringEquals', ARN: 'ArnLike', ArrayOfARN: 'ForAnyValue:ArnLike',
  Numeric: 'NumericEquals', Date: 'DateGreaterThan', Bool: 'Bool', ArrayOfBool: 'ForAnyValue:Bool', IPAddress: 'IpAddress',
};
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const VARIABLE = /\$\{/;

/** Runs the condition checks on every statement. */
export function checkConditions(ctx: CheckContext): void {
  for (const statement of ctx.doc.statements) {
    checkEmptyObjects(ctx, statement);
    checkDuplicateKeys(ctx, statement);
    for (const entry of statement.condition) {
      const operator = parseOperatorName(entry.operator) as ParsedOperator; // INVARIANT: parse accepted it
      checkKey(ctx, statement, entry, operator);
      checkValues(ctx, statement, entry, operator);
    }
  }
}

function keyPath(ctx: CheckContext, statement: Statement, entry: ConditionEntry): Array<string | number> {
  return ctx.statementPath(statement.index, 'Condition', entry.operator, entry.key);
}

function checkKey(ctx: CheckContext, statement: Statement, entry: ConditionEntry, operator: ParsedOperator): void {
  const found = findConditionKey(entry.key);
  const path = keyPath(ctx, statement, entry);
  if (found === null) return;
  if (found === undefined) {
    const service = entry.key.slice(0, entry.key.indexOf(':'));
    if (service.toLowerCase() === 'aws') {
      ctx.report('ERROR', 'INVALID_GLOBAL_CONDITION_KEY', `The condition key ${entry.key} does not exist. Use a valid condition key.`, path);
    } else {
      ctx.report('ERROR', 'INVALID_SERVICE_CONDITION_KEY', `The condition key ${entry.key} does not exist in the service ${service}. Use a valid condition key.`, path);
    }
    return;
  }
  const accepted = keyTypesFor[operator.valueType];
  if (accepted && !accepted.has(found.type)) {
    ctx.report(
      'WARNING',
      'TYPE_MISMATCH',
      `The condition operator ${entry.operator} is used with the condition key ${entry.key} of type ${found.type}; the comparison can never succeed as intended. Use an operator for ${found.type} values, such as ${exampleForKeyType[found.type] ?? operatorExample[operator.valueType]}.`,
      path,
    );
  }
  if (operator.setQualifier === 'ForAllValues' && !found.type.startsWith('ArrayOf')) {
    // Exact Access Analyzer wording (FORALLVALUES_WITH_SINGLE_VALUED_KEY).
    ctx.report('SECURITY_WARNING', 'FORALLVALUES_WITH_SINGLE_VALUED_KEY', `Using ForAllValues qualifier with the single-valued condition key ${entry.key} can be overly permissive. We recommend that you remove ForAllValues:.`, path);
  }
}

function checkValues(ctx: CheckContext, statement: Statement, entry: ConditionEntry, operator: ParsedOperator): void {
  const valuePath = (i: number) => ctx.conditionValuePath(statement.index, entry.operator, entry.key, i);
  if (entry.values.length === 0) {
    ctx.report('SUGGESTION', 'EMPTY_ARRAY_CONDITION', `The condition key ${entry.key} has an empty array of values, so the condition cannot match as intended. Specify values or remove the condition key.`, keyPath(ctx, statement, entry));
    return;
  }
  if ((operator.valueType === 'bool' || operator.valueType === 'null') && new Set(entry.values.map((v) => v.toLowerCase())).size > 1) {
    ctx.report('ERROR', 'INVALID_CONDITION_MULTIPLE_BOOLEAN', `The condition key ${entry.key} has more than one Boolean value; a Boolean can be only true or false. Use one value.`, keyPath(ctx, statement, entry));
  }
  entry.values.forEach((value, i) => {
    const hasVariable = VARIABLE.test(value);
    if (hasVariable && !variablesAllowed(operator.valueType)) {
      ctx.report('ERROR', 'INVALID_VARIABLE_FOR_OPERATOR', `Policy variables are not supported with the ${entry.operator} operator. Use a literal value or a String or ARN operator.`, valuePath(i));
      return;
    }
    if (hasVariable) return;
    const problem = valueProblem(operator.valueType, value);
    if (problem) ctx.report('WARNING', problem.code, problem.details(entry.operator, value), valuePath(i));
    else if (operator.valueType === 'ipAddress' && entry.key.toLowerCase() === 'aws:sourceip' && isPrivateAddress(value)) {
      ctx.report('WARNING', 'PRIVATE_IP_ADDRESS', `aws:SourceIp is the public address of the request; the private address ${value} never matches it. Use aws:VpcSourceIp for requests through a VPC endpoint.`, valuePath(i));
    }
  });
}

/** Policy variables are replaced in String, ARN and Bool values only. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html */
function variablesAllowed(type: OperatorValueType): boolean {
  return type === 'string' || type === 'arn' || type === 'bool';
}

interface ValueProblem {
  code: string;
  details: (operator: string, value: string) => string;
}

function valueProblem(type: OperatorValueType, value: string): ValueProblem | undefined {
  switch (type) {
    case 'numeric':
      return NUMBER.test(value) ? undefined : { code: 'TYPE_MISMATCH_NUMBER', details: (op, v) => `The ${op} operator needs a number, but the value ${v} is not one. Use a numeric value.` };
    case 'bool':
    case 'null':
      return /^(true|false)$/i.test(value) ? undefined : { code: 'TYPE_MISMATCH_BOOL', details: (op, v) => `The ${op} operator needs true or false, but the value is ${v}. Use true or false.` };
    case 'ipAddress':
      return isIpOrCidr(value) ? undefined : { code: 'TYPE_MISMATCH_IP_RANGE', details: (op, v) => `The ${op} operator needs an IP address or a CIDR range, but the value ${v} is neither. Use, for example, 203.0.113.0/24 or 2001:DB8::/32.` };
    case 'binary':
      return /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0 ? undefined : { code: 'TYPE_MISMATCH_BINARY', details: (op, v) => `The ${op} operator needs a base64-encoded value, but ${v} is not base64.` };
    default:
      return undefined;
  }
}

function isIpOrCidr(value: string): boolean {
  if (value.includes('/')) return ipaddr.isValidCIDR(value);
  return ipaddr.isValid(value) && (ipaddr.IPv4.isValidFourPartDecimal(value) || value.includes(':'));
}

/** True for private, loopback and link-local addresses; memoised, as parsing addresses is slow. */
function isPrivateAddress(value: string): boolean {
  let result = privateCache.get(value);
  if (result === undefined) {
    try {
      const address = value.includes('/') ? ipaddr.parseCIDR(value)[0] : ipaddr.parse(value);
      const range = address.range();
      result = range === 'private' || range === 'loopback' || range === 'uniqueLocal' || range === 'linkLocal';
    } catch {
      result = false;
    }
    if (privateCache.size >= 1024) privateCache.clear();
    privateCache.set(value, result);
  }
  return result;
}

const privateCache = new Map<string, boolean>();

/** EMPTY_OBJECT_CONDITION: `"Condition": {}` or an operator with no keys, which the parser accepts and ignores. */
function checkEmptyObjects(ctx: CheckContext, statement: Statement): void {
  const block = ctx.member(statement.index, 'Condition');
  if (block?.kind !== 'object') return;
  if (block.entries.length === 0) {
    ctx.report('SUGGESTION', 'EMPTY_OBJECT_CONDITION', 'The Condition element is an empty object and does not affect the policy. Add conditions or remove the element.', ctx.statementPath(statement.index, 'Condition'));
    return;
  }
  for (const entry of block.entries) {
    if (entry.value.kind === 'object' && entry.value.entries.length === 0) {
      ctx.report('SUGGESTION', 'EMPTY_OBJECT_CONDITION', `The ${entry.key} operator has no condition keys and does not affect the policy. Add condition keys or remove the operator.`, ctx.statementPath(statement.index, 'Condition', entry.key));
    }
  }
}

/** DUPLICATE_KEYS_WITH_DIFFERENT_CASE: condition key names are case-insensitive, so `aws:SourceIp` and `aws:sourceip` are one key written twice. */
function checkDuplicateKeys(ctx: CheckContext, statement: Statement): void {
  const seen = new Map<string, ConditionEntry>();
  for (const entry of statement.condition) {
    const id = `${entry.operator}\u0000${entry.key.toLowerCase()}`;
    const first = seen.get(id);
    if (first) {
      ctx.report('ERROR', 'DUPLICATE_KEYS_WITH_DIFFERENT_CASE', `The condition key ${entry.key} appears more than once in the ${entry.operator} operator with different capitalization. Condition key names are not case-sensitive; combine the values under one key.`, keyPath(ctx, statement, first), keyPath(ctx, statement, entry));
    } else seen.set(id, entry);
  }
}
