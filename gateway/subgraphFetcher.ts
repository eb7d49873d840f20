/**
 * The gateway's HTTP client for subgraph requests: node:http(s) over keep-alive agents with a socket
 * cap per subgraph, in the shape of the `Fetcher` Apollo's RemoteGraphQLDataSource calls.
 *
 * Why not the global `fetch`: for a gateway every request is a small JSON POST on loopback or a
 * private network, and undici's WHATWG streams (the body written as an iterable, the response read
 * through a ReadableStream, an AbortSignal per request) cost about three times the CPU of a plain
 * `http.request` per subgraph fetch; profiled in bench/gatewayCompare.ts (issue #8).
 */
import type { Fetcher, FetcherHeaders, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface SubgraphFetcherOptions {
  /** Longest wait for a whole subgraph response; past it the request fails with a `TimeoutError`. */
  readonly timeoutMs: number;
  /**
   * Open connections per subgraph origin; further requests wait for a free one. Bounds what one
   * gateway can open against a subgraph under a burst, while keeping enough for its concurrency.
   */
  readonly maxSockets: number;
}

/** A keep-alive HTTP client; `close()` ends its idle connections. */
export interface SubgraphFetcher {
  readonly fetch: Fetcher;
  close(): void;
}

/** Idle connections kept per origin, ready for the next burst. */
const MAX_FREE_SOCKETS = 32;
/**
 * How long an idle connection is kept. Node's agent shortens it to 1 s under what the server
 * announces (`Keep-Alive: timeout=5` from a Node subgraph), but only when a timeout is set at all:
 * without one, idle sockets outlive the server's and a reuse can meet its close (ECONNRESET).
 */
const IDLE_SOCKET_MS = 30_000;

/** Creates the client; one serves every subgraph (the cap applies per origin). */
export function createSubgraphFetcher(options: SubgraphFetcherOptions): SubgraphFetcher {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: MAX_FREE_SOCKETS, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' as const };
  const http = new HttpAgent(agentOptions);
  const https = new HttpsAgent(agentOptions);
  const targets = new Map<string, URL>();
  const fetch = (url: string, init: FetcherRequestInit = {}): Promise<FetcherResponse> => {
    let target = targets.get(url);
    if (!target) {
      target = new URL(url);
      targets.set(url, target);
    }
    return post(target, url, init, target.protocol === 'https:' ? https : http, options.timeoutMs);
  };
  return {
    fetch: fetch as Fetcher,
    close() {
      http.destroy();
      https.destroy();
    },
  };
}

function post(target: URL, url: string, init: FetcherRequestInit, agent: HttpAgent, timeoutMs: number): Promise<FetcherResponse> {
  const body = init.body ?? '';
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const options = {
    protocol: target.protocol,
    hostname: target.hostname,
    port: target.port,
    path: `${target.pathname}${target.search}`,
    method: init.method ?? 'POST',
    agent,
    headers: { ...init.headers, 'content-length': Buffer.byteLength(body) },
  };
  return new Promise((resolve, reject) => {
    let request: ClientRequest;
    const timer = setTimeout(() => request.destroy(timeoutError(timeoutMs)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    const attempt = (retried: boolean) => {
      let answered = false;
      request = send(options, (response) => {
        answered = true;
        readBody(response).then((bytes) => {
          clearTimeout(timer);
          resolve(new BufferedResponse(url, response, bytes));
        }, fail);
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the subgraph closed just as it was reused: the request never got
        // there, so send it once more on a fresh connection. Even if it had, the subgraph refuses
        // the copy (its signature's nonce is spent): nothing is ever applied twice.
        if (!retried && !answered && request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) attempt(true);
        else fail(error);
      });
      request.end(body);
    };
    attempt(false);
  });
}

function readBody(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    response.on('error', reject);
    response.on('aborted', () => reject(new Error('subgraph response aborted')));
  });
}

function timeoutError(timeoutMs: number): Error {
  const error = new Error(`subgraph request timed out after ${timeoutMs} ms`);
  error.name = 'TimeoutError';
  return error;
}

/** A response read whole: the data source parses it once, as JSON or text. */
class BufferedResponse implements FetcherResponse {
  readonly bodyUsed = false;
  readonly redirected = false;
  readonly status: number;
  readonly statusText: string;
  readonly headers: FetcherHeaders;

  constructor(
    readonly url: string,
    response: IncomingMessage,
    private readonly body: Buffer,
  ) {
    this.status = response.statusCode ?? 0;
    this.statusText = response.statusMessage ?? '';
    this.headers = new ResponseHeaders(response.headers);
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    return this.body.toString('utf8');
  }

  async json(): Promise<any> {
    return JSON.parse(this.body.toString('utf8'));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return new Uint8Array(this.body).buffer;
  }

  clone(): FetcherResponse {
    return this;
  }
}

/** Read access to the response headers node:http parsed (names are lower-case). */
class ResponseHeaders implements FetcherHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  append(name: string, value: string): void {
    const current = this.get(name);
    this.set(name, current === null ? value : `${current}, ${value}`);
  }

  set(name: string, value: string): void {
    this.raw[name.toLowerCase()] = value;
  }

  delete(name: string): void {
    delete this.raw[name.toLowerCase()];
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw)) yield [name, this.get(name)!];
  }

  keys(): IterableIterator<string> {
    return Object.keys(this.raw)[Symbol.iterator]();
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}
