/**
 * Our gateway against a plain Apollo Gateway and Hive Gateway, side by side in one run: the same
 * supergraph file, the same subgraphs, the same requests. Each gateway runs in its own process and
 * autocannon runs in another (bench/load.ts), all on loopback. Two subgraph setups: stubs answering
 * canned JSON (bench/stubSubgraphs.ts: only gateway cost is left) and the real subgraphs on a seeded
 * database (bench/realSubgraphs.ts). Per operation: a warm-up of each gateway, then measured slices
 * interleaved across the gateways; each gateway's CPU time and RSS come from its own process.
 *
 * Run it alone: `npm run bench -- gateways`, or `npx tsx bench/gatewayCompare.ts --help` for a
 * narrower run (one setup, one operation, CPU profiles, our gateway from another checkout).
 */
import { Command, InvalidArgumentError } from 'commander';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Caller } from '../lib/caller';
import type { SubgraphName } from '../lib/config';
import { signToken } from '../lib/token';
import { forkBenchChild, type BenchChild } from './benchChild';
import { EXPECTED_FIELD, OPERATION_NAMES, requestBody, UPDATE_MUTATION, type OperationName } from './gatewayOperations';
import type { GatewayKind, GatewayMessage, GatewaySpec, GatewayUsage } from './gatewayProcess';
import type { LoadRequest, LoadResult } from './load';
import { addSlice, createCell, formatGatewayTable, toRow, withRatios, writeGatewayResults, type GatewayBenchRow } from './gatewayResults';
import { startRealSubgraphs } from './realSubgraphs';
import type { StubStats } from './stubSubgraphs';

export type SubgraphSetup = 'stub' | 'real';
export const GATEWAY_KINDS: readonly GatewayKind[] = ['ours', 'apollo', 'hive', 'hive-nodedup'];

export interface GatewayBenchOptions {
  readonly setups: readonly SubgraphSetup[];
  readonly operations: readonly OperationName[];
  readonly gateways: readonly GatewayKind[];
  /** Measured seconds per cell, after `warmupSeconds` of the same load. */
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** The measured seconds are split into this many slices, interleaved across the gateways. */
  readonly rounds: number;
  readonly connections: number;
  /** Customers seeded into the real setup's tenant. */
  readonly customers: number;
  /** Root of another checkout whose gateway runs as `ours-baseline` (e.g. `git archive <ref> | tar -x -C dir`). */
  readonly baselineDir?: string;
  /** Write a CPU profile of each gateway's measured runs here (`<setup>-<operation>-<gateway>.cpuprofile`). */
  readonly cpuProfileDir?: string;
  readonly log?: (message: string) => void;
}

export interface GatewayBenchReport {
  readonly rows: GatewayBenchRow[];
  readonly stubStats?: StubStats;
  /** Wall-clock time of the whole run, start-up and seeding included. */
  readonly durationSeconds: number;
  /** Who every request was. */
  readonly caller: Caller;
}

export const DEFAULT_GATEWAY_BENCH: GatewayBenchOptions = {
  setups: ['stub', 'real'],
  operations: OPERATION_NAMES,
  gateways: GATEWAY_KINDS,
  seconds: 8,
  warmupSeconds: 2,
  rounds: 2,
  connections: 16,
  customers: 2000,
};

const JWT_SECRET = 'bench-jwt-secret-0123456789abcdef';
const INTERNAL_SECRET = 'bench-internal-secret-0123456789abcdef';
/** Who every request is: a manager reads every field the operations select. */
const CALLER: Caller = { sub: 'bench-manager', tenant: 'acme', roles: ['manager'] };
const SMALL_CUSTOMER = 7;
/** Customers the writes rotate over: never the one the reads use. */
const FIRST_WRITTEN_CUSTOMER = 100;
/** Enough customers per connection for every run to retire the ones its cut-off writes left unknown (bench/load.ts). */
const WRITE_POOL_PER_CONNECTION = 40;

/** Runs every cell (setup × operation × gateway) and returns the measurements. */
export async function runGatewayBench(options: GatewayBenchOptions = DEFAULT_GATEWAY_BENCH): Promise<GatewayBenchReport> {
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const started = Date.now();
  const load = forkBenchChild('load.ts');
  const rows: GatewayBenchRow[] = [];
  let stubStats: StubStats | undefined;
  try {
    for (const setup of options.setups) {
      if (setup === 'stub') {
        const stubs = forkBenchChild('stubSubgraphs.ts');
        try {
          const { urls } = await stubs.waitFor<{ urls: Record<SubgraphName, string> }>('ready', 60_000);
          rows.push(...(await runSetup('stub', urls, () => '5f0000000000000000000007', options, load, log)));
          stubStats = (await stubs.request<{ stats: StubStats }>({ type: 'stats' }, 'stats')).stats;
        } finally {
          await stubs.stop();
        }
      } else {
        log(`Starting the real subgraphs on a database seeded with ${options.customers} customers...`);
        const real = await startRealSubgraphs({ internalSecret: INTERNAL_SECRET, customers: options.customers, log });
        try {
          rows.push(...(await runSetup('real', real.urls, real.customerId, options, load, log)));
        } finally {
          await real.stop();
        }
      }
    }
  } finally {
    await load.stop();
  }
  return { rows: withRatios(rows), stubStats, durationSeconds: Math.round((Date.now() - started) / 1000), caller: CALLER };
}

