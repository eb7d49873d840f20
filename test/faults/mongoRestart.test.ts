/**
 * The MongoDB-compatible server is stopped and started again under a steady write load. It runs
 * the H2 backend on a data directory of this test (the memory backend would forget everything on a
 * restart), and is stopped gracefully: H2 may lose a write acknowledged less than a second before a
 * kill -9 (DESIGN.md, "Local services"), which real MongoDB with w: majority does not.
 * While it is down, writes fail with a retryable error; retried with their clientMutationId they are
 * applied exactly once. No write is half-applied (record, history and feed agree), and subscribers
 * catch up with exactly the feed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startMongoServer, type StartedService } from '../../tools/services';
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { expectFeedAndSubscribersExact } from '../support/feedCheck';
import { startLiveSubscriber, type LiveSubscriber } from '../support/liveSubscriber';
import { latencyOf, startSteadyWriter } from '../support/steadyWriter';
import { startStack, type TestStack } from '../support/stack';
import { waitUntil } from '../support/waitUntil';

const CUSTOMERS = 8;
const SUB = `subscription($ids: [ID!], $after: String) { customerChanged(ids: $ids, after: $after) { cursor customerId source version customer { name dealValue } } }`;

let stack: TestStack;
let mongo: StartedService;
let mongoPort: number;
let dataDir: string;
let subscribers: LiveSubscriber[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cg-mongo-restart-'));
  mongoPort = await freePort();
  mongo = await startMongoServer(mongoPort, 'h2', dataDir);
  stack = await startStack('mongorestart', { mongodbUri: `mongodb://127.0.0.1:${mongoPort}/mongorestart` });
}, 120_000);
afterAll(async () => {
  await Promise.all(subscribers.map((s) => s.stop()));
  await stack?.stop();
  await mongo?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('refuses writes with a retryable error while MongoDB restarts, applies each once when retried, and catches subscribers up', async () => {
  const tenant = `mongo${process.pid}`;
  const admin = stack.token('admin', 'admin-mr', tenant);
  const ids: string[] = [];
  for (let i = 0; i < CUSTOMERS; i++) ids.push(await insertCustomer(stack.db, { tenant, name: `Mongo ${i}` }));
  const start = dataOf(await stack.query(admin, `{ latestChangeCursor }`)).latestChangeCursor as string;
  const filters = [undefined, ids.slice(0, 2), undefined];
  subscribers = filters.map((filter, i) =>
    startLiveSubscriber({ urls: [stack.gatewayUrl], connectionParams: { authorization: `Bearer ${stack.token(i === 2 ? 'manager' : 'admin', `sub-${i}`, tenant)}` }, query: SUB, ids: filter, after: start }),
  );
  const writer = startSteadyWriter({ send: (q, v) => stack.query(admin, q, v), customerIds: ids, lanes: 4, writesPerSecondPerLane: 10, prefix: `mongo-${process.pid}`, giveUpAfterMs: 120_000 });
  const down = { from: 0, to: 0 };
  try {
    // Generous bound: on a loaded machine a subscription can take a while to start; it returns as soon as all have.
    await waitUntil(() => subscribers.every((s) => s.received.length > 0), 120_000);
    await mongo.stop();
    down.from = Date.now();
    // Down long enough for every lane to see its writes refused.
    await waitUntil(() => new Set(writer.failures.map((f) => f.clientMutationId)).size >= 4, 60_000);
    mongo = await startMongoServer(mongoPort, 'h2', dataDir);
    down.to = Date.now();
    const atStart = writer.count();
    await waitUntil(() => writer.count() >= atStart + 40, 90_000);
  } finally {
    await writer.stop();
  }
  await stack.settle();

  const check = await expectFeedAndSubscribersExact({ send: (q, v) => stack.query(admin, q, v), start, writer, subscribers, filters, waitMs: 60_000 });
  expect(writer.failures.length).toBeGreaterThan(0);
  const codes = [...new Set(writer.failures.map((f) => `${f.code}${f.retryable ? ' (retryable)' : ''}`))];
  const attempted = new Set([...writer.accepted, ...writer.failures].map((w) => w.clientMutationId)).size;
  console.log(
    `fault: mongo restart (H2, graceful stop, down ${down.to - down.from} ms): ${attempted} writes attempted, ${writer.accepted.length} succeeded, ` +
      `${writer.failures.length} requests refused with a retryable error (${codes.join(', ')}) and retried with their clientMutationId (${writer.accepted.filter((a) => a.attempts > 1).length} writes needed a retry), ` +
      `${check.halfApplied} half-applied; ${check.caughtUp}/${subscribers.length} subscribers caught up (${check.deliveries.delivered} deliveries, ${check.deliveries.duplicates} duplicates, ${check.deliveries.gaps} gaps, resumes ${JSON.stringify(subscribers.map((s) => s.resumes()))}); ` +
      `write latency ms ${JSON.stringify({ before: latencyOf(writer.accepted, 0, down.from), after: latencyOf(writer.accepted, down.to) })}`,
  );
}, 300_000);
