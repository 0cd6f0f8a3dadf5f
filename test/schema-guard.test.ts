// Walks schema.graphql: every Query and Mutation field, and every nested field
// that reveals data, must name its IAM action (@iam) or carry a reviewed @public
// mark with a reason. Fails on any field that has neither.
import { describe, expect, it } from 'vitest';
import {
  type GraphQLField,
  type GraphQLObjectType,
  buildSchema,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { buildExecutableSchema, readSdl } from '../src/graphql/schema.js';
import { guarded } from '../src/graphql/caller.js';
import { readGuard } from '../src/graphql/guard.js';
import { compileResource } from '../src/auth/resources.js';

const schema = buildSchema(readSdl());
const ROOT_TYPES = new Set(['Query', 'Mutation']);

function hasPublicMark(field: GraphQLField<unknown, unknown>): boolean {
  const mark = field.astNode?.directives?.find((d) => d.name.value === 'public');
  const reason = mark?.arguments?.find((a) => a.name.value === 'reason');
  return Boolean(reason && reason.value.kind === 'StringValue' && reason.value.value.trim().length > 10);
}

function isList(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/** A nested field reveals data of its own when it takes arguments, returns a connection, or a list of entities. */
function revealsData(field: GraphQLField<unknown, unknown>): boolean {
  const named = getNamedType(field.type);
  if (field.args.length > 0) return true;
  if (named.name.endsWith('Connection')) return true;
  return isList(field.type) && isObjectType(named) && named.getFields().arn !== undefined;
}

const objectTypes = Object.values(schema.getTypeMap()).filter(
  (type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'),
);

const rows = objectTypes.flatMap((type) =>
  Object.values(type.getFields())
    // Connection and edge types are plumbing: the field returning the connection is the guarded one.
    .filter((field) => ROOT_TYPES.has(type.name) || (!/(Connection|Edge)$/.test(type.name) && revealsData(field)))
    .map((field) => ({ name: `${type.name}.${field.name}`, field })),
);

describe('every data-revealing field is guarded', () => {
  it('finds the root fields to check', () => {
    expect(rows.length).toBeGreaterThan(3);
  });

  it.each(rows)('$name names an IAM action or a reviewed public mark', ({ field }) => {
    const guard = readGuard(field);
    const isPublic = hasPublicMark(field);
    expect(Boolean(guard) || isPublic, 'needs @iam(action: ...) or @public(reason: ...)').toBe(true);
    expect(Boolean(guard) && isPublic, 'cannot be both guarded and public').toBe(false);
    if (guard) {
      expect(guard.action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
      expect(() => compileResource(guard.resource)).not.toThrow();
    }
  });
});

describe('resolvers written for the guard', () => {
  const sdl = `
    directive @iam(action: String!, resource: String, tagAction: String, decision: String) on FIELD_DEFINITION
    type Query { open: String checked: String @iam(action: "iam:GetUser") }
  `;

  it('refuses to build a schema where a guarded() resolver has no @iam directive', () => {
    expect(() => buildExecutableSchema(sdl, { Query: { open: guarded(() => 'x') } })).toThrow('Query.open is declared guarded() but has no @iam directive');
  });

  it('builds one where every guarded() resolver sits behind @iam', () => {
    expect(() => buildExecutableSchema(sdl, { Query: { checked: guarded((caller) => caller.arn) } })).not.toThrow();
  });
});