async function runSetup(
  setup: SubgraphSetup,
  urls: Readonly<Record<SubgraphName, string>>,
  customerId: (index: number) => string,
  options: GatewayBenchOptions,
  load: BenchChild,
  log: (message: string) => void,
): Promise<GatewayBenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'cg-bench-gateways-'));
  const gateways = new Map<GatewayKind, { child: BenchChild; url: string }>();
  try {
    const spec = {
      supergraphPath: writeSupergraph(dir, urls),
      subgraphUrls: urls,
      jwtSecret: JWT_SECRET,
      internalSecret: INTERNAL_SECRET,
      // The real subgraphs answer only signed requests: the other gateways sign as the same caller.
      signAs: setup === 'real' ? CALLER : undefined,
      baselineDir: options.baselineDir,
    };
    for (const kind of options.gateways) {
      const child = forkBenchChild('gatewayProcess.ts', [JSON.stringify({ ...spec, kind } satisfies GatewaySpec)]);
      gateways.set(kind, { child, url: (await child.waitFor<{ url: string }>('ready', 120_000)).url });
    }
    const headers = { authorization: `Bearer ${signToken(CALLER, JWT_SECRET)}` };
    await checkSameAnswers(setup, gateways, headers, customerId);
    const rows: GatewayBenchRow[] = [];
    for (const operation of options.operations) {
      const request = (kind: GatewayKind, seconds: number): LoadRequest => ({
        type: 'run',
        url: gateways.get(kind)!.url,
        connections: options.connections,
        seconds,
        headers,
        body: loadBody(setup, operation, customerId, options.connections),
        expect: EXPECTED_FIELD[operation],
      });
      for (const kind of gateways.keys()) await load.request<LoadResult>(request(kind, options.warmupSeconds), 'result');
      const cells = new Map([...gateways.keys()].map((kind) => [kind, createCell()]));
      // Interleaved slices in a rotating order: drift on a shared machine spreads over every gateway.
      for (let round = 0; round < options.rounds; round++) {
        for (const kind of rotate([...gateways.keys()], round)) {
          const { child } = gateways.get(kind)!;
          const profile = options.cpuProfileDir !== undefined && round === 0;
          if (profile) await child.request({ type: 'profileStart' } satisfies GatewayMessage, 'profiling');
          const before = await child.request<GatewayUsage>({ type: 'usage' } satisfies GatewayMessage, 'usage');
          const result = await load.request<LoadResult>(request(kind, options.seconds / options.rounds), 'result');
          const after = await child.request<GatewayUsage>({ type: 'usage' } satisfies GatewayMessage, 'usage');
          if (profile) {
            await child.request({ type: 'profileStop', path: join(options.cpuProfileDir!, `${setup}-${operation}-${kind}.cpuprofile`) } satisfies GatewayMessage, 'profiled');
          }
          addSlice(cells.get(kind)!, result, after.cpuMicros - before.cpuMicros, after.rssBytes);
        }
      }
      for (const [kind, cell] of cells) {
        const row = toRow(setup, operation, kind, cell);
        log(`${setup} ${operation} ${kind}: ${row.requestsPerSecond} req/s, p99 ${row.p99Ms} ms, ${row.cpuMsPerRequest} CPU ms/req, ${row.failed} failed${row.firstFailure ? ` (first: ${row.firstFailure})` : ''}`);
        rows.push(row);
      }
    }
    return rows;
  } finally {
    await Promise.all([...gateways.values()].map(({ child }) => child.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

// Reads repeat one body; real writes rotate over customers so each names the version it last saw.
function loadBody(setup: SubgraphSetup, operation: OperationName, customerId: (index: number) => string, connections: number): LoadRequest['body'] {
  if (operation === 'mutation' && setup === 'real') {
    return { query: UPDATE_MUTATION, customerIds: Array.from({ length: WRITE_POOL_PER_CONNECTION * connections }, (_, i) => customerId(FIRST_WRITTEN_CUSTOMER + i)) };
  }
  return requestBody(operation, customerId(SMALL_CUSTOMER));
}

// Every gateway must give the same data for the same read (and a clean write) before anything is timed.
async function checkSameAnswers(
  setup: SubgraphSetup,
  gateways: ReadonlyMap<GatewayKind, { url: string }>,
  headers: Record<string, string>,
  customerId: (index: number) => string,
): Promise<void> {
  for (const operation of OPERATION_NAMES) {
    const answers = new Map<GatewayKind, string>();
    for (const [kind, { url }] of gateways) {
      // A real write names the version it read first, through the same gateway.
      const writeId = customerId(FIRST_WRITTEN_CUSTOMER - 1);
      const version = operation === 'mutation' && setup === 'real' ? await readVersion(url, headers, writeId) : 1;
      const body = operation === 'mutation' && setup === 'real' ? JSON.stringify({ query: UPDATE_MUTATION, variables: { id: writeId, v: version, company: `Check ${kind}` } }) : requestBody(operation, customerId(SMALL_CUSTOMER));
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const text = await response.text();
      if (!response.ok || !text.includes(EXPECTED_FIELD[operation]) || text.includes('"errors"')) {
        throw new Error(`${kind} gateway gave no clean answer to ${operation} (${setup} subgraphs): HTTP ${response.status} ${text.slice(0, 500)}`);
      }
      answers.set(kind, operation === 'mutation' ? 'written' : JSON.stringify(JSON.parse(text).data));
    }
    if (new Set(answers.values()).size > 1) throw new Error(`the gateways answered ${operation} (${setup} subgraphs) with different data`);
  }
}

async function readVersion(url: string, headers: Record<string, string>, id: string): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: 'query($id: ID!) { customer(id: $id) { version } }', variables: { id } }) });
  const { data } = (await response.json()) as { data?: { customer?: { version: number } } };
  if (!data?.customer) throw new Error(`customer ${id} is not in the seeded database`);
  return data.customer.version;
}

