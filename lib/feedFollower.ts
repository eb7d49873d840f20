/**
 * Lets a subgraph act on another subgraph's changes (data travels as changes, never as imports):
 * polls the feed for changes matching `filter` that this follower has not handled, handles them
 * in cursor order, then marks them. Handlers must be idempotent: a crash before the mark repeats one.
 */
import type { Connection } from 'mongoose';
import { CHANGES_COLLECTION, type StoredChange } from './changeFeed';
import type { Logger } from './logger';
import { UnreachableCaseError } from './UnreachableCaseError';

export interface FollowerSpec {
  /** Unique per follower, e.g. "service:merge". */
  readonly name: string;
  /** Which changes to follow (a MongoDB filter on `changes`). */
  readonly filter: Readonly<Record<string, unknown>>;
  handle(change: StoredChange): Promise<void>;
}

const MAX_ATTEMPTS = 5;

type FollowerState = { readonly phase: 'idle' } | { readonly phase: 'running'; readonly timer: NodeJS.Timeout } | { readonly phase: 'stopped' };

/** Runs one follower; `start()` it with the service, `stop()` it on shutdown. */
export class FeedFollower {
  private state: FollowerState = { phase: 'idle' };
  private running: Promise<void> | undefined;
  private readonly failures = new Map<string, number>();
  /** Called when a change is set aside after repeated failures (counted as a sync error). */
  onGiveUp?: () => void;

  constructor(
    private readonly connection: Connection,
    private readonly spec: FollowerSpec,
    private readonly logger: Logger,
    private readonly intervalMs = 500,
  ) {}

  start(): void {
    if (this.state.phase !== 'idle') throw new Error(`follower ${this.spec.name} cannot start when ${this.state.phase}`);
    this.state = { phase: 'running', timer: setInterval(() => void this.poll(), this.intervalMs) };
  }

  /** Handles everything pending now; resolves when done (tests call it to wait for followers). */
  async poll(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.handlePending()
      .catch((error: unknown) => this.logger.error({ err: error, follower: this.spec.name }, 'follower pass failed; retrying'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    const state = this.state;
    switch (state.phase) {
      case 'running':
        clearInterval(state.timer);
        this.state = { phase: 'stopped' };
        await this.running;
        return;
      case 'idle':
      case 'stopped':
        this.state = { phase: 'stopped' };
        return;
      default:
        throw new UnreachableCaseError(state);
    }
  }

  private async handlePending(): Promise<void> {
    const changes = this.connection.collection<StoredChange>(CHANGES_COLLECTION);
    for (;;) {
      const batch = await changes
        .find({ ...this.spec.filter, followedBy: { $ne: this.spec.name } })
        .sort({ tenant: 1, seq: 1 })
        .limit(100)
        .toArray();
      if (batch.length === 0) return;
      for (const change of batch) {
        try {
          await this.spec.handle(change);
          this.failures.delete(change._id);
        } catch (error) {
          // A change that keeps failing is set aside (logged, counted) so it cannot stop every change after it.
          const failures = (this.failures.get(change._id) ?? 0) + 1;
          this.failures.set(change._id, failures);
          if (failures < MAX_ATTEMPTS) throw error;
          this.logger.error({ err: error, follower: this.spec.name, change: change._id, attempts: failures }, 'follower gave up on a change');
          this.onGiveUp?.();
          await changes.updateOne({ _id: change._id }, { $addToSet: { followFailed: this.spec.name } });
        }
        await changes.updateOne({ _id: change._id }, { $addToSet: { followedBy: this.spec.name } });
      }
    }
  }
}
