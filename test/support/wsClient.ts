/** A real graphql-ws client over a real WebSocket, collecting what a subscription receives. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { ExecutionResult } from 'graphql';

export interface Collected {
  readonly results: ExecutionResult[];
  error?: unknown;
  completed: boolean;
  stop(): void;
  /** Resolves once `count` results arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ExecutionResult[]>;
}

/** Connects to the gateway's WebSocket endpoint with the given connection params. */
export function connect(httpUrl: string, connectionParams: Record<string, unknown>, onClose?: (code: number, reason: string) => void): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: false,
    on: { closed: (event) => onClose?.((event as { code: number }).code, (event as { reason: string }).reason) },
  });
}

/** Starts a subscription and collects its results. */
export function collect(client: Client, query: string, variables: Record<string, unknown> = {}): Collected {
  const collected: Collected = {
    results: [],
    completed: false,
    stop: () => undefined,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (collected.results.length < count) {
        if (collected.error) throw collected.error instanceof Error ? collected.error : new Error(JSON.stringify(collected.error));
        if (Date.now() > deadline) throw new Error(`received ${collected.results.length} of ${count} results: ${JSON.stringify(collected.results)}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      return collected.results.slice(0, count);
    },
  };
  collected.stop = client.subscribe(
    { query, variables },
    {
      next: (result) => collected.results.push(result as ExecutionResult),
      error: (error) => {
        collected.error = error;
      },
      complete: () => {
        collected.completed = true;
      },
    },
  );
  return collected;
}
