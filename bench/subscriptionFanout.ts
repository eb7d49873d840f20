/**
 * Subscription fan-out at scale: thousands of WebSocket subscribers on one gateway process (and on
 * two replicas), 100 writes a second, everything real and on loopback (MongoDB-compatible server,
 * Redis, three subgraphs and relay in this process; each gateway in its own process, started from
 * its production entry; subscribers in client processes of 2,500 sockets each, bench/fanoutClients.ts).
 *
 * Devices are grouped in tenants; each device subscribes to every change of its tenant, and writes
 * go round the tenants, so each change must reach every device of its tenant. Reported per scenario:
 * write-to-device latency (the writer's clock before the mutation → the device's clock on receipt),
 * deliveries against what was due, order violations, gateway memory per idle subscriber, event-loop
 * delay and CPU of the gateway, and `changes` reads per event (one per permission group and gateway).
 * Bounded: each scenario connects, warms up, writes for a few seconds and waits at most 20 s more.
 */
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FeedMessageType, parseFeedMessage, tenantChannel } from '../lib/changeFeed';
import { connectMongo } from '../lib/mongo';
import { signToken } from '../lib/token';
import { uniqueDatabase } from '../test/support/env';
import { insertCustomer } from '../test/support/fixtures';
import { spawnRelay, spawnSubgraph, type ChildService, type SubgraphKey } from '../test/support/processes';
import { TEST_INTERNAL_SECRET, TEST_JWT_SECRET } from '../test/support/stack';
import { provisionServices } from '../tools/services';
import { childFileLimit, nextMessage, startBenchProcess, stopBenchProcess } from './benchProcess';
import { busyPercent, processCpuSeconds, readMachineCpu, type MachineCpu } from './cpuUsage';
import type { ConnectMessage, ProgressMessage, ReportMessage } from './fanoutClients';
import { startGatewayProcess, type GatewaySample } from './fanoutGateway';

export interface FanoutScenario {
  /** Gateway processes; subscribers are spread evenly over them (each tenant on both). */
  readonly gateways: number;
  readonly subscribers: number;
  /** Devices per tenant: each change is due to this many subscribers. */
  readonly tenantSize: number;
  readonly writesPerSecond: number;
  readonly seconds: number;
}

