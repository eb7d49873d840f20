/**
 * One gateway under benchmark, in its own process: ours (gateway/startGateway, authentication and
 * permissions on), a plain @apollo/gateway + @apollo/server (no auth, no permissions: the floor of
 * what we add), or Hive Gateway's runtime (@graphql-hive/gateway-runtime on node:http), at its
 * defaults (`hive`) and with its in-flight deduplication of identical subgraph queries off
 * (`hive-nodedup`): a load of identical concurrent requests is where that feature shines most, and
 * neither Apollo nor ours has it. All of them serve the same supergraph file.
 *
 * Started with `fork(…, [JSON spec])`; sends `{ type: 'ready', url }`, answers `{ type: 'usage' }`
 * with its CPU time and RSS, records a CPU profile between `profileStart` and `profileStop`, and
 * exits on `{ type: 'stop' }` or when the parent goes away.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session, type Profiler } from 'node:inspector';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { CALLER_HEADER, encodeCaller, type Caller } from '../lib/caller';
import type { SubgraphName } from '../lib/config';
import { signRequest } from '../lib/internalAuth';

/** `ours-baseline` is our gateway from another checkout (`GatewaySpec.baselineDir`), for before/after runs. */
export type GatewayKind = 'ours' | 'ours-baseline' | 'apollo' | 'hive' | 'hive-nodedup';

export interface GatewaySpec {
  readonly kind: GatewayKind;
  readonly supergraphPath: string;
  readonly subgraphUrls: Readonly<Record<SubgraphName, string>>;
  readonly jwtSecret: string;
  readonly internalSecret: string;
  /**
   * For the gateways without our authentication: sign every subgraph request as this caller. The
   * real subgraphs answer only signed requests (lib/internalAuth); the stubs need no signature.
   */
  readonly signAs?: Caller;
  /** For `ours-baseline`: the root of another checkout of this repository (its node_modules may be a link to ours). */
  readonly baselineDir?: string;
}

export interface GatewayUsage {
  readonly type: 'usage';
  /** User + system CPU time of the whole process since it started, microseconds. */
  readonly cpuMicros: number;
  readonly rssBytes: number;
}

type Stop = () => Promise<void>;

// Each starter loads only its own gateway's packages, so RSS counts nothing of the others.
async function startOurs(spec: GatewaySpec, root = join(__dirname, '..')): Promise<{ url: string; stop: Stop }> {
  // A CommonJS require: `import()` of a relative path would need a file extension under nodenext.
  const { startGateway } = require(join(root, 'gateway/startGateway')) as typeof import('../gateway/startGateway');
  const gateway = await startGateway({
    port: 0,
    host: '127.0.0.1',
    jwtSecret: spec.jwtSecret,
    internalSecret: spec.internalSecret,
    supergraphPath: spec.supergraphPath,
    subgraphUrls: spec.subgraphUrls,
    subgraphTimeoutMs: 10_000,
    // As deployed: one info line per request (stdout goes to /dev/null here), no introspection.
    logLevel: 'info',
    exposeInternals: false,
    production: true,
  });
  return { url: gateway.url, stop: () => gateway.stop() };
}

