/**
 * The live streams: one graphql-ws connection carrying any number of `customerChanged`
 * subscriptions. Each subscription remembers the last cursor it saw; when the socket drops the
 * connection comes back with backoff and every subscription resumes `after` its cursor, so nothing
 * is missed, and events already seen are dropped, so nothing shows twice.
 */
import { createClient, type Client } from 'graphql-ws';
import type { GraphQLErrorShape, Session } from './api';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface CustomerChange {
  readonly cursor: string;
  readonly customerId: string;
  readonly source: string;
  readonly version: number;
  readonly changedFields: string[];
  readonly actor: string;
  readonly deviceId: string | null;
  readonly at: string;
  readonly customer: Record<string, any> | null;
}

export interface StreamOptions {
  /** The subscription document; it takes `$after` (and whatever `variables` adds). */
  readonly query: string;
  readonly variables?: Record<string, unknown>;
  /** Where to start: a cursor of the tenant's feed (null: from now on). */
  readonly after: string | null;
  /** Each change once, in order, with the errors of its payload (paths relative to the change). */
  readonly onChange: (change: CustomerChange, errors: readonly GraphQLErrorShape[]) => void;
}

export interface Live {
  /** Adds a subscription; returns what ends it. */
  stream(options: StreamOptions): () => void;
  stop(): void;
}

interface Stream extends StreamOptions {
  after: string | null;
  readonly seen: Set<string>;
  unsubscribe?: () => void;
}

// graphql-ws close codes after which retrying with the same credentials cannot help.
const FATAL_CLOSE = new Map([
  [4401, 'The session expired: sign in again'],
  [4403, 'The gateway refused this identity'],
]);
const MAX_BACKOFF_MS = 5000;
const SEEN_LIMIT = 2000;

/** Opens the connection for a session; `onState` follows it (live / reconnecting / offline). */
export function startLive(session: Session, onState: (state: ConnectionState, detail?: string) => void): Live {
  const streams = new Set<Stream>();
  let client: Client | undefined;
  let retryTimer: number | undefined;
  let attempt = 0;
  let stopped = false;
  let connected = false;

  const subscribe = (current: Client, stream: Stream): void => {
    stream.unsubscribe = current.subscribe<{ customerChanged: CustomerChange }>(
      { query: stream.query, variables: { ...stream.variables, after: stream.after } },
      {
        next: ({ data, errors }) => {
          const change = data?.customerChanged;
          if (!change) {
            if (errors?.length) onState('live', errors[0].message);
            return;
          }
          stream.after = change.cursor;
          if (stream.seen.has(change.cursor)) return;
          stream.seen.add(change.cursor);
          if (stream.seen.size > SEEN_LIMIT) stream.seen.delete(stream.seen.values().next().value as string);
          stream.onChange(change, (errors ?? []).map((error) => ({ ...error, path: error.path?.slice(1) })) as GraphQLErrorShape[]);
        },
        // GraphQL errors (an array) refuse this subscription only; anything else is the socket.
        error: (error: unknown) => (Array.isArray(error) ? onState(connected ? 'live' : 'offline', String(error[0]?.message)) : dropped(current, error)),
        complete: () => undefined,
      },
    );
  };

  const connect = (): void => {
    if (stopped) return;
    onState(attempt === 0 ? 'connecting' : navigator.onLine ? 'reconnecting' : 'offline');
    const current = createClient({
      url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
      connectionParams: { token: session.token, apiKey: session.apiKey, deviceId: session.deviceId },
      retryAttempts: 0,
      lazy: false,
      // Connection failures arrive through `closed` below.
      onNonLazyError: () => undefined,
      keepAlive: 10_000,
      on: {
        connected: () => {
          connected = true;
          attempt = 0;
          onState('live');
        },
        closed: (event) => dropped(current, event),
        error: (error) => dropped(current, error),
      },
    });
    client = current;
    for (const stream of streams) subscribe(current, stream);
  };

  const dropped = (which: Client, error: unknown): void => {
    if (stopped || which !== client) return;
    client = undefined;
    connected = false;
    void which.dispose();
    const fatal = FATAL_CLOSE.get((error as { code?: number } | undefined)?.code ?? 0);
    if (fatal) {
      onState('offline', fatal);
      return;
    }
    attempt += 1;
    onState(navigator.onLine ? 'reconnecting' : 'offline');
    retryTimer = window.setTimeout(
      () => {
        retryTimer = undefined;
        connect();
      },
      Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(attempt, 5)),
    );
  };

  // Back online: a socket that survived is live again; one waiting to retry retries now.
  const online = (): void => {
    if (stopped) return;
    if (connected) onState('live');
    if (!retryTimer) return;
    window.clearTimeout(retryTimer);
    retryTimer = undefined;
    connect();
  };
  const offline = (): void => onState('offline');
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  connect();

  return {
    stream(options) {
      const stream: Stream = { ...options, seen: new Set() };
      streams.add(stream);
      if (client) subscribe(client, stream);
      return () => {
        streams.delete(stream);
        stream.unsubscribe?.();
      };
    },
    stop() {
      stopped = true;
      window.clearTimeout(retryTimer);
      window.removeEventListener('online', online);
      window.removeEventListener('offline', offline);
      void client?.dispose();
    },
  };
}
