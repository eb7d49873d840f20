/** Changes reach subscribers on every gateway replica through Redis, and nothing is lost while Redis restarts. */
import { startRedisServer, freePort, type StartedService } from '../../tools/services';
import { collect, connect } from '../support/wsClient';
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
let redis: StartedService;
let redisPort: number;
const tenant = 'fan';

beforeAll(async () => {
  // This file restarts Redis, so it has a Redis of its own.
  redisPort = await freePort();
  redis = await startRedisServer(redisPort);
  stack = await startStack('fanout', { redisUrl: redis.url });
});
afterAll(async () => {
  await stack?.stop();
  await redis?.stop();
});

const SUB = `subscription($after: String, $ids: [ID!]) { customerChanged(after: $after, ids: $ids) { customerId version customer { name company } } }`;

it('delivers a write made through one replica to subscribers of both', async () => {
  const admin = stack.token('admin', 'admin-f', tenant);
  const replica = await stack.startReplica();
  const id = await insertCustomer(stack.db, { tenant, name: 'Fanned' });
  const after = dataOf(await stack.query(admin, `{ latestChangeCursor }`)).latestChangeCursor;
  const onFirst = connect(stack.gatewayUrl, { authorization: `Bearer ${admin}` });
  const onSecond = connect(replica.url, { authorization: `Bearer ${admin}` });
  const a = collect(onFirst, SUB, { after, ids: [id] });
  const b = collect(onSecond, SUB, { after, ids: [id] });
  const viaReplica = await fetch(replica.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
    body: JSON.stringify({ query: `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {company: "Replica Co"}) { version } }`, variables: { id } }),
  });
  expect(viaReplica.status).toBe(200);
  const expected = { data: { customerChanged: { customerId: id, version: 2, customer: { name: 'Fanned', company: 'Replica Co' } } } };
  expect(await a.waitFor(1)).toEqual([expected]);
  expect(await b.waitFor(1)).toEqual([expected]);
  expect(replica.openSockets()).toBe(1);
  a.stop();
  b.stop();
  await onFirst.dispose();
  await onSecond.dispose();
});

it('catches subscribers up with every change written while Redis was down, without reconnecting', async () => {
  const admin = stack.token('admin', 'admin-r', tenant);
  const id = await insertCustomer(stack.db, { tenant, name: 'Outage' });
  const after = dataOf(await stack.query(admin, `{ latestChangeCursor }`)).latestChangeCursor;
  const closes: number[] = [];
  const client = connect(stack.gatewayUrl, { authorization: `Bearer ${admin}` }, (code) => closes.push(code));
  const sub = collect(client, `subscription($after: String, $ids: [ID!]) { customerChanged(after: $after, ids: $ids) { version } }`, { after, ids: [id] });
  dataOf(await stack.query(admin, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {dealValue: 1}) { version } }`, { id }));
  await sub.waitFor(1);

  await redis.stop();
  for (let v = 2; v <= 6; v++) {
    // Writes go on: MongoDB holds the truth, Redis only the live signal.
    dataOf(await stack.query(admin, `mutation($id: ID!, $v: Int!) { updateCustomer(id: $id, expectedVersion: $v, input: {dealValue: ${v}}) { version } }`, { id, v }));
  }
  redis = await startRedisServer(redisPort);
  const results = await sub.waitFor(6, 20_000);
  expect(results.map((r) => (r.data!.customerChanged as { version: number }).version)).toEqual([2, 3, 4, 5, 6, 7]);
  await stack.relay.drain();
  expect(sub.results).toHaveLength(6);
  expect(closes).toEqual([]);
  sub.stop();
  await client.dispose();
});
