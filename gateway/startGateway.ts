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
import { createMetrics, createMetricsPlugin } from '../lib/metrics';
import { createRequestLogPlugin } from '../lib/requestLog';
import type { DestinationStream } from 'pino';
import type { GraphQLSchema } from 'graphql';
import { createFanout } from './fanout';
import { withSubscriptions } from './subscriptionSchema';
import { attachSubscriptions } from './subscriptions';
import { applyReportedCode, createArmor } from './plugins/useArmor';
import { createAnomalyMonitor } from '../lib/anomalyMonitor';
import { createRateLimiter, type RateLimits } from '../lib/rateLimiter';
import { createRedis } from '../lib/redis';

const DEFAULT_RATE_LIMITS: RateLimits = { perUserPerMinute: 1200, perTenantPerMinute: 20_000 };
import { createAuthenticate } from './auth';
import { createApiKeyVerifier } from '../lib/apiKeys';
import { connectMongo } from '../lib/mongo';
import { createTokenVerifier } from '../lib/token';
import { createPermissionsPlugin } from './plugins/usePermissions';

export interface StartGatewayOptions {
  readonly port: number;
  readonly host: string;
  readonly jwtSecret: string;
  readonly jwksUrl?: string;
  readonly jwtIssuer?: string;
  readonly jwtAudience?: string;
  /** Where partner API keys are stored; without it, API keys are refused. */
  readonly mongodbUri?: string;
  /** How long a verified API key is trusted before it is looked up again (a revocation takes effect within it). */
  readonly apiKeyCacheMs?: number;
  readonly internalSecret: string;
  readonly supergraphPath: string;
  readonly subgraphUrls: Readonly<Record<SubgraphName, string>>;
  readonly subgraphTimeoutMs: number;
  readonly logLevel: string;
  readonly exposeInternals: boolean;
  /** Production hardening: no introspection. */
  readonly production?: boolean;
  /** Redis for rate limits (shared by replicas); without it, no rate limits. */
  readonly redisUrl?: string;
  readonly rateLimits?: RateLimits;
  readonly bodyLimitBytes?: number;
  /** Allowed browser origins for WebSocket upgrades; empty allows any. */
  readonly allowedOrigins?: readonly string[];
  /** Lets the console at `/` mint development tokens signed with this secret (never set in production). */
  readonly devTokenSecret?: string;
  /** Where logs go (default stdout). */
  readonly logDestination?: DestinationStream;
}

export interface RunningGateway {
  readonly url: string;
  readonly port: number;
  /** Open WebSocket connections. */
  openSockets(): number;
  /** How many times a supergraph was loaded (1 at start, +1 per picked-up file change). */
  schemaLoads(): number;
  stop(): Promise<void>;
}

/** Starts the gateway and resolves once it serves. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const logger = createLogger('gateway', options.logLevel, options.logDestination);
  const gateway = createGateway({ ...options, logger });
  let subscriptionSchema: GraphQLSchema | undefined;
  let schemaLoads = 0;
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
    subscriptionSchema = withSubscriptions(apiSchema);
    schemaLoads += 1;
  });
  // The app needs the server and the server needs the HTTP server for draining: create the server first.
  const httpServer = createServer();
  const armor = createArmor();
  const metrics = createMetrics('gateway');
  const formatError = createFormatError(logger, options.exposeInternals);
  const server = new ApolloServer<GatewayContext>({
    gateway,
    formatError: (formatted, error) => applyReportedCode(formatError(formatted, error)),
    includeStacktraceInErrorResponses: false,
    // Shutdown is ours (lib/onShutdown): Apollo's own signal handler would stop and re-raise the signal.
    stopOnTerminationSignals: false,
    introspection: !options.production,
    allowBatchedHttpRequests: false,
    validationRules: [...armor.validationRules, ...armor.httpValidationRules],
    parseOptions: armor.parseOptions,
    plugins: [...armor.plugins, ApolloServerPluginDrainHttpServer({ httpServer }), createPermissionsPlugin(), createMetricsPlugin(metrics), createRequestLogPlugin(logger)],
    logger,
  });
  await server.start();
  const keyStore = options.mongodbUri ? await connectMongo(options.mongodbUri) : undefined;
  const authenticate = createAuthenticate({
    verifyToken: createTokenVerifier({ secret: options.jwtSecret, jwksUrl: options.jwksUrl, issuer: options.jwtIssuer, audience: options.jwtAudience }),
    verifyApiKey: keyStore ? createApiKeyVerifier(keyStore, options.apiKeyCacheMs) : undefined,
  });
  const monitor = createAnomalyMonitor(logger);
  const deliveryLatency = metrics.histogram('cg_event_delivery_seconds', 'From the write of a change to its delivery to a subscriber');
  const redis = options.redisUrl ? createRedis(options.redisUrl, logger) : undefined;
  const fanoutRedis = options.redisUrl ? createRedis(options.redisUrl, logger) : undefined;
  const rateLimit = redis ? createRateLimiter(redis, options.rateLimits ?? DEFAULT_RATE_LIMITS, logger, () => monitor.record('rate_limited')) : undefined;
  httpServer.on(
    'request',
    createHttpApp(server, {
      authenticate,
      rateLimit,
      monitor,
      metrics,
      bodyLimitBytes: options.bodyLimitBytes ?? 256 * 1024,
      subgraphUrls: options.subgraphUrls,
      console: { devTokenSecret: options.production ? undefined : options.devTokenSecret },
      // Live changes need Redis: without it the gateway cannot promise delivery, so it is not ready.
      dependencies: (): Record<string, boolean> => (fanoutRedis ? { redis: fanoutRedis.status === 'ready' } : {}),
    }),
  );
  // Subscriptions need the Redis fan-out; without Redis the gateway serves HTTP only.
  const fanout = fanoutRedis ? createFanout(fanoutRedis, logger) : undefined;
  const subscriptions = fanout
    ? attachSubscriptions({
        httpServer,
        apollo: server,
        schema: () => subscriptionSchema!,
        authenticate,
        fanout,
        validationRules: armor.validationRules,
        maxTokens: armor.parseOptions.maxTokens,
        rateLimit,
        allowedOrigins: options.allowedOrigins ?? [],
        onDelivered: (seconds) => deliveryLatency.observe(seconds),
        logger,
      })
    : undefined;
  metrics.gauge('cg_ws_connections', 'Open WebSocket connections', () => subscriptions?.openSockets() ?? 0);
  metrics.gauge('cg_subscriptions', 'Open live subscriptions', () => subscriptions?.openSubscriptions() ?? 0);
  metrics.gauge('cg_redis_up', 'Whether the Redis fan-out connection is ready (1) or not (0)', () => (fanoutRedis?.status === 'ready' ? 1 : 0));
  metrics.gauge('cg_failed_logins_total', 'Requests refused with UNAUTHENTICATED since start', () => monitor.totals().failed_login);
  metrics.gauge('cg_rate_limited_total', 'Requests refused with RATE_LIMITED since start', () => monitor.totals().rate_limited);
  const port = await listen(httpServer, options.port, options.host);
  const url = `http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port}/graphql`;
  logger.info({ url }, 'gateway ready');
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    openSockets: () => subscriptions?.openSockets() ?? 0,
    schemaLoads: () => schemaLoads,
    stop() {
      stopping ??= (async () => {
        await subscriptions?.dispose();
        fanout?.close();
        await server.stop();
        redis?.disconnect();
        await keyStore?.close();
        logger.info('gateway stopped');
      })();
      return stopping;
    },
  };
}
