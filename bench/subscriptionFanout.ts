/**
 * Subscription fan-out at scale: thousands of WebSocket subscribers on one gateway process (and on
 * two replicas), 100 writes a second, everything real and on loopback: MongoDB-compatible server and
 * Redis; each subgraph, the relay and each gateway in a process of its own, started from their
 * production entries; subscribers in client processes of 2,500 sockets (bench/fanoutClients.ts).
 *
 * Devices are grouped in tenants; each device subscribes to every change of its tenant, and writes
 * go round the tenants (ten customers each), so each change must reach every device of its tenant.
 * Reported per scenario: write-to-device latency (the writer's clock before the mutation → the
 * device's clock on receipt), deliveries against what the database says was written, order checks,
 * gateway memory per idle subscriber, event-loop delay and CPU of the gateway, CPU of the clients
 * and of the machine, and live fetches per event (one per permission group and gateway).
 * Bounded: each scenario connects, writes at the full rate for 5 s unmeasured (warm-up), then for a few
 * seconds measured, and waits at most 20 s more for the deliveries.
 *
 * Alone: `npx tsx bench/subscriptionFanout.ts [--only 10k,hot] [--cpu-prof DIR] [--baseline DIR]`.
 */
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Types, type Connection } from 'mongoose';
import { connectMongo } from '../lib/mongo';
import { signToken } from '../lib/token';
import { uniqueDatabase } from '../test/support/env';
import { insertCustomer } from '../test/support/fixtures';
import { spawnRelay, spawnSubgraph, type ChildService, type SubgraphKey } from '../test/support/processes';
import { TEST_INTERNAL_SECRET, TEST_JWT_SECRET } from '../test/support/stack';
import { provisionServices } from '../tools/services';
import { childFileLimit } from './benchProcess';
import { busyPercent, readMachineCpu } from './cpuUsage';
import type { ConnectMessage } from './fanoutClients';
import { startFleet, type FleetReport } from './fanoutFleet';
import { startGatewayProcess, type GatewaySample } from './fanoutGateway';
import { createWriter, latestCursor, listenToPublishes, type BenchCustomer } from './fanoutWriter';

export interface FanoutScenario {
  readonly name: string;
  /** Gateway processes; subscribers are spread evenly over them (each tenant on all). */
  readonly gateways: number;
  readonly subscribers: number;
  /** Devices per tenant: each change is due to this many subscribers. */
  readonly tenantSize: number;
  readonly writesPerSecond: number;
  readonly seconds: number;
  /** Run the gateway of the `baselineDir` checkout instead of this one. */
  readonly baseline?: boolean;
}

export interface FanoutResult extends FanoutScenario {
  readonly deliveriesPerSecond: number;
  /** Changes written during the measurement (read back from the database). */
  readonly events: number;
  /** Writes that answered with an error (the writer goes on from the version the database has). */
  readonly failedWrites: number;
  readonly expectedDeliveries: number;
  readonly delivered: number;
  readonly deliveredRatio: number;
  /** Deliveries that were not the next version of their customer for that device (gap, duplicate, out of order). */
  readonly outOfOrder: number;
  /** Sockets closed and subscriptions ended by the server, error payloads. */
  readonly failures: number;
  /** Write-to-device latency: from the change's `at` (the subgraph's clock as it writes to the database) to receipt. */
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Write-to-device latency during the warm-up, the first seconds of full load on fresh processes (a cold start). */
  readonly coldP50Ms: number;
  readonly coldP99Ms: number;
  /** Mutation-to-device latency: from the writer's clock before it sent the mutation to receipt. */
  readonly mutationP50Ms: number;
  readonly mutationP99Ms: number;
  readonly mutationMaxMs: number;
  /** Mutation-to-publish latency: the writer's clock before the mutation → the change heard on Redis by the benchmark process. */
  readonly publishedP50Ms: number;
  readonly publishedP99Ms: number;
  /** (gateway RSS with every subscriber connected and idle − RSS before any) / subscribers, both after a full GC. */
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
  /** How busy the machine was while everything here stood idle just before the writes: other people's load. */
  readonly backgroundBusyPercent: number;
  /** Time for every subscriber to connect, subscribe and receive its first change. */
  readonly connectSeconds: number;
  /** Live-event fetches through the graph per event, all gateways together (one per permission group and gateway). */
  readonly fetchesPerEvent: number;
}

