/**
 * The subscribers of a fan-out scenario: client processes of at most 2,500 sockets each
 * (bench/fanoutClients.ts), never in a gateway's process. Progress is summed over the processes.
 */
import type { ChildProcess } from 'node:child_process';
import { nextMessage, startBenchProcess, stopBenchProcess } from './benchProcess';
import { processCpuSeconds } from './cpuUsage';
import type { ConnectMessage, ProgressMessage, ReportMessage } from './fanoutClients';

export type FleetProgress = Omit<ProgressMessage, 'type'>;
export type FleetReport = Omit<ReportMessage, 'type'>;

export interface Fleet {
  /** Resolves once the summed progress of the client processes passes `done`; rejects after `timeoutMs`. */
  until(done: (progress: FleetProgress) => boolean, timeoutMs: number, what: string): Promise<void>;
  /** The summed progress of the client processes, as last reported. */
  progress(): FleetProgress;
  /** Every latency and check of every process. */
  report(): Promise<FleetReport>;
  /** CPU seconds the client processes have used so far. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export interface FleetOptions extends Omit<ConnectMessage, 'type' | 'from' | 'to'> {
  readonly subscribers: number;
}

const SOCKETS_PER_PROCESS = 2500;

/** Starts the client processes; each connects its share of the subscribers at once. */
export function startFleet(options: FleetOptions): Fleet {
  const { subscribers, ...connect } = options;
  const children: ChildProcess[] = [];
  const progress = new Map<ChildProcess, ProgressMessage>();
  for (let from = 0; from < subscribers; from += SOCKETS_PER_PROCESS) {
    const child = startBenchProcess('bench/fanoutClients.ts');
    child.on('message', (message: ProgressMessage) => {
      if (message.type === 'progress') progress.set(child, message);
    });
    child.send({ type: 'connect', ...connect, from, to: Math.min(subscribers, from + SOCKETS_PER_PROCESS) } satisfies ConnectMessage);
    children.push(child);
  }
  const total = (): FleetProgress => {
    const sum = { connected: 0, warm: 0, delivered: 0, received: 0, failures: 0 };
    for (const p of progress.values()) for (const key of Object.keys(sum) as Array<keyof typeof sum>) sum[key] += p[key];
    return sum;
  };
  return {
    progress: total,
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
      return {
        latencies: reports.flatMap((r) => r.latencies),
        writeLatencies: reports.flatMap((r) => r.writeLatencies),
        coldLatencies: reports.flatMap((r) => r.coldLatencies),
        outOfOrder: reports.reduce((n, r) => n + r.outOfOrder, 0),
        failures: reports.reduce((n, r) => n + r.failures, 0),
      };
    },
    cpuSeconds: () => children.reduce((seconds, c) => seconds + processCpuSeconds(c.pid!), 0),
    stop: async () => {
      await Promise.all(children.map((c) => stopBenchProcess(c)));
    },
  };
}
