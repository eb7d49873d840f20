/**
 * Mutation-to-delivery latency of live changes, and subgraph load per event, as subscribers grow.
 * Everything runs on loopback against the real stack (gateway, three subgraphs, relay, Redis,
 * mongo-java-server); subscribers are real graphql-ws clients in a separate process (bench/fanoutClients.ts)
 * on the same two cores. Bounded: a few seconds per scenario.
 */
import type { CommandStartedEvent } from 'mongodb';
import { performance } from 'node:perf_hooks';
import { provisionServices } from '../tools/services';
import { insertCustomer } from '../test/support/fixtures';
import { startStack } from '../test/support/stack';
import { fork } from 'node:child_process';
import { join } from 'node:path';

const now = () => performance.timeOrigin + performance.now();

export interface FanoutScenario {
  readonly subscribers: number;
  readonly writesPerSecond: number;
  readonly seconds: number;
}

export interface FanoutResult extends FanoutScenario {
  readonly events: number;
  readonly expectedDeliveries: number;
  readonly delivered: number;
  readonly deliveredRatio: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** `changes` reads the sales subgraph served per event (one per permission group, whatever the subscriber count). */
  readonly feedReadsPerEvent: number;
}

export async function runFanoutBench(scenarios: readonly FanoutScenario[]): Promise<FanoutResult[]> {
  const services = await provisionServices({ mongoBackend: 'memory', log: () => undefined });
  process.env.TEST_MONGODB_URI = services.mongodbUri;
  process.env.TEST_REDIS_URL = services.redisUrl;
  // The test stack is the same wiring as production processes, started in one process.
  const stack = await startStack('bench-fanout');
  const results: FanoutResult[] = [];
  try {
    for (const scenario of scenarios) {
      const admin = stack.token('admin', 'bench');
      const id = await insertCustomer(stack.db, { name: `Bench ${scenario.subscribers}` });
      const after = ((await stack.query(admin, `{ latestChangeCursor }`)).data as { latestChangeCursor: string }).latestChangeCursor;
      const sentAt = new Map<number, number>();
      const latencies: number[] = [];
      const arrivalsByVersion = new Map<number, number>();
      const clients = fork(join(__dirname, 'fanoutClients.ts'), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
      clients.on('message', (batch: Array<[number, number]>) => {
        for (const [version, t] of batch) {
          arrivalsByVersion.set(version, (arrivalsByVersion.get(version) ?? 0) + 1);
          const t0 = sentAt.get(version);
          if (t0 !== undefined) latencies.push(t - t0);
        }
      });
      clients.send({ url: stack.gatewayUrl, token: admin, subscribers: scenario.subscribers, after, customerId: id });
      let feedReads = 0;
      const countReads = (event: CommandStartedEvent) => {
        if (event.commandName === 'find' && event.command.find === 'changes') feedReads += 1;
      };
      let version = 1;
      const write = async (measured: boolean) => {
        const v = version;
        if (measured) sentAt.set(v + 1, now());
        const result = await stack.query(admin, `mutation($id: ID!, $v: Int!) { updateCustomer(id: $id, expectedVersion: $v, input: {company: "C${v}"}) { version } }`, { id, v });
        version = (result.data as { updateCustomer: { version: number } }).updateCustomer.version;
      };
      // Warm-up event: every subscriber is live before measuring.
      await write(false);
      const ready = performance.now() + 120_000;
      while ((arrivalsByVersion.get(2) ?? 0) < scenario.subscribers && performance.now() < ready) await new Promise((r) => setTimeout(r, 50));
      stack.subgraphs.sales.connection.getClient().on('commandStarted', countReads);
      const events = scenario.writesPerSecond * scenario.seconds;
      const started = performance.now();
      for (let i = 0; i < events; i++) {
        const due = started + (i * 1000) / scenario.writesPerSecond;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        await write(true);
      }
      const expected = events * scenario.subscribers;
      const deadline = performance.now() + 20_000;
      while (latencies.length < expected && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      stack.subgraphs.sales.connection.getClient().off('commandStarted', countReads);
      clients.send('stop');
      await new Promise((r) => clients.once('exit', r));
      const sorted = [...latencies].sort((a, b) => a - b);
      const pct = (p: number) => Number((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN).toFixed(1));
      results.push({
        ...scenario,
        events,
        expectedDeliveries: expected,
        delivered: latencies.length,
        deliveredRatio: Number((latencies.length / expected).toFixed(4)),
        p50Ms: pct(50),
        p95Ms: pct(95),
        p99Ms: pct(99),
        maxMs: Number((sorted.at(-1) ?? NaN).toFixed(1)),
        feedReadsPerEvent: Number((feedReads / events).toFixed(2)),
      });
    }
  } finally {
    await stack.stop();
    await services.stop();
  }
  return results;
}
