// Each AWS action bound to the GraphQL field that already implements it, by the one
// naming rule: the field, its operation document (arguments from AWS's members,
// selection from AWS's output members) and the shapes that read the request and
// write the answer. Built once from the executable schema and the service models,
// so every field that has an AWS action is reachable, and nothing is hand-picked.
import {
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
} from 'graphql';
import { readGuard } from '../graphql/guard.js';
import { type Operation, type ServiceModel, type ServiceName, type StructureShape, getShape, paginationArguments, serviceModels, toGraphQLName } from './model/index.js';

/** One AWS action and the GraphQL field behind it. */
export interface ActionBinding {
  service: ServiceName;
  model: ServiceModel;
  action: string;
  operation: Operation;
  /** The GraphQL field (`createUser`). */
  field: string;
  /** The operation document sent to the schema, with variables `$input`, `$first`, `$after` as the field takes them. */
  document: string;
  /** The field's arguments: `input` takes AWS's members; `first`/`after` take MaxItems/Marker. */
  takesInput: boolean;
  /** The name of AWS's list member that is the field's connection (`Users` of ListUsers), if any. */
  connectionMember: string | undefined;
}

/** Every AWS action of both services that a field of `schema` implements, by service and action. */
export function bindActions(schema: GraphQLSchema): ReadonlyMap<string, ActionBinding> {
  const bindings = new Map<string, ActionBinding>();
  for (const service of Object.keys(serviceModels) as ServiceName[]) {
    const model = serviceModels[service];
    for (const [action, operation] of Object.entries(model.operations)) {
      const binding = bindAction(schema, service, model, action, operation);
      if (binding) bindings.set(bindingKey(service, action), binding);
    }
  }
  return bindings;
}

/** The key of an action in the bindings map. */
export function bindingKey(service: ServiceName, action: string): string {
  return `${service}:${action}`;
}

function bindAction(schema: GraphQLSchema, service: ServiceName, model: ServiceModel, action: string, operation: Operation): ActionBinding | undefined {
  const fieldName = toGraphQLName(action);
  const root = (['query', 'mutation'] as const).find((kind) => (kind === 'query' ? schema.getQueryType() : schema.getMutationType())?.getFields()[fieldName]);
  if (!root) return undefined;
  const field = (root === 'query' ? schema.getQueryType() : schema.getMutationType())!.getFields()[fieldName]!;
  const args = field.args.filter((arg) => ['input', ...Object.values(paginationArguments)].includes(arg.name));
  const variables = args.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(', ');
  const argumentList = args.map((arg) => `${arg.name}: $${arg.name}`).join(', ');
  const output = operation.output ? (getShape(model, operation.output) as StructureShape) : undefined;
  const payload = getNullableType(field.type);
  const connectionMember = output && isObjectType(payload) ? connectionMemberOf(model, output, payload) : undefined;
  const rootAction = readGuard(field)?.action;
  const selection = output && isObjectType(payload) ? selectionOf(model, output, payload, rootAction, 0) : '';
  const call = `${fieldName}${argumentList ? `(${argumentList})` : ''}${selection ? ` ${selection}` : ''}`;
  return {
    service,
    model,
    action,
    operation,
    field: fieldName,
    document: `${root} ${action}${variables ? `(${variables})` : ''} { ${call} }`,
    takesInput: args.some((arg) => arg.name === 'input'),
    connectionMember,
  };
}

/** A payload that is a Relay connection has one AWS list member: the one that maps to `nodes`. */
function connectionMemberOf(model: ServiceModel, output: StructureShape, payload: GraphQLObjectType): string | undefined {
  if (!payload.getFields().nodes) return undefined;
  return Object.entries(output.members).find(([, member]) => getShape(model, member.shape).type === 'list')?.[0];
}

/**
 * The selection of a GraphQL object type that answers AWS's members of `shape`: each
 * member by the naming rule (a connection's list member as `nodes`, a nested
 * connection as its `nodes`), leaves as they are, nothing AWS does not name. A nested
 * field that needs an action of its own (a user's `tags`: iam:ListUserTags) is left
 * out, so an answer never needs more than the action the caller asked for.
 */
function selectionOf(model: ServiceModel, shape: StructureShape, type: GraphQLObjectType, rootAction: string | undefined, depth: number): string {
  if (depth > 6) return '';
  const fields = type.getFields();
  const parts: string[] = [];
  const connectionMember = connectionMemberOf(model, shape, type);
  for (const [memberName, member] of Object.entries(shape.members)) {
    const field = memberName === connectionMember ? fields.nodes : fields[toGraphQLName(memberName)];
    if (!field || field.args.some((arg) => arg.type.toString().endsWith('!'))) continue;
    const guard = readGuard(field);
    if (guard && guard.action !== rootAction) continue;
    const part = fieldSelection(model, member.shape, field, rootAction, depth);
    if (part) parts.push(part);
  }
  return parts.length > 0 ? `{ ${parts.join(' ')} }` : '';
}

function fieldSelection(model: ServiceModel, shapeName: string, field: GraphQLField<unknown, unknown>, rootAction: string | undefined, depth: number): string | undefined {
  const shape = getShape(model, shapeName);
  // A map is answered as a list of entries (see model/coverage.ts).
  if (shape.type === 'map') return `${field.name} { key value }`;
  const inner = structureOf(model, shape);
  if (!inner) return field.name;
  const target = objectTypeOf(field.type);
  if (!target) return undefined;
  // A nested list that GraphQL pages (a group's users) is read through its connection's nodes.
  if (target.getFields().nodes && !inner.members.nodes) {
    const nodes = objectTypeOf(target.getFields().nodes!.type);
    const nested = nodes ? selectionOf(model, inner, nodes, rootAction, depth + 1) : '';
    return nested ? `${field.name} { nodes ${nested} }` : undefined;
  }
  const nested = selectionOf(model, inner, target, rootAction, depth + 1);
  return nested ? `${field.name} ${nested}` : undefined;
}

/** The structure a member holds, itself or as the items of a list. */
function structureOf(model: ServiceModel, shape: ReturnType<typeof getShape>): StructureShape | undefined {
  if (shape.type === 'structure') return shape;
  if (shape.type === 'list') {
    const item = getShape(model, shape.member.shape);
    return item.type === 'structure' ? item : undefined;
  }
  return undefined;
}

function objectTypeOf(type: GraphQLOutputType): GraphQLObjectType | undefined {
  let inner = getNullableType(type);
  while (isListType(inner)) inner = getNullableType(inner.ofType);
  const named = getNamedType(inner);
  return isObjectType(named) ? named : undefined;
}
