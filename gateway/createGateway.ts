/** The Apollo Gateway over the composed supergraph. */
import { ApolloGateway } from '@apollo/gateway';
import { readFileSync } from 'node:fs';
import type { SubgraphName } from '../lib/config';
import type { Logger } from '../lib/logger';
import { SubgraphDataSource } from './subgraphDataSource';

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
  return new ApolloGateway({
    supergraphSdl: readFileSync(options.supergraphPath, 'utf8'),
    logger: options.logger,
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        name,
        url: options.subgraphUrls[name as SubgraphName] ?? url!,
        timeoutMs: options.subgraphTimeoutMs,
        internalSecret: options.internalSecret,
        logger: options.logger,
      }),
  });
}
