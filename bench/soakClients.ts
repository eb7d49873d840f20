/**
 * Client side of the soak (bench/soak.ts), in its own process so client work does not slow the
 * gateway it measures: a set of steady graphql-ws subscribers that stay open all along, and churn
 * workers that subscribe and unsubscribe again and again (on sockets they also replace now and then).
 * Reports progress to the parent over IPC every second.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** Opens the steady subscribers; churn waits for its own message. */
export interface SoakClientsStart {
  readonly type: 'start';
  readonly url: string;
  /** Steady subscribers: one socket each, on the tenant the soak writes to; a stream that ends is resumed from its last cursor, as a device does. */
  readonly steady: { readonly count: number; readonly token: string; readonly after: string };
}

/** Starts the churn (once every steady subscriber is live). */
export interface SoakChurnStart {
  readonly type: 'churn';
  readonly url: string;
  /**
   * Churn: each cycle subscribes to one customer from just before its only change and unsubscribes:
   * most at once (the unsubscribe races the subscription's start), one in `fullEvery` after the
   * replayed change arrived.
   */
  readonly churn: {
    readonly workers: number;
    readonly cycles: number;
    /** Cycles per second, all workers together (spread over the soak's duration). */
    readonly perSecond: number;
    readonly fullEvery: number;
    readonly token: string;
    readonly customerId: string;
    readonly after: string;
  };
}

export interface SoakClientsProgress {
  readonly type: 'progress';
  readonly steadyOpen: number;
  /** Steady streams that ended (an error) and were resumed from their last cursor. */
  readonly steadyResumes: number;
  /** Events received by steady subscribers, per version written. */
  readonly steadyByVersion: Record<number, number>;
  readonly cycles: number;
  /** Cycles that waited for the replayed change before unsubscribing. */
  readonly fullCycles: number;
  readonly socketsReplaced: number;
  readonly errors: number;
  readonly lastError?: string;
}

const STEADY = `subscription($after: String) { customerChanged(after: $after) { cursor version customer { name company } } }`;
const CHURN = `subscription($ids: [ID!], $after: String) { customerChanged(ids: $ids, after: $after) { cursor version customer { name } } }`;
/** A churn worker replaces its socket after this many cycles. */
const CYCLES_PER_SOCKET = 20;

let steadyOpen = 0;
let steadyResumes = 0;
const steadyByVersion: Record<number, number> = {};
let cycles = 0;
let fullCycles = 0;
let socketsReplaced = 0;
let errors = 0;
let lastError: string | undefined;
let stopping = false;
const clients: Client[] = [];

const noteError = (error: unknown) => {
  errors += 1;
  lastError = error instanceof Error ? error.message : JSON.stringify(error);
};

function open(url: string, token: string, onClosed?: () => void): Client {
  return createClient({
    url: url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: (error) => {
      if (!stopping) noteError(error);
    },
    on: { closed: () => onClosed?.() },
  });
}

async function startSteady(url: string, options: SoakClientsStart['steady']): Promise<void> {
  for (let i = 0; i < options.count; i++) {
    // Connect in small batches: a thousand simultaneous handshakes only measure the accept queue.
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 100));
    subscribeSteady(url, options.token, options.after);
    steadyOpen += 1;
  }
}

function subscribeSteady(url: string, token: string, after: string): void {
  const client = open(url, token);
  clients.push(client);
  let cursor = after;
  const resume = (error?: unknown) => {
    if (stopping) return;
    if (error !== undefined) noteError(error);
    steadyResumes += 1;
    void client.dispose();
    setTimeout(() => subscribeSteady(url, token, cursor), 100);
  };
  client.subscribe(
    { query: STEADY, variables: { after } },
    {
      next: (result) => {
        const change = result.data?.customerChanged as { version?: number; cursor?: string } | undefined;
        if (change?.version === undefined) return noteError(result.errors);
        cursor = change.cursor!;
        steadyByVersion[change.version] = (steadyByVersion[change.version] ?? 0) + 1;
      },
      error: resume,
      complete: () => resume(),
    },
  );
}

function cycle(client: Client, options: SoakChurnStart['churn'], full: boolean): Promise<void> {
  return new Promise((resolve) => {
    let unsubscribe = () => undefined as void;
    const done = () => {
      unsubscribe();
      resolve();
    };
    unsubscribe = client.subscribe(
      { query: CHURN, variables: { ids: [options.customerId], after: options.after } },
      {
        next: (result) => {
          if (!result.data?.customerChanged) noteError(result.errors);
          if (full) fullCycles += 1;
          done();
        },
        error: (error) => {
          noteError(error);
          resolve();
        },
        complete: resolve,
      },
    );
    // Subscribe and complete leave in one write: the server sees the unsubscribe while it starts.
    if (!full) done();
  });
}

async function runChurnWorker(url: string, options: SoakChurnStart['churn']): Promise<void> {
  const intervalMs = (options.workers * 1000) / options.perSecond;
  let next = Date.now();
  while (!stopping && cycles < options.cycles) {
    const client = open(url, options.token);
    for (let i = 0; i < CYCLES_PER_SOCKET && !stopping && cycles < options.cycles; i++) {
      cycles += 1;
      await cycle(client, options, cycles % options.fullEvery === 0);
      next += intervalMs;
      const wait = next - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await client.dispose();
    socketsReplaced += 1;
  }
}

process.on('message', (message: SoakClientsStart | SoakChurnStart | { type: 'stop' }) => {
  switch (message.type) {
    case 'stop':
      stopping = true;
      void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
      return;
    case 'start':
      void startSteady(message.url, message.steady);
      setInterval(() => {
        const progress: SoakClientsProgress = { type: 'progress', steadyOpen, steadyResumes, steadyByVersion, cycles, fullCycles, socketsReplaced, errors, lastError };
        process.send!(progress);
      }, 1000);
      return;
    case 'churn':
      for (let i = 0; i < message.churn.workers; i++) void runChurnWorker(message.url, message.churn);
      return;
  }
});
process.on('disconnect', () => process.exit(0));
