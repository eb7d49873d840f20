/**
 * The relay moves pending changes out of the records into the `changes` feed, numbering them per
 * tenant, then publishes them to Redis. One relay holds a lease at a time (others stand by), and it
 * works one batch at a time, so cursor order is insertion order. Every step is repeatable: a relay
 * killed anywhere resumes on restart and each change lands in the feed once (on Redis at least
 * once: a change published just before a crash is published again, and gateways drop the repeat).
 *
 * A writer's wake-up names the record it wrote, so the relay reads just those records by key; the
 * scan of every source for pending records runs on a timer (and at start and after a failure), as
 * the safety net for a wake-up that was lost.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Types, type Connection } from 'mongoose';
import { CHANGES_COLLECTION, FEED_STATE_COLLECTION, FeedMessageType, WAKE_CHANNEL, ensureFeedIndexes, parseFeedMessage, type StoredChange } from './changeFeed';
import type { AnomalyMonitor } from './anomalyMonitor';
import type { AuditLog } from './auditLog';
import type { Logger } from './logger';
import { isApiId } from './objectId';
import { publishChanges, relayRecords, type PendingRecord, type RelayFaultPoint, type RelaySource } from './relayBatch';
import { UnreachableCaseError } from './UnreachableCaseError';

export type { RelayFaultPoint, RelaySource } from './relayBatch';

export interface ChangeRelayOptions {
  readonly connection: Connection;
  /** Publishes changes. */
  readonly publisher: Redis;
  /** Listens for wake-ups (a separate connection: a subscribed Redis connection can do nothing else). */
  readonly subscriber?: Redis;
  readonly sources: readonly RelaySource[];
  readonly logger: Logger;
  /** Scan every source for pending changes at least this often, in case a wake-up was lost (default 1000). */
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

const LEASE_COLLECTION = 'relay_lease';
const RETENTION_SWEEP_MS = 3600_000;
/** The shortest time between the starts of two passes. */
const PASS_SPACING_MS = 20;
/** Records read per batch. */
const BATCH_RECORDS = 500;
/** Changes the recovery publishes per round trip. */
const RECOVERY_BATCH = 1000;

