/**
 * Starts one subgraph: connects to MongoDB, builds indexes, then serves
 * `POST /graphql`, `GET /healthz` and `GET /readyz`. Shared by sales, service and marketing,
 * which only bring their SDL, models, loaders and resolvers.
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import express from 'express';
import { parse } from 'graphql';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Connection, Model } from 'mongoose';
import type { SubgraphName } from './config';
import type { Keyring } from './fieldCrypto';
import type { Caller } from './caller';
import { NonceCache, verifyRequest } from './internalAuth';
import { FeedMessageType, WAKE_CHANNEL, stringifyFeedMessage } from './changeFeed';
import { createRedis } from './redis';
import { FeedFollower, type FollowerSpec } from './feedFollower';
import { abilityFor, type AppAbility } from './policy';
import { AuditLog } from './auditLog';
import { createMetrics, createMetricsPlugin } from './metrics';
import { createRequestLogPlugin } from './requestLog';
import type { DestinationStream } from 'pino';
import { createAnomalyMonitor, type AnomalyMonitor } from './anomalyMonitor';
import { createFormatError } from './formatError';
import { listen } from './listen';
import { createLogger, type Logger } from './logger';
import { connectMongo, initModels, pingMongo } from './mongo';

type RawBodyRequest = express.Request & { rawBody?: Buffer };

/** What every subgraph resolver receives. */
export interface SubgraphContext<TModels, TLoaders> {
  readonly caller: Caller;
  /** What the caller may do (lib/policy), for per-record checks. */
  readonly ability: AppAbility;
  readonly models: TModels;
  readonly loaders: TLoaders;
  readonly requestId: string;
  readonly settings: SubgraphSettings;
  /** The subgraph's database connection (idempotency results, conflicts, the change feed). */
  readonly db: Connection;
  /** Tells the relay that a record has a pending change (best effort: the relay also scans). */
  readonly wakeRelay: (recordId: string) => void;
  /** Notes that a sensitive field of a record was read; audited when the response is sent. */
  readonly noteRead: (recordId: string, field: string) => void;
  /** Counts events an operator may alert on (conflicts, …). */
  readonly monitor: AnomalyMonitor;
}

/** Domain settings a subgraph's resolvers need (from `Config`). */
export interface SubgraphSettings {
  readonly defaultPhoneRegion: string;
  /** Revisions kept per record. */
  readonly historyLimit: number;
  /** Keys of the fields encrypted at rest. */
  readonly keyring: Keyring;
}

/** One subgraph, as its index.ts describes it. */
export interface SubgraphDefinition<TModels extends Readonly<Record<string, Model<any>>>, TLoaders> {
  readonly name: SubgraphName;
  /** Path of the SDL file, e.g. schema/sales.graphql. */
  readonly schemaPath: string;
  readonly resolvers: GraphQLResolverMap<SubgraphContext<TModels, TLoaders>>;
  createModels(connection: Connection): TModels;
  /** Builds fresh DataLoaders for one request: they memoize per caller, so never share them. */
  createLoaders(caller: Caller, models: TModels): TLoaders;
  /** Followers of other subgraphs' changes; `contextFor(tenant)` gives a system caller's context. */
  createFollowers?(contextFor: (tenant: string) => SubgraphContext<TModels, TLoaders>): FollowerSpec[];
}

export interface SubgraphOptions {
  readonly mongodbUri: string;
  /** HMAC key shared with the gateway: requests not signed with it are refused. */
  readonly internalSecret: string;
  /** Redis for waking the relay after a write; without it the relay finds writes by its scan. */
  readonly redisUrl?: string;
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly exposeInternals: boolean;
  readonly settings: SubgraphSettings;
  readonly monitorCommands?: boolean;
  /** Where logs go (default stdout). */
  readonly logDestination?: DestinationStream;
}

export interface RunningSubgraph<TModels> {
  readonly name: string;
  /** Its followers of the change feed (tests call `poll()` to wait for them). */
  readonly followers: readonly FeedFollower[];
  readonly url: string;
  readonly port: number;
  readonly connection: Connection;
  readonly models: TModels;
  readonly logger: Logger;
  stop(): Promise<void>;
}

