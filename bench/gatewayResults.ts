/**
 * The results of the gateway benchmark: measured slices added up per gateway × operation, rows with
 * percentiles and ratios to plain Apollo, the printed table and bench/results/gateways.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { GatewayBenchOptions, GatewayBenchReport, SubgraphSetup } from './gatewayCompare';
import type { OperationName } from './gatewayOperations';
import type { GatewayKind } from './gatewayProcess';
import type { LoadResult } from './load';

export interface GatewayBenchRow {
  readonly setup: SubgraphSetup;
  readonly operation: OperationName;
  readonly gateway: GatewayKind;
  readonly requestsPerSecond: number;
  /** Throughput relative to the plain Apollo Gateway in the same setup and operation. */
  readonly vsApollo: number | null;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** Gateway process CPU time (user + system) per request served. */
  readonly cpuMsPerRequest: number;
  /** Gateway process RSS after the measured slices (the largest seen). */
  readonly rssMb: number;
  readonly requests: number;
  /** Responses that were not a clean GraphQL result (non-2xx, `errors`, timeouts). */
  readonly failed: number;
  /** Of those, writes refused with VERSION_CONFLICT (real setup only). */
  readonly conflicts: number;
  /** The start of the first failed response, when one failed. */
  readonly firstFailure?: string;
}

/** What the slices of one gateway × operation add up to. */
export interface Cell {
  requests: number;
  seconds: number;
  latenciesMs: number[];
  cpuMicros: number;
  rssBytes: number;
  failed: number;
  conflicts: number;
  firstFailure?: string;
}

/** A cell with nothing measured yet. */
export function createCell(): Cell {
  return { requests: 0, seconds: 0, latenciesMs: [], cpuMicros: 0, rssBytes: 0, failed: 0, conflicts: 0 };
}

/** Adds one measured slice: its load results and the gateway's CPU time and RSS over it. */
export function addSlice(cell: Cell, result: LoadResult, cpuMicros: number, rssBytes: number): void {
  cell.requests += result.requests;
  cell.seconds += result.seconds;
  for (const ms of result.latenciesMs) cell.latenciesMs.push(ms);
  cell.cpuMicros += cpuMicros;
  cell.rssBytes = Math.max(cell.rssBytes, rssBytes);
  cell.failed += result.failed;
  cell.conflicts += result.conflicts;
  cell.firstFailure ??= result.firstFailure;
}

/** The row of a finished cell (percentiles over every slice's latencies). */
export function toRow(setup: SubgraphSetup, operation: OperationName, gateway: GatewayKind, cell: Cell): GatewayBenchRow {
  const sorted = Float64Array.from(cell.latenciesMs).sort();
  const percentile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return {
    setup,
    operation,
    gateway,
    requestsPerSecond: Math.round(cell.requests / cell.seconds),
    vsApollo: null,
    p50Ms: percentile(0.5),
    p95Ms: percentile(0.95),
    p99Ms: percentile(0.99),
    cpuMsPerRequest: Number((cell.cpuMicros / 1000 / Math.max(1, cell.requests)).toFixed(3)),
    rssMb: Math.round(cell.rssBytes / 2 ** 20),
    requests: cell.requests,
    failed: cell.failed,
    conflicts: cell.conflicts,
    ...(cell.firstFailure ? { firstFailure: cell.firstFailure } : {}),
  };
}

/** Each row's throughput relative to plain Apollo's in the same setup and operation. */
export function withRatios(rows: GatewayBenchRow[]): GatewayBenchRow[] {
  return rows.map((row) => {
    const apollo = rows.find((r) => r.setup === row.setup && r.operation === row.operation && r.gateway === 'apollo');
    return { ...row, vsApollo: apollo && apollo.requestsPerSecond > 0 ? Number((row.requestsPerSecond / apollo.requestsPerSecond).toFixed(2)) : null };
  });
}

/** The rows as printed: one line per cell. */
export function formatGatewayTable(rows: readonly GatewayBenchRow[]): Array<Record<string, string | number>> {
  return rows.map((r) => ({
    setup: r.setup,
    operation: r.operation,
    gateway: r.gateway,
    'req/s': r.requestsPerSecond,
    'vs apollo': r.vsApollo ?? '-',
    'p50 ms': r.p50Ms,
    'p95 ms': r.p95Ms,
    'p99 ms': r.p99Ms,
    'CPU ms/req': r.cpuMsPerRequest,
    'RSS MB': r.rssMb,
    failed: r.failed,
  }));
}

/** Writes bench/results/gateways.json. */
export function writeGatewayResults(report: GatewayBenchReport, options: GatewayBenchOptions, path = join(__dirname, 'results/gateways.json')): void {
  const { log: _log, cpuProfileDir: _profiles, baselineDir: _baseline, ...settings } = options;
  const result = {
    measuredAt: new Date().toISOString(),
    durationSeconds: report.durationSeconds,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
    settings,
    caller: report.caller,
    notes: [
      'ours: gateway/startGateway with a JWT (manager role) verified per request, field permissions, armor limits, metrics and one info log line per request (to /dev/null); no Redis, so no rate limits or subscriptions.',
      'apollo: @apollo/gateway + @apollo/server startStandaloneServer, defaults, no auth or permissions.',
      'hive: @graphql-hive/gateway-runtime createGatewayRuntime on node:http at its defaults (no usage reporting configured, logging at warn); it shares one subgraph fetch among identical in-flight queries, which this load (the same request on every connection) favours.',
      'hive-nodedup: the same with deduplicateInflightRequests: false on its HTTP transport, the same subgraph work as apollo and ours.',
      'real setup: the subgraphs refuse unsigned requests, so apollo and hive sign every subgraph request as the same manager caller (lib/internalAuth, the same HMAC ours computes).',
      'real mutation: writes rotate over customers, one in flight per customer, each naming the version its last write returned (a field write that never conflicts); a VERSION_CONFLICT would count as failed and be listed under conflicts.',
    ],
    results: report.rows,
    stubStats: report.stubStats,
  };
  writeFileSync(path, `${JSON.stringify(result, null, 2)}\n`);
}
