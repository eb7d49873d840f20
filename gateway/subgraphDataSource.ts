/**
 * How the gateway talks to one subgraph: forwards the verified caller, and turns a subgraph
 * that cannot be reached into errors at the paths of the fields it owns, so the rest of the
 * response is still served (Apollo Gateway would otherwise report one error with no path).
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Fetcher, FetcherRequestInit } from '@apollo/utils.fetcher';
import { Kind, parse, type SelectionSetNode } from 'graphql';
import { CALLER_HEADER, encodeCaller } from '../lib/caller';
import { signRequest } from '../lib/internalAuth';
import type { Logger } from '../lib/logger';
import type { GatewayContext } from './context';

export interface SubgraphDataSourceOptions {
  readonly name: string;
  /** HMAC key shared with the subgraphs. */
  readonly internalSecret: string;
  readonly url: string;
  /** How requests reach the subgraph (gateway/subgraphFetcher: keep-alive, capped, timed out). */
  readonly fetcher: Fetcher;
  /** What the fetcher's timeout is, for the error message. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

/** The data source of one subgraph. */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly name: string;
  private readonly timeoutMs: number;
  private readonly logger: Logger;

  constructor(options: SubgraphDataSourceOptions) {
    super({ url: options.url, fetcher: createSigningFetcher(options.internalSecret, options.name, options.fetcher) });
    this.name = options.name;
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Requests the gateway makes on its own (health checks) carry no caller.
    if (!context?.caller) return;
    request.http?.headers.set(CALLER_HEADER, encodeCaller(context.caller));
    request.http?.headers.set('x-request-id', context.requestId);
  }

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || /aborted|timeout/i.test(error.message));
      const reason = timedOut ? `did not answer within ${this.timeoutMs} ms` : 'is unavailable';
      this.logger.warn({ subgraph: this.name, err: error }, `subgraph ${this.name} ${reason}`);
      return {
        errors: errorPaths(options.request.query ?? '', options.request.variables).map((path) => ({
          message: `The ${this.name} subgraph ${reason}; retry later`,
          path,
          extensions: { code: 'SUBGRAPH_UNAVAILABLE', retryable: true },
        })),
      };
    }
  }
}

// Signs the exact body that is sent (the data source serialises it just before this call).
function createSigningFetcher(secret: string, subgraph: string, fetcher: Fetcher): Fetcher {
  return (url: string, init: FetcherRequestInit = {}) => {
    const callerHeader = init.headers?.[CALLER_HEADER];
    if (!callerHeader) return fetcher(url, init);
    const body = String(init.body ?? '');
    return fetcher(url, { ...init, body, headers: { ...init.headers, ...signRequest(secret, subgraph, callerHeader, body) } });
  };
}

const rootFieldsCache = new Map<string, string[]>();

/**
 * The paths, in the subgraph's response, of every field the failed fetch asked for:
 * `[field]` for a root fetch, `["_entities", i, field]` for each entity of an entity fetch.
 * The gateway turns the latter into paths of the client's query.
 */
function errorPaths(query: string, variables: Record<string, unknown> | undefined): Array<Array<string | number>> {
  let fields = rootFieldsCache.get(query);
  if (!fields) {
    fields = rootFields(query);
    if (rootFieldsCache.size > 1000) rootFieldsCache.clear();
    rootFieldsCache.set(query, fields);
  }
  const representations = variables?.representations;
  if (fields[0] === '_entities' && Array.isArray(representations)) {
    const entityFields = fields.slice(1);
    return representations.flatMap((_, index) => entityFields.map((field) => ['_entities', index, field]));
  }
  return fields.map((field) => [field]);
}

// For an `_entities` fetch: ['_entities', ...fields selected on the entities]; otherwise the root fields.
function rootFields(query: string): string[] {
  const operation = parse(query).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.kind !== Kind.OPERATION_DEFINITION) return [];
  const roots = responseKeys(operation.selectionSet);
  const entities = operation.selectionSet.selections.find((s) => s.kind === Kind.FIELD && s.name.value === '_entities');
  if (entities && entities.kind === Kind.FIELD && entities.selectionSet) return ['_entities', ...responseKeys(entities.selectionSet)];
  return roots;
}

function responseKeys(selectionSet: SelectionSetNode): string[] {
  return selectionSet.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value === '__typename' ? [] : [selection.alias?.value ?? selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return responseKeys(selection.selectionSet);
    return [];
  });
}