/** Starts a subgraph and resolves once it is ready to serve. */
export async function startSubgraph<TModels extends Readonly<Record<string, Model<any>>>, TLoaders>(
  definition: SubgraphDefinition<TModels, TLoaders>,
  options: SubgraphOptions,
): Promise<RunningSubgraph<TModels>> {
  const logger = createLogger(definition.name, options.logLevel, options.logDestination);
  const connection = await connectMongo(options.mongodbUri, { monitorCommands: options.monitorCommands });
  const models = definition.createModels(connection);
  await initModels(models);
  const redis = options.redisUrl ? createRedis(options.redisUrl, logger) : undefined;
  const wakeRelay = (recordId: string) => {
    redis
      ?.publish(WAKE_CHANNEL, stringifyFeedMessage({ type: FeedMessageType.Wake, source: definition.name, recordId }))
      .catch((error: unknown) => logger.debug({ err: error }, 'could not wake the relay'));
  };

  const audit = new AuditLog(connection);
  await audit.init();
  const monitor = createAnomalyMonitor(logger);
  const metrics = createMetrics(definition.name);
  metrics.gauge('cg_mongo_up', 'Whether MongoDB answers a ping (1) or not (0)', async () => ((await pingMongo(connection, 1000)) ? 1 : 0));
  metrics.gauge('cg_conflicts_total', 'Writes refused with VERSION_CONFLICT since start', () => monitor.totals().conflict);
  // Feed lag: changes stored but not yet published (the relay is behind or Redis is away).
  metrics.gauge('cg_change_feed_unpublished', 'Changes in the feed not yet published to Redis', () => connection.collection('changes').countDocuments({ published: false }));
  // Kept on the context itself: Apollo hands plugins a shallow copy of the context object.
  const READS = Symbol('sensitive reads');
  const contextFor = (tenant: string, caller: Caller = { sub: `system:${definition.name}`, tenant, roles: ['admin'] }): SubgraphContext<TModels, TLoaders> => {
    const noted = { recordIds: new Set<string>(), fields: new Set<string>() };
    const context: SubgraphContext<TModels, TLoaders> = {
      caller,
      ability: abilityFor(caller),
      models,
      loaders: definition.createLoaders(caller, models),
      requestId: randomUUID(),
      settings: options.settings,
      db: connection,
      wakeRelay,
      monitor,
      noteRead: (recordId, field) => {
        noted.recordIds.add(recordId);
        noted.fields.add(field);
      },
    };
    Object.assign(context, { [READS]: noted });
    return context;
  };
  // Reads of sensitive fields are audited before the response leaves, one entry per request.
  const auditReads: ApolloServerPlugin<SubgraphContext<TModels, TLoaders>> = {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue }) {
          const noted = (contextValue as unknown as Record<symbol, { recordIds: Set<string>; fields: Set<string> } | undefined>)[READS];
          if (!noted || noted.recordIds.size === 0) return;
          const { caller } = contextValue;
          await audit.append({
            action: 'read',
            tenant: caller.tenant,
            actor: caller.sub,
            roles: caller.roles,
            deviceId: caller.deviceId ?? null,
            source: definition.name,
            recordIds: [...noted.recordIds],
            fields: [...noted.fields],
            requestId: contextValue.requestId,
            at: new Date(),
          });
        },
      };
    },
  };
  const followers = (definition.createFollowers?.((tenant) => contextFor(tenant)) ?? []).map((spec) => new FeedFollower(connection, spec, logger));
  followers.forEach((follower) => {
    follower.onGiveUp = () => monitor.record('sync_error');
    follower.start();
  });

  const app = express();
  const httpServer = createServer(app);
  const typeDefs = parse(readFileSync(definition.schemaPath, 'utf8'));
  const server = new ApolloServer<SubgraphContext<TModels, TLoaders>>({
    schema: buildSubgraphSchema([{ typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> }]),
    formatError: createFormatError(logger, options.exposeInternals),
    includeStacktraceInErrorResponses: false,
    // Shutdown is ours (lib/onShutdown): Apollo's own signal handler would stop and re-raise the signal.
    stopOnTerminationSignals: false,
    // No inline tracing (ftv1): we report no traces to Apollo, and it costs time on every field.
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginInlineTraceDisabled(), auditReads, createMetricsPlugin(metrics), createRequestLogPlugin(logger)],
    logger,
  });
  await server.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', service: definition.name });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.get('/readyz', async (_req, res) => {
    const mongo = await pingMongo(connection);
    res.status(mongo ? 200 : 503).json({ status: mongo ? 'ready' : 'unready', mongo });
  });
  const nonces = new NonceCache();
  app.use(
    '/graphql',
    express.json({ limit: '1mb', verify: (req, _res, buf) => ((req as RawBodyRequest).rawBody = buf) }),
    // Only the gateway may call: verify its signature before Apollo sees the request.
    (req: RawBodyRequest, res: express.Response, next: express.NextFunction) => {
      try {
        res.locals.caller = verifyRequest(options.internalSecret, definition.name, (name) => req.header(name), req.rawBody ?? Buffer.alloc(0), nonces);
        next();
      } catch (error) {
        const message = error instanceof Error ? error.message : 'Unauthenticated';
        res.status(401).json({ errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }] });
      }
    },
    expressMiddleware(server, {
      context: async ({ req, res }) => {
        const caller = res.locals.caller as Caller;
        const context = contextFor(caller.tenant, caller);
        const requestId = req.header('x-request-id');
        if (requestId) Object.assign(context, { requestId });
        return context;
      },
    }),
  );

  const port = await listen(httpServer, options.port, options.host);
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}/graphql`;
  logger.info({ url }, `${definition.name} subgraph ready`);

  let stopping: Promise<void> | undefined;
  return {
    name: definition.name,
    url,
    port,
    connection,
    models,
    logger,
    followers,
    stop() {
      stopping ??= (async () => {
        await server.stop();
        await Promise.all(followers.map((f) => f.stop()));
        redis?.disconnect();
        await connection.close();
        logger.info(`${definition.name} subgraph stopped`);
      })();
      return stopping;
    },
  };
}
