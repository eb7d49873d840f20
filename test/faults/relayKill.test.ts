/**
 * The change relay (a child process) is SIGKILLed again and again under a steady write load: at its
 * fault points between the database write and the publish, and at random moments. The feed ends
 * complete (each accepted write once, cursors strictly increasing), Redis carries each change, and
 * every subscriber receives each change exactly once.
 */
import { Redis } from 'ioredis';
import { parseFeedMessage, tenantChannel, type ChangeMessage } from '../../lib/changeFeed';
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { acceptedVersusFeed, countDeliveries, expectedCursors, feedProblems, readFeed, receivedCursors } from '../support/feedCheck';
import { startLiveSubscriber, type LiveSubscriber } from '../support/liveSubscriber';
import { spawnRelay, type ChildService } from '../support/processes';
import { startSteadyWriter, type SteadyWriter } from '../support/steadyWriter';
import { testRedisUrl } from '../support/env';
import { startStack, type TestStack } from '../support/stack';
import { waitUntil } from '../support/waitUntil';
import { createRandom, testSeed } from '../support/random';

const CUSTOMERS = 8;
const FAULT_KILLS = ['after-insert', 'before-publish', 'after-insert', 'before-publish', 'after-insert'] as const;
const RANDOM_KILLS = 5;
const SUB = `subscription($ids: [ID!], $after: String) { customerChanged(ids: $ids, after: $after) { cursor customerId source version } }`;

let stack: TestStack;
let relays: ChildService[] = [];
let subscribers: LiveSubscriber[] = [];
let redis: Redis | undefined;

beforeAll(async () => {
  stack = await startStack('relaykill', { relay: false });
});
afterAll(async () => {
  await Promise.all(subscribers.map((s) => s.stop()));
  await Promise.all(relays.map((r) => r.stop()));
  redis?.disconnect();
  await stack?.stop();
});

/** Everything one scenario observes: writes, Redis messages and subscribers of a fresh tenant. */
async function observeTenant(name: string) {
  const tenant = `${name}${process.pid}`;
  const admin = stack.token('admin', `admin-${name}`, tenant);
  const ids: string[] = [];
  for (let i = 0; i < CUSTOMERS; i++) ids.push(await insertCustomer(stack.db, { tenant, name: `${name} ${i}` }));
  const start = dataOf(await stack.query(admin, `{ latestChangeCursor }`)).latestChangeCursor as string;
  const published: ChangeMessage[] = [];
  redis = new Redis(testRedisUrl());
  redis.on('message', (_channel: string, raw: string) => published.push(parseFeedMessage(raw) as ChangeMessage));
  await redis.subscribe(tenantChannel(tenant));
  subscribers = [
    startLiveSubscriber({ urls: [stack.gatewayUrl], connectionParams: { authorization: `Bearer ${admin}` }, query: SUB, after: start }),
    startLiveSubscriber({ urls: [stack.gatewayUrl], connectionParams: { authorization: `Bearer ${stack.token('sales', 'sales-r', tenant)}` }, query: SUB, ids: ids.slice(0, 2), after: start }),
  ];
  const writer = startSteadyWriter({ send: (q, v) => stack.query(admin, q, v), customerIds: ids, lanes: 4, writesPerSecondPerLane: 10, prefix: `${name}-${process.pid}` });
  return { admin, start, published, writer, filters: [undefined, ids.slice(0, 2)] };
}

