/**
 * `npm run soak`: a gateway process under steady reads, writes and 1,000 open subscriptions while
 * clients subscribe and unsubscribe 100,000 times; its memory (RSS, heap after GC) and open handles
 * and file descriptors are sampled all along, and the slope over the second half tells whether
 * anything grows. Loopback only, bounded (SOAK_SECONDS, default 240, over which the cycles are spread); the gateway and the clients
 * run in their own processes, the subgraphs and the relay in this one. Writes bench/results/soak.json.
 *
 * Knobs: SOAK_SECONDS, SOAK_CYCLES (100000), SOAK_SUBSCRIBERS (1000), SOAK_WRITES_PER_SECOND (2),
 * SOAK_READS_PER_SECOND (20), SOAK_CHURN_WORKERS (48), SOAK_FULL_EVERY (4: one cycle in four waits for
 * its replayed change; the others unsubscribe at once, racing the subscription's start).
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessSample } from '../test/support/childProbe';
import { insertCustomer } from '../test/support/fixtures';
import { spawnGateway } from '../test/support/processes';
import { startStack } from '../test/support/stack';
import { provisionServices } from '../tools/services';
import type { SoakChurnStart, SoakClientsProgress, SoakClientsStart } from './soakClients';

const SETTINGS = {
  maxSeconds: Number(process.env.SOAK_SECONDS ?? 240),
  cycles: Number(process.env.SOAK_CYCLES ?? 100_000),
  subscribers: Number(process.env.SOAK_SUBSCRIBERS ?? 1000),
  writesPerSecond: Number(process.env.SOAK_WRITES_PER_SECOND ?? 2),
  readsPerSecond: Number(process.env.SOAK_READS_PER_SECOND ?? 20),
  churnWorkers: Number(process.env.SOAK_CHURN_WORKERS ?? 48),
  fullEvery: Number(process.env.SOAK_FULL_EVERY ?? 4),
  sampleEveryMs: 5000,
};

interface Sample extends ProcessSample {
  /** Seconds since the load started. */
  readonly t: number;
  readonly cycles: number;
}

/** Least-squares slope of `value` per minute over the samples given. */
export function slopePerMinute(samples: readonly Sample[], value: (s: Sample) => number): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const xs = samples.map((s) => s.t / 60);
  const ys = samples.map(value);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sxy = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i] - my), 0);
  const sxx = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return sxy / sxx;
}

async function main(): Promise<void> {
  const services = await provisionServices({ mongoBackend: 'memory', log: () => undefined });
  process.env.TEST_MONGODB_URI = services.mongodbUri;
  process.env.TEST_REDIS_URL = services.redisUrl;
  const stack = await startStack('soak');
  const { sales, service, marketing } = stack.subgraphs;
  const gateway = await spawnGateway({
    mongodbUri: stack.mongodbUri,
    redisUrl: services.redisUrl,
    subgraphUrls: { sales: sales.url, service: service.url, marketing: marketing.url },
    subgraphTimeoutMs: 10_000,
    nodeFlags: ['--expose-gc'],
  });
  const clients = fork(join(__dirname, 'soakClients.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      clients.kill('SIGTERM');
      await gateway.stop();
      await stack.stop();
      await services.stop();
    })());
  // Ctrl-C stops every process this run started.
  const interrupt = () => void stopAll().then(() => process.exit(130));
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    const result = await soak(stack, gateway, clients);
    console.table(result.table);
    writeFileSync(join(__dirname, 'results/soak.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), settings: SETTINGS, ...result.json }, null, 2)}\n`);
  } finally {
    await stopAll();
  }
}

