/**
 * The live stream: one graphql-ws connection that subscribes to `customerChanged` from the last
 * cursor it saw. When the socket drops it reconnects with backoff and resumes `after` that cursor,
 * so nothing is missed; events already seen are dropped, so nothing shows twice.
 */
import { createClient, type Client } from 'graphql-ws';
import type { Session } from './api';

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
  readonly customer: Record<string, unknown> | null;
}

export interface LiveOptions {
  readonly session: Session;
  /** The subscription document (built for this identity). */
  readonly query: () => string;
  /** Where to start: the tenant's newest cursor when the console opened. */
  readonly after: string | null;
  readonly onChange: (change: CustomerChange) => void;
  readonly onState: (state: ConnectionState, detail?: string) => void;
}

// graphql-ws close codes after which retrying with the same credentials cannot help.
const FATAL_CLOSE = new Map([
  [4401, 'The session expired: sign in again'],
  [4403, 'The gateway refused this identity'],
]);
const MAX_BACKOFF_MS = 5000;
const SEEN_LIMIT = 2000;

/** Starts streaming; returns a function that stops it. */
export function startLive(options: LiveOptions): () => void {
  let after = options.after;
  let client: Client | undefined;
  let retryTimer: number | undefined;
  let attempt = 0;
  let stopped = false;
  let connected = false;
  const seen = new Set<string>();

  const connect = (): void => {
    if (stopped) return;
    options.onState(attempt === 0 ? 'connecting' : navigator.onLine ? 'reconnecting' : 'offline');
    const current = createClient({
      url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
      connectionParams: { token: options.session.token, apiKey: options.session.apiKey, deviceId: options.session.deviceId },
      retryAttempts: 0,
      lazy: false,
      keepAlive: 10_000,
      on: {
        connected: () => {
          connected = true;
          attempt = 0;
          options.onState('live');
        },
      },
    });
    client = current;
    current.subscribe<{ customerChanged: CustomerChange }>(
      { query: options.query(), variables: { after } },
      {
        next: ({ data, errors }) => {
          const change = data?.customerChanged;
          if (!change) {
            if (errors?.length) options.onState('live', errors[0].message);
            return;
          }
          after = change.cursor;
          if (seen.has(change.cursor)) return;
          seen.add(change.cursor);
          if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value as string);
          options.onChange(change);
        },
        error: (error: unknown) => dropped(current, error),
        complete: () => dropped(current, undefined),
      },
    );
  };

  const dropped = (which: Client, error: unknown): void => {
    void which.dispose();
    if (stopped || which !== client) return;
    connected = false;
    const fatal = FATAL_CLOSE.get((error as { code?: number } | undefined)?.code ?? 0);
    if (fatal) {
      options.onState('offline', fatal);
      return;
    }
    attempt += 1;
    options.onState(navigator.onLine ? 'reconnecting' : 'offline');
    retryTimer = window.setTimeout(() => {
      retryTimer = undefined;
      connect();
    }, Math.min(MAX_BACKOFF_MS, 250 * 2 ** Math.min(attempt, 5)));
  };

  // Back online: a socket that survived is live again; one waiting to retry retries now.
  const online = (): void => {
    if (stopped) return;
    if (connected) options.onState('live');
    if (!retryTimer) return;
    window.clearTimeout(retryTimer);
    retryTimer = undefined;
    connect();
  };
  const offline = (): void => options.onState('offline');
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  connect();
  return () => {
    stopped = true;
    window.clearTimeout(retryTimer);
    window.removeEventListener('online', online);
    window.removeEventListener('offline', offline);
    void client?.dispose();
  };
}
