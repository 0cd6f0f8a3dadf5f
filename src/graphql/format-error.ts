// What a client sees of an error: ours (IamError) pass with their AWS code,
// message and details (a rejected policy's location); GraphQL's own request
// errors pass with Apollo's code; anything else is masked as ServiceFailure and logged with its request id, except an unreachable
// database: that is an outage, logged once by readiness (src/db/health.ts), not per request.
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { isDatabaseUnreachable } from '../db/errors.js';
import { IamError } from '../errors.js';
import type { Logger } from '../log.js';

export interface FormatErrorOptions {
  /** Told of each request that failed for want of the database (cheap: readiness rate-limits its probe). */
  onDatabaseUnreachable?: () => void;
}

/** Builds Apollo's `formatError`. */
export function createFormatError(logger: Logger, production: boolean, { onDatabaseUnreachable }: FormatErrorOptions = {}) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof IamError) {
      return { message: original.message, path: formatted.path, locations: formatted.locations, extensions: { ...original.extensions, code: original.code } };
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
      // Field suggestions ("Did you mean ...") reveal the schema; drop them in production.
      const message = production ? formatted.message.replace(/ Did you mean .*$/, '') : formatted.message;
      return { ...formatted, message };
    }
    if (isDatabaseUnreachable(original)) {
      onDatabaseUnreachable?.();
      logger.debug({ err: original }, 'request failed: database unreachable');
    } else {
      logger.error({ err: original }, 'unexpected error');
    }
    return { message: 'An internal error occurred.', path: formatted.path, extensions: { code: 'ServiceFailure' } };
  };
}
