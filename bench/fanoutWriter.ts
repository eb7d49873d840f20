/**
 * The writer of a fan-out scenario: `updateCustomer` through a gateway, open loop, with its clock
 * reading before the mutation written into the change itself (`company: "m<epoch ms>"`) so each
 * device can tell the write-to-receive latency. A failed write is counted and the writer goes on
 * from the version the database has. A Redis probe hears the relay's publishes as a gateway does,
 * to tell the relay's share of the latency.
 */
import { Agent, request } from 'node:http';
import { Redis } from 'ioredis';
import { FeedMessageType, parseFeedMessage, tenantChannel } from '../lib/changeFeed';

/** A customer the writer updates, with its version as last seen. */
export interface BenchCustomer {
  readonly id: string;
  /** An admin token of the customer's tenant. */
  readonly token: string;
  version: number;
  /** Its previous write: writes of one customer are sequential (each names the version before). */
  last: Promise<void>;
}

export interface Writer {
  /** Queues a write behind the customer's previous one; never rejects. `m` writes are measured, `w` ones warm up. */
  write(customer: BenchCustomer, marker: 'w' | 'm', url: string): Promise<void>;
  /** Writes that answered with an error since the last `resetFailures()`. */
  failures(): number;
  resetFailures(): void;
}

/**
 * A writer that tells `probe` when each measured write was sent; after a failed write it goes on
 * from the version `readVersion` says the database has.
 */
export function createWriter(probe: PublishProbe, readVersion: (customer: BenchCustomer) => Promise<number>): Writer {
  let failures = 0;
  return {
    write(customer, marker, url) {
      customer.last = customer.last.then(() =>
        writeCompany(url, customer, marker, marker === 'm' ? probe.sentAt : undefined).catch(async (error: unknown) => {
          failures += 1;
          console.error(`fan-out: ${(error as Error).message}`);
          customer.version = await readVersion(customer).catch(() => customer.version);
        }),
      );
      return customer.last;
    },
    failures: () => failures,
    resetFailures: () => {
      failures = 0;
    },
  };
}

/** The tenant's newest cursor (devices resume from it). */
export async function latestCursor(url: string, token: string): Promise<string> {
  return (await post<{ latestChangeCursor: string }>(url, token, '{ latestChangeCursor }', {})).latestChangeCursor;
}

/** Write-to-publish latencies of measured writes, heard on the tenants' Redis channels. */
export interface PublishProbe {
  /** When each measured write (`customerId:version`) was sent. */
  readonly sentAt: Map<string, number>;
  readonly latencies: number[];
  close(): void;
}

/** Subscribes to the tenants' channels. */
export async function listenToPublishes(redisUrl: string, tenants: readonly string[]): Promise<PublishProbe> {
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

async function writeCompany(url: string, customer: BenchCustomer, marker: 'w' | 'm', sentAt: Map<string, number> | undefined): Promise<void> {
  const now = Date.now();
  sentAt?.set(`${customer.id}:${customer.version + 1}`, now);
  const data = await post<{ updateCustomer: { version: number } }>(
    url,
    customer.token,
    'mutation($id: ID!, $v: Int!, $c: String) { updateCustomer(id: $id, expectedVersion: $v, input: {company: $c}) { version } }',
    { id: customer.id, v: customer.version, c: `${marker}${now}` },
  );
  customer.version = data.updateCustomer.version;
}

// The writer shares the machine with what it measures: node:http with kept-alive sockets costs a
// fraction of the CPU of fetch per request.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

async function post<T>(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const body = JSON.stringify({ query, variables });
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` } }, (res) => {
      let chunks = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (chunks += chunk));
      res.on('end', () => resolve(chunks));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
  const parsed = JSON.parse(text) as { data?: T | null; errors?: unknown };
  if (!parsed.data) throw new Error(`a benchmark request failed: ${JSON.stringify(parsed.errors)}`);
  return parsed.data;
}