async function startApollo(spec: GatewaySpec): Promise<{ url: string; stop: Stop }> {
  const { ApolloGateway, RemoteGraphQLDataSource } = await import('@apollo/gateway');
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  const sign = spec.signAs ? createSigner(spec, spec.signAs) : undefined;
  const gateway = new ApolloGateway({
    supergraphSdl: readFileSync(spec.supergraphPath, 'utf8'),
    buildService: ({ name, url }) => {
      if (!sign) return new RemoteGraphQLDataSource({ url });
      // Apollo's own fetcher (make-fetch-happen, keep-alive), with the headers the real subgraphs require.
      const plain = new RemoteGraphQLDataSource({ url });
      const fetcher = plain.fetcher;
      return new RemoteGraphQLDataSource({
        url,
        fetcher: ((target: string, init: { headers: Record<string, string>; body: string }) =>
          fetcher(target, { ...init, headers: { ...init.headers, ...sign(name, init.body) } })) as typeof fetcher,
      });
    },
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url, stop: () => server.stop() };
}

async function startHive(spec: GatewaySpec, deduplicate: boolean): Promise<{ url: string; stop: Stop }> {
  const { createGatewayRuntime } = await import('@graphql-hive/gateway-runtime');
  const sign = spec.signAs ? createSigner(spec, spec.signAs) : undefined;
  const subgraphOfUrl = new Map(Object.entries(spec.subgraphUrls).map(([name, url]) => [url, name]));
  const runtime = createGatewayRuntime({
    supergraph: spec.supergraphPath,
    logging: 'warn',
    landingPage: false,
    graphiql: false,
    ...(deduplicate ? {} : { transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } } }),
    plugins: () =>
      sign
        ? [
            {
              onFetch({ url, options, setOptions }) {
                const subgraph = subgraphOfUrl.get(url);
                if (!subgraph) return;
                setOptions({ ...options, headers: { ...(options.headers as Record<string, string>), ...sign(subgraph, String(options.body ?? '')) } });
              },
            },
          ]
        : [],
  });
  const server = createServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await runtime.dispose();
    },
  };
}

// The caller header and HMAC our subgraphs check, for one subgraph request body.
function createSigner(spec: GatewaySpec, caller: Caller): (subgraph: string, body: string) => Record<string, string> {
  const callerHeader = encodeCaller(caller);
  return (subgraph, body) => ({ [CALLER_HEADER]: callerHeader, ...signRequest(spec.internalSecret, subgraph, callerHeader, body) });
}

const STARTERS: Readonly<Record<GatewayKind, (spec: GatewaySpec) => Promise<{ url: string; stop: Stop }>>> = {
  ours: (spec) => startOurs(spec),
  'ours-baseline': (spec) => {
    if (!spec.baselineDir) throw new Error('ours-baseline needs baselineDir: the root of another checkout');
    return startOurs(spec, spec.baselineDir);
  },
  apollo: startApollo,
  hive: (spec) => startHive(spec, true),
  'hive-nodedup': (spec) => startHive(spec, false),
};

/** Messages the benchmark sends to a gateway process. */
export type GatewayMessage = { type: 'usage' } | { type: 'stop' } | { type: 'profileStart' } | { type: 'profileStop'; path: string };

// A CPU profile of just the measured window (`--cpu-prof` would also record start-up and idle time).
function createProfiler(): { start(): Promise<void>; stop(path: string): Promise<void> } {
  const session = new Session();
  session.connect();
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result as T))));
  return {
    async start() {
      await post('Profiler.enable');
      await post('Profiler.start');
    },
    async stop(path) {
      const { profile } = await post<Profiler.StopReturnType>('Profiler.stop');
      writeFileSync(path, JSON.stringify(profile));
    },
  };
}

if (require.main === module) {
  const spec = JSON.parse(process.argv[2]) as GatewaySpec;
  STARTERS[spec.kind](spec).then(
    ({ url, stop }) => {
      const exit = () => void stop().finally(() => process.exit(0));
      const profiler = createProfiler();
      process.on('message', (message: GatewayMessage) => {
        switch (message.type) {
          case 'usage': {
            const cpu = process.cpuUsage();
            process.send!({ type: 'usage', cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() } satisfies GatewayUsage);
            break;
          }
          case 'profileStart':
            void profiler.start().then(() => process.send!({ type: 'profiling' }));
            break;
          case 'profileStop':
            void profiler.stop(message.path).then(() => process.send!({ type: 'profiled' }));
            break;
          case 'stop':
            exit();
            break;
        }
      });
      process.on('disconnect', exit);
      process.send!({ type: 'ready', url });
    },
    (error: unknown) => {
      process.stderr.write(`${spec.kind} gateway failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
