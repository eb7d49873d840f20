/**
 * A gateway replica (a child process) is SIGKILLed while it serves 200 subscriptions and writes go
 * on: every subscriber resumes on the other replica from its last cursor and receives every change
 * of the feed it may see exactly once, in cursor order.
 */
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { acceptedVersusFeed, countDeliveries, expectedCursors, feedProblems, readFeed, receivedCursors } from '../support/feedCheck';
import { startLiveSubscriber, type LiveSubscriber } from '../support/liveSubscriber';
import { spawnGateway, type ChildService } from '../support/processes';
import { startSteadyWriter } from '../support/steadyWriter';
import { testRedisUrl } from '../support/env';
import { startStack, type TestStack } from '../support/stack';
import { waitUntil } from '../support/waitUntil';

const SUBSCRIBERS = 200;
const CUSTOMERS = 10;
const WRITES_AFTER_KILL = 100;
const SUB = `subscription($ids: [ID!], $after: String) { customerChanged(ids: $ids, after: $after) { cursor customerId source version customer { name dealValue } } }`;

let stack: TestStack;
let replica: ChildService;
let subscribers: LiveSubscriber[] = [];

beforeAll(async () => {
  stack = await startStack('gatewaykill');
  const { sales, service, marketing } = stack.subgraphs;
  replica = await spawnGateway({ mongodbUri: stack.mongodbUri, redisUrl: testRedisUrl(), subgraphUrls: { sales: sales.url, service: service.url, marketing: marketing.url } });
}, 120_000);
afterAll(async () => {
  await Promise.all(subscribers.map((s) => s.stop()));
  await replica?.stop();
  await stack?.stop();
});

it('resumes 200 subscriptions on the other replica after a SIGKILL, every change exactly once', async () => {
  const tenant = `gwkill${process.pid}`;
  const admin = stack.token('admin', 'admin-k', tenant);
  const ids: string[] = [];
  for (let i = 0; i < CUSTOMERS; i++) ids.push(await insertCustomer(stack.db, { tenant, name: `Kill ${i}` }));
  const start = dataOf(await stack.query(admin, `{ latestChangeCursor }`)).latestChangeCursor as string;
  // Three in four follow one customer, the rest the whole tenant; all start on the replica to be killed.
  const filterOf = (i: number) => (i % 4 === 0 ? undefined : [ids[i % CUSTOMERS]]);
  subscribers = Array.from({ length: SUBSCRIBERS }, (_, i) =>
    startLiveSubscriber({ urls: [replica.url, stack.gatewayUrl], connectionParams: { authorization: `Bearer ${admin}`, deviceId: `device-${i}` }, query: SUB, ids: filterOf(i), after: start }),
  );
  const writer = startSteadyWriter({ send: (q, v) => stack.query(admin, q, v), customerIds: ids, lanes: 5, writesPerSecondPerLane: 10, prefix: `gwkill-${process.pid}` });
  let killedAt = 0;
  try {
    // Every subscriber is live on the replica before it dies.
    await waitUntil(() => subscribers.every((s) => s.received.length > 0), 120_000);
    const acceptedAtKill = writer.count();
    replica.signal('SIGKILL');
    killedAt = Date.now();
    expect(await replica.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await waitUntil(() => writer.count() >= acceptedAtKill + WRITES_AFTER_KILL, 120_000);
  } finally {
    await writer.stop();
  }
  await stack.settle();

  const feed = await readFeed((q, v) => stack.query(admin, q, v), start);
  expect(feedProblems(feed)).toEqual([]);
  expect(acceptedVersusFeed(writer.accepted.map((a) => ({ ...a, source: 'sales' })), feed)).toEqual({ missing: [], unexpected: [] });
  expect(feed).toHaveLength(writer.accepted.length);

  const expected = subscribers.map((_, i) => expectedCursors(feed, filterOf(i)));
  await waitUntil(() => subscribers.every((s, i) => s.received.length >= expected[i].length), 120_000);
  for (const [i, subscriber] of subscribers.entries()) {
    expect(receivedCursors(subscriber.received)).toEqual(expected[i]);
    expect(subscriber.received.every((r) => r.errors.length === 0 && r.customer?.name !== undefined)).toBe(true);
    expect(subscriber.currentUrl()).toBe(stack.gatewayUrl);
  }
  const deliveries = countDeliveries(expected, subscribers.map((s) => receivedCursors(s.received)));
  const resumes = subscribers.reduce((sum, s) => sum + s.resumes(), 0);
  // Back: the first change a subscriber got on a stream opened after the kill.
  const allBackAt = Math.max(...subscribers.map((s) => s.received.find((r) => r.stream > 0)?.receivedAt ?? NaN));
  const writtenAfterKill = writer.accepted.filter((a) => a.acceptedAt >= killedAt);
  console.log(
    `fault: gateway kill: ${SUBSCRIBERS} subscriptions, all back on the other replica ${((allBackAt - killedAt) / 1000).toFixed(1)} s after the SIGKILL (${resumes} resume attempts); ` +
      `${writtenAfterKill.length} changes written after the kill (${writtenAfterKill.filter((a) => a.acceptedAt <= allBackAt).length} before the last subscriber was back), ${writer.failures.length} write requests retried; ` +
      `${deliveries.delivered}/${deliveries.expected} deliveries, ${deliveries.duplicates} duplicates, ${deliveries.gaps} gaps, ${deliveries.outOfOrder} out of order`,
  );
}, 360_000);
