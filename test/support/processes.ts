/**
 * Product processes as real children (`node --import tsx <entry>`), for tests and benchmarks that
 * kill, stop or pause them: a gateway replica, a subgraph, the relay. Each child runs its real
 * `index.ts` with settings from the environment, and dies with its parent (test/support/childProbe.ts).
 */
import { fork } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, stopChild } from '../../tools/services';
import type { ProcessSample } from './childProbe';
import { TEST_KEY_ENV } from './keys';
import { TEST_INTERNAL_SECRET, TEST_JWT_SECRET } from './stack';

const ROOT = join(__dirname, '../..');
const PROBE = join(__dirname, 'childProbe.ts');

export type SubgraphKey = 'sales' | 'service' | 'marketing';

const SUBGRAPH_PORT_VARIABLES: Readonly<Record<SubgraphKey, string>> = { sales: 'SALES_PORT', service: 'SERVICE_PORT', marketing: 'MARKETING_PORT' };

/** A running child process of the product. */
export interface ChildService {
  readonly pid: number;
  /** Its GraphQL URL (gateway, subgraph); empty for the relay. */
  readonly url: string;
  readonly port: number;
  /** Resolves when the process has exited, with how it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal (SIGKILL, SIGSTOP, SIGCONT…) to the process itself. */
  signal(signal: NodeJS.Signals): void;
  /** Its memory and handles, measured inside it after a GC when it runs with --expose-gc. */
  sample(): Promise<ProcessSample>;
  /** SIGTERM (graceful), SIGKILL after 10 s; resolves once it has exited. */
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  readonly mongodbUri: string;
  readonly redisUrl: string;
  readonly subgraphUrls: Readonly<Record<SubgraphKey, string>>;
  readonly subgraphTimeoutMs?: number;
  readonly port?: number;
  /** Extra node flags (the soak adds --expose-gc). */
  readonly nodeFlags?: readonly string[];
}

/** Starts `gateway/index.ts` as a child and resolves once its /healthz answers. */
export async function spawnGateway(options: GatewayProcessOptions): Promise<ChildService> {
  const port = options.port ?? (await freePort());
  const service = spawnEntry('gateway/index.ts', port, `http://127.0.0.1:${port}/graphql`, options.nodeFlags ?? [], {
    PORT: String(port),
    HOST: '127.0.0.1',
    MONGODB_URI: options.mongodbUri,
    REDIS_URL: options.redisUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    INTERNAL_SECRET: TEST_INTERNAL_SECRET,
    SALES_URL: options.subgraphUrls.sales,
    SERVICE_URL: options.subgraphUrls.service,
    MARKETING_URL: options.subgraphUrls.marketing,
    SUBGRAPH_TIMEOUT_MS: String(options.subgraphTimeoutMs ?? 5000),
    // Suites that hammer the gateway must not trip the limits.
    RATE_LIMIT_USER_PER_MINUTE: '100000000',
    RATE_LIMIT_TENANT_PER_MINUTE: '100000000',
  });
  await waitForHttp(service, `http://127.0.0.1:${port}/healthz`);
  return service;
}

export interface SubgraphProcessOptions {
  readonly mongodbUri: string;
  readonly redisUrl: string;
  /** The port to serve on (a restarted subgraph comes back on the port it had). */
  readonly port?: number;
  /** Extra node flags (a benchmark adds --cpu-prof). */
  readonly nodeFlags?: readonly string[];
}

/** Starts `subgraphs/<name>/index.ts` as a child and resolves once its /readyz answers. */
export async function spawnSubgraph(name: SubgraphKey, options: SubgraphProcessOptions): Promise<ChildService> {
  const port = options.port ?? (await freePort());
  const service = spawnEntry(`subgraphs/${name}/index.ts`, port, `http://127.0.0.1:${port}/graphql`, options.nodeFlags ?? [], {
    [SUBGRAPH_PORT_VARIABLES[name]]: String(port),
    SUBGRAPH_HOST: '127.0.0.1',
    MONGODB_URI: options.mongodbUri,
    REDIS_URL: options.redisUrl,
    INTERNAL_SECRET: TEST_INTERNAL_SECRET,
    HISTORY_LIMIT: '100',
    ...TEST_KEY_ENV,
  });
  await waitForHttp(service, `http://127.0.0.1:${port}/readyz`);
  return service;
}

export interface RelayProcessOptions {
  readonly mongodbUri: string;
  readonly redisUrl: string;
  /** RELAY_FAULT: the relay SIGKILLs itself at this step of the first change it relays. */
  readonly fault?: 'after-insert' | 'before-publish';
  readonly leaseMs?: number;
  /** RELAY_SCAN_INTERVAL_MS (tests scan every 100 ms so a lost wake-up costs them little time). */
  readonly scanIntervalMs?: number;
  /** Extra node flags (a benchmark adds --cpu-prof). */
  readonly nodeFlags?: readonly string[];
}

/** Starts `relay/index.ts` as a child (it has no port: it is running once spawned). */
export function spawnRelay(options: RelayProcessOptions): ChildService {
  return spawnEntry('relay/index.ts', 0, '', options.nodeFlags ?? [], {
    MONGODB_URI: options.mongodbUri,
    REDIS_URL: options.redisUrl,
    RELAY_FAULT: options.fault ?? '',
    RELAY_SCAN_INTERVAL_MS: String(options.scanIntervalMs ?? 100),
    RELAY_LEASE_MS: String(options.leaseMs ?? 500),
  });
}

function spawnEntry(entry: string, port: number, url: string, nodeFlags: readonly string[], env: Record<string, string>): ChildService {
  const child = fork(join(ROOT, entry), [], {
    cwd: ROOT,
    execArgv: [...nodeFlags, '--import', 'tsx', '--import', PROBE],
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error', ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    pid: child.pid!,
    url,
    port,
    exited,
    signal: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    sample: () =>
      new Promise<ProcessSample>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${entry} did not answer a sample request`)), 10_000);
        const onMessage = (message: ProcessSample) => {
          if (message?.type !== 'sample') return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(message);
        };
        child.on('message', onMessage);
        child.send({ type: 'sample' });
      }),
    stop: async () => {
      // A paused process cannot handle SIGTERM: let it run first.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
      await stopChild(child);
    },
  };
}

async function waitForHttp(service: ChildService, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void service.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${url}: the process exited during start-up`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await service.stop();
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/**
 * TCP connections a process has open to a remote port (Linux /proc): how many sockets the gateway
 * holds towards one subgraph, whatever else it has open.
 */
export function connectionsTo(pid: number, remotePort: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed while we looked
    }
  }
  const hexPort = remotePort.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      // columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (columns.length > 9 && columns[2].endsWith(`:${hexPort}`) && inodes.has(columns[9])) count += 1;
    }
  }
  return count;
}
