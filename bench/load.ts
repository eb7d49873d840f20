/**
 * The load generator of the gateway benchmark, in its own process so it never shares an event loop
 * with a gateway: runs autocannon against one URL per `{ type: 'run' }` message and replies with
 * every response's latency and the responses that were not a clean GraphQL result.
 *
 * A `WriteRotation` body rotates writes over a pool of customers, one write in flight per customer,
 * each naming the version its previous write returned, so writes never conflict; the pool lives as
 * long as this process, across runs and gateways.
 */
import autocannon from 'autocannon';

export interface LoadRequest {
  readonly type: 'run';
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  readonly headers: Readonly<Record<string, string>>;
  /** A fixed GraphQL request body (JSON), or a write rotated over customers. */
  readonly body: string | WriteRotation;
  /** A response counts as clean when it contains this and no `"errors"`. */
  readonly expect: string;
}

export interface WriteRotation {
  /** `updateCustomer(id: $id, expectedVersion: $v, input: { company: $company })`. */
  readonly query: string;
  readonly customerIds: readonly string[];
}

export interface LoadResult {
  readonly type: 'result';
  /** Responses received. */
  readonly requests: number;
  readonly seconds: number;
  /** Latency of every response, milliseconds (the caller merges runs before taking percentiles). */
  readonly latenciesMs: number[];
  /** Responses that were not 2xx, not clean GraphQL results, or never came (errors, timeouts). */
  readonly failed: number;
  /** Of those, writes refused with VERSION_CONFLICT (the pool learns the current version from them). */
  readonly conflicts: number;
  /** The start of the first response that was not clean, to say why. */
  readonly firstFailure?: string;
}

interface PooledCustomer {
  readonly id: string;
  version: number;
  /** A write to it is in flight. */
  busy: boolean;
}

const pool: PooledCustomer[] = [];
/** Every customer that ever joined the pool, retired ones included (they never come back). */
const joined = new Set<string>();
let writeNumber = 0;
let conflicts = 0;

/** Runs one load and measures it. */
export async function runLoad(request: LoadRequest): Promise<LoadResult> {
  const latencies: number[] = [];
  let firstFailure: string | undefined;
  conflicts = 0;
  const options: autocannon.Options = {
    url: request.url,
    connections: request.connections,
    duration: request.seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...request.headers },
    requests: [typeof request.body === 'string' ? { body: request.body } : rotatingWrite(request.body)],
    verifyBody: (body) => {
      const text = String(body ?? '');
      const clean = text.includes(request.expect) && !text.includes('"errors"');
      if (!clean) firstFailure ??= text.slice(0, 400);
      return clean;
    },
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
  return {
    type: 'result',
    requests: latencies.length,
    seconds: result.duration,
    latenciesMs: latencies.map((ms) => Math.round(ms * 100) / 100),
    failed: result.non2xx + result.mismatches + result.errors + result.timeouts,
    conflicts,
    firstFailure,
  };
}

// autocannon gives setupRequest and onResponse of one request the same context object.
function rotatingWrite(rotation: WriteRotation): autocannon.Request {
  for (const id of rotation.customerIds) {
    if (joined.has(id)) continue;
    joined.add(id);
    pool.push({ id, version: 1, busy: false });
  }
  // A write cut off by the end of an earlier run may have bumped its customer's version unseen:
  // those customers leave the rotation, so measured writes never conflict.
  for (let i = pool.length - 1; i >= 0; i--) if (pool[i].busy) pool.splice(i, 1);
  return {
    setupRequest(req, context) {
      const customer = pool.find((c) => !c.busy);
      if (!customer) throw new Error(`the write pool ran out of customers (${pool.length} left of ${joined.size}): more connections or runs than it was sized for`);
      customer.busy = true;
      (context as { customer?: PooledCustomer }).customer = customer;
      writeNumber += 1;
      return { ...req, body: JSON.stringify({ query: rotation.query, variables: { id: customer.id, v: customer.version, company: `Bench ${writeNumber}` } }) };
    },
    onResponse(_status, body, context) {
      const { customer } = context as { customer: PooledCustomer };
      customer.version = nextVersion(body) ?? customer.version;
      customer.busy = false;
    },
  };
}

// The version after a write, or the current one a VERSION_CONFLICT reports.
function nextVersion(body: string): number | undefined {
  try {
    const parsed = JSON.parse(body) as { data?: { updateCustomer?: { version?: number } }; errors?: Array<{ extensions?: { code?: string; currentVersion?: number } }> };
    const conflict = parsed.errors?.find((e) => e.extensions?.code === 'VERSION_CONFLICT');
    if (conflict) conflicts += 1;
    return parsed.data?.updateCustomer?.version ?? conflict?.extensions?.currentVersion;
  } catch {
    return undefined;
  }
}

if (require.main === module) {
  process.on('message', (message: LoadRequest | { type: 'stop' }) => {
    if (message.type === 'stop') process.exit(0);
    runLoad(message).then(
      (result) => process.send!(result),
      (error: unknown) => process.send!({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
