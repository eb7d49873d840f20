/**
 * One batch of the change relay: the pending changes of some records moved into the `changes`
 * feed, audited, taken off their records and published, with a fixed number of database round
 * trips per batch instead of per change. Every step is repeatable, so a relay killed between any
 * two of them leaves nothing a later batch cannot finish: changes are stored under a key made of
 * their source, record and version, so storing one twice fails instead of doubling it.
 */
import type { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { CHANGES_COLLECTION, FEED_COUNTERS_COLLECTION, FeedMessageType, stringifyFeedMessage, tenantChannel, toFeedChange, type FeedSource, type StoredChange } from './changeFeed';
import type { AuditEvent, AuditLog } from './auditLog';
import type { PendingChange } from './versionedRecord';

/** A collection whose records carry pending changes. */
export interface RelaySource {
  readonly source: FeedSource;
  readonly collection: string;
}

/** A record with pending changes, as the relay reads it. */
export interface PendingRecord {
  readonly _id: unknown;
  readonly tenant: string;
  readonly pendingChanges: readonly PendingChange[];
}

/** Where the relay may be stopped dead by a test (fault injection); never set in production. */
export type RelayFaultPoint = 'after-insert' | 'before-publish';

export interface RelayBatchContext {
  readonly connection: Connection;
  readonly publisher: Redis;
  readonly audit?: AuditLog;
  readonly fault?: { readonly point: RelayFaultPoint; readonly action: () => void };
}

interface Outgoing {
  readonly record: PendingRecord;
  readonly pending: PendingChange;
  readonly id: string;
}

/**
 * Relays every pending change of `records` (records of `source`); resolves once all are published.
 * `recovering` (after a crash, a failure or a new lease) first looks for changes an earlier batch
 * stored but did not take off their records; otherwise storing one again fails on its key, and the
 * batch starts over that way.
 */
export async function relayRecords(context: RelayBatchContext, source: RelaySource, records: readonly PendingRecord[], recovering = false): Promise<void> {
  if (records.length === 0) return;
  const { connection } = context;
  const outgoing = records.flatMap((record) =>
    [...record.pendingChanges].sort((a, b) => a.version - b.version).map((pending) => ({ record, pending, id: `${source.source}:${String(record._id)}:${pending.version}` })),
  );
  const changes = connection.collection<StoredChange>(CHANGES_COLLECTION);
  const stored = recovering ? new Map((await changes.find({ _id: { $in: outgoing.map((o) => o.id) } }).toArray()).map((c) => [c._id, c])) : new Map<string, StoredChange>();
  const fresh = await numberChanges(connection, source.source, outgoing.filter((o) => !stored.has(o.id)));
  try {
    // In cursor order, so a reader never sees a change before one with a lower cursor of this batch.
    if (fresh.length > 0) await changes.insertMany(fresh, { ordered: true });
  } catch (error) {
    // Already stored: the numbers taken for this batch stay unused (cursors may skip, never repeat).
    if ((error as { code?: number }).code === 11000 && !recovering) return relayRecords(context, source, records, true);
    throw error;
  }
  if (context.audit) {
    // A stored change may have been audited before the batch that stored it died: append it only if not.
    for (const change of stored.values()) await context.audit.append(auditEventOf(change));
    await context.audit.appendNew(fresh.map(auditEventOf));
  }
  injectFault(context, 'after-insert');
  // Each record in one update: its relayed changes pulled, and its flag cleared when nothing else is
  // pending (a record written again meanwhile keeps it: the next batch relays the new change).
  await connection.collection(source.collection).bulkWrite(
    records.flatMap((record) => [
      { updateOne: { filter: { _id: record._id, pendingChanges: { $size: record.pendingChanges.length } }, update: { $set: { pendingChanges: [] }, $unset: { hasPending: '' } } } },
      { updateOne: { filter: { _id: record._id, hasPending: true }, update: { $pull: { pendingChanges: { version: { $in: record.pendingChanges.map((p) => p.version) } } } } } },
    ]) as never,
    { ordered: true },
  );
  injectFault(context, 'before-publish');
  await publishChanges(context, [...[...stored.values()].filter((c) => !c.published), ...fresh]);
}

/** Publishes stored changes, oldest first per tenant, in one round trip to Redis, then marks them published. */
export async function publishChanges(context: Pick<RelayBatchContext, 'connection' | 'publisher'>, changes: readonly StoredChange[]): Promise<void> {
  if (changes.length === 0) return;
  // Gateways drop a live change whose cursor is not past the last one they sent: publish in cursor order.
  const ordered = [...changes].sort((a, b) => (a.tenant === b.tenant ? a.seq - b.seq : a.tenant < b.tenant ? -1 : 1));
  const pipeline = context.publisher.pipeline();
  for (const change of ordered) {
    pipeline.publish(tenantChannel(change.tenant), stringifyFeedMessage({ type: FeedMessageType.Change, tenant: change.tenant, change: toFeedChange(change) }));
  }
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed || results.length !== ordered.length) throw failed?.[0] ?? new Error('Redis did not answer every publish');
  await context.connection.collection<StoredChange>(CHANGES_COLLECTION).updateMany({ _id: { $in: ordered.map((c) => c._id) } }, { $set: { published: true } });
}

// Numbers the changes of each tenant from one counter update that reserves a block of sequence numbers.
async function numberChanges(connection: Connection, source: FeedSource, outgoing: readonly Outgoing[]): Promise<StoredChange[]> {
  const counts = new Map<string, number>();
  for (const { record } of outgoing) counts.set(record.tenant, (counts.get(record.tenant) ?? 0) + 1);
  const next = new Map<string, number>();
  for (const [tenant, count] of counts) {
    const counter = await connection
      .collection<{ _id: string; seq: number }>(FEED_COUNTERS_COLLECTION)
      .findOneAndUpdate({ _id: tenant }, { $inc: { seq: count } }, { upsert: true, returnDocument: 'after' });
    next.set(tenant, counter!.seq - count + 1);
  }
  return outgoing.map(({ record, pending, id }) => {
    const seq = next.get(record.tenant)!;
    next.set(record.tenant, seq + 1);
    return {
      _id: id,
      tenant: record.tenant,
      seq,
      customerId: String(record._id),
      source,
      version: pending.version,
      changedFields: pending.changedFields,
      actor: pending.actor,
      ...(pending.roles ? { roles: pending.roles } : {}),
      deviceId: pending.deviceId,
      at: pending.at,
      published: false,
      ...(pending.data ? { data: pending.data } : {}),
    };
  });
}

function auditEventOf(change: StoredChange): AuditEvent {
  return {
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
  };
}

function injectFault(context: RelayBatchContext, point: RelayFaultPoint): void {
  if (context.fault?.point === point) context.fault.action();
}