/** The scenarios of `npm run bench -- subscriptions` (about five minutes in all). */
export const FANOUT_SCENARIOS: readonly FanoutScenario[] = [
  { name: '1k', gateways: 1, subscribers: 1000, tenantSize: 100, writesPerSecond: 100, seconds: 10 },
  { name: '5k', gateways: 1, subscribers: 5000, tenantSize: 100, writesPerSecond: 100, seconds: 10 },
  { name: '10k', gateways: 1, subscribers: 10_000, tenantSize: 100, writesPerSecond: 100, seconds: 10 },
  { name: '10k-2gw', gateways: 2, subscribers: 10_000, tenantSize: 100, writesPerSecond: 100, seconds: 10 },
  // Every subscriber in one tenant: 100,000 deliveries a second from one gateway, past what this machine can do.
  { name: 'hot', gateways: 1, subscribers: 1000, tenantSize: 1000, writesPerSecond: 100, seconds: 5 },
];

export interface FanoutOptions {
  /** Write V8 CPU profiles of the gateway processes here. */
  readonly cpuProfileDir?: string;
  /** Another checkout whose gateway runs the scenarios marked `baseline`. */
  readonly baselineDir?: string;
}

const DRAIN_MS = 20_000;
const WARM_UP_SECONDS = 5;

