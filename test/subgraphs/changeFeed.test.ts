/** The durable change feed: pulled with Query.changes and announced on Redis, in cursor order. */
import { Redis } from 'ioredis';
import { parseFeedMessage, tenantChannel, type ChangeMessage } from '../../lib/changeFeed';
import { insertCustomer } from '../support/fixtures';
import { dataOf, errorCodes } from '../support/graphql';
import { testRedisUrl } from '../support/env';
import { waitUntil } from '../support/waitUntil';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
const tenant = `feed${process.pid}`;
let token: string;

beforeAll(async () => {
  stack = await startStack('feed');
  token = stack.token('admin', 'admin-f', tenant);
});
afterAll(() => stack?.stop());

const CHANGES = `query($after: String, $first: Int) {
  changes(after: $after, first: $first) {
    cursor hasMore
    changes { cursor customerId source version changedFields actor deviceId at customer { name service { tier } marketing { tags } } }
  }
}`;

it('records every write of every subgraph once, in order, with the customer resolved through the graph', async () => {
  const id = await insertCustomer(stack.db, { tenant, name: 'Feed One', tier: 'silver', tags: ['a'] });
  const device = { authorization: `Bearer ${token}`, 'x-device-id': 'tablet-7' };
  const send = (query: string, variables: Record<string, unknown>) =>
    fetch(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...device }, body: JSON.stringify({ query, variables }) }).then((r) => r.json());
  await send(`mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {company: "FeedCo"}) { version } }`, { id });
  await send(`mutation($id: ID!) { updateServiceProfile(customerId: $id, expectedVersion: 1, input: {tier: "gold"}) { version } }`, { id });
  await send(`mutation($id: ID!) { updateMarketingProfile(customerId: $id, expectedVersion: 1, input: {tags: ["a", "b"]}) { version } }`, { id });
  await stack.relay.drain();

  const all = dataOf(await stack.query(token, CHANGES, { first: 10 })).changes;
  expect(all.hasMore).toBe(false);
  expect(all.changes.map((c: any) => [c.source, c.version, c.changedFields, c.actor, c.deviceId])).toEqual([
    ['sales', 2, ['company'], 'admin-f', 'tablet-7'],
    ['service', 2, ['tier'], 'admin-f', 'tablet-7'],
    ['marketing', 2, ['tags'], 'admin-f', 'tablet-7'],
  ]);
  expect(all.changes[2].customer).toEqual({ name: 'Feed One', service: { tier: 'gold' }, marketing: { tags: ['a', 'b'] } });
  expect(all.cursor).toBe(all.changes[2].cursor);

  const firstTwo = dataOf(await stack.query(token, CHANGES, { first: 2 })).changes;
  expect(firstTwo.hasMore).toBe(true);
  const rest = dataOf(await stack.query(token, CHANGES, { after: firstTwo.cursor })).changes;
  expect(rest.changes.map((c: any) => c.source)).toEqual(['marketing']);
  const nothingNew = dataOf(await stack.query(token, CHANGES, { after: rest.cursor })).changes;
  expect(nothingNew).toMatchObject({ changes: [], cursor: rest.cursor, hasMore: false });

  const otherTenant = dataOf(await stack.query(stack.token('admin', 'x', `other${process.pid}`), CHANGES, {})).changes;
  expect(otherTenant.changes).toEqual([]);
});

it('announces each change on the tenant channel of Redis once', async () => {
  const subscriber = new Redis(testRedisUrl());
  const received: ChangeMessage[] = [];
  subscriber.on('message', (_channel: string, raw: string) => received.push(parseFeedMessage(raw) as ChangeMessage));
  await subscriber.subscribe(tenantChannel(tenant));
  try {
    const id = await insertCustomer(stack.db, { tenant, name: 'Feed Two' });
    for (let v = 1; v <= 3; v++) dataOf(await stack.query(token, `mutation($id: ID!, $v: Int!) { updateCustomer(id: $id, expectedVersion: $v, input: {dealValue: ${v * 100}}) { version } }`, { id, v }));
    await stack.relay.drain();
    const feed = dataOf(await stack.query(token, CHANGES, { first: 100 })).changes.changes.filter((c: any) => c.customerId === id);
    await waitUntil(() => received.filter((m) => m.change.customerId === id).length >= 3);
    const mine = received.filter((m) => m.change.customerId === id);
    expect(mine.map((m) => [m.change.version, m.change.cursor])).toEqual(feed.map((c: any) => [c.version, c.cursor]));
  } finally {
    subscriber.disconnect();
  }
});

it('answers CURSOR_EXPIRED for a cursor older than retention, and BAD_USER_INPUT for a forged one', async () => {
  const first = dataOf(await stack.query(token, CHANGES, { first: 1 })).changes.cursor;
  const latest = dataOf(await stack.query(token, CHANGES, { first: 1000 })).changes.cursor;
  const id = await insertCustomer(stack.db, { tenant, name: 'Feed Three' });
  // Age every change so far past the retention window, then let the relay sweep.
  await stack.db.collection('changes').updateMany({ tenant }, { $set: { at: new Date(Date.now() - 40 * 86_400_000) } });
  await stack.db.collection('mutation_results').insertMany([
    { _id: 'old-result' as never, at: new Date(Date.now() - 40 * 86_400_000), result: {} },
    { _id: 'new-result' as never, at: new Date(), result: {} },
  ]);
  dataOf(await stack.query(token, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {company: "Fresh"}) { version } }`, { id }));
  await stack.relay.drain();
  await stack.relay.sweepRetention();

  expect((await stack.db.collection('mutation_results').find({ _id: { $in: ['old-result', 'new-result'] } as never }).toArray()).map((r) => r._id)).toEqual(['new-result']);
  const expired = await stack.query(token, CHANGES, { after: first });
  expect(errorCodes(expired)).toEqual(['CURSOR_EXPIRED']);
  const fresh = dataOf(await stack.query(token, CHANGES, { after: latest })).changes;
  expect(fresh.changes.map((c: any) => [c.customerId, c.changedFields])).toEqual([[id, ['company']]]);
  const forged = await stack.query(token, CHANGES, { after: 'bm9wZQ' });
  expect(forged.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
});

