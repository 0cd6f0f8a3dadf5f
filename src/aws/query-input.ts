// The Query protocol's request parameters (`Action=CreateUser&Version=2010-05-08&
// UserName=alice&Tags.member.1.Key=team`) read into the GraphQL field's arguments,
// by the action's input shape: lists as `.member.N`, maps as `.entry.N.key/value`,
// structures as `.Member`, scalars by their type; Marker and MaxItems become `after`
// and `first`. https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
import { type GraphQLInputObjectType, type GraphQLInputType, getNamedType, getNullableType, isInputObjectType, isListType } from 'graphql';
import { ValidationError } from '../errors.js';
import { type Shape, type ServiceModel, type StructureShape, getShape, paginationArguments, toGraphQLName } from './model/index.js';

/** The variables of a bound field's operation. */
export interface FieldArguments {
  input?: Record<string, unknown>;
  first?: number;
  after?: string;
}

/** Reads the parameters of one action into its field's arguments; ValidationError for a value of the wrong type or a missing member. */
export function readActionArguments(
  model: ServiceModel,
  inputShape: string | undefined,
  inputType: GraphQLInputObjectType | undefined,
  params: ReadonlyMap<string, string>,
): FieldArguments {
  const args: FieldArguments = {};
  if (!inputShape) return args;
  const shape = getShape(model, inputShape) as StructureShape;
  const problems: string[] = [];
  const input: Record<string, unknown> = {};
  for (const [memberName, member] of Object.entries(shape.members)) {
    const argument = paginationArguments[memberName];
    const key = member.locationName ?? memberName;
    if (argument) {
      const value = readValue(model, getShape(model, member.shape), params, key, toGraphQLName(memberName), problems);
      if (value !== undefined) (args as Record<string, unknown>)[argument] = value;
      continue;
    }
    const fieldName = toGraphQLName(memberName);
    const field = inputType?.getFields()[fieldName];
    const value = readValue(model, getShape(model, member.shape), params, key, fieldName, problems, field?.type);
    if (value === undefined) {
      if (member.required) problems.push(`Value null at '${fieldName}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    // A member AWS has and our API does not yet take is left out rather than refused by the schema.
    if (field) input[fieldName] = value;
  }
  if (problems.length > 0) {
    throw new ValidationError(`${problems.length} validation error${problems.length > 1 ? 's' : ''} detected: ${problems.join('; ')}`);
  }
  if (inputType) args.input = input;
  return args;
}

/** One member's value under `key`, undefined when the request does not carry it. */
function readValue(
  model: ServiceModel,
  shape: Shape,
  params: ReadonlyMap<string, string>,
  key: string,
  path: string,
  problems: string[],
  type?: GraphQLInputType,
): unknown {
  switch (shape.type) {
    case 'structure': {
      const target = type && getNamedType(type);
      const inputType = target && isInputObjectType(target) ? target : undefined;
      const value: Record<string, unknown> = {};
      let present = false;
      for (const [memberName, member] of Object.entries(shape.members)) {
        const fieldName = toGraphQLName(memberName);
        const field = inputType?.getFields()[fieldName];
        const item = readValue(model, getShape(model, member.shape), params, `${key}.${member.locationName ?? memberName}`, `${path}.${fieldName}`, problems, field?.type);
        if (item === undefined) continue;
        present = true;
        if (!inputType || field) value[fieldName] = item;
      }
      return present ? value : undefined;
    }
    case 'list': {
      const itemShape = getShape(model, shape.member.shape);
      const itemType = type && listItemType(type);
      const prefix = shape.flattened ? key : `${key}.${shape.member.locationName ?? 'member'}`;
      // An empty list is sent as the bare key with an empty value (`ClientIDList=`).
      if (params.get(key) === '' && !hasIndexed(params, prefix)) return [];
      const items: unknown[] = [];
      for (let index = 1; ; index++) {
        const item = readValue(model, itemShape, params, `${prefix}.${index}`, `${path}.${index}.member`, problems, itemType);
        if (item === undefined) break;
        items.push(item);
      }
      return items.length > 0 ? items : undefined;
    }
    case 'map': {
      const prefix = shape.flattened ? key : `${key}.entry`;
      const entries: Record<string, unknown> = {};
      for (let index = 1; params.has(`${prefix}.${index}.${shape.key.locationName ?? 'key'}`); index++) {
        const entryKey = params.get(`${prefix}.${index}.${shape.key.locationName ?? 'key'}`)!;
        entries[entryKey] = readValue(model, getShape(model, shape.value.shape), params, `${prefix}.${index}.${shape.value.locationName ?? 'value'}`, `${path}.${entryKey}`, problems);
      }
      return Object.keys(entries).length > 0 ? entries : undefined;
    }
    default:
      return readScalar(shape, params.get(key), path, problems);
  }
}

function readScalar(shape: Shape, raw: string | undefined, path: string, problems: string[]): unknown {
  if (raw === undefined) return undefined;
  switch (shape.type) {
    case 'integer':
    case 'long': {
      if (!/^-?\d+$/.test(raw)) {
        problems.push(`Value '${raw}' at '${path}' failed to satisfy constraint: Member must be a number`);
        return undefined;
      }
      return Number(raw);
    }
    case 'float':
    case 'double': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) {
        problems.push(`Value '${raw}' at '${path}' failed to satisfy constraint: Member must be a number`);
        return undefined;
      }
      return value;
    }
    case 'boolean': {
      if (raw !== 'true' && raw !== 'false') {
        problems.push(`Value '${raw}' at '${path}' failed to satisfy constraint: Member must be true or false`);
        return undefined;
      }
      return raw === 'true';
    }
    case 'timestamp': {
      const time = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
      if (Number.isNaN(time.getTime())) {
        problems.push(`Value '${raw}' at '${path}' failed to satisfy constraint: Member must be a timestamp`);
        return undefined;
      }
      return time.toISOString();
    }
    default:
      return raw;
  }
}

function listItemType(type: GraphQLInputType): GraphQLInputType | undefined {
  const inner = getNullableType(type);
  return isListType(inner) ? (inner.ofType as GraphQLInputType) : undefined;
}

function hasIndexed(params: ReadonlyMap<string, string>, prefix: string): boolean {
  for (const key of params.keys()) if (key.startsWith(`${prefix}.`)) return true;
  return false;
}
