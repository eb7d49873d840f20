/**
 * One `customerChanged` subscription. It joins its delivery group (which listens to the tenant's
 * fan-out) before it reads the feed, replays what was missed from the durable feed, then goes live.
 * Changes the group offers while a replay runs are held and sent after it, those the replay already
 * sent dropped (compared by cursor); a failed group fetch or a Redis outage sends it back to the feed
 * from its last cursor. So nothing is skipped and nothing is sent twice.
 *
 * Payloads go to the socket through `send`, already serialised by the group. graphql-ws iterates this
 * object only for the end of the stream: at most one final error result, then done (graphql-ws then
 * sends `complete`, after every payload sent before).
 */
import type { ExecutionResult } from 'graphql';
import { GraphQLError } from 'graphql';
import { decodeChangeCursor } from '../lib/changeFeed';
import type { Logger } from '../lib/logger';
import { UnreachableCaseError } from '../lib/UnreachableCaseError';
import type { GroupChange, GroupMember, Membership } from './deliveryGroups';

export interface LiveSubscriptionOptions {
  readonly ids?: readonly string[];
  readonly after?: string;
  /** Joins the subscription's delivery group; resolves once the group hears the tenant's changes. */
  readonly join: (member: GroupMember) => Promise<Membership>;
  /** Writes one serialised `next` payload to the subscriber. */
  readonly send: (payload: string) => void;
  /** Called with the seconds from a change's write to its delivery, per change delivered live. */
  readonly onDelivered?: (seconds: number) => void;
  readonly onOpen?: () => void;
  readonly onClose?: () => void;
  readonly logger: Logger;
}

// Holding: starting, replaying or catching up; offered changes wait in `held`.
type Phase = { readonly name: 'holding'; readonly held: GroupChange[] } | { readonly name: 'live' } | { readonly name: 'closed' };

/** Creates and starts a subscription. */
export function createLiveSubscription(options: LiveSubscriptionOptions): AsyncIterableIterator<ExecutionResult> {
  return new LiveSubscription(options);
}

class LiveSubscription implements AsyncIterableIterator<ExecutionResult>, GroupMember {
  readonly ids: ReadonlySet<string> | undefined;
  private phase: Phase = { name: 'holding', held: [] };
  /** Sequence number of the last change sent. */
  private lastSeq = 0;
  private membership: Membership | undefined;
  private steps: Promise<void> = Promise.resolve();
  private pendingSteps = 0;
  private finalResult: ExecutionResult | undefined;
  private waiting: ((result: IteratorResult<ExecutionResult>) => void) | undefined;

  constructor(private readonly options: LiveSubscriptionOptions) {
    this.ids = options.ids ? new Set(options.ids) : undefined;
    options.onOpen?.();
    this.enqueue(() => this.start());
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    const value = this.finalResult;
    if (value) {
      this.finalResult = undefined;
      return Promise.resolve({ value, done: false });
    }
    if (this.phase.name === 'closed') return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.end();
    return { value: undefined, done: true };
  }

  offer(change: GroupChange): void {
    const phase = this.phase;
    switch (phase.name) {
      case 'live':
        if (change.seq > this.lastSeq) this.send(change);
        return;
      case 'holding':
        phase.held.push(change);
        return;
      case 'closed':
        return;
      default:
        throw new UnreachableCaseError(phase);
    }
  }

  resync(): void {
    if (this.closed()) return;
    if (this.phase.name === 'live') this.phase = { name: 'holding', held: [] };
    this.enqueue(() => this.catchUp());
  }

  // Private:

  private async start(): Promise<void> {
    // Join before reading the feed: whatever is announced from now on is either read or held.
    this.membership = await this.options.join(this);
    if (this.closed()) return this.membership.leave();
    if (this.options.after !== undefined) {
      this.lastSeq = decodeChangeCursor(this.options.after);
      await this.catchUp();
    } else {
      this.lastSeq = await this.membership.latestSeq();
    }
  }

  // Replays everything after the last cursor sent, page by page.
  private async catchUp(): Promise<void> {
    for (;;) {
      if (this.closed()) return;
      const page = await this.membership!.readFeed(this.lastSeq, this.options.ids);
      if (this.closed()) return;
      if (page.fatal) {
        // CURSOR_EXPIRED and the like end the subscription with the error.
        return this.end({ errors: [new GraphQLError(page.fatal.message, { extensions: page.fatal.extensions })] });
      }
      // Pages are shared by members that asked together: each sends what is new to it.
      for (const change of page.changes) if (change.seq > this.lastSeq) this.send(change);
      if (!page.hasMore) return;
    }
  }

  // A method, not a narrowed field: the phase changes across awaits.
  private closed(): boolean {
    return this.phase.name === 'closed';
  }

  private send(change: GroupChange): void {
    this.options.send(change.payload);
    this.lastSeq = change.seq;
    if (change.writtenAt !== undefined) this.options.onDelivered?.((Date.now() - change.writtenAt) / 1000);
  }

  // Steps run one at a time; when the last one is done, what was held is sent and the stream is live.
  private enqueue(step: () => Promise<void>): void {
    this.pendingSteps += 1;
    this.steps = this.steps
      .then(step)
      .catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'subscription step failed');
        this.end({ errors: [new GraphQLError('The live stream failed; resubscribe with your last cursor', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] });
      })
      .then(() => {
        this.pendingSteps -= 1;
        if (this.pendingSteps === 0) this.goLive();
      });
  }

  private goLive(): void {
    const phase = this.phase;
    if (phase.name !== 'holding') return;
    for (const change of phase.held) if (change.seq > this.lastSeq) this.send(change);
    this.phase = { name: 'live' };
  }

  // Ends the stream, with a last error result when given.
  private end(last?: ExecutionResult): void {
    if (this.closed()) return;
    this.phase = { name: 'closed' };
    this.options.onClose?.();
    this.membership?.leave();
    const waiting = this.waiting;
    this.waiting = undefined;
    if (last && waiting) waiting({ value: last, done: false });
    else if (last) this.finalResult = last;
    else waiting?.({ value: undefined, done: true });
  }
}
