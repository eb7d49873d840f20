/**
 * One `customerChanged` subscription as an async iterator: listens to the fan-out first, then
 * replays what was missed from the durable feed, then goes live. Everything runs on one promise
 * chain, so live events that arrive during a replay wait behind it and are dropped when the replay
 * already sent them (compared by cursor). After a Redis outage it catches up from the feed by itself.
 */
import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { decodeChangeCursor, encodeChangeCursor, type FeedChange } from '../lib/changeFeed';
import type { Caller } from '../lib/caller';
import type { Logger } from '../lib/logger';
import type { ChangeQueries } from './changeQueries';
import type { Fanout } from './fanout';

/** Runs a query through the federated graph as a caller. */
export type RunQuery = (caller: Caller, query: string, variables: Record<string, unknown>) => Promise<ExecutionResult | { data?: unknown; errors?: readonly GraphQLFormattedError[] }>;

export interface LiveSubscriptionOptions {
  readonly caller: Caller;
  readonly queries: ChangeQueries;
  readonly ids?: readonly string[];
  readonly after?: string;
  readonly fanout: Fanout;
  readonly runQuery: RunQuery;
  /** Shares one fetch per (event, group) among subscribers with the same selection and permissions. */
  readonly fetchShared: (key: string, fetch: () => Promise<ExecutionResult>) => Promise<ExecutionResult>;
  readonly groupKey: string;
  /** Throws when the caller's credential is no longer valid (revoked key); the transport closes the socket. */
  readonly recheckCaller?: () => Promise<void>;
  readonly onCallerInvalid?: (error: unknown) => void;
  readonly onDelivered?: (seconds: number) => void;
  readonly onOpen?: () => void;
  readonly onClose?: () => void;
  readonly logger: Logger;
}

type State = { readonly phase: 'starting' } | { readonly phase: 'open'; readonly lastSeq: number } | { readonly phase: 'closed' };

/** Creates and starts a subscription; iterate it for payloads. */
export function createLiveSubscription(options: LiveSubscriptionOptions): AsyncIterableIterator<ExecutionResult> {
  return new LiveSubscription(options);
}

class LiveSubscription implements AsyncIterableIterator<ExecutionResult> {
  private state: State = { phase: 'starting' };
  private readonly ready: ExecutionResult[] = [];
  private waiting: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private readonly ids: ReadonlySet<string> | undefined;

  constructor(private readonly options: LiveSubscriptionOptions) {
    this.ids = options.ids ? new Set(options.ids) : undefined;
    options.onOpen?.();
    this.enqueue(() => this.start());
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    const result = this.ready.shift();
    if (result) return Promise.resolve({ value: result, done: false });
    if (this.state.phase === 'closed') return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.close();
    return { value: undefined, done: true };
  }

  // Private:

  private async start(): Promise<void> {
    const listener = {
      onChange: (change: FeedChange) => {
        if (this.ids && !this.ids.has(change.customerId)) return;
        this.enqueue(() => this.deliver(change));
      },
      onResync: () => this.enqueue(() => this.catchUp()),
    };
    // Listen before reading the feed: whatever is published from now on is either replayed or buffered.
    this.unsubscribe = await this.options.fanout.subscribe(this.options.caller.tenant, listener);
    if (this.state.phase === 'closed') return this.unsubscribe();
    if (this.options.after !== undefined) {
      this.state = { phase: 'open', lastSeq: decodeChangeCursor(this.options.after) };
      await this.catchUp();
    } else {
      const latest = await this.options.runQuery(this.options.caller, '{ latestChangeCursor }', {});
      const cursor = (latest.data as { latestChangeCursor?: string | null } | undefined)?.latestChangeCursor;
      // Without a starting point the stream could not promise "no gap": end it with the error instead.
      if (!cursor) throw new Error(`no latest cursor: ${JSON.stringify(latest.errors ?? [])}`);
      this.state = { phase: 'open', lastSeq: decodeChangeCursor(cursor) };
    }
  }

