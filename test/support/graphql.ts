/** Small helpers for tests that read GraphQL responses. */
import type { GraphQLResponse } from './stack';

/** The `extensions.code` of each error, in order. */
export function errorCodes(response: GraphQLResponse): string[] {
  return (response.errors ?? []).map((e) => String(e.extensions?.code));
}

/** Fails with the errors when the response has any; returns its data. */
export function dataOf<T = any>(response: GraphQLResponse<T>): T {
  if (response.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  return response.data as T;
}
