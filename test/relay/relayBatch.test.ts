/**
 * The relay works in batches: many pending changes of several tenants are numbered, stored,
 * audited and published together, in write order; a wake-up brings its record at once, and the
 * scan finds a record whose wake-up was lost.
 */
import { Redis } from 'ioredis';
import { Types, type Connection } from 'mongoose';
import { AuditLog, verifyAuditLog } from '../../lib/auditLog';
import { CHANGES_COLLECTION, FeedMessageType, WAKE_CHANNEL, parseFeedMessage, stringifyFeedMessage, tenantChannel, type ChangeMessage, type StoredChange } from '../../lib/changeFeed';
import { ChangeRelay } from '../../lib/changeRelay';
import { FEED_SOURCES_COLLECTIONS } from '../../lib/feedSources';
import { createLogger } from '../../lib/logger';
import { connectMongo } from '../../lib/mongo';
import type { PendingChange } from '../../lib/versionedRecord';
import { testMongoUri, testRedisUrl, uniqueDatabase } from '../support/env';
import { waitUntil } from '../support/waitUntil';

let db: Connection;
const redis: Redis[] = [];
const prefix = `batch${process.pid}`;

beforeAll(async () => {
  db = await connectMongo(testMongoUri(uniqueDatabase('relaybatch')));
});
afterAll(async () => {
  for (const connection of redis) connection.disconnect();
  await db?.dropDatabase();
  await db?.close();
});

function connectRedis(): Redis {
  const connection = new Redis(testRedisUrl());
  redis.push(connection);
  return connection;
}

function pendingChange(version: number, actor: string): PendingChange {
  return { version, changedFields: ['company'], actor, roles: ['admin'], deviceId: null, at: new Date() };
}

/** A customer record with `versions` pending changes, as a write leaves it. */
async function insertPending(tenant: string, versions: number): Promise<string> {
  const _id = new Types.ObjectId();
  const pendingChanges = Array.from({ length: versions }, (_, k) => pendingChange(k + 2, `${tenant}-writer`)).reverse();
  await db.collection('customers').insertOne({ _id, tenant, name: 'Pending', version: versions + 1, pendingChanges, hasPending: true });
  return _id.toHexString();
}

async function startRelay(scanIntervalMs: number, subscriber?: Redis): Promise<ChangeRelay> {
  const audit = new AuditLog(db);
  await audit.init();
  const relay = new ChangeRelay({ connection: db, publisher: connectRedis(), subscriber, sources: FEED_SOURCES_COLLECTIONS, logger: createLogger('relay', 'silent'), retentionDays: 30, scanIntervalMs, audit });
  await relay.start();
  return relay;
}

async function listen(tenants: readonly string[]): Promise<ChangeMessage[]> {
  const received: ChangeMessage[] = [];
  const subscriber = connectRedis();
  subscriber.on('message', (_channel: string, raw: string) => received.push(parseFeedMessage(raw) as ChangeMessage));
  await subscriber.subscribe(...tenants.map(tenantChannel));
  return received;
}

const feedOf = (tenant: string) => db.collection<StoredChange>(CHANGES_COLLECTION).find({ tenant }).sort({ seq: 1 }).toArray();

it('numbers, stores, audits and publishes a batch of several tenants once each, in write order', async () => {
  const tenants = [0, 1, 2].map((t) => `${prefix}-t${t}`);
  const records = new Map<string, string[]>();
  for (const tenant of tenants) records.set(tenant, [await insertPending(tenant, 3), await insertPending(tenant, 3), await insertPending(tenant, 3)]);
  const received = await listen(tenants);

  const relay = await startRelay(60_000);
  try {
    await relay.drain();
    for (const tenant of tenants) {
      const feed = await feedOf(tenant);
      // Per record, versions in order; sequence numbers 1…9 with no gap.
      const expected = records.get(tenant)!.flatMap((id) => [2, 3, 4].map((version) => `sales:${id}:${version}`));
      expect(feed.map((c) => c._id)).toEqual(expected);
      expect(feed.map((c) => c.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(feed.every((c) => c.published)).toBe(true);
    }
    await waitUntil(() => received.length >= 27);
    for (const tenant of tenants) {
      const heard = received.filter((m) => m.tenant === tenant).map((m) => m.change.cursor);
      expect(heard).toEqual((await feedOf(tenant)).map((c) => Buffer.from(`f1:${c.seq}`).toString('base64url')));
    }
    const left = await db.collection('customers').countDocuments({ tenant: { $in: tenants }, $or: [{ hasPending: true }, { 'pendingChanges.0': { $exists: true } }] });
    expect(left).toBe(0);
    const audited = await db.collection('audit_log').find({ tenant: { $in: tenants }, action: 'write' }).toArray();
    expect(audited.map((e) => e.changeId).sort()).toEqual([...records.values()].flat().flatMap((id) => [2, 3, 4].map((v) => `sales:${id}:${v}`)).sort());
    expect((await verifyAuditLog(db)).problems).toEqual([]);
  } finally {
    await relay.stop();
  }
});

it('relays a woken record at once, and a record whose wake-up was lost at the next scan', async () => {
  const tenant = `${prefix}-wake`;
  const relay = await startRelay(60_000, connectRedis());
  try {
    await relay.drain();
    const woken = await insertPending(tenant, 1);
    const forgotten = await insertPending(tenant, 1);
    await connectRedis().publish(WAKE_CHANNEL, stringifyFeedMessage({ type: FeedMessageType.Wake, source: 'sales', recordId: woken }));
    const deadline = Date.now() + 5000;
    while ((await feedOf(tenant)).length === 0) {
      if (Date.now() > deadline) throw new Error('the woken record was not relayed within 5 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    // Only the named record is read: the other one waits for the scan (a minute away here).
    expect((await feedOf(tenant)).map((c) => c.customerId)).toEqual([woken]);

    relay.kick({ scan: true });
    await relay.drain();
    expect((await feedOf(tenant)).map((c) => [c.customerId, c.seq])).toEqual([
      [woken, 1],
      [forgotten, 2],
    ]);
  } finally {
    await relay.stop();
  }
});

it('clears the flag of a record left flagged with nothing pending', async () => {
  const tenant = `${prefix}-flag`;
  const _id = new Types.ObjectId();
  await db.collection('customers').insertOne({ _id, tenant, name: 'Flagged', version: 3, pendingChanges: [], hasPending: true });
  const relay = await startRelay(60_000);
  try {
    await relay.drain();
    expect(await db.collection('customers').findOne({ _id })).not.toHaveProperty('hasPending');
    expect(await feedOf(tenant)).toEqual([]);
  } finally {
    await relay.stop();
  }
});