export interface FanoutResult extends FanoutScenario {
  readonly deliveriesPerSecond: number;
  /** Changes written during the measurement (read back from the database). */
  readonly events: number;
  /** Writes that answered with an error (each is retried from the version the database has). */
  readonly failedWrites: number;
  readonly expectedDeliveries: number;
  readonly delivered: number;
  readonly deliveredRatio: number;
  readonly outOfOrder: number;
  readonly failures: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Write-to-Redis latency (the relay's share of the above): the writer's clock → the change's publish heard here. */
  readonly publishedP50Ms: number;
  readonly publishedP99Ms: number;
  /** (gateway RSS with every subscriber connected and idle − RSS before any) / subscribers. */
  readonly rssPerSubscriberKB: number;
  /** RSS of the busiest gateway at the end of the writes. */
  readonly gatewayRssMB: number;
  /** Event-loop delay of the busiest gateway during the writes. */
  readonly loopDelayP50Ms: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  /** CPU of the busiest gateway during the writes (100 = one core). */
  readonly gatewayCpuPercent: number;
  /** CPU of all client processes together during the writes (100 = one core). */
  readonly clientsCpuPercent: number;
  /** How busy the whole machine was during the writes (100 = every core). */
  readonly machineBusyPercent: number;
  /** Time for every subscriber to connect, subscribe and receive its first change. */
  readonly connectSeconds: number;
  /** Live-event fetches through the graph per event, all gateways together (one per permission group and gateway). */
  readonly fetchesPerEvent: number;
}

/** The scenarios of `npm run bench -- subscriptions` (about five minutes in all). */
export const FANOUT_SCENARIOS: readonly FanoutScenario[] = [
  { gateways: 1, subscribers: 1000, tenantSize: 100, writesPerSecond: 100, seconds: 10 },
  { gateways: 1, subscribers: 5000, tenantSize: 100, writesPerSecond: 100, seconds: 10 },
  { gateways: 1, subscribers: 10_000, tenantSize: 100, writesPerSecond: 100, seconds: 10 },
  { gateways: 2, subscribers: 10_000, tenantSize: 100, writesPerSecond: 100, seconds: 10 },
  // Every subscriber in one tenant: 100,000 deliveries a second from one gateway.
  { gateways: 1, subscribers: 1000, tenantSize: 1000, writesPerSecond: 100, seconds: 5 },
];

const SOCKETS_PER_CLIENT_PROCESS = 2500;
const DRAIN_MS = 20_000;

/** Runs the scenarios, prints the table and writes bench/results/subscriptions.json. */
export async function runFanoutSection(scenarios: readonly FanoutScenario[] = FANOUT_SCENARIOS): Promise<FanoutResult[]> {
  console.log('Subscription fan-out: write-to-device latency, delivery and gateway cost (loopback, one machine):');
  const results = await runFanoutBench(scenarios);
  console.table(results.map(tableRow));
  writeFileSync(join(__dirname, 'results/subscriptions.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), results }, null, 2)}\n`);
  return results;
}

/** The services every scenario shares: each subgraph and the relay in a process of its own, as in production. */
interface Backend {
  readonly mongodbUri: string;
  readonly redisUrl: string;
  readonly db: Connection;
  readonly subgraphUrls: Readonly<Record<SubgraphKey, string>>;
}

/** Runs each scenario on a fresh gateway process (or two) over one shared backend. */
export async function runFanoutBench(scenarios: readonly FanoutScenario[]): Promise<FanoutResult[]> {
  const needed = Math.max(...scenarios.map((s) => Math.ceil(s.subscribers / s.gateways))) + 1024;
  if (childFileLimit() < needed) throw new Error(`the fan-out benchmark needs ${needed} open files per gateway process: raise the hard limit (ulimit -Hn is ${childFileLimit()})`);
  const services = await provisionServices({ mongoBackend: 'memory', log: () => undefined });
  // The subgraph processes inherit it (they do not use it; without it they warn about the default).
  process.env.JWT_SECRET = TEST_JWT_SECRET;
  const mongodbUri = new URL(`/${uniqueDatabase('bench-fanout')}`, services.mongodbUri).toString();
  const children: ChildService[] = [];
  const results: FanoutResult[] = [];
  let db: Connection | undefined;
  try {
    const options = { mongodbUri, redisUrl: services.redisUrl };
    const [sales, service, marketing] = await Promise.all((['sales', 'service', 'marketing'] as const).map((name) => spawnSubgraph(name, options)));
    children.push(sales, service, marketing, spawnRelay(options));
    db = await connectMongo(mongodbUri);
    const backend: Backend = { ...options, db, subgraphUrls: { sales: sales.url, service: service.url, marketing: marketing.url } };
    for (const [index, scenario] of scenarios.entries()) {
      console.error(`fan-out: ${scenario.subscribers} subscribers on ${scenario.gateways} gateway(s), ${scenario.tenantSize} per tenant, ${scenario.writesPerSecond} writes/s`);
      results.push(await runScenario(backend, scenario, `fan${index}`));
    }
  } finally {
    await db?.close();
    await Promise.all(children.map((c) => c.stop()));
    await services.stop();
  }
  return results;
}

interface Customer {
  readonly id: string;
  readonly token: string;
  version: number;
  /** The customer's previous write: versions are sequential per customer. */
  last: Promise<void>;
}

async function runScenario(backend: Backend, scenario: FanoutScenario, prefix: string): Promise<FanoutResult> {
  const tenantCount = Math.ceil(scenario.subscribers / scenario.tenantSize);
  // Each customer gets at most 10 writes a second, so its previous write is done before the next.
  const perTenant = Math.max(1, Math.ceil(scenario.writesPerSecond / tenantCount / 10));
  const gateways = await Promise.all(
    Array.from({ length: scenario.gateways }, () =>
      startGatewayProcess({
        mongodbUri: backend.mongodbUri,
        redisUrl: backend.redisUrl,
        jwtSecret: TEST_JWT_SECRET,
        internalSecret: TEST_INTERNAL_SECRET,
        subgraphUrls: backend.subgraphUrls,
        cpuProfileDir: process.env.FANOUT_CPU_PROF_DIR,
      }),
    ),
  );
  const tenants: ConnectMessage['tenants'][number][] = [];
  const customers: Customer[][] = [];
  for (let t = 0; t < tenantCount; t++) {
    const tenant = `${prefix}-${t}`;
    const token = signToken({ sub: 'writer', tenant, roles: ['admin'] }, TEST_JWT_SECRET);
    customers.push(await Promise.all(Array.from({ length: perTenant }, async (_, k) => ({ id: await insertCustomer(backend.db, { tenant, name: `Fan ${t}.${k}` }), token, version: 1, last: Promise.resolve() }))));
    tenants.push({ tenant, after: await latestCursor(gateways[0].url, token) });
  }
  const fleet = startFleet(scenario, tenants, gateways.map((g) => g.url));
  const published = await listenToPublishes(backend.redisUrl, tenants.map((t) => t.tenant));
  try {
    const before = await Promise.all(gateways.map((g) => g.sample()));
    const connectStarted = Date.now();
    await fleet.until((p) => p.connected + p.failures >= scenario.subscribers, 180_000, 'every subscriber to connect');
    let failedWrites = 0;
    const write = (customer: Customer, marker: 'w' | 'm', url: string) => {
      customer.last = customer.last.then(() =>
        writeCompany(url, customer, marker, marker === 'm' ? published.sentAt : undefined).catch(async (error: unknown) => {
          // A failed write is counted, not fatal: the feed says what was written, and the writer goes on from there.
          failedWrites += 1;
          console.error(`fan-out: ${(error as Error).message}`);
          customer.version = await readVersion(url, customer).catch(() => customer.version);
        }),
      );
      return customer.last;
    };
    // One warm-up change per customer: every subscription has started once each device received one.
    await Promise.all(customers.flat().map((c) => write(c, 'w', gateways[0].url)));
    await fleet.until((p) => p.warm + p.failures >= scenario.subscribers, 120_000, 'every subscriber to receive the warm-up change');
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    await new Promise((r) => setTimeout(r, 2000));
    const idle = await Promise.all(gateways.map((g) => g.sample()));
    const start = await Promise.all(gateways.map((g) => g.sample()));
    const machineStart = readMachineCpu();
    const clientsStart = fleet.cpuSeconds();
    const versionsBefore = customers.map((list) => list.map((c) => c.version));
    failedWrites = 0;
    const started = Date.now();
    const writes: Array<Promise<void>> = [];
    for (let i = 0; i < scenario.writesPerSecond * scenario.seconds; i++) {
      // Open loop: each write starts at its time whatever the others are doing (its customer's previous write aside).
      const wait = started + (i * 1000) / scenario.writesPerSecond - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const tenantCustomers = customers[i % tenantCount];
      writes.push(write(tenantCustomers[Math.floor(i / tenantCount) % perTenant], 'm', gateways[i % gateways.length].url));
    }
    await Promise.all(writes);
    // What was written, as the database has it (a write that failed may still have been applied).
    const writtenPerTenant = await Promise.all(
      customers.map(async (list, t) => sum(await Promise.all(list.map(async (c, k) => (await readVersion(gateways[0].url, c)) - versionsBefore[t][k])))),
    );
    const events = sum(writtenPerTenant);
    const expected = events * scenario.tenantSize;
    await fleet.until((p) => p.delivered >= expected, DRAIN_MS, 'every delivery').catch(() => undefined);
    const machineEnd = readMachineCpu();
    const clientsSeconds = fleet.cpuSeconds() - clientsStart;
    const end = await Promise.all(gateways.map((g) => g.sample()));
    const wall = (Date.now() - started) / 1000;
    const report = await fleet.report();
    return summarise(scenario, { events, failedWrites, expected, report, publishLatencies: published.latencies, before, idle, start, end, wall, connectSeconds, clientsSeconds, machine: [machineStart, machineEnd] });
  } finally {
    published.close();
    // Gateways first: they close every socket cleanly before the client processes go.
    await Promise.all(gateways.map((g) => g.stop()));
    await fleet.stop();
  }
}

async function latestCursor(url: string, token: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ latestChangeCursor }' }) });
  const body = (await response.json()) as { data?: { latestChangeCursor: string } };
  if (!body.data) throw new Error(`no latest cursor: ${JSON.stringify(body)}`);
  return body.data.latestChangeCursor;
}

async function readVersion(url: string, customer: Customer): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.token}` },
    body: JSON.stringify({ query: 'query($id: ID!) { customer(id: $id) { version } }', variables: { id: customer.id } }),
  });
  const body = (await response.json()) as { data?: { customer: { version: number } }; errors?: unknown };
  if (!body.data) throw new Error(`could not read a version back: ${JSON.stringify(body.errors)}`);
  return body.data.customer.version;
}

async function writeCompany(url: string, customer: Customer, marker: 'w' | 'm', sentAt?: Map<string, number>): Promise<void> {
  const now = Date.now();
  sentAt?.set(`${customer.id}:${customer.version + 1}`, now);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.token}` },
    // The writer's clock before the mutation travels in the change itself.
    body: JSON.stringify({
      query: `mutation($id: ID!, $v: Int!, $c: String) { updateCustomer(id: $id, expectedVersion: $v, input: {company: $c}) { version } }`,
      variables: { id: customer.id, v: customer.version, c: `${marker}${now}` },
    }),
  });
  const body = (await response.json()) as { data?: { updateCustomer: { version: number } }; errors?: unknown };
  if (!body.data) throw new Error(`a benchmark write failed: ${JSON.stringify(body.errors)}`);
  customer.version = body.data.updateCustomer.version;
}

