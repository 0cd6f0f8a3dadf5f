// Condition operator names: the frozen registry of the base operators AWS
// documents, and the parser that splits a written operator such as
// `ForAnyValue:StringLikeIfExists` into its set qualifier, base and IfExists suffix.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html

/** The kind of value a base operator compares. */
export type OperatorValueType = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ipAddress' | 'arn' | 'null';

/** The multivalued-key prefixes (`ForAllValues:` / `ForAnyValue:`). */
export type SetQualifier = 'ForAllValues' | 'ForAnyValue';

/** One documented base operator. */
export interface BaseOperator {
  readonly name: string;
  readonly valueType: OperatorValueType;
  /** True for the `...Not...` forms (and `NotIpAddress`): the match result is inverted. */
  readonly negated: boolean;
  /** True when values may contain `*` / `?` wildcards (StringLike, ArnLike families). */
  readonly wildcards: boolean;
  /** True when `${...}` policy variables are substituted in values (string and ARN operators). */
  readonly variables: boolean;
  /** True when the `...IfExists` suffix is allowed (every operator except `Null`). */
  readonly ifExistsAllowed: boolean;
}

/** A written operator name split into its parts. */
export interface ParsedOperator {
  /** The name exactly as written, for example `ForAnyValue:StringLikeIfExists`. */
  name: string;
  /** The base operator, for example `StringLike`. */
  base: string;
  setQualifier: SetQualifier | undefined;
  ifExists: boolean;
  valueType: OperatorValueType;
  negated: boolean;
}

function op(
  name: string,
  valueType: OperatorValueType,
  negated: boolean,
  flags: { wildcards?: boolean; variables?: boolean } = {},
): BaseOperator {
  return Object.freeze({
    name,
    valueType,
    negated,
    wildcards: flags.wildcards ?? false,
    variables: flags.variables ?? false,
    ifExistsAllowed: name !== 'Null',
  });
}

const stringVars = { variables: true };
const stringLike = { wildcards: true, variables: true };

/**
 * Every base condition operator AWS documents, keyed by its exact name.
 * INVARIANT: frozen; names are case-sensitive, as the policy grammar lists them
 * as literal strings (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
 */
export const conditionOperators: Readonly<Record<string, BaseOperator>> = Object.freeze(
  Object.fromEntries(
    [
      op('StringEquals', 'string', false, stringVars),
      op('StringNotEquals', 'string', true, stringVars),
      op('StringEqualsIgnoreCase', 'string', false, stringVars),
      op('StringNotEqualsIgnoreCase', 'string', true, stringVars),
      op('StringLike', 'string', false, stringLike),
      op('StringNotLike', 'string', true, stringLike),
      op('NumericEquals', 'numeric', false),
      op('NumericNotEquals', 'numeric', true),
      op('NumericLessThan', 'numeric', false),
      op('NumericLessThanEquals', 'numeric', false),
      op('NumericGreaterThan', 'numeric', false),
      op('NumericGreaterThanEquals', 'numeric', false),
      op('DateEquals', 'date', false),
      op('DateNotEquals', 'date', true),
      op('DateLessThan', 'date', false),
      op('DateLessThanEquals', 'date', false),
      op('DateGreaterThan', 'date', false),
      op('DateGreaterThanEquals', 'date', false),
      op('Bool', 'bool', false, stringVars),
      op('BinaryEquals', 'binary', false),
      op('IpAddress', 'ipAddress', false),
      op('NotIpAddress', 'ipAddress', true),
      op('ArnEquals', 'arn', false, stringLike),
      op('ArnLike', 'arn', false, stringLike),
      op('ArnNotEquals', 'arn', true, stringLike),
      op('ArnNotLike', 'arn', true, stringLike),
      op('Null', 'null', false),
    ].map((o) => [o.name, o]),
  ),
);

const IF_EXISTS = 'IfExists';
const cache = new Map<string, ParsedOperator | null>();

/**
 * Splits a condition operator as written in a policy into its parts, or returns
 * `undefined` when it is not a documented operator (unknown base, `NullIfExists`,
 * an unknown `Xxx:` prefix, wrong letter case).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
export function parseOperatorName(name: string): ParsedOperator | undefined {
  const cached = cache.get(name);
  if (cached !== undefined) return cached ?? undefined;
  const parsed = parseUncached(name);
  // Policies repeat a handful of operator names; the cache stays small in practice.
  if (cache.size < 4096) cache.set(name, parsed ? Object.freeze(parsed) : null);
  return parsed;
}

function parseUncached(name: string): ParsedOperator | undefined {
  let rest = name;
  let setQualifier: SetQualifier | undefined;
  const colon = rest.indexOf(':');
  if (colon !== -1) {
    const prefix = rest.slice(0, colon);
    if (prefix !== 'ForAllValues' && prefix !== 'ForAnyValue') return undefined;
    setQualifier = prefix;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (rest.endsWith(IF_EXISTS) && rest.length > IF_EXISTS.length) {
    ifExists = true;
    rest = rest.slice(0, -IF_EXISTS.length);
  }
  const base = Object.hasOwn(conditionOperators, rest) ? conditionOperators[rest] : undefined;
  if (!base) return undefined;
  if (ifExists && !base.ifExistsAllowed) return undefined;
  return { name, base: base.name, setQualifier, ifExists, valueType: base.valueType, negated: base.negated };
}

/** The registry entry of a parsed operator's base. */
export function baseOperatorOf(parsed: ParsedOperator): BaseOperator {
  return conditionOperators[parsed.base] as BaseOperator;
}
