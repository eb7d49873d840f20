/**
 * A steady write load for fault tests: lanes of `updateCustomer` writes, each lane the only writer
 * of its customers, each write a unique `dealValue` with its own `clientMutationId`. A write that
 * fails is retried with the same clientMutationId until it is accepted, as a device replays its
 * queue, so every write has a known outcome and the history can be checked exactly.
 */
import type { GraphQLResponse } from './stack';

/** Sends one GraphQL request (through whichever gateway the test chooses); may throw on network errors. */
export type SendRequest = (query: string, variables: Record<string, unknown>) => Promise<GraphQLResponse>;

export interface AcceptedWrite {
  readonly customerId: string;
  readonly clientMutationId: string;
  readonly dealValue: number;
  /** The version the write produced, as the response said. */
  readonly version: number;
  /** Requests it took (1 when the first one was accepted). */
  readonly attempts: number;
  /** From the first request to the accepted answer. */
  readonly latencyMs: number;
  /** When it was accepted (ms since the epoch). */
  readonly acceptedAt: number;
}

/** One refused or failed request (it was retried). */
export interface FailedAttempt {
  readonly clientMutationId: string;
  /** `extensions.code` of the first error, or NETWORK when no response came. */
  readonly code: string;
  readonly retryable: boolean;
  readonly message: string;
}

export interface SteadyWriterOptions {
  readonly send: SendRequest;
  readonly customerIds: readonly string[];
  readonly lanes: number;
  /** Writes per second per lane at most. */
  readonly writesPerSecondPerLane: number;
  /** Gives up on a write (and fails the test) after this long without an accepted attempt. */
  readonly giveUpAfterMs?: number;
  /** Prefix of the clientMutationIds (unique per test). */
  readonly prefix: string;
}

export interface SteadyWriter {
  readonly accepted: AcceptedWrite[];
  readonly failures: FailedAttempt[];
  /** Writes accepted so far. */
  count(): number;
  /** Stops after each lane's write in flight has an outcome; rejects if a write was given up. */
  stop(): Promise<void>;
}

const UPDATE = `mutation($id: ID!, $v: Int!, $input: UpdateCustomerInput!, $cmid: ID) {
  updateCustomer(id: $id, expectedVersion: $v, input: $input, clientMutationId: $cmid) { version dealValue }
}`;

/** Starts writing at once; every customer starts at version 1. */
export function startSteadyWriter(options: SteadyWriterOptions): SteadyWriter {
  const accepted: AcceptedWrite[] = [];
  const failures: FailedAttempt[] = [];
  const versions = new Map(options.customerIds.map((id) => [id, 1]));
  const intervalMs = 1000 / options.writesPerSecondPerLane;
  let counter = 0;
  let stopping = false;

  const writeOnce = async (customerId: string): Promise<void> => {
    counter += 1;
    const dealValue = counter;
    const clientMutationId = `${options.prefix}-${counter}`;
    const variables = { id: customerId, v: versions.get(customerId)!, input: { dealValue }, cmid: clientMutationId };
    const started = Date.now();
    const deadline = started + (options.giveUpAfterMs ?? 60_000);
    for (let attempt = 1; ; attempt++) {
      const outcome = await options.send(UPDATE, variables).catch((error: unknown) => error as Error);
      if (!(outcome instanceof Error) && !outcome.errors?.length && outcome.data?.updateCustomer) {
        const version = outcome.data.updateCustomer.version as number;
        const acceptedAt = Date.now();
        accepted.push({ customerId, clientMutationId, dealValue, version, attempts: attempt, latencyMs: acceptedAt - started, acceptedAt });
        versions.set(customerId, version);
        return;
      }
      failures.push(describeFailure(clientMutationId, outcome));
      if (Date.now() > deadline) throw new Error(`write ${clientMutationId} was not accepted within the deadline: ${JSON.stringify(failures.at(-1))}`);
      await new Promise((r) => setTimeout(r, Math.min(1000, 50 * attempt)));
    }
  };

  const runLane = async (lane: number): Promise<void> => {
    const mine = options.customerIds.filter((_, index) => index % options.lanes === lane);
    for (let i = 0; !stopping; i++) {
      const started = Date.now();
      await writeOnce(mine[i % mine.length]);
      const wait = intervalMs - (Date.now() - started);
      if (wait > 0 && !stopping) await new Promise((r) => setTimeout(r, wait));
    }
  };
  const lanes = Promise.all(Array.from({ length: options.lanes }, (_, lane) => runLane(lane)));
  // Surfaced by stop(); marked handled so a failing lane does not crash the run before that.
  lanes.catch(() => undefined);

  return {
    accepted,
    failures,
    count: () => accepted.length,
    async stop() {
      stopping = true;
      await lanes;
    },
  };
}

function describeFailure(clientMutationId: string, outcome: GraphQLResponse | Error): FailedAttempt {
  if (outcome instanceof Error) return { clientMutationId, code: 'NETWORK', retryable: true, message: outcome.message };
  const error = outcome.errors?.[0];
  return {
    clientMutationId,
    code: String(error?.extensions?.code ?? `HTTP_${outcome.status}`),
    retryable: error?.extensions?.retryable === true,
    message: error?.message ?? 'no data',
  };
}

/**
 * Compares each customer as stored now with the writes accepted for it: its version is 1 + their
 * count, its dealValue the last one written, and its history lists each of them once (no write
 * applied twice, half-applied or lost).
 */
export async function recordProblems(send: SendRequest, accepted: readonly AcceptedWrite[]): Promise<string[]> {
  const problems: string[] = [];
  const byCustomer = new Map<string, AcceptedWrite[]>();
  for (const write of accepted) byCustomer.set(write.customerId, [...(byCustomer.get(write.customerId) ?? []), write]);
  for (const [id, writes] of byCustomer) {
    const response = await send(`query($id: ID!) { customer(id: $id) { version dealValue history(first: 100) { version changedFields } } }`, { id });
    const customer = response.data?.customer as { version: number; dealValue: number; history: Array<{ version: number; changedFields: string[] }> } | undefined;
    if (!customer) {
      problems.push(`${id}: not readable (${JSON.stringify(response.errors)})`);
      continue;
    }
    const sorted = [...writes].sort((a, b) => a.version - b.version);
    if (customer.version !== 1 + writes.length) problems.push(`${id}: version ${customer.version}, expected ${1 + writes.length}`);
    if (customer.dealValue !== sorted.at(-1)!.dealValue) problems.push(`${id}: dealValue ${customer.dealValue}, expected ${sorted.at(-1)!.dealValue}`);
    const history = customer.history.filter((h) => h.version > 1).map((h) => `${h.version}:${h.changedFields.join(',')}`).reverse();
    const expected = sorted.slice(-history.length).map((w) => `${w.version}:dealValue`);
    if (history.length < Math.min(99, writes.length) || history.join(' ') !== expected.join(' ')) problems.push(`${id}: history ${history.join(' ')}, expected ${expected.join(' ')}`);
  }
  return problems;
}

/** Latency percentiles (ms) of the writes accepted between two instants. */
export function latencyOf(accepted: readonly AcceptedWrite[], from = 0, to = Infinity): { count: number; p50: number; p99: number; max: number } {
  const sorted = accepted.filter((a) => a.acceptedAt >= from && a.acceptedAt <= to).map((a) => a.latencyMs).sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}