interface PublishProbe {
  /** When each measured write (`customerId:version`) was sent. */
  readonly sentAt: Map<string, number>;
  readonly latencies: number[];
  close(): void;
}

// Hears the relay's publishes as a gateway does, to split the latency into relay and fan-out.
async function listenToPublishes(redisUrl: string, tenants: readonly string[]): Promise<PublishProbe> {
  const redis = new Redis(redisUrl);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  redis.on('message', (_channel: string, raw: string) => {
    const message = parseFeedMessage(raw);
    if (message.type !== FeedMessageType.Change) return;
    const sent = sentAt.get(`${message.change.customerId}:${message.change.version}`);
    if (sent !== undefined) latencies.push(Date.now() - sent);
  });
  await redis.subscribe(...tenants.map(tenantChannel));
  return { sentAt, latencies, close: () => redis.disconnect() };
}

interface Fleet {
  /** Resolves once the summed progress of every client process passes `done`. */
  until(done: (progress: Omit<ProgressMessage, 'type'>) => boolean, timeoutMs: number, what: string): Promise<void>;
  report(): Promise<Omit<ReportMessage, 'type'>>;
  /** CPU seconds the client processes have used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

function startFleet(scenario: FanoutScenario, tenants: ConnectMessage['tenants'], gatewayUrls: readonly string[]): Fleet {
  const children: ChildProcess[] = [];
  const progress = new Map<ChildProcess, ProgressMessage>();
  for (let from = 0; from < scenario.subscribers; from += SOCKETS_PER_CLIENT_PROCESS) {
    const child = startBenchProcess('bench/fanoutClients.ts');
    child.on('message', (message: ProgressMessage) => {
      if (message.type === 'progress') progress.set(child, message);
    });
    const to = Math.min(scenario.subscribers, from + SOCKETS_PER_CLIENT_PROCESS);
    child.send({ type: 'connect', gatewayUrls, tenants, tenantSize: scenario.tenantSize, from, to, jwtSecret: TEST_JWT_SECRET } satisfies ConnectMessage);
    children.push(child);
  }
  const total = () => {
    const sum = { connected: 0, warm: 0, delivered: 0, failures: 0 };
    for (const p of progress.values()) for (const key of Object.keys(sum) as Array<keyof typeof sum>) sum[key] += p[key];
    return sum;
  };
  return {
    async until(done, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      while (!done(total())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(total())}`);
        if (children.some((c) => c.exitCode !== null)) throw new Error('a client process exited');
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async report() {
      const reports = await Promise.all(
        children.map((child) => {
          const reply = nextMessage(child, (m) => ((m as ReportMessage).type === 'report' ? (m as ReportMessage) : undefined), 30_000, 'a client report');
          child.send({ type: 'report' });
          return reply;
        }),
      );
      return { latencies: reports.flatMap((r) => r.latencies), outOfOrder: sum(reports.map((r) => r.outOfOrder)), failures: sum(reports.map((r) => r.failures)) };
    },
    cpuSeconds: () => sum(children.map((c) => processCpuSeconds(c.pid!))),
    stop: async () => {
      await Promise.all(children.map((c) => stopBenchProcess(c)));
    },
  };
}

interface Measured {
  readonly events: number;
  readonly failedWrites: number;
  readonly expected: number;
  readonly report: Omit<ReportMessage, 'type'>;
  readonly publishLatencies: readonly number[];
  readonly before: GatewaySample[];
  readonly idle: GatewaySample[];
  readonly start: GatewaySample[];
  readonly end: GatewaySample[];
  readonly wall: number;
  readonly connectSeconds: number;
  readonly clientsSeconds: number;
  readonly machine: readonly [MachineCpu, MachineCpu];
}

function summarise(scenario: FanoutScenario, m: Measured): FanoutResult {
  const sorted = Float64Array.from(m.report.latencies).sort();
  const pct = (p: number, values = sorted) => round(values[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? Number.NaN);
  const publishes = Float64Array.from(m.publishLatencies).sort();
  const busiest = (read: (end: GatewaySample, i: number) => number) => round(Math.max(...m.end.map(read)));
  return {
    ...scenario,
    deliveriesPerSecond: scenario.writesPerSecond * scenario.tenantSize,
    events: m.events,
    failedWrites: m.failedWrites,
    expectedDeliveries: m.expected,
    delivered: sorted.length,
    deliveredRatio: Number((sorted.length / m.expected).toFixed(4)),
    outOfOrder: m.report.outOfOrder,
    failures: m.report.failures,
    p50Ms: pct(50),
    p95Ms: pct(95),
    p99Ms: pct(99),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    publishedP50Ms: pct(50, publishes),
    publishedP99Ms: pct(99, publishes),
    rssPerSubscriberKB: round(sum(m.idle.map((s, i) => s.rssBytes - m.before[i].rssBytes)) / 1024 / scenario.subscribers),
    gatewayRssMB: busiest((s) => s.rssBytes / 2 ** 20),
    loopDelayP50Ms: busiest((s) => s.loopDelayP50Ms),
    loopDelayP99Ms: busiest((s) => s.loopDelayP99Ms),
    loopDelayMaxMs: busiest((s) => s.loopDelayMaxMs),
    gatewayCpuPercent: busiest((s, i) => ((s.cpuSeconds - m.start[i].cpuSeconds) / m.wall) * 100),
    clientsCpuPercent: round((m.clientsSeconds / m.wall) * 100),
    machineBusyPercent: round(busyPercent(...m.machine)),
    connectSeconds: round(m.connectSeconds),
    fetchesPerEvent: round(sum(m.end.map((e, i) => e.liveFetches - m.start[i].liveFetches)) / m.events),
  };
}

function tableRow(r: FanoutResult): Record<string, string | number> {
  return {
    subscribers: r.gateways > 1 ? `${r.subscribers} (${r.gateways} gateways)` : r.subscribers,
    'per tenant': r.tenantSize,
    'deliveries/s': r.deliveriesPerSecond,
    delivered: `${r.delivered}/${r.expectedDeliveries}`,
    p50: r.p50Ms,
    p95: r.p95Ms,
    p99: r.p99Ms,
    max: r.maxMs,
    'relay p99': r.publishedP99Ms,
    'KB/sub': r.rssPerSubscriberKB,
    'loop p99': r.loopDelayP99Ms,
    'gw CPU %': r.gatewayCpuPercent,
    'machine %': r.machineBusyPercent,
    'fetches/event': r.fetchesPerEvent,
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round(value: number): number {
  return Number(value.toFixed(1));
}