// The repository's supergraph, routed to this setup's subgraphs: all three gateways load this file.
function writeSupergraph(dir: string, urls: Readonly<Record<SubgraphName, string>>): string {
  const source = readFileSync(join(__dirname, '../schema/supergraph.graphql'), 'utf8');
  const routed = source.replace(/@join__graph\(name: "(\w+)", url: "[^"]*"\)/g, (match, name: string) =>
    name in urls ? `@join__graph(name: "${name}", url: "${urls[name as SubgraphName]}")` : match,
  );
  const path = join(dir, 'supergraph.graphql');
  writeFileSync(path, routed);
  return path;
}

function rotate<T>(items: T[], by: number): T[] {
  const shift = by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function parseList<T extends string>(allowed: readonly T[]): (value: string) => T[] {
  return (value) => {
    const items = value.split(',').map((s) => s.trim());
    const bad = items.find((item) => !(allowed as readonly string[]).includes(item));
    if (bad !== undefined) throw new InvalidArgumentError(`${bad} is not one of ${allowed.join(', ')}`);
    return items as T[];
  };
}

/** The `gateways` section of `npm run bench`: every cell, a printed table and bench/results/gateways.json. */
export async function runGatewaySection(options: GatewayBenchOptions = DEFAULT_GATEWAY_BENCH): Promise<void> {
  console.log('Gateways side by side: ours (auth + permissions) vs plain Apollo Gateway vs Hive Gateway, same supergraph and subgraphs (loopback, one machine):');
  const report = await runGatewayBench(options);
  console.table(formatGatewayTable(report.rows));
  writeGatewayResults(report, options);
}

async function main(): Promise<void> {
  const opts = new Command('gatewayCompare')
    .description('Our gateway vs plain Apollo Gateway vs Hive Gateway, side by side (a subset of `npm run bench -- gateways`).')
    .option('--setups <list>', 'stub,real', parseList<SubgraphSetup>(['stub', 'real']), DEFAULT_GATEWAY_BENCH.setups)
    .option('--operations <list>', OPERATION_NAMES.join(','), parseList(OPERATION_NAMES), DEFAULT_GATEWAY_BENCH.operations)
    .option('--gateways <list>', `${GATEWAY_KINDS.join(',')} (and ours-baseline)`, parseList<GatewayKind>([...GATEWAY_KINDS, 'ours-baseline']), DEFAULT_GATEWAY_BENCH.gateways)
    .option('--seconds <n>', 'measured seconds per cell', parsePositive, DEFAULT_GATEWAY_BENCH.seconds)
    .option('--warmup-seconds <n>', 'warm-up seconds per cell', parsePositive, DEFAULT_GATEWAY_BENCH.warmupSeconds)
    .option('--rounds <n>', 'interleaved slices per cell', parsePositive, DEFAULT_GATEWAY_BENCH.rounds)
    .option('--connections <n>', 'concurrent connections', parsePositive, DEFAULT_GATEWAY_BENCH.connections)
    .option('--baseline <dir>', 'also run our gateway from another checkout of this repository, as ours-baseline (add it to --gateways)')
    .option('--cpu-prof <dir>', "write a CPU profile of each gateway's measured runs to this directory")
    .option('--out <file>', 'write the results here instead of printing only')
    .parse()
    .opts<{ setups: SubgraphSetup[]; operations: OperationName[]; gateways: GatewayKind[]; seconds: number; warmupSeconds: number; rounds: number; connections: number; cpuProf?: string; baseline?: string; out?: string }>();
  const options: GatewayBenchOptions = { ...DEFAULT_GATEWAY_BENCH, ...opts, cpuProfileDir: opts.cpuProf, baselineDir: opts.baseline };
  const report = await runGatewayBench(options);
  console.table(formatGatewayTable(report.rows));
  if (opts.out) writeGatewayResults(report, options, opts.out);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
