/**
 * A device-like subscriber over real graphql-ws: it keeps the last cursor it received and, when the
 * stream ends (socket dropped, replica killed, stream error), subscribes again with `after` that
 * cursor, on the next URL of its list. Tests compare what it received with the change feed.
 */
import { createClient, type Client } from 'graphql-ws';
import type { ExecutionResult } from 'graphql';
import WebSocket from 'ws';

/** One `customerChanged` payload as received (the selection must include `cursor`). */
export interface ReceivedChange {
  readonly cursor: string;
  readonly customerId: string;
  readonly source: string;
  readonly version: number;
  readonly customer?: Record<string, unknown> | null;
  /** Errors that came with this payload (e.g. FORBIDDEN or SUBGRAPH_UNAVAILABLE at a path). */
  readonly errors: ReadonlyArray<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
  /** When it arrived (ms since the epoch). */
  readonly receivedAt: number;
  /** Which stream brought it: 0 the first subscription, n after the n-th resume. */
  readonly stream: number;
}

export interface LiveSubscriberOptions {
  /** Gateway URLs (http://…/graphql); it starts on the first and moves to the next on each resume. */
  readonly urls: readonly string[];
  readonly connectionParams: Record<string, unknown>;
  /** A `customerChanged(ids: $ids, after: $after)` subscription selecting at least `cursor customerId source version`. */
  readonly query: string;
  readonly ids?: readonly string[];
  /** Where it starts (a cursor from `latestChangeCursor`). */
  readonly after: string;
}

export interface LiveSubscriber {
  readonly received: ReceivedChange[];
  /** Payloads that carried no change (a stream-ending error). */
  readonly streamErrors: unknown[];
  /** How many times it subscribed again after its stream ended. */
  resumes(): number;
  /** The URL it is subscribed on now. */
  currentUrl(): string;
  lastCursor(): string;
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 1000;

/** Subscribes and keeps resuming until `stop()`. */
export function startLiveSubscriber(options: LiveSubscriberOptions): LiveSubscriber {
  const received: ReceivedChange[] = [];
  const streamErrors: unknown[] = [];
  let cursor = options.after;
  let urlIndex = 0;
  let resumes = 0;
  let failuresInARow = 0;
  let stopped = false;
  let client: Client | undefined;
  let unsubscribe: (() => void) | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const subscribe = () => {
    if (stopped) return;
    // Lazy: the socket lives for this subscription, and its failure reaches the sink (nothing is logged).
    const current = createClient({ url: options.urls[urlIndex % options.urls.length].replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: options.connectionParams, lazy: true, retryAttempts: 0 });
    client = current;
    let ended = false;
    const end = () => {
      if (ended || stopped) return;
      ended = true;
      unsubscribe?.();
      void current.dispose();
      resumes += 1;
      failuresInARow += 1;
      urlIndex += 1;
      // Back off while nothing answers; a healthy replica takes the resume at once.
      retryTimer = setTimeout(subscribe, Math.min(MAX_BACKOFF_MS, 50 * failuresInARow));
    };
    unsubscribe = current.subscribe(
      { query: options.query, variables: { ...(options.ids ? { ids: [...options.ids] } : {}), after: cursor } },
      {
        next: (result: ExecutionResult) => {
          const change = result.data?.customerChanged as Omit<ReceivedChange, 'errors' | 'receivedAt' | 'stream'> | undefined;
          if (!change) {
            streamErrors.push(result.errors);
            return;
          }
          failuresInARow = 0;
          received.push({ ...change, errors: (result.errors ?? []).map((e) => ({ message: e.message, path: e.path, extensions: e.extensions })), receivedAt: Date.now(), stream: resumes });
          cursor = change.cursor;
        },
        error: end,
        complete: end,
      },
    );
  };
  subscribe();

  return {
    received,
    streamErrors,
    resumes: () => resumes,
    currentUrl: () => options.urls[urlIndex % options.urls.length],
    lastCursor: () => cursor,
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      unsubscribe?.();
      await client?.dispose();
    },
  };
}
