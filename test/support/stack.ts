/**
 * The real stack for a test file: three subgraphs and the gateway over HTTP on free ports,
 * against its own database on the test MongoDB-compatible server.
 */
import type { Connection } from 'mongoose';
import type { Role } from '../../lib/caller';
import { startSubgraph, type RunningSubgraph, type SubgraphDefinition } from '../../lib/startSubgraph';
import { signToken } from '../../lib/token';
import { TEST_KEYRING } from './keys';
import type { DestinationStream } from 'pino';
import { connectMongo } from '../../lib/mongo';
import { startGateway, type RunningGateway, type StartGatewayOptions } from '../../gateway/startGateway';
import { marketingSubgraph } from '../../subgraphs/marketing';
import { salesSubgraph } from '../../subgraphs/sales';
import { serviceSubgraph } from '../../subgraphs/service';
import { testMongoUri, testRedisUrl, uniqueDatabase } from './env';
import { startRelay } from '../../lib/startRelay';
import type { ChangeRelay } from '../../lib/changeRelay';

export const TEST_JWT_SECRET = 'test-secret-0123456789abcdef';
export const TEST_INTERNAL_SECRET = 'test-internal-secret-0123456789';
export { TEST_KEYRING };

export interface GraphQLResponse<T = any> {
  readonly status: number;
  readonly data?: T | null;
  readonly errors?: ReadonlyArray<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, any> }>;
}

export interface TestStack {
  readonly gatewayUrl: string;
  readonly gateway: RunningGateway;
  readonly mongodbUri: string;
  readonly subgraphs: { readonly sales: RunningSubgraph<any>; readonly service: RunningSubgraph<any>; readonly marketing: RunningSubgraph<any> };
  /** A connection of the test's own, for fixtures. */
  readonly db: Connection;
  /** The stack's change relay (in process). */
  readonly relay: ChangeRelay;
  token(role: Role, sub?: string, tenant?: string): string;
  query<T = any>(token: string | null, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** A request with any headers (API keys, device ids). */
  request<T = any>(headers: Record<string, string>, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Starts another gateway replica on the same subgraphs, Redis and database. */
  startReplica(): Promise<RunningGateway>;
  /** Waits until the relay and every follower have nothing left to do (followers' writes feed the relay again). */
  settle(): Promise<void>;
  /** Starts a subgraph again on the port it had (after a test stopped it). */
  restartSubgraph(name: 'sales' | 'service' | 'marketing'): Promise<void>;
  stop(): Promise<void>;
}

const DEFINITIONS = { sales: salesSubgraph, service: serviceSubgraph, marketing: marketingSubgraph } as const;

/** Starts subgraphs and gateway for one test file. */
export async function startStack(
  name: string,
  options: { relay?: boolean; gateway?: Partial<StartGatewayOptions>; redisUrl?: string; mongodbUri?: string; supergraphPath?: string; logs?: DestinationStream } = {},
): Promise<TestStack> {
  const redisUrl = options.redisUrl ?? testRedisUrl();
  // A test that restarts the database brings its own server.
  const mongodbUri = options.mongodbUri ?? testMongoUri(uniqueDatabase(name));
  const subgraphOptions = (port: number) => ({
    mongodbUri,
    redisUrl,
    internalSecret: TEST_INTERNAL_SECRET,
    port,
    host: '127.0.0.1',
    // TEST_LOG_LEVEL=debug shows the services' logs and internal error messages while debugging a test.
    logLevel: options.logs ? 'info' : (process.env.TEST_LOG_LEVEL ?? 'silent'),
    logDestination: options.logs,
    exposeInternals: process.env.TEST_LOG_LEVEL !== undefined,
    monitorCommands: true,
    settings: { defaultPhoneRegion: 'CN', historyLimit: 100, keyring: TEST_KEYRING },
  });
  const start = (key: keyof typeof DEFINITIONS, port = 0) =>
    startSubgraph(DEFINITIONS[key] as SubgraphDefinition<any, any>, subgraphOptions(port));
  const subgraphs = { sales: await start('sales'), service: await start('service'), marketing: await start('marketing') };
  const gatewayOptions = (): StartGatewayOptions => ({
    port: 0,
    host: '127.0.0.1',
    jwtSecret: TEST_JWT_SECRET,
    mongodbUri,
    redisUrl,
    apiKeyCacheMs: 0,
    // Suites that hammer the gateway must not trip the limits; the attack suite sets its own.
    rateLimits: { perUserPerMinute: 1_000_000, perTenantPerMinute: 1_000_000 },
    ...options.gateway,
    internalSecret: TEST_INTERNAL_SECRET,
    supergraphPath: options.supergraphPath ?? 'schema/supergraph.graphql',
    subgraphUrls: { sales: subgraphs.sales.url, service: subgraphs.service.url, marketing: subgraphs.marketing.url },
    subgraphTimeoutMs: 5000,
    logLevel: options.logs ? 'info' : (process.env.TEST_LOG_LEVEL ?? 'silent'),
    logDestination: options.logs,
    exposeInternals: process.env.TEST_LOG_LEVEL !== undefined,
  });
  const gateway: RunningGateway = await startGateway(gatewayOptions());
  const extraGateways: RunningGateway[] = [];
  const relay = options.relay === false ? undefined : await startRelay({ mongodbUri, redisUrl, logLevel: 'silent', retentionDays: 30, scanIntervalMs: 200 });
  const db = await connectMongo(mongodbUri);
  const request = async (headers: Record<string, string>, query: string, variables?: Record<string, unknown>) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as object) };
  };
  return {
    gatewayUrl: gateway.url,
    gateway,
    mongodbUri,
    subgraphs,
    db,
    token: (role, sub = `${role}-1`, tenant = 'acme') => signToken({ sub, tenant, roles: [role] }, TEST_JWT_SECRET),
    query: (token, query, variables) => request(token ? { authorization: `Bearer ${token}` } : {}, query, variables),
    request,
    async startReplica() {
      const replica = await startGateway(gatewayOptions());
      extraGateways.push(replica);
      return replica;
    },
    async settle() {
      for (let round = 0; round < 4; round++) {
        await relay?.relay.drain();
        for (const subgraph of Object.values(subgraphs)) for (const follower of subgraph.followers) await follower.poll();
      }
      await relay?.relay.drain();
    },
    async restartSubgraph(key) {
      subgraphs[key] = await start(key, subgraphs[key].port);
    },
    get relay() {
      if (!relay) throw new Error('this stack was started without a relay');
      return relay.relay;
    },
    async stop() {
      await Promise.all(extraGateways.map((g) => g.stop()));
      await gateway.stop();
      await relay?.stop();
      await Promise.all(Object.values(subgraphs).map((s) => s.stop()));
      await db.dropDatabase().catch(() => undefined);
      await db.close();
    },
  };
}
