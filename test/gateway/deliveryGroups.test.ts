/** Delivery groups: one fetch per change for subscribers that see the same thing, each still getting its own stream. */
import { collect, connect, type Collected } from '../support/wsClient';
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { startStack, type TestStack } from '../support/stack';
import type { Client } from 'graphql-ws';

let stack: TestStack;
const tenant = 'groups';

beforeAll(async () => {
  stack = await startStack('delivery-groups');
});
afterAll(() => stack?.stop());

const gatewayMetric = async (operation: string) => {
  const text = await (await fetch(stack.gatewayUrl.replace('/graphql', '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith('cg_graphql_requests_total{') && l.includes(`operation="${operation}"`));
  return Number(line?.split(' ').at(-1) ?? 0);
};

it('fetches each change once per group of subscribers, and answers each under its own alias', async () => {
  const admin = stack.token('admin', 'admin-g', tenant);
  const id = await insertCustomer(stack.db, { tenant, name: 'Grouped' });
  const after = dataOf(await stack.query(admin, `{ latestChangeCursor }`)).latestChangeCursor;
  const clients: Client[] = [];
  const plain: Collected[] = [];
  for (let i = 0; i < 4; i++) {
    const client = connect(stack.gatewayUrl, { authorization: `Bearer ${stack.token('manager', `m-${i}`, tenant)}` });
    clients.push(client);
    plain.push(collect(client, `subscription($after: String) { customerChanged(after: $after) { version customer { company } } }`, { after }));
  }
  const aliased = collect(clients[0], `subscription($after: String) { change: customerChanged(after: $after) { version customer { company } } }`, { after });
  const write = async (version: number) =>
    dataOf(await stack.query(admin, `mutation($id: ID!, $v: Int!) { updateCustomer(id: $id, expectedVersion: $v, input: {company: "G${version}"}) { version } }`, { id, v: version }));
  // The first change starts every stream (replayed or live); the second one is live for all.
  await write(1);
  await Promise.all([...plain, aliased].map((s) => s.waitFor(1)));
  const fetchesBefore = await gatewayMetric('CgLiveChange');
  await write(2);
  for (const subscription of plain) {
    expect(await subscription.waitFor(2)).toEqual([
      { data: { customerChanged: { version: 2, customer: { company: 'G1' } } } },
      { data: { customerChanged: { version: 3, customer: { company: 'G2' } } } },
    ]);
  }
  expect(await aliased.waitFor(2)).toEqual([
    { data: { change: { version: 2, customer: { company: 'G1' } } } },
    { data: { change: { version: 3, customer: { company: 'G2' } } } },
  ]);
  // Four managers share one fetch; the alias makes a second group (its payload differs).
  expect((await gatewayMetric('CgLiveChange')) - fetchesBefore).toBe(2);
  for (const client of clients) await client.dispose();
});

it('gives every one of many subscribers resuming together each missed and each new change once, in order', async () => {
  const admin = stack.token('admin', 'admin-r', tenant);
  const id = await insertCustomer(stack.db, { tenant, name: 'Resumed together' });
  let version = 1;
  const write = async () => {
    version = dataOf(await stack.query(admin, `mutation($id: ID!, $v: Int!) { updateCustomer(id: $id, expectedVersion: $v, input: {dealValue: ${version}}) { version } }`, { id, v: version })).updateCustomer.version;
  };
  const after = dataOf(await stack.query(admin, `{ latestChangeCursor }`)).latestChangeCursor;
  for (let i = 0; i < 30; i++) await write();
  await stack.relay.drain();
  // Twenty devices come back at once from the same cursor (their replays are shared) while writes go on.
  const clients = Array.from({ length: 20 }, (_, i) => connect(stack.gatewayUrl, { authorization: `Bearer ${stack.token('admin', `device-${i}`, tenant)}` }));
  const streams = clients.map((client) => collect(client, `subscription($after: String, $ids: [ID!]) { customerChanged(after: $after, ids: $ids) { version } }`, { after, ids: [id] }));
  for (let i = 0; i < 20; i++) await write();
  const expected = Array.from({ length: 50 }, (_, i) => ({ data: { customerChanged: { version: i + 2 } } }));
  for (const stream of streams) expect(await stream.waitFor(50, 20_000)).toEqual(expected);
  await stack.relay.drain();
  for (const stream of streams) expect(stream.results).toHaveLength(50);
  for (const client of clients) await client.dispose();
});
