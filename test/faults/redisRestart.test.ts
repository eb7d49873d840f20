/**
 * Redis is stopped and started again under a steady write load, with subscribers on two gateway
 * replicas. Writes go on (MongoDB holds the truth; Redis is the live signal): each is accepted or
 * refused with a retryable error and retried, none is half-applied, and every subscriber catches up
 * with exactly the feed, without reconnecting.
 */
import { freePort, startRedisServer, type StartedService } from '../../tools/services';
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { expectFeedAndSubscribersExact } from '../support/feedCheck';
import { startLiveSubscriber, type LiveSubscriber } from '../support/liveSubscriber';
import { latencyOf, startSteadyWriter } from '../support/steadyWriter';
import { startStack, type TestStack } from '../support/stack';
import { waitUntil } from '../support/waitUntil';

const CUSTOMERS = 8;
const WRITES_WHILE_DOWN = 40;
const SUB = `subscription($ids: [ID!], $after: String) { customerChanged(ids: $ids, after: $after) { cursor customerId source version customer { name dealValue } } }`;

let stack: TestStack;
let redis: StartedService;
let redisPort: number;
let subscribers: LiveSubscriber[] = [];

beforeAll(async () => {
  // This file restarts Redis, so it has a Redis of its own.
  redisPort = await freePort();
  redis = await startRedisServer(redisPort);
  stack = await startStack('redisrestart', { redisUrl: redis.url });
});
afterAll(async () => {
  await Promise.all(subscribers.map((s) => s.stop()));
  await stack?.stop();
  await redis?.stop();
});

it('keeps writing through a Redis restart, applies each write once, and catches every subscriber up', async () => {
  const tenant = `redis${process.pid}`;
  const admin = stack.token('admin', 'admin-rr', tenant);
  const replica = await stack.startReplica();
  const ids: string[] = [];
  for (let i = 0; i < CUSTOMERS; i++) ids.push(await insertCustomer(stack.db, { tenant, name: `Redis ${i}` }));
  const start = dataOf(await stack.query(admin, `{ latestChangeCursor }`)).latestChangeCursor as string;
  const filters = [undefined, ids.slice(0, 2), undefined, ids.slice(4)];
  subscribers = filters.map((filter, i) =>
    startLiveSubscriber({ urls: [i % 2 === 0 ? stack.gatewayUrl : replica.url], connectionParams: { authorization: `Bearer ${stack.token(i < 2 ? 'admin' : 'manager', `sub-${i}`, tenant)}` }, query: SUB, ids: filter, after: start }),
  );
  const writer = startSteadyWriter({ send: (q, v) => stack.query(admin, q, v), customerIds: ids, lanes: 4, writesPerSecondPerLane: 10, prefix: `redis-${process.pid}` });
  const down = { from: 0, to: 0 };
  try {
    // Generous bound: on a loaded machine a subscription can take a while to start; it returns as soon as all have.
    await waitUntil(() => subscribers.every((s) => s.received.length > 0), 120_000);
    await redis.stop();
    down.from = Date.now();
    const atStop = writer.count();
    await waitUntil(() => writer.count() >= atStop + WRITES_WHILE_DOWN, 60_000);
    down.to = Date.now();
    redis = await startRedisServer(redisPort);
    const atStart = writer.count();
    await waitUntil(() => writer.count() >= atStart + 40, 60_000);
  } finally {
    await writer.stop();
  }
  await stack.settle();

  const check = await expectFeedAndSubscribersExact({ send: (q, v) => stack.query(admin, q, v), start, writer, subscribers, filters, waitMs: 30_000 });
  // Caught up by the gateways from the feed, without reconnecting.
  subscribers.forEach((s) => expect(s.resumes()).toBe(0));
  const latency = { before: latencyOf(writer.accepted, 0, down.from), whileDown: latencyOf(writer.accepted, down.from, down.to), after: latencyOf(writer.accepted, down.to) };
  const attempted = new Set([...writer.accepted, ...writer.failures].map((w) => w.clientMutationId)).size;
  console.log(
    `fault: redis restart (down ${down.to - down.from} ms): ${attempted} writes attempted, ${writer.accepted.length} succeeded (${latency.whileDown.count} while Redis was down), ` +
      `${writer.failures.length} requests refused with a retryable error and retried, ${check.halfApplied} half-applied; ` +
      `${check.caughtUp}/${subscribers.length} subscribers on 2 replicas caught up without reconnecting (${check.deliveries.delivered} deliveries, ${check.deliveries.duplicates} duplicates, ${check.deliveries.gaps} gaps); ` +
      `write latency ms ${JSON.stringify(latency)}`,
  );
}, 240_000);
