// Every type, field, argument, input field, enum value and directive in
// schema.graphql carries a description: it is the API's reference (GraphiQL's
// Docs panel shows it), so a missing one is a bug.
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isSpecifiedDirective, isSpecifiedScalarType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { readSdl } from '../src/graphql/schema.js';

/** Paths (`Type.field(arg)`) of everything in the schema without a description. */
function undocumented(sdl: string): string[] {
  const schema = buildSchema(sdl);
  const missing: string[] = [];
  const check = (path: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(path);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    // The root operation types are documented by their fields.
    if (type !== schema.getQueryType() && type !== schema.getMutationType() && type !== schema.getSubscriptionType()) check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name})`, arg.description);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
    }
  }
  for (const directive of schema.getDirectives()) {
    if (isSpecifiedDirective(directive)) continue;
    check(`@${directive.name}`, directive.description);
    for (const arg of directive.args) check(`@${directive.name}(${arg.name})`, arg.description);
  }
  return missing;
}

describe('schema.graphql documentation', () => {
  it('describes every type, field, argument, input field, enum value and directive', () => {
    expect(undocumented(readSdl())).toEqual([]);
  });

  it('notices a missing description', () => {
    const sdl = `
      "Root." type Query { "ok" a(x: Int): Int b: E }
      enum E { "yes" Y N }
      "In." input I { "f" f: Int g: Int }
      directive @d(n: Int) on FIELD_DEFINITION
    `;
    expect(undocumented(sdl).sort()).toEqual(['@d', '@d(n)', 'E', 'E.N', 'I.g', 'Query.a(x)', 'Query.b'].sort());
  });
});
