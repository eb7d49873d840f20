/** The Apollo Gateway over the composed supergraph, forwarding the verified caller to each subgraph. */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { readFileSync } from 'node:fs';
import { CALLER_HEADER, encodeCaller } from '../lib/caller';
import type { SubgraphName } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { GatewayContext } from './context';

export interface GatewayOptions {
  readonly supergraphPath: string;
  /** Overrides the routing URL of each subgraph written in the supergraph. */
  readonly subgraphUrls: Readonly<Partial<Record<SubgraphName, string>>>;
  readonly subgraphTimeoutMs: number;
  readonly logger: Logger;
}

/** Builds the gateway; call `ApolloServer.start()` to load it. */
export function createGateway(options: GatewayOptions): ApolloGateway {
  const supergraphSdl = readFileSync(options.supergraphPath, 'utf8');
  const fetcher = createTimeoutFetcher(options.subgraphTimeoutMs);
  return new ApolloGateway({
    supergraphSdl,
    logger: options.logger,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url: options.subgraphUrls[name as SubgraphName] ?? url,
        fetcher,
        willSendRequest({ request, context }) {
          // Introspection by the gateway itself (no context) carries no caller.
          if (!context.caller) return;
          request.http?.headers.set(CALLER_HEADER, encodeCaller(context.caller));
          request.http?.headers.set('x-request-id', context.requestId);
        },
      }),
  });
}

// Node's fetch keeps connections alive per origin; a timeout keeps a slow subgraph from piling up requests.
function createTimeoutFetcher(timeoutMs: number): Fetcher {
  return ((url: string, init?: RequestInit) =>
    fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as unknown as Fetcher;
}
