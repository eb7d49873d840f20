import { HeaderMap } from '@apollo/server';
import { CustomerGraphError } from './errors';

const STATUS_BY_CODE: Readonly<Record<string, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, RATE_LIMITED: 429 };

/**
 * Runs a context-building step; our typed errors leave with their code and the matching HTTP status
 * (Apollo would otherwise answer 500 for any error thrown while building the context).
 */
export async function withHttpStatus<T>(build: () => T | Promise<T>): Promise<T> {
  try {
    return await build();
  } catch (error) {
    if (error instanceof CustomerGraphError) {
      const retryAfter = error.extensions.retryAfter;
      const headers = new HeaderMap(retryAfter ? [['retry-after', String(retryAfter)]] : []);
      throw new CustomerGraphError(error.message, error.code, { ...error.extensions, http: { status: STATUS_BY_CODE[error.code] ?? 400, headers } });
    }
    throw error;
  }
}
