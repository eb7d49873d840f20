/**
 * One gateway of the fan-out benchmark in its own process (the production entry, `gateway/index.ts`),
 * and what it says about itself: resident memory right after a full GC (test/support/childProbe.ts),
 * and from `/metrics` its CPU time, event-loop delay (prom-client's default metrics,
 * `perf_hooks.monitorEventLoopDelay`, reset at every scrape), sockets and live-event fetches.
 */
import type { ChildProcess } from 'node:child_process';
import type { ProcessSample } from '../test/support/childProbe';
import { TEST_KEY_ENV } from '../test/support/keys';
import { resolve } from 'node:path';
import { freePort } from '../tools/services';
import { nextMessage, startBenchProcess, stopBenchProcess } from './benchProcess';

export interface GatewayProcessOptions {
  readonly mongodbUri: string;
  readonly redisUrl: string;
  readonly jwtSecret: string;
  readonly internalSecret: string;
  readonly subgraphUrls: Readonly<Record<'sales' | 'service' | 'marketing', string>>;
  /** Writes a V8 CPU profile of the gateway into this directory when it stops (`--cpu-prof`). */
  readonly cpuProfileDir?: string;
  /** Runs the gateway of another checkout (its `gateway/index.ts`), for before/after comparisons. */
  readonly baselineDir?: string;
}

/** What one scrape of the gateway's `/metrics` says. */
export interface GatewaySample {
  /** Resident memory right after a full GC. */
  readonly rssBytes: number;
  readonly cpuSeconds: number;
  /** Event-loop delay since the previous scrape, in ms: monitorEventLoopDelay samples every 10 ms and records the interval, so the 10 ms are taken off. */
  readonly loopDelayP50Ms: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly sockets: number;
  readonly subscriptions: number;
  /** Live-event fetches through the graph so far (`CgLiveChange` operations). */
  readonly liveFetches: number;
}

export interface GatewayProcess {
  readonly url: string;
  sample(): Promise<GatewaySample>;
  stop(): Promise<void>;
}

const SAMPLING_MS = 10;

/** Starts a gateway process on a free loopback port and resolves once it is ready. */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const port = await freePort();
  const child: ChildProcess = startBenchProcess(options.baselineDir ? resolve(options.baselineDir, 'gateway/index.ts') : 'gateway/index.ts', {
    nodeArgs: ['--expose-gc', ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [])],
    // It dies with the benchmark, and answers `{ type: 'sample' }` with its memory after a full GC.
    preload: ['test/support/childProbe.ts'],
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      MONGODB_URI: options.mongodbUri,
      REDIS_URL: options.redisUrl,
      JWT_SECRET: options.jwtSecret,
      INTERNAL_SECRET: options.internalSecret,
      SALES_URL: options.subgraphUrls.sales,
      SERVICE_URL: options.subgraphUrls.service,
      MARKETING_URL: options.subgraphUrls.marketing,
      // One writer does 100 writes a second and thousands of devices subscribe at once: no limits here.
      RATE_LIMIT_USER_PER_MINUTE: '100000000',
      RATE_LIMIT_TENANT_PER_MINUTE: '100000000',
      ...TEST_KEY_ENV,
    },
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway process exited during start-up (${child.exitCode})`);
    const ready = await fetch(`${base}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stopBenchProcess(child);
      throw new Error('the gateway process was not ready within 60 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `${base}/graphql`,
    async sample() {
      const memory = nextMessage(child, (m) => ((m as ProcessSample).type === 'sample' ? (m as ProcessSample) : undefined), 30_000, 'a gateway sample');
      child.send({ type: 'sample' });
      const { rssBytes } = await memory;
      return { ...parseMetrics(await (await fetch(`${base}/metrics`)).text()), rssBytes };
    },
    stop: () => stopBenchProcess(child),
  };
}

function parseMetrics(text: string): Omit<GatewaySample, 'rssBytes'> {
  const values = new Map<string, number>();
  let liveFetches = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match) continue;
    values.set(match[1], Number(match[3]));
    if (match[1] === 'cg_graphql_requests_total' && match[2].includes('operation="CgLiveChange"')) liveFetches += Number(match[3]);
  }
  const read = (name: string) => {
    const value = values.get(name);
    if (value === undefined) throw new Error(`the gateway's /metrics has no ${name}`);
    return value;
  };
  const delayMs = (name: string) => Math.max(0, read(name) * 1000 - SAMPLING_MS);
  return {
    cpuSeconds: read('process_cpu_seconds_total'),
    loopDelayP50Ms: delayMs('nodejs_eventloop_lag_p50_seconds'),
    loopDelayP99Ms: delayMs('nodejs_eventloop_lag_p99_seconds'),
    loopDelayMaxMs: delayMs('nodejs_eventloop_lag_max_seconds'),
    sockets: read('cg_ws_connections'),
    subscriptions: read('cg_subscriptions'),
    liveFetches,
  };
}
