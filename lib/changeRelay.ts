/**
 * The relay moves pending changes out of the records into the `changes` feed, numbering them per
 * tenant, then publishes them to Redis. One relay holds a lease at a time (others stand by), and it
 * works sequentially, so cursor order is insertion order. Every step is repeatable: a relay killed
 * anywhere resumes on restart and each change lands in the feed, and on Redis, once.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import {
  CHANGES_COLLECTION,
  FEED_COUNTERS_COLLECTION,
  FEED_STATE_COLLECTION,
  FeedMessageType,
  WAKE_CHANNEL,
  ensureFeedIndexes,
  parseFeedMessage,
  stringifyFeedMessage,
  tenantChannel,
  toFeedChange,
  type FeedSource,
  type StoredChange,
} from './changeFeed';
import type { AnomalyMonitor } from './anomalyMonitor';
import type { AuditLog } from './auditLog';
import type { Logger } from './logger';
import { UnreachableCaseError } from './UnreachableCaseError';
import type { PendingChange } from './versionedRecord';

/** A collection whose records carry pending changes. */
export interface RelaySource {
  readonly source: FeedSource;
  readonly collection: string;
}

/** Where the relay may be stopped dead by a test (fault injection); never set in production. */
export type RelayFaultPoint = 'after-insert' | 'before-publish';

export interface ChangeRelayOptions {
  readonly connection: Connection;
  /** Publishes changes. */
  readonly publisher: Redis;
  /** Listens for wake-ups (a separate connection: a subscribed Redis connection can do nothing else). */
  readonly subscriber?: Redis;
  readonly sources: readonly RelaySource[];
  readonly logger: Logger;
  /** Scan for pending changes at least this often, in case a wake-up was lost (default 1000). */
  readonly scanIntervalMs?: number;
  readonly retentionDays: number;
  readonly leaseMs?: number;
  readonly fault?: { readonly point: RelayFaultPoint; readonly action: () => void };
  /** Where every relayed change is audited (once, even when the relay retries). */
  readonly audit?: AuditLog;
  /** Counts failed passes (sync errors) for alerting. */
  readonly monitor?: AnomalyMonitor;
}

type RelayState =
  | { readonly phase: 'idle' }
  | { readonly phase: 'running'; readonly timer: NodeJS.Timeout }
  | { readonly phase: 'stopped' };

interface PendingRecord {
  _id: unknown;
  tenant: string;
  pendingChanges: PendingChange[];
}

const LEASE_COLLECTION = 'relay_lease';
const RETENTION_SWEEP_MS = 3600_000;

/** The relay of one process; `start()` it, `stop()` it on shutdown. */
export class ChangeRelay {
  private state: RelayState = { phase: 'idle' };
  private readonly owner = randomUUID();
  private running: Promise<void> | undefined;
  private again = false;
  private lastSweep = 0;
  private readonly scanIntervalMs: number;
  private readonly leaseMs: number;

  constructor(private readonly options: ChangeRelayOptions) {
    this.scanIntervalMs = options.scanIntervalMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 10_000;
  }

  /** Starts scanning and listening for wake-ups. */
  async start(): Promise<void> {
    if (this.state.phase !== 'idle') throw new Error(`relay cannot start when ${this.state.phase}`);
    await ensureFeedIndexes(this.options.connection);
    for (const { collection } of this.options.sources) {
      await this.options.connection.collection(collection).createIndex({ hasPending: 1 }, { sparse: true });
    }
    const subscriber = this.options.subscriber;
    if (subscriber) {
      subscriber.on('message', (channel: string, raw: string) => {
        if (channel !== WAKE_CHANNEL) return;
        try {
          if (parseFeedMessage(raw).type === FeedMessageType.Wake) this.kick();
        } catch (error) {
          this.options.logger.warn({ err: error }, 'ignored a malformed wake message');
        }
      });
      await subscriber.subscribe(WAKE_CHANNEL);
    }
    this.state = { phase: 'running', timer: setInterval(() => this.kick(), this.scanIntervalMs) };
    this.kick();
  }