  private async deliver(change: FeedChange): Promise<void> {
    if (this.state.phase !== 'open') return;
    const seq = decodeChangeCursor(change.cursor);
    if (seq <= this.state.lastSeq) return; // already sent by a replay
    if (!(await this.callerStillValid())) return;
    const { queries } = this.options;
    const result = await this.options.fetchShared(`${change.cursor}|${this.options.groupKey}`, () =>
      this.run(queries.live, { cgAfter: encodeChangeCursor(seq - 1), cgIds: [change.customerId] }),
    );
    const items = itemsOf(result);
    if (items.length === 0) {
      // The change is stored before it is announced, so an empty answer means the fetch failed
      // (a subgraph timed out…): never skip it, read the feed from the last cursor sent instead.
      await this.catchUp();
      return;
    }
    this.push(payload(queries.responseKey, items[0], errorsOf(result, 0)));
    this.options.onDelivered?.((Date.now() - Date.parse(change.at)) / 1000);
    this.state = { phase: 'open', lastSeq: seq };
  }

  // Replays everything after the last cursor sent, page by page.
  private async catchUp(): Promise<void> {
    for (;;) {
      if (this.state.phase !== 'open') return;
      const result = await this.run(this.options.queries.replay, { cgAfter: encodeChangeCursor(this.state.lastSeq), cgIds: this.options.ids ? [...this.options.ids] : null });
      const fatal = result.errors?.find((e) => !e.path || e.path.length <= 1);
      if (fatal) {
        // CURSOR_EXPIRED and the like end the subscription with the error.
        this.push({ errors: [new GraphQLError(fatal.message, { extensions: fatal.extensions })] });
        this.close();
        return;
      }
      const batch = (result.data as { changes?: { hasMore: boolean } } | undefined)?.changes;
      const items = itemsOf(result);
      for (const [index, item] of items.entries()) {
        const seq = decodeChangeCursor(String(item.cgCursor));
        if (seq <= this.state.lastSeq) continue;
        this.push(payload(this.options.queries.responseKey, item, errorsOf(result, index)));
        this.state = { phase: 'open', lastSeq: seq };
      }
      if (!batch?.hasMore) return;
    }
  }

  private async callerStillValid(): Promise<boolean> {
    if (!this.options.recheckCaller) return true;
    try {
      await this.options.recheckCaller();
      return true;
    } catch (error) {
      this.close();
      this.options.onCallerInvalid?.(error);
      return false;
    }
  }

  private run(query: string, variables: Record<string, unknown>): Promise<ExecutionResult> {
    return this.options.runQuery(this.options.caller, query, { ...this.options.queries.variables, ...variables }) as Promise<ExecutionResult>;
  }

  private enqueue(step: () => Promise<void>): void {
    this.chain = this.chain.then(step).catch((error: unknown) => {
      this.options.logger.error({ err: error }, 'subscription step failed');
      this.push({ errors: [new GraphQLError('The live stream failed; resubscribe with your last cursor', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] });
      this.close();
    });
  }

  private push(result: ExecutionResult): void {
    if (this.state.phase === 'closed') return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: result, done: false });
    } else {
      this.ready.push(result);
    }
  }

  private close(): void {
    if (this.state.phase === 'closed') return;
    this.state = { phase: 'closed' };
    this.options.onClose?.();
    this.unsubscribe?.();
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = undefined;
      resolve({ value: undefined, done: true });
    }
  }
}

function itemsOf(result: ExecutionResult): Array<Record<string, unknown>> {
  return ((result.data as { changes?: { changes?: Array<Record<string, unknown>> } } | undefined)?.changes?.changes ?? []) as Array<Record<string, unknown>>;
}

// Errors at ["changes", "changes", index, …] belong to that change; shown at [responseKey, …].
function errorsOf(result: ExecutionResult, index: number): readonly GraphQLError[] {
  return (result.errors ?? []).filter((e) => e.path?.[0] === 'changes' && e.path[1] === 'changes' && e.path[2] === index) as GraphQLError[];
}

function payload(responseKey: string, item: Record<string, unknown>, errors: readonly GraphQLError[]): ExecutionResult {
  const { cgCursor: _c, cgCustomerId: _id, ...fields } = item;
  // graphql-ws serialises errors with toJSON: rebuild them as GraphQLErrors at the subscriber's path.
  const mapped = errors.map((e) => new GraphQLError(e.message, { path: [responseKey, ...(e.path ?? []).slice(3)], extensions: e.extensions }));
  return { data: { [responseKey]: fields }, ...(mapped.length > 0 ? { errors: mapped } : {}) };
}
