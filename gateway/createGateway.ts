/** The Apollo Gateway over the composed supergraph. */
import { ApolloGateway } from '@apollo/gateway';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { SubgraphName } from '../lib/config';
import type { Logger } from '../lib/logger';
import { SubgraphDataSource } from './subgraphDataSource';
import { createSubgraphFetcher } from './subgraphFetcher';

/** Connections per subgraph: well above one gateway's useful concurrency, far below what hurts a subgraph. */
const MAX_SOCKETS_PER_SUBGRAPH = 128;

export interface GatewayOptions {
  readonly supergraphPath: string;
  /** Overrides the routing URL of each subgraph written in the supergraph. */
  readonly subgraphUrls: Readonly<Partial<Record<SubgraphName, string>>>;
  readonly subgraphTimeoutMs: number;
  readonly internalSecret: string;
  readonly logger: Logger;
}

/** Builds the gateway; `ApolloServer.start()` loads it. */
export function createGateway(options: GatewayOptions): ApolloGateway {
  const fetcher = createSubgraphFetcher({ timeoutMs: options.subgraphTimeoutMs, maxSockets: MAX_SOCKETS_PER_SUBGRAPH });
  return new ApolloGateway({
    // A new supergraph file is picked up while running; open subscriptions stay open.
    supergraphSdl: async ({ update }) => {
      let current = readFileSync(options.supergraphPath, 'utf8');
      const onChange = () => {
        let next: string;
        try {
          next = readFileSync(options.supergraphPath, 'utf8');
        } catch (error) {
          options.logger.warn({ err: error }, 'supergraph file unreadable; keeping the current one');
          return;
        }
        if (next === current) return;
        current = next;
        try {
          update(next);
          options.logger.info({ path: options.supergraphPath }, 'supergraph updated');
        } catch (error) {
          options.logger.error({ err: error }, 'new supergraph refused; keeping the current one');
        }
      };
      watchFile(options.supergraphPath, { interval: 1000 }, onChange);
      // Called by the gateway's stop(): no watcher or idle subgraph connection outlives it.
      const cleanup = async () => {
        unwatchFile(options.supergraphPath, onChange);
        fetcher.close();
      };
      return { supergraphSdl: current, cleanup };
    },
    logger: options.logger,
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        name,
        url: options.subgraphUrls[name as SubgraphName] ?? url!,
        fetcher: fetcher.fetch,
        timeoutMs: options.subgraphTimeoutMs,
        internalSecret: options.internalSecret,
        logger: options.logger,
      }),
  });
}