/** Runs the scenarios, prints the table and writes bench/results/subscriptions.json. */
export async function runFanoutSection(scenarios: readonly FanoutScenario[] = FANOUT_SCENARIOS, options: FanoutOptions = {}): Promise<FanoutResult[]> {
  console.log('Subscription fan-out: write-to-device latency, delivery and gateway cost (loopback, one machine):');
  const results = await runFanoutBench(scenarios, options);
  console.table(results.map(tableRow));
  writeFileSync(join(__dirname, 'results/subscriptions.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), results }, null, 2)}\n`);
  return results;
}

/** Runs each scenario on fresh gateway processes, subgraphs, relay and database (MongoDB and Redis are shared). */
export async function runFanoutBench(scenarios: readonly FanoutScenario[], options: FanoutOptions = {}): Promise<FanoutResult[]> {
  const needed = Math.max(...scenarios.map((s) => Math.ceil(s.subscribers / s.gateways))) + 1024;
  if (childFileLimit() < needed) throw new Error(`the fan-out benchmark needs ${needed} open files per gateway process: raise the hard limit (ulimit -Hn is ${childFileLimit()})`);
  const services = await provisionServices({ mongoBackend: 'memory', log: () => undefined });
  // The subgraph processes inherit it (they do not use it; without it they warn about the default).
  process.env.JWT_SECRET = TEST_JWT_SECRET;
  const results: FanoutResult[] = [];
  try {
    for (const [index, scenario] of scenarios.entries()) {
      console.error(`fan-out ${scenario.name}${scenario.baseline ? ' (baseline)' : ''}: ${scenario.subscribers} subscribers on ${scenario.gateways} gateway(s), ${scenario.tenantSize} per tenant, ${scenario.writesPerSecond} writes/s`);
      // A database of its own: the feed and the records do not carry over what earlier scenarios wrote.
      const nodeFlags = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
      results.push(await withBackend(services, nodeFlags, (backend) => runScenario(backend, scenario, `fan${index}`, options)));
    }
  } finally {
    await services.stop();
  }
  return results;
}

/** What a scenario runs against: each subgraph and the relay in a process of its own, as in production. */
interface Backend {
  readonly mongodbUri: string;
  readonly redisUrl: string;
  readonly db: Connection;
  readonly subgraphUrls: Readonly<Record<SubgraphKey, string>>;
}

async function withBackend<T>(services: { readonly mongodbUri: string; readonly redisUrl: string }, nodeFlags: readonly string[], run: (backend: Backend) => Promise<T>): Promise<T> {
  const options = { mongodbUri: new URL(`/${uniqueDatabase('bench-fanout')}`, services.mongodbUri).toString(), redisUrl: services.redisUrl, nodeFlags };
  const children: ChildService[] = [];
  let db: Connection | undefined;
  try {
    const [sales, service, marketing] = await Promise.all((['sales', 'service', 'marketing'] as const).map((name) => spawnSubgraph(name, options)));
    // The relay as in production: woken by each write, with the default 1 s safety-net scan and 10 s lease.
    children.push(sales, service, marketing, spawnRelay({ ...options, scanIntervalMs: 1000, leaseMs: 10_000 }));
    db = await connectMongo(options.mongodbUri);
    return await run({ mongodbUri: options.mongodbUri, redisUrl: options.redisUrl, db, subgraphUrls: { sales: sales.url, service: service.url, marketing: marketing.url } });
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await db?.dropDatabase().catch(() => undefined);
    await db?.close();
  }
}

async function runScenario(backend: Backend, scenario: FanoutScenario, prefix: string, options: FanoutOptions): Promise<FanoutResult> {
  if (scenario.baseline && !options.baselineDir) throw new Error(`scenario ${scenario.name} is a baseline run: give the baseline checkout (--baseline DIR)`);
  const gateways = await Promise.all(
    Array.from({ length: scenario.gateways }, () =>
      startGatewayProcess({
        ...backend,
        jwtSecret: TEST_JWT_SECRET,
        internalSecret: TEST_INTERNAL_SECRET,
        cpuProfileDir: options.cpuProfileDir,
        baselineDir: scenario.baseline ? options.baselineDir : undefined,
      }),
    ),
  );
  const urls = gateways.map((g) => g.url);
  const tenantCount = Math.ceil(scenario.subscribers / scenario.tenantSize);
  // Writes go round ten customers per tenant (more when one would get over 10 writes a second).
  const perTenant = Math.max(10, Math.ceil(scenario.writesPerSecond / tenantCount / 10));
  const tenants: Array<ConnectMessage['tenants'][number]> = [];
  const customers: BenchCustomer[][] = [];
  for (let t = 0; t < tenantCount; t++) {
    const tenant = `${prefix}-${t}`;
    const token = signToken({ sub: 'writer', tenant, roles: ['admin'] }, TEST_JWT_SECRET);
    customers.push(await Promise.all(Array.from({ length: perTenant }, async (_, k) => ({ id: await insertCustomer(backend.db, { tenant, name: `Fan ${t}.${k}` }), token, version: 1, last: Promise.resolve() }))));
    tenants.push({ tenant, after: await latestCursor(urls[0], token) });
  }
  const fleet = startFleet({ subscribers: scenario.subscribers, gatewayUrls: urls, tenants, tenantSize: scenario.tenantSize, jwtSecret: TEST_JWT_SECRET });
  const probe = await listenToPublishes(backend.redisUrl, tenants.map((t) => t.tenant));
  // Versions are read from the database itself: asking a gateway would add load where it is measured.
  const customerVersions = async (ids: readonly string[]) => {
    const records = await backend.db.collection<{ _id: Types.ObjectId; version: number }>('customers').find({ _id: { $in: ids.map((id) => new Types.ObjectId(id)) } }, { projection: { version: 1 } }).toArray();
    return new Map(records.map((r) => [String(r._id), r.version]));
  };
  const writer = createWriter(probe, async (customer) => (await customerVersions([customer.id])).get(customer.id) ?? customer.version);
  try {
    const before = await Promise.all(gateways.map((g) => g.sample()));
    const connectStarted = Date.now();
    await fleet.until((p) => p.connected + p.failures >= scenario.subscribers, 180_000, 'every subscriber to connect');
    // One warm-up change per tenant: every subscription has started once each device received one.
    await Promise.all(customers.map((list) => writer.write(list[0], 'w', urls[0])));
    await fleet.until((p) => p.warm + p.failures >= scenario.subscribers, 120_000, 'every subscriber to receive the warm-up change');
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    // Two idle seconds: what the machine does meanwhile is someone else's load (the machine is shared).
    const quiet = readMachineCpu();
    await new Promise((r) => setTimeout(r, 2000));
    const background = busyPercent(quiet, readMachineCpu());
    const idle = await Promise.all(gateways.map((g) => g.sample()));

    const ids = customers.flat().map((c) => c.id);
    // Open loop: each write starts at its time, whatever the others are doing.
    const writeAtRate = async (seconds: number, marker: 'w' | 'm') => {
      const started = Date.now();
      const writes: Array<Promise<void>> = [];
      for (let i = 0; i < scenario.writesPerSecond * seconds; i++) {
        const wait = started + (i * 1000) / scenario.writesPerSecond - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        writes.push(writer.write(customers[i % tenantCount][Math.floor(i / tenantCount) % perTenant], marker, urls[i % urls.length]));
      }
      await Promise.all(writes);
    };
    // What was written since `before`, as the database has it (a write that failed may still have been applied).
    const writtenSince = async (before: ReadonlyMap<string, number>) => {
      const after = await customerVersions(ids);
      return sum(ids.map((id) => after.get(id)! - before.get(id)!));
    };
    // Warm-up at the full rate, unmeasured: JIT, connection pools and caches of every process reach
    // their steady state (a cold start is slower for its first seconds), and its deliveries arrive.
    const versionsBeforeWarmUp = await customerVersions(ids);
    const receivedBeforeWarmUp = fleet.progress().received;
    await writeAtRate(WARM_UP_SECONDS, 'w');
    const warmUpEvents = await writtenSince(versionsBeforeWarmUp);
    await fleet
      .until((p) => p.received >= receivedBeforeWarmUp + warmUpEvents * scenario.tenantSize, DRAIN_MS, 'the warm-up deliveries')
      .catch((error: Error) => console.error(`fan-out ${scenario.name}: ${error.message}; measuring anyway`));

    const versionsBefore = await customerVersions(ids);
    const start = await Promise.all(gateways.map((g) => g.sample()));
    const machineStart = readMachineCpu();
    const clientsStart = fleet.cpuSeconds();
    writer.resetFailures();
    const started = Date.now();
    await writeAtRate(scenario.seconds, 'm');
    const events = await writtenSince(versionsBefore);
    const expected = events * scenario.tenantSize;
    await fleet.until((p) => p.delivered >= expected, DRAIN_MS, 'every delivery').catch(() => undefined);
    const machineEnd = readMachineCpu();
    const clientsSeconds = fleet.cpuSeconds() - clientsStart;
    const end = await Promise.all(gateways.map((g) => g.sample()));
    const wall = (Date.now() - started) / 1000;
    return summarise(scenario, {
      events,
      failedWrites: writer.failures(),
      expected,
      report: await fleet.report(),
      publishLatencies: probe.latencies,
      samples: { before, idle, start, end },
      wall,
      connectSeconds,
      clientsSeconds,
      machineBusy: busyPercent(machineStart, machineEnd),
      background,
    });
  } finally {
    probe.close();
    // Gateways first: they close every socket cleanly before the client processes go.
    await Promise.all(gateways.map((g) => g.stop()));
    await fleet.stop();
  }
}

interface Measured {
  readonly events: number;
  readonly failedWrites: number;
  readonly expected: number;
  readonly report: FleetReport;
  readonly publishLatencies: readonly number[];
  /** Per gateway: before any subscriber, all idle, at the start and at the end of the writes. */
  readonly samples: Readonly<Record<'before' | 'idle' | 'start' | 'end', readonly GatewaySample[]>>;
  readonly wall: number;
  readonly connectSeconds: number;
  readonly clientsSeconds: number;
  readonly machineBusy: number;
  readonly background: number;
}

function summarise(scenario: FanoutScenario, m: Measured): FanoutResult {
  const { before, idle, start, end } = m.samples;
  const latencies = Float64Array.from(m.report.latencies).sort();
  const fromWrite = Float64Array.from(m.report.writeLatencies).sort();
  const cold = Float64Array.from(m.report.coldLatencies).sort();
  const publishes = Float64Array.from(m.publishLatencies).sort();
  const busiest = (read: (sample: GatewaySample, i: number) => number) => round(Math.max(...end.map(read)));
  return {
    ...scenario,
    deliveriesPerSecond: scenario.writesPerSecond * scenario.tenantSize,
    events: m.events,
    failedWrites: m.failedWrites,
    expectedDeliveries: m.expected,
    delivered: latencies.length,
    deliveredRatio: Number((latencies.length / m.expected).toFixed(4)),
    outOfOrder: m.report.outOfOrder,
    failures: m.report.failures,
    p50Ms: percentile(fromWrite, 50),
    p95Ms: percentile(fromWrite, 95),
    p99Ms: percentile(fromWrite, 99),
    maxMs: round(fromWrite.at(-1) ?? Number.NaN),
    coldP50Ms: percentile(cold, 50),
    coldP99Ms: percentile(cold, 99),
    mutationP50Ms: percentile(latencies, 50),
    mutationP99Ms: percentile(latencies, 99),
    mutationMaxMs: round(latencies.at(-1) ?? Number.NaN),
    publishedP50Ms: percentile(publishes, 50),
    publishedP99Ms: percentile(publishes, 99),
    rssPerSubscriberKB: round(sum(idle.map((s, i) => s.rssBytes - before[i].rssBytes)) / 1024 / scenario.subscribers),
    gatewayRssMB: busiest((s) => s.rssBytes / 2 ** 20),
    loopDelayP50Ms: busiest((s) => s.loopDelayP50Ms),
    loopDelayP99Ms: busiest((s) => s.loopDelayP99Ms),
    loopDelayMaxMs: busiest((s) => s.loopDelayMaxMs),
    gatewayCpuPercent: busiest((s, i) => ((s.cpuSeconds - start[i].cpuSeconds) / m.wall) * 100),
    clientsCpuPercent: round((m.clientsSeconds / m.wall) * 100),
    machineBusyPercent: round(m.machineBusy),
    backgroundBusyPercent: round(m.background),
    connectSeconds: round(m.connectSeconds),
    fetchesPerEvent: round(sum(end.map((s, i) => s.liveFetches - start[i].liveFetches)) / m.events),
  };
}

function tableRow(r: FanoutResult): Record<string, string | number> {
  return {
    scenario: `${r.name}${r.baseline ? ' (baseline)' : ''}`,
    subscribers: r.gateways > 1 ? `${r.subscribers} on ${r.gateways}` : r.subscribers,
    'deliveries/s': r.deliveriesPerSecond,
    delivered: `${r.delivered}/${r.expectedDeliveries}`,
    p50: r.p50Ms,
    p95: r.p95Ms,
    p99: r.p99Ms,
    max: r.maxMs,
    'mutation p99': r.mutationP99Ms,
    'cold p99': r.coldP99Ms,
    'relay p99': r.publishedP99Ms,
    'KB/sub': r.rssPerSubscriberKB,
    'loop p99': r.loopDelayP99Ms,
    'gw CPU %': r.gatewayCpuPercent,
    'machine %': r.machineBusyPercent,
    'fetches/event': r.fetchesPerEvent,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function round(value: number): number {
  return Number(value.toFixed(1));
}

if (require.main === module) {
  const cli = new Command()
    .description('Subscription fan-out benchmark (writes bench/results/subscriptions.json)')
    .option('--only <names>', `scenarios to run, comma-separated (${FANOUT_SCENARIOS.map((s) => s.name).join(', ')})`)
    .option('--writes-per-second <n>', 'override the scenarios\' write rate (find where delivery keeps up)', (v) => Number(v))
    .option('--cpu-prof <dir>', 'write V8 CPU profiles of the gateway, subgraph and relay processes into this directory')
    .option('--baseline <dir>', 'another checkout (with node_modules): its gateway runs each scenario right after this one')
    .parse();
  const flags = cli.opts<{ only?: string; cpuProf?: string; baseline?: string; writesPerSecond?: number }>();
  const names = flags.only?.split(',');
  const chosen = FANOUT_SCENARIOS.filter((s) => !names || names.includes(s.name)).map((s) => (flags.writesPerSecond ? { ...s, writesPerSecond: flags.writesPerSecond } : s));
  const scenarios = flags.baseline ? chosen.flatMap((s) => [s, { ...s, baseline: true }]) : chosen;
  runFanoutSection(scenarios, { cpuProfileDir: flags.cpuProf, baselineDir: flags.baseline }).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
