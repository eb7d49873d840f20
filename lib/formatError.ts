import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { CustomerGraphError } from './errors';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from './databaseUnavailable';
import type { Logger } from './logger';

// Codes raised by Apollo itself for a bad request; the message is safe and useful to the client.
const CLIENT_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Builds Apollo's `formatError`: our typed errors and Apollo's request errors pass as they are; an
 * unreachable database becomes a retryable SUBGRAPH_UNAVAILABLE; anything else is logged and,
 * outside development, replaced by a bare INTERNAL_SERVER_ERROR.
 */
export function createFormatError(logger: Logger, exposeInternals: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof CustomerGraphError) return formatted;
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && CLIENT_CODES.has(code)) return formatted;
    // Errors a subgraph already formatted arrive at the gateway with a code of our list: keep them.
    if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR' && formatted.extensions?.serviceName) return formatted;
    if (isDatabaseUnavailable(original)) {
      logger.warn({ err: original, path: formatted.path }, 'database unavailable');
      return { message: DATABASE_UNAVAILABLE_MESSAGE, ...(formatted.path ? { path: formatted.path } : {}), extensions: { code: 'SUBGRAPH_UNAVAILABLE', retryable: true } };
    }
    logger.error({ err: original, path: formatted.path }, 'internal error');
    if (exposeInternals) return formatted;
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR', ...(formatted.extensions?.serviceName ? { serviceName: formatted.extensions.serviceName } : {}) },
    };
  };
}