/** Stops the writes, lets a healthy relay finish, and checks feed, Redis and subscribers. */
async function finishAndCheck(observed: Awaited<ReturnType<typeof observeTenant>>) {
  const { admin, start, published, writer, filters } = observed;
  await writer.stop();
  const healthy = spawnRelay({ mongodbUri: stack.mongodbUri, redisUrl: testRedisUrl() });
  relays.push(healthy);
  await waitForRelayToFinish();
  await healthy.stop();
  await stack.settle();

  const feed = await readFeed((q, v) => stack.query(admin, q, v), start);
  expect(feedProblems(feed)).toEqual([]);
  expect(acceptedVersusFeed(writer.accepted.map((a) => ({ ...a, source: 'sales' })), feed)).toEqual({ missing: [], unexpected: [] });
  expect(feed).toHaveLength(writer.accepted.length);
  // A PING answered on the subscriber connection comes after anything published before it.
  await redis!.ping();
  const publishedCursors = published.map((m) => m.change.cursor);
  expect(new Set(publishedCursors)).toEqual(new Set(feed.map((e) => e.cursor)));
  const expected = filters.map((ids) => expectedCursors(feed, ids));
  await waitUntil(() => subscribers.every((s, i) => s.received.length >= expected[i].length), 30_000);
  subscribers.forEach((s, i) => expect(receivedCursors(s.received)).toEqual(expected[i]));
  const deliveries = countDeliveries(expected, subscribers.map((s) => receivedCursors(s.received)));
  await Promise.all(subscribers.map((s) => s.stop()));
  redis!.disconnect();
  return { feed, writer, publishedCursors, deliveries };
}

async function waitForRelayToFinish(): Promise<void> {
  const db = stack.db;
  const busy = async () =>
    (await db.collection('changes').countDocuments({ published: false })) +
    (await db.collection('customers').countDocuments({ hasPending: true }));
  const deadline = Date.now() + 60_000;
  while ((await busy()) > 0) {
    if (Date.now() > deadline) throw new Error('the relay did not finish within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitForWrites(writer: SteadyWriter, count: number): Promise<void> {
  await waitUntil(() => writer.count() >= count, 30_000);
}

it('loses and doubles nothing when the relay is killed 5 times between database write and publish', async () => {
  const observed = await observeTenant('relayfault');
  for (const fault of FAULT_KILLS) {
    // Writes pile up as pending changes while no relay runs.
    await waitForWrites(observed.writer, observed.writer.count() + 10);
    const relay = spawnRelay({ mongodbUri: stack.mongodbUri, redisUrl: testRedisUrl(), fault });
    relays.push(relay);
    expect(await relay.exited).toEqual({ code: null, signal: 'SIGKILL' });
  }
  const { feed, writer, publishedCursors, deliveries } = await finishAndCheck(observed);
  // Killed only before publishing, the relay never published a change twice.
  expect(publishedCursors).toEqual(feed.map((e) => e.cursor));
  console.log(
    `fault: relay kill at its fault points: ${FAULT_KILLS.length} kills, ${writer.accepted.length} changes written, feed length ${feed.length}, ${publishedCursors.length} published on Redis; ` +
      `subscribers: ${deliveries.delivered}/${deliveries.expected} deliveries, ${deliveries.duplicates} duplicates, ${deliveries.gaps} gaps`,
  );
}, 240_000);

it('keeps subscribers exact when the relay is killed at random moments (Redis may repeat a change, subscribers drop it)', async () => {
  const random = createRandom(testSeed());
  const observed = await observeTenant('relayrandom');
  for (let kill = 0; kill < RANDOM_KILLS; kill++) {
    const relay = spawnRelay({ mongodbUri: stack.mongodbUri, redisUrl: testRedisUrl() });
    relays.push(relay);
    // Let it relay for a while (it starts in about a second), then kill it wherever it is.
    const relayed = (await stack.db.collection('changes').countDocuments({ published: true })) + 5;
    const deadline = Date.now() + 30_000;
    while ((await stack.db.collection('changes').countDocuments({ published: true })) < relayed) {
      if (Date.now() > deadline) throw new Error('the relay published nothing within 30 s');
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, random.int(0, 300)));
    relay.signal('SIGKILL');
    expect((await relay.exited).signal).toBe('SIGKILL');
  }
  const { feed, writer, publishedCursors, deliveries } = await finishAndCheck(observed);
  const repeated = publishedCursors.length - new Set(publishedCursors).size;
  console.log(
    `fault: relay kill at random moments: ${RANDOM_KILLS} kills, ${writer.accepted.length} changes written, feed length ${feed.length}, ${publishedCursors.length} published on Redis (${repeated} repeated); ` +
      `subscribers: ${deliveries.delivered}/${deliveries.expected} deliveries, ${deliveries.duplicates} duplicates, ${deliveries.gaps} gaps`,
  );
}, 240_000);
