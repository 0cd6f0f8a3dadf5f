// Builds the executable schema: schema.graphql (SDL first) + the resolver maps,
// with every `@iam` field wrapped by the guard.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GraphQLScalarType, type GraphQLSchema, buildSchema, isObjectType, isScalarType } from 'graphql';
import { applyAudit } from './audit.js';
import { withDryRuns } from './dry-run.js';
import { applyGuards } from './guard.js';
import { resolvers } from './resolvers/index.js';

export const SCHEMA_PATH = fileURLToPath(new URL('../../schema.graphql', import.meta.url));

/** Reads schema.graphql. */
export function readSdl(): string {
  return readFileSync(SCHEMA_PATH, 'utf8');
}

type ResolverMap = Record<string, Record<string, unknown> | GraphQLScalarType>;

/**
 * The schema with resolvers attached and guards applied. The project's own maps (the
 * default) also get the policy-writing mutations' dry runs and their preview queries.
 */
export function buildExecutableSchema(sdl = readSdl(), given?: ResolverMap): GraphQLSchema {
  const schema = buildSchema(sdl);
  const maps = given ?? (withDryRuns(resolvers, new Set(Object.keys(schema.getQueryType()?.getFields() ?? {}))) as ResolverMap);
  for (const [typeName, fields] of Object.entries(maps)) {
    const type = schema.getType(typeName);
    if (!type) throw new Error(`Resolvers given for unknown type ${typeName}`);
    if (isScalarType(type)) {
      const impl = fields as GraphQLScalarType;
      type.serialize = impl.serialize;
      type.parseValue = impl.parseValue;
      type.parseLiteral = impl.parseLiteral;
      continue;
    }
    if (!isObjectType(type)) throw new Error(`Resolvers given for non-object type ${typeName}`);
    const typeFields = type.getFields();
    for (const [fieldName, resolve] of Object.entries(fields as Record<string, unknown>)) {
      const field = typeFields[fieldName];
      if (!field) throw new Error(`Resolver given for unknown field ${typeName}.${fieldName}`);
      field.resolve = resolve as typeof field.resolve;
    }
  }
  return applyAudit(applyGuards(schema));
}
