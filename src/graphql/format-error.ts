// What a client sees of an error: ours (IamError) pass with their AWS code and
// message; GraphQL's own request errors pass with Apollo's code; anything else is
// masked as ServiceFailure and logged with its request id.
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { IamError } from '../errors.js';
import type { Logger } from '../log.js';

/** Builds Apollo's `formatError`. */
export function createFormatError(logger: Logger, production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof IamError) {
      return { message: original.message, path: formatted.path, locations: formatted.locations, extensions: { code: original.code } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      // Field suggestions ("Did you mean ...") reveal the schema; drop them in production.
      const message = production ? formatted.message.replace(/ Did you mean .*$/, '') : formatted.message;
      return { ...formatted, message };
    }
    logger.error({ err: original }, 'unexpected error');
    return { message: 'An internal error occurred.', path: formatted.path, extensions: { code: 'ServiceFailure' } };
  };
}
