/**
 * Subscriber side of the fan-out benchmark, run in processes of its own so that client work is never
 * done by the gateway process it measures. Each process opens its share of graphql-ws clients (one
 * device, one socket, one `customerChanged` subscription of its tenant), checks that every device
 * gets each change of its tenant once and in order, and measures the latency of each delivery from
 * the writer's clock reading, which the writer puts in the change itself (`company: "m<epoch ms>"`),
 * and from the change's `at`, taken by the subgraph as it writes (one machine, one clock).
 *
 * Protocol with the parent: `connect` → `progress` messages every 250 ms → `report` → `report` reply.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { signToken } from '../lib/token';

/** Devices `from` ≤ j < `to`: device j is in tenant ⌊j / tenantSize⌋ and on gateway j mod gatewayUrls.length. */
export interface ConnectMessage {
  readonly type: 'connect';
  readonly gatewayUrls: readonly string[];
  /** Per tenant: its name and the cursor devices resume from. */
  readonly tenants: ReadonlyArray<{ readonly tenant: string; readonly after: string }>;
  readonly tenantSize: number;
  readonly from: number;
  readonly to: number;
  readonly jwtSecret: string;
}

export interface ProgressMessage {
  readonly type: 'progress';
  readonly connected: number;
  /** Devices that received a warm-up change (their subscription is running). */
  readonly warm: number;
  /** Measured deliveries so far. */
  readonly delivered: number;
  /** Every change received so far, warm-up ones included. */
  readonly received: number;
  readonly failures: number;
}

export interface ReportMessage {
  readonly type: 'report';
  /** Mutation-to-receive latency of each measured delivery (the writer's clock before it sent the mutation), ms. */
  readonly latencies: number[];
  /** Write-to-receive latency of each measured delivery (the change's `at`, taken by the subgraph as it writes), ms. */
  readonly writeLatencies: number[];
  /** Write-to-receive latency of each warm-up delivery at the full rate (a cold start), ms. */
  readonly coldLatencies: number[];
  /** Deliveries that were not the next version of their customer for that device (gap, duplicate or out of order). */
  readonly outOfOrder: number;
  /** Sockets closed or subscriptions ended by the server, error payloads. */
  readonly failures: number;
}

const SUBSCRIPTION = `subscription($after: String) { customerChanged(after: $after) { customerId version at customer { company } } }`;
const CONNECTING_AT_ONCE = 200;

interface Change {
  readonly customerId: string;
  readonly version: number;
  readonly at: string;
  readonly customer: { readonly company: string | null } | null;
}

const clients: Client[] = [];
const latencies: number[] = [];
const writeLatencies: number[] = [];
const coldLatencies: number[] = [];
let connected = 0;
let warm = 0;
let received = 0;
let outOfOrder = 0;
let failures = 0;

process.on('message', (message: ConnectMessage | { type: 'report' }) => {
  if (message.type === 'connect') void connectAll(message);
  else process.send!({ type: 'report', latencies, writeLatencies, coldLatencies, outOfOrder, failures } satisfies ReportMessage);
});
process.once('disconnect', () => process.exit(0));
process.once('SIGTERM', () => process.exit(0));

async function connectAll(message: ConnectMessage): Promise<void> {
  setInterval(() => process.send!({ type: 'progress', connected, warm, delivered: latencies.length, received, failures } satisfies ProgressMessage), 250);
  let pending = 0;
  for (let device = message.from; device < message.to; device++) {
    // A bounded number of handshakes at a time: thousands at once only measure the accept queue.
    while (pending >= CONNECTING_AT_ONCE) await new Promise((r) => setTimeout(r, 5));
    pending += 1;
    const { tenant, after } = message.tenants[Math.floor(device / message.tenantSize)];
    const token = signToken({ sub: `device-${device}`, tenant, roles: ['manager'] }, message.jwtSecret);
    const url = message.gatewayUrls[device % message.gatewayUrls.length].replace(/^http/, 'ws');
    let opened = false;
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: false,
      // Counted below; graphql-ws would print each close event.
      onNonLazyError: () => undefined,
      on: {
        connected: () => {
          opened = true;
          pending -= 1;
          connected += 1;
        },
        closed: () => {
          if (!opened) pending -= 1;
          failures += 1;
        },
      },
    });
    clients.push(client);
    subscribe(client, after);
  }
}

function subscribe(client: Client, after: string): void {
  const lastVersion = new Map<string, number>();
  let isWarm = false;
  client.subscribe<{ customerChanged: Change }>(
    { query: SUBSCRIPTION, variables: { after } },
    {
      next: (result) => {
        const receivedAt = Date.now();
        const change = result.data?.customerChanged;
        if (!change || result.errors) {
          failures += 1;
          return;
        }
        received += 1;
        const last = lastVersion.get(change.customerId);
        if (last !== undefined && change.version !== last + 1) outOfOrder += 1;
        lastVersion.set(change.customerId, change.version);
        const company = change.customer?.company ?? '';
        if (company.startsWith('m')) {
          latencies.push(receivedAt - Number(company.slice(1)));
          writeLatencies.push(receivedAt - Date.parse(change.at));
        }
        else if (!isWarm) {
          isWarm = true;
          warm += 1;
        } else coldLatencies.push(receivedAt - Date.parse(change.at));
      },
      error: () => {
        failures += 1;
      },
      complete: () => {
        failures += 1;
      },
    },
  );
}
