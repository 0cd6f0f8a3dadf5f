// Custom scalars.
import { GraphQLScalarType, Kind } from 'graphql';
import { ValidationError } from '../errors.js';

/** ISO 8601 instants in UTC. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, as an ISO 8601 string in UTC.',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    return date.toISOString();
  },
  parseValue(value) {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new ValidationError(`Invalid DateTime: ${String(value)}`);
    return date;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new ValidationError('DateTime must be a string');
    const date = new Date(ast.value);
    if (Number.isNaN(date.getTime())) throw new ValidationError(`Invalid DateTime: ${ast.value}`);
    return date;
  },
});