/** The relay of one process; `start()` it, `stop()` it on shutdown. */
export class ChangeRelay {
  private state: RelayState = { phase: 'idle' };
  private readonly owner = randomUUID();
  private running: Promise<void> | undefined;
  private again = false;
  private lastPassAt = 0;
  private spacing: NodeJS.Timeout | undefined;
  private lastSweep = 0;
  /** Records named by wake-ups since the last pass, by source. */
  private woken = new Map<string, Set<string>>();
  /** Scan every source at the next pass (timer, start, failure, a new lease). */
  private scanDue = true;
  /** Publish what a relay that stopped early stored but did not publish (start, failure, a new lease). */
  private recoveryDue = true;
  private holdsLease = false;
  private leaseRenewedAt = 0;
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
          const message = parseFeedMessage(raw);
          if (message.type !== FeedMessageType.Wake) return;
          this.woken.set(message.source, (this.woken.get(message.source) ?? new Set()).add(message.recordId));
          this.kick();
        } catch (error) {
          this.options.logger.warn({ err: error }, 'ignored a malformed wake message');
        }
      });
      await subscriber.subscribe(WAKE_CHANNEL);
    }
    this.state = { phase: 'running', timer: setInterval(() => this.kick({ scan: true }), this.scanIntervalMs) };
    this.kick();
  }

  /** Runs a pass now (or right after the current one); `scan` makes it look at every record with pending changes. */
  kick(options: { readonly scan?: boolean } = {}): void {
    if (this.state.phase !== 'running') return;
    if (options.scan) this.scanDue = true;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.spacing) return;
    // Passes start at most every PASS_SPACING_MS: under a steady stream of writes, the wake-ups of
    // that time are relayed in one batch, with a fixed number of round trips, instead of one each.
    const wait = this.lastPassAt + PASS_SPACING_MS - Date.now();
    if (wait > 0) {
      this.spacing = setTimeout(() => {
        this.spacing = undefined;
        this.kick();
      }, wait);
      return;
    }
    this.lastPassAt = Date.now();
    this.running = this.pass()
      .catch((error: unknown) => {
        this.scanDue = true;
        this.recoveryDue = true;
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
      this.kick({ scan: true });
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
        clearTimeout(this.spacing);
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
    const held = await this.holdLease();
    // Taken after the lease: a relay that has just taken it over scans (a standby forgets its wake-ups).
    const scan = this.scanDue;
    const woken = this.woken;
    this.scanDue = false;
    this.woken = new Map();
    if (!held) return;
    const recovering = this.recoveryDue;
    if (recovering) {
      await this.publishUnpublished();
      this.recoveryDue = false;
    }
    for (const source of this.options.sources) {
      const ids = woken.get(source.source);
      if (!scan && !ids) continue;
      const records = await this.options.connection
        .collection<PendingRecord>(source.collection)
        .find((scan ? { hasPending: true } : { _id: { $in: [...ids!].map(toRecordKey) }, hasPending: true }) as never, { projection: { _id: 1, tenant: 1, pendingChanges: 1 } })
        .limit(BATCH_RECORDS)
        .toArray();
      if (records.length === 0) continue;
      // Checked before every batch: a relay that lost its lease (paused, slow) stops here. Within a
      // batch nothing checks again, so a relay stalled there for over half a lease could number
      // changes alongside a standby that took over (docs/guarantees.md, known gaps).
      if (!(await this.holdLease())) return;
      await relayRecords(this.options, source, records, recovering);
      if (records.length === BATCH_RECORDS) this.kick({ scan: true });
    }
    if (Date.now() - this.lastSweep > RETENTION_SWEEP_MS) await this.sweepRetention();
  }

  // Changes stored by a relay that stopped before publishing (crash, Redis down), oldest first.
  private async publishUnpublished(): Promise<void> {
    for (;;) {
      const unpublished = await this.options.connection
        .collection<StoredChange>(CHANGES_COLLECTION)
        .find({ published: false })
        .sort({ tenant: 1, seq: 1 })
        .limit(RECOVERY_BATCH)
        .toArray();
      await publishChanges(this.options, unpublished);
      if (unpublished.length < RECOVERY_BATCH) return;
    }
  }

  private async holdLease(): Promise<boolean> {
    // Renewed less than half a lease ago: no other relay can take it before it expires, so no round trip.
    // A relay paused longer than that checks with the database again as soon as it runs.
    if (this.holdsLease && Date.now() - this.leaseRenewedAt < this.leaseMs / 2) return true;
    const now = new Date();
    try {
      const lease = await this.options.connection
        .collection<{ _id: string; owner: string; expiresAt: Date }>(LEASE_COLLECTION)
        .findOneAndUpdate(
          { _id: 'relay', $or: [{ owner: this.owner }, { expiresAt: { $lt: now } }] },
          { $set: { owner: this.owner, expiresAt: new Date(now.getTime() + this.leaseMs) } },
          { upsert: true, returnDocument: 'after' },
        );
      if (lease?.owner === this.owner) this.leaseRenewedAt = now.getTime();
      return this.noteLease(lease?.owner === this.owner);
    } catch (error) {
      // Another relay holds a live lease: the upsert collides with its document.
      if ((error as { code?: number }).code === 11000) return this.noteLease(false);
      throw error;
    }
  }

  // A relay that takes the lease over finishes what the last holder may have left half done.
  private noteLease(held: boolean): boolean {
    if (held && !this.holdsLease) {
      this.scanDue = true;
      this.recoveryDue = true;
    }
    this.holdsLease = held;
    return held;
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
}

// Records are keyed by ObjectId; a wake-up carries its hex form.
function toRecordKey(id: string): Types.ObjectId | string {
  return isApiId(id) ? new Types.ObjectId(id) : id;
}
