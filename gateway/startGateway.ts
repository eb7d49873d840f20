/** Starts the public gateway: Apollo Server + Apollo Gateway behind the HTTP app. */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { createServer } from 'node:http';
import type { SubgraphName } from '../lib/config';
import { createFormatError } from '../lib/formatError';
import { listen } from '../lib/listen';
import { createLogger } from '../lib/logger';
import type { GatewayContext } from './context';
import { createGateway } from './createGateway';
import { createHttpApp } from './http';
import { createPermissionsPlugin } from './plugins/usePermissions';

export interface StartGatewayOptions {
  readonly port: number;
  readonly host: string;
  readonly jwtSecret: string;
  readonly internalSecret: string;
  readonly supergraphPath: string;
  readonly subgraphUrls: Readonly<Record<SubgraphName, string>>;
  readonly subgraphTimeoutMs: number;
  readonly logLevel: string;
  readonly exposeInternals: boolean;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts the gateway and resolves once it serves. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const logger = createLogger('gateway', options.logLevel);
  const gateway = createGateway({ ...options, logger });
  // The app needs the server and the server needs the HTTP server for draining: create the server first.
  const httpServer = createServer();
  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: createFormatError(logger, options.exposeInternals),
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), createPermissionsPlugin()],
    logger,
  });
  await server.start();
  httpServer.on('request', createHttpApp(server, { jwtSecret: options.jwtSecret, subgraphUrls: options.subgraphUrls }));
  const port = await listen(httpServer, options.port, options.host);
  const url = `http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port}/graphql`;
  logger.info({ url }, 'gateway ready');
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    stop() {
      stopping ??= server.stop().then(() => logger.info('gateway stopped'));
      return stopping;
    },
  };
}
