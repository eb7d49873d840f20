/** The audit chain stays whole when several processes append at once and when a chain's head lags behind its log. */
import type { Connection } from 'mongoose';
import { AuditLog, verifyAuditLog, type AuditEvent } from '../../lib/auditLog';
import { connectMongo } from '../../lib/mongo';
import { testMongoUri, uniqueDatabase } from '../support/env';

let db: Connection;

beforeAll(async () => {
  db = await connectMongo(testMongoUri(uniqueDatabase('auditlog')));
});
afterAll(async () => {
  await db?.dropDatabase();
  await db?.close();
});

function event(tenant: string, n: number): AuditEvent {
  return { action: 'write', tenant, actor: `actor-${n}`, roles: ['admin'], deviceId: null, source: 'sales', recordIds: [`r${n}`], fields: ['company'], fromVersion: n, toVersion: n + 1, changeId: `sales:r:${tenant}:${n}`, at: new Date() };
}

const entriesOf = (tenant: string) => db.collection('audit_log').find({ chain: tenant }).sort({ seq: 1 }).toArray();

it('chains the appends of two processes racing on one tenant, single and batched, with no gap', async () => {
  const tenant = 'race';
  const [a, b] = [new AuditLog(db), new AuditLog(db)];
  await a.init();
  const singles = Array.from({ length: 20 }, (_, n) => a.append(event(tenant, n)));
  const batches = Array.from({ length: 5 }, (_, k) => b.appendNew([0, 1, 2, 3].map((i) => event(tenant, 100 + k * 4 + i))));
  await Promise.all([...singles, ...batches]);

  const entries = await entriesOf(tenant);
  expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  // A batch keeps its order inside the chain.
  const batchOrder = entries.filter((e) => e.fromVersion >= 100).map((e) => e.fromVersion);
  expect(batchOrder).toEqual([...batchOrder].sort((x, y) => x - y));
  expect((await verifyAuditLog(db)).problems).toEqual([]);
});

it('chains after the last entry when the recorded head lags behind (a crash between the two writes)', async () => {
  const tenant = 'lagging';
  const log = new AuditLog(db);
  await log.appendNew([event(tenant, 1), event(tenant, 2), event(tenant, 3)]);
  await db.collection('audit_heads').updateOne({ _id: tenant as never }, { $set: { seq: 1, hash: (await entriesOf(tenant))[0].hash } });

  // A process started after the crash knows the chain only by its recorded head.
  await new AuditLog(db).appendNew([event(tenant, 4), event(tenant, 5)]);
  expect((await entriesOf(tenant)).map((e) => e.actor)).toEqual(['actor-1', 'actor-2', 'actor-3', 'actor-4', 'actor-5']);
  expect(await db.collection('audit_heads').findOne({ _id: tenant as never })).toMatchObject({ seq: 5 });
  expect((await verifyAuditLog(db)).problems).toEqual([]);
});

it('appends an event of a change once, however often the relay retries it', async () => {
  const tenant = 'retried';
  const log = new AuditLog(db);
  await log.append(event(tenant, 7));
  await log.append(event(tenant, 7));
  expect(await entriesOf(tenant)).toHaveLength(1);
});