  /** Runs a pass now (or right after the current one). */
  kick(): void {
    if (this.state.phase !== 'running') return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => {
        this.options.monitor?.record('sync_error');
        this.options.logger.error({ err: error }, 'relay pass failed; retrying at the next scan');
      })
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves once every change pending now is in the feed and published (used by tests and shutdown). */
  async drain(): Promise<void> {
    for (;;) {
      await this.running;
      if (!(await this.hasWork())) return;
      this.kick();
      await this.running;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Stops after the pass in progress and gives up the lease. */
  async stop(): Promise<void> {
    const state = this.state;
    switch (state.phase) {
      case 'idle':
      case 'stopped':
        this.state = { phase: 'stopped' };
        return;
      case 'running':
        clearInterval(state.timer);
        this.state = { phase: 'stopped' };
        await this.running;
        await this.options.subscriber?.unsubscribe(WAKE_CHANNEL).catch(() => undefined);
        await this.options.connection
          .collection<{ _id: string; owner: string }>(LEASE_COLLECTION)
          .deleteOne({ _id: 'relay', owner: this.owner })
          .catch(() => undefined);
        return;
      default:
        throw new UnreachableCaseError(state);
    }
  }

  // Private:

  private async pass(): Promise<void> {
    if (!(await this.holdLease())) return;
    await this.publishUnpublished();
    for (const source of this.options.sources) {
      const records = await this.options.connection
        .collection<PendingRecord>(source.collection)
        .find({ hasPending: true }, { projection: { _id: 1, tenant: 1, pendingChanges: 1 } })
        .limit(500)
        .toArray();
      for (const record of records) {
        // Renewed before every record: a relay that lost its lease (paused, slow) stops at once,
        // so two relays never number changes of one tenant at the same time.
        if (!(await this.holdLease())) return;
        const pending = [...record.pendingChanges].sort((a, b) => a.version - b.version);
        for (const change of pending) await this.relayOne(source, record, change);
        await this.options.connection
          .collection(source.collection)
          .updateOne({ _id: record._id, pendingChanges: { $size: 0 } } as never, { $unset: { hasPending: '' } });
      }
    }
    if (Date.now() - this.lastSweep > RETENTION_SWEEP_MS) await this.sweepRetention();
  }

  private async relayOne(source: RelaySource, record: PendingRecord, pending: PendingChange): Promise<void> {
    const changes = this.options.connection.collection<StoredChange>(CHANGES_COLLECTION);
    const recordId = String(record._id);
    const id = `${source.source}:${recordId}:${pending.version}`;
    let change = await changes.findOne({ _id: id });
    if (!change) {
      change = {
        _id: id,
        tenant: record.tenant,
        seq: await this.nextSeq(record.tenant),
        customerId: recordId,
        source: source.source,
        version: pending.version,
        changedFields: pending.changedFields,
        actor: pending.actor,
        ...(pending.roles ? { roles: pending.roles } : {}),
        deviceId: pending.deviceId,
        at: pending.at,
        published: false,
        ...(pending.data ? { data: pending.data } : {}),
      };
      try {
        await changes.insertOne(change);
      } catch (error) {
        if ((error as { code?: number }).code !== 11000) throw error;
        change = (await changes.findOne({ _id: id }))!;
      }
    }
    await this.options.audit?.append({
      action: 'write',
      tenant: change.tenant,
      actor: change.actor,
      roles: change.roles ?? [],
      deviceId: change.deviceId,
      source: change.source,
      recordIds: [change.customerId],
      fields: change.changedFields,
      fromVersion: change.version - 1,
      toVersion: change.version,
      changeId: change._id,
      at: change.at,
    });
    this.injectFault('after-insert');
    await this.options.connection
      .collection(source.collection)
      .updateOne({ _id: record._id } as never, { $pull: { pendingChanges: { version: pending.version } } } as never);
    this.injectFault('before-publish');
    if (!change.published) await this.publish(change);
  }

  private async publish(change: StoredChange): Promise<void> {
    await this.options.publisher.publish(
      tenantChannel(change.tenant),
      stringifyFeedMessage({ type: FeedMessageType.Change, tenant: change.tenant, change: toFeedChange(change) }),
    );
    await this.options.connection.collection<StoredChange>(CHANGES_COLLECTION).updateOne({ _id: change._id }, { $set: { published: true } });
  }

  // Changes stored by a relay that stopped before publishing (crash, Redis down), oldest first.
  private async publishUnpublished(): Promise<void> {
    const unpublished = await this.options.connection
      .collection<StoredChange>(CHANGES_COLLECTION)
      .find({ published: false })
      .sort({ tenant: 1, seq: 1 })
      .limit(1000)
      .toArray();
    for (const change of unpublished) await this.publish(change);
  }

  private async nextSeq(tenant: string): Promise<number> {
    const counter = await this.options.connection
      .collection<{ _id: string; seq: number }>(FEED_COUNTERS_COLLECTION)
      .findOneAndUpdate({ _id: tenant }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' });
    return counter!.seq;
  }

  private async holdLease(): Promise<boolean> {
    const now = new Date();
    try {
      const lease = await this.options.connection
        .collection<{ _id: string; owner: string; expiresAt: Date }>(LEASE_COLLECTION)
        .findOneAndUpdate(
          { _id: 'relay', $or: [{ owner: this.owner }, { expiresAt: { $lt: now } }] },
          { $set: { owner: this.owner, expiresAt: new Date(now.getTime() + this.leaseMs) } },
          { upsert: true, returnDocument: 'after' },
        );
      return lease?.owner === this.owner;
    } catch (error) {
      // Another relay holds a live lease: the upsert collides with its document.
      if ((error as { code?: number }).code === 11000) return false;
      throw error;
    }
  }

  private async hasWork(): Promise<boolean> {
    const db = this.options.connection;
    if (await db.collection(CHANGES_COLLECTION).findOne({ published: false })) return true;
    for (const { collection } of this.options.sources) {
      if (await db.collection(collection).findOne({ hasPending: true })) return true;
    }
    return false;
  }

  /** Removes changes older than the retention window and remembers, per tenant, up to where (runs hourly on its own). */
  async sweepRetention(): Promise<void> {
    this.lastSweep = Date.now();
    const cutoff = new Date(Date.now() - this.options.retentionDays * 86_400_000);
    const changes = this.options.connection.collection<StoredChange>(CHANGES_COLLECTION);
    const expired = await changes.aggregate<{ _id: string; maxSeq: number }>([{ $match: { at: { $lt: cutoff }, published: true } }, { $group: { _id: '$tenant', maxSeq: { $max: '$seq' } } }]).toArray();
    for (const { _id: tenant, maxSeq } of expired) {
      await this.options.connection
        .collection<{ _id: string; trimmedThrough: number }>(FEED_STATE_COLLECTION)
        .updateOne({ _id: tenant }, { $max: { trimmedThrough: maxSeq } }, { upsert: true });
      const removed = await changes.deleteMany({ tenant, seq: { $lte: maxSeq } });
      this.options.logger.info({ tenant, removed: removed.deletedCount, trimmedThrough: maxSeq }, 'change feed retention sweep');
    }
    // Stored replay results live as long as the feed: a device offline longer must start again anyway.
    await this.options.connection.collection('mutation_results').deleteMany({ at: { $lt: cutoff } });
  }

  private injectFault(point: RelayFaultPoint): void {
    if (this.options.fault?.point === point) this.options.fault.action();
  }
}