async function soak(stack: Awaited<ReturnType<typeof startStack>>, gateway: Awaited<ReturnType<typeof spawnGateway>>, clients: ReturnType<typeof fork>) {
  const post = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
    const body = (await response.json()) as { data?: any; errors?: unknown[] };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  // Writes and steady subscribers in one tenant; churn in another, where its one change never moves.
  const admin = stack.token('admin', 'soak-admin', 'soak');
  const ids: string[] = [];
  for (let i = 0; i < 20; i++) ids.push(await insertCustomer(stack.db, { tenant: 'soak', name: `Soak ${i}` }));
  const churnAdmin = stack.token('admin', 'churn-admin', 'churn');
  const churnId = await insertCustomer(stack.db, { tenant: 'churn', name: 'Churn' });
  const churnAfter = (await post(churnAdmin, `{ latestChangeCursor }`)).latestChangeCursor;
  await post(churnAdmin, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {company: "Churned"}) { version } }`, { id: churnId });
  const after = (await post(admin, `{ latestChangeCursor }`)).latestChangeCursor;
  const baseline = await gateway.sample();

  let progress: SoakClientsProgress = { type: 'progress', steadyOpen: 0, steadyResumes: 0, steadyByVersion: {}, cycles: 0, fullCycles: 0, socketsReplaced: 0, errors: 0 };
  clients.on('message', (message: SoakClientsProgress) => (progress = message));
  const start: SoakClientsStart = { type: 'start', url: gateway.url, steady: { count: SETTINGS.subscribers, token: admin, after } };
  clients.send(start);
  const versions = new Map(ids.map((id) => [id, 1]));
  let writes = 0;
  const write = async () => {
    const id = ids[writes % ids.length];
    writes += 1;
    // One document for every write (values in variables), as a client sends it: the gateway's
    // bounded caches of parsed documents and plans would otherwise fill up and look like a leak.
    const data = await post(admin, `mutation($id: ID!, $v: Int!, $d: Float) { updateCustomer(id: $id, expectedVersion: $v, input: {dealValue: $d}) { version } }`, { id, v: versions.get(id), d: writes });
    versions.set(id, data.updateCustomer.version);
  };
  // Measured from when every steady subscriber is live: it received a first write.
  await write();
  const deadline = Date.now() + 120_000;
  while ((progress.steadyByVersion[2] ?? 0) < SETTINGS.subscribers) {
    if (Date.now() > deadline) throw new Error(`only ${progress.steadyByVersion[2] ?? 0} of ${SETTINGS.subscribers} subscribers are live after 120 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const churn: SoakChurnStart = {
    type: 'churn',
    url: gateway.url,
    churn: { workers: SETTINGS.churnWorkers, cycles: SETTINGS.cycles, perSecond: SETTINGS.cycles / SETTINGS.maxSeconds, fullEvery: SETTINGS.fullEvery, token: churnAdmin, customerId: churnId, after: churnAfter },
  };
  clients.send(churn);

  const started = Date.now();
  const stopAt = started + SETTINGS.maxSeconds * 1000;
  const samples: Sample[] = [];
  const sampleNow = async () => samples.push({ ...(await gateway.sample()), t: (Date.now() - started) / 1000, cycles: progress.cycles });
  await sampleNow();
  let reads = 0;
  const readLoop = every(1000 / SETTINGS.readsPerSecond, async () => {
    reads += 1;
    await post(admin, reads % 2 ? `{ customers(first: 10) { edges { node { name service { tier } marketing { tags } } } } }` : `query($id: ID!) { customer(id: $id) { name dealValue history(first: 5) { version } } }`, { id: ids[reads % ids.length] });
  }, 8);
  const writeLoop = every(1000 / SETTINGS.writesPerSecond, write);
  const sampleLoop = every(SETTINGS.sampleEveryMs, sampleNow);
  let lastLog = 0;
  while (progress.cycles < SETTINGS.cycles && Date.now() < stopAt) {
    await new Promise((r) => setTimeout(r, 500));
    if (Date.now() - lastLog > 15_000) {
      lastLog = Date.now();
      const s = samples.at(-1)!;
      console.log(`${Math.round((Date.now() - started) / 1000)} s: ${progress.cycles} cycles, ${writes} writes, ${reads} reads, rss ${mb(s.rssBytes)} MB, heap ${mb(s.heapUsedBytes)} MB, handles ${s.activeHandles}, fds ${s.openFds}, steady resumes ${progress.steadyResumes}, errors ${progress.errors}${progress.lastError ? ` (${progress.lastError})` : ''}`);
    }
  }
  const loadSeconds = (Date.now() - started) / 1000;
  await Promise.all([readLoop.stop(), writeLoop.stop(), sampleLoop.stop()]);
  await sampleNow();
  // Every steady subscriber got every write (deliveries are counted per version).
  const expectedDeliveries = writes * SETTINGS.subscribers;
  const delivered = () => Object.entries(progress.steadyByVersion).filter(([v]) => Number(v) > 1).reduce((sum, [, n]) => sum + n, 0);
  const drainDeadline = Date.now() + 60_000;
  while (delivered() < expectedDeliveries && Date.now() < drainDeadline) await new Promise((r) => setTimeout(r, 500));
  clients.send({ type: 'stop' });
  await new Promise((r) => clients.once('exit', r));
  // With every client gone (and idle keep-alive connections past their 5 s), what is left open is what the gateway keeps for itself.
  await new Promise((r) => setTimeout(r, 7000));
  const afterClients = await gateway.sample();

  const secondHalf = samples.filter((s) => s.t >= loadSeconds / 2);
  const first = samples[0];
  const last = samples.at(-1)!;
  const figures = {
    rssKBPerMin: Math.round(slopePerMinute(secondHalf, (s) => s.rssBytes / 1024)),
    heapKBPerMin: Math.round(slopePerMinute(secondHalf, (s) => s.heapUsedBytes / 1024)),
    handlesPerMin: Number(slopePerMinute(secondHalf, (s) => s.activeHandles).toFixed(2)),
    fdsPerMin: Number(slopePerMinute(secondHalf, (s) => s.openFds).toFixed(2)),
  };
  const run = {
    loadSeconds: Math.round(loadSeconds),
    cycles: progress.cycles,
    fullCycles: progress.fullCycles,
    cyclesPerSecond: Math.round(progress.cycles / loadSeconds),
    socketsReplaced: progress.socketsReplaced,
    steadySubscribers: SETTINGS.subscribers,
    writes,
    reads,
    deliveries: `${delivered()}/${expectedDeliveries}`,
    steadyResumes: progress.steadyResumes,
    clientErrors: progress.errors,
    lastClientError: progress.lastError ?? null,
  };
  const point = (s: ProcessSample) => ({ rssMB: mb(s.rssBytes), heapMB: mb(s.heapUsedBytes), handles: s.activeHandles, fds: s.openFds });
  return {
    table: {
      run,
      'slope over the second half (per minute)': figures,
      'before clients': point(baseline),
      'start of load': point(first),
      'end of load': point(last),
      'clients gone': point(afterClients),
    },
    json: { run, slopeOverSecondHalf: figures, points: { beforeClients: point(baseline), startOfLoad: point(first), endOfLoad: point(last), clientsGone: point(afterClients) }, samples },
  };
}

/** Starts `task` every `intervalMs` until stopped, up to `concurrency` at a time (a steady rate, not one after another). */
function every(intervalMs: number, task: () => Promise<unknown>, concurrency = 1): { stop(): Promise<void> } {
  let stopped = false;
  const running = new Set<Promise<unknown>>();
  const loop = (async () => {
    let next = Date.now();
    while (!stopped) {
      if (running.size >= concurrency) await Promise.race(running);
      const run = task()
        .catch((error: unknown) => console.error(`soak: ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => running.delete(run));
      running.add(run);
      next += intervalMs;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await Promise.all(running);
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

function mb(bytes: number): number {
  return Number((bytes / 1024 / 1024).toFixed(1));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
