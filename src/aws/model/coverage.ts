// How much of AWS's IAM and STS APIs our GraphQL schema answers, by the one naming
// rule: which actions have a field, and where a field's input or payload departs
// from AWS's members. The Query-protocol adapter can drive only what maps cleanly.
import {
  type GraphQLField,
  type GraphQLInputObjectType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLType,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { type ServiceModel, type ServiceName, type StructureShape, getShape, paginationArguments, serviceModels, toGraphQLName } from './index.js';

/** Where an AWS action lands in the schema; `root` is null when no field has its name. */
export interface OperationCoverage {
  readonly service: ServiceName;
  readonly operation: string;
  readonly field: string;
  readonly root: 'Query' | 'Mutation' | null;
}

/**
 * One departure from AWS. `at` is `CreateUser` (the field itself), `CreateUser input`,
 * `CreateUser output`, or `User → User` for a nested AWS shape and the GraphQL type it
 * maps to (reported once, however many actions reach it); `member` is AWS's member
 * path (`Tags.member.Key`) or the GraphQL input field that AWS lacks.
 */
export interface Mismatch {
  readonly service: ServiceName;
  readonly at: string;
  readonly member: string;
  readonly problem: string;
}

export interface CoverageReport {
  /** Every AWS operation of both models, sorted by service then name. */
  readonly operations: readonly OperationCoverage[];
  readonly mismatches: readonly Mismatch[];
  /** `Query.signIn`-style names of root fields that are no AWS action (our own additions). */
  readonly extraFields: readonly string[];
}

type Root = 'Query' | 'Mutation';

/** Compares both models with a schema built from schema.graphql (no resolvers needed). */
export function reportCoverage(schema: GraphQLSchema): CoverageReport {
  const roots: Record<Root, GraphQLObjectType | null | undefined> = { Query: schema.getQueryType(), Mutation: schema.getMutationType() };
  const operations: OperationCoverage[] = [];
  const mismatches: Mismatch[] = [];
  const claimed = new Set<string>();
  for (const service of Object.keys(serviceModels).sort() as ServiceName[]) {
    const compare = createComparer(service, serviceModels[service], mismatches);
    for (const operation of Object.keys(serviceModels[service].operations).sort()) {
      const fieldName = toGraphQLName(operation);
      const root = (['Query', 'Mutation'] as const).find((name) => roots[name]?.getFields()[fieldName]) ?? null;
      operations.push({ service, operation, field: fieldName, root });
      if (!root) {
        const differentlyCased = (['Query', 'Mutation'] as const)
          .flatMap((name) => Object.keys(roots[name]?.getFields() ?? {}).map((field) => `${name}.${field}`))
          .find((name) => name.split('.')[1]!.toLowerCase() === fieldName.toLowerCase());
        if (differentlyCased) mismatches.push({ service, at: operation, member: '', problem: `field ${differentlyCased}, the rule says ${fieldName}` });
        continue;
      }
      claimed.add(`${root}.${fieldName}`);
      compare.operation(operation, root, roots[root]!.getFields()[fieldName]!);
    }
  }
  const extraFields = (['Query', 'Mutation'] as const).flatMap((root) =>
    Object.keys(roots[root]?.getFields() ?? {})
      .map((name) => `${root}.${name}`)
      .filter((name) => !claimed.has(name)),
  );
  const order = (m: Mismatch) => `${m.service} ${m.at} ${m.member}`;
  mismatches.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return { operations, mismatches, extraFields };
}

/** The comparisons of one service, remembering which nested shape/type pairs it has seen. */
function createComparer(service: ServiceName, model: ServiceModel, mismatches: Mismatch[]) {
  const seen = new Set<string>();
  const report = (at: string, member: string, problem: string): void => {
    mismatches.push({ service, at, member, problem });
  };

  /** A member's AWS shape against the GraphQL type of the field it maps to. */
  function compareValue(shapeName: string, type: GraphQLType, at: string, member: string): void {
    const shape = getShape(model, shapeName);
    const nullable = getNullableType(type);
    if (shape.type === 'structure') {
      if (isObjectType(nullable) || isInputObjectType(nullable)) return compareNested(shapeName, nullable);
      return report(at, member, `structure ${shapeName} answered as ${String(type)}`);
    }
    if (shape.type === 'list') {
      if (isListType(nullable)) return compareValue(shape.member.shape, nullable.ofType, at, `${member}.member`);
      const nodes = isObjectType(nullable) ? connectionNodes(nullable) : undefined;
      const nodeList = nodes && getNullableType(nodes.type);
      if (isListType(nodeList)) return compareValue(shape.member.shape, nodeList.ofType, at, `${member}.member`);
      return report(at, member, `list answered as ${String(type)}`);
    }
    if (shape.type === 'map') {
      // A map is answered as a list of `{ key value }` entries (GraphQL has no map type).
      const entry = isListType(nullable) ? getNamedType(nullable.ofType) : undefined;
      const fields = isObjectType(entry) ? entry.getFields() : undefined;
      if (fields?.key && fields.value) {
        compareValue(shape.key.shape, fields.key.type, at, `${member}.key`);
        return compareValue(shape.value.shape, fields.value.type, at, `${member}.value`);
      }
      return report(at, member, `map ${shapeName} answered as ${String(type)}`);
    }
    const named = getNamedType(type);
    if (isEnumType(named)) {
      const values = new Set(named.getValues().map((value) => value.value as unknown));
      const missing = shape.type === 'string' ? (shape.enum ?? []).filter((value) => !values.has(value)) : [];
      if (shape.type !== 'string') report(at, member, `${shape.type} answered as enum ${named.name}`);
      else if (missing.length > 0) report(at, member, `enum ${named.name} lacks ${missing.join(', ')}`);
      return;
    }
    if (!isScalarType(named) || isListType(nullable) || !scalarsFor[shape.type]?.includes(named.name)) {
      report(at, member, `${shape.type} answered as ${String(type)}`);
    }
  }

  /** A nested AWS structure against an object or input type, once per pair. */
  function compareNested(shapeName: string, type: GraphQLObjectType | GraphQLInputObjectType): void {
    const key = `${shapeName} → ${type.name}`;
    if (seen.has(key)) return;
    seen.add(key);
    compareMembers(getShape(model, shapeName) as StructureShape, type, key, isInputObjectType(type));
  }

  /** Every member of a structure against the type's fields; an input type's own extra fields too. */
  function compareMembers(shape: StructureShape, type: GraphQLObjectType | GraphQLInputObjectType, at: string, reportExtras: boolean, skip: ReadonlySet<string> = new Set()): void {
    const fields = type.getFields();
    const connectionList = isObjectType(type) && connectionNodes(type) ? Object.keys(shape.members).filter((name) => getShape(model, shape.members[name]!.shape).type === 'list') : [];
    const used = new Set<string>();
    for (const [memberName, member] of Object.entries(shape.members)) {
      if (skip.has(memberName)) continue;
      let fieldName = toGraphQLName(memberName);
      // INVARIANT: a connection stands for a List* response: its one list member is `nodes`.
      if (!fields[fieldName] && connectionList.length === 1 && connectionList[0] === memberName) fieldName = 'nodes';
      const field = fields[fieldName];
      if (!field) {
        const differentlyCased = Object.keys(fields).find((name) => name.toLowerCase() === fieldName.toLowerCase());
        report(at, memberName, differentlyCased ? `named ${differentlyCased}, the rule says ${fieldName}` : `no field ${fieldName}`);
        continue;
      }
      used.add(fieldName);
      compareValue(member.shape, field.type, at, memberName);
    }
    if (!reportExtras) return;
    for (const name of Object.keys(fields)) if (!used.has(name)) report(at, name, 'not an AWS member');
  }

  /** An action's field: its root, its arguments against the request, its payload against the response. */
  function compareOperation(operation: string, root: Root, field: GraphQLField<unknown, unknown>): void {
    const op = model.operations[operation]!;
    const expectedRoot: Root = /^(Get|List)[A-Z]/.test(operation) ? 'Query' : 'Mutation';
    if (root !== expectedRoot) report(operation, '', `on ${root}; AWS Get*/List* actions are queries, the rest mutations`);

    const args = new Map(field.args.map((arg) => [arg.name, arg.type]));
    const input = args.get('input');
    const inputType = input && getNullableType(input);
    const request = op.input ? (getShape(model, op.input) as StructureShape) : undefined;
    const paginated = new Set(Object.keys(paginationArguments).filter((member) => request?.members[member]));
    for (const member of paginated) {
      if (!args.has(paginationArguments[member]!)) report(`${operation} input`, member, `no argument ${paginationArguments[member]}`);
    }
    if (request && isInputObjectType(inputType)) compareMembers(request, inputType, `${operation} input`, true, paginated);
    else if (request) for (const member of Object.keys(request.members).filter((name) => !paginated.has(name))) report(`${operation} input`, member, 'no input argument');
    else if (isInputObjectType(inputType)) for (const name of Object.keys(inputType.getFields())) report(`${operation} input`, name, 'not an AWS member');

    // An empty response structure (UpdateRole's) answers only ResponseMetadata, like no output at all.
    if (!op.output || Object.keys((getShape(model, op.output) as StructureShape).members).length === 0) return;
    const payload = getNullableType(field.type);
    if (isObjectType(payload)) compareMembers(getShape(model, op.output) as StructureShape, payload, `${operation} output`, false);
    else report(`${operation} output`, '', `payload is ${String(field.type)}`);
  }

  return { operation: compareOperation };
}

/** A Relay connection's `nodes` field, when the type is one. */
function connectionNodes(type: GraphQLObjectType): GraphQLField<unknown, unknown> | undefined {
  const fields = type.getFields();
  return fields.edges && fields.pageInfo ? fields.nodes : undefined;
}

/** The GraphQL scalars that carry each AWS scalar type faithfully. */
const scalarsFor: Readonly<Record<string, readonly string[]>> = Object.freeze({
  string: ['String', 'ID'],
  integer: ['Int'],
  long: ['Int', 'Float'],
  float: ['Float'],
  double: ['Float'],
  boolean: ['Boolean'],
  timestamp: ['DateTime'],
  blob: ['String'],
});
