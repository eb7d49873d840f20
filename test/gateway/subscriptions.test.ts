/** Live changes over graphql-ws, resolved through the federated graph as each subscriber. */
import { connect, collect } from '../support/wsClient';
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { waitUntil } from '../support/waitUntil';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
const tenant = 'live';

beforeAll(async () => {
  stack = await startStack('subscriptions');
});
afterAll(() => stack?.stop());

const SUB = `subscription($ids: [ID!], $after: String) {
  customerChanged(ids: $ids, after: $after) {
    cursor customerId source version changedFields actor deviceId
    customer { name phone service { tier openTickets } marketing { tags } }
  }
}`;

it('pushes each change with fields from all three subgraphs, filtered by ids', async () => {
  const admin = stack.token('admin', 'admin-l', tenant);
  const a = await insertCustomer(stack.db, { tenant, name: 'Live A', phone: '+8613800138000', tier: 'gold', tags: ['vip'] });
  const b = await insertCustomer(stack.db, { tenant, name: 'Live B' });
  // Subscribing from the newest cursor makes the test independent of when the socket is ready.
  const after = dataOf(await stack.query(admin, `{ latestChangeCursor }`)).latestChangeCursor;
  const client = connect(stack.gatewayUrl, { authorization: `Bearer ${admin}`, deviceId: 'tablet-1' });
  const all = collect(client, SUB, { after });
  const onlyA = collect(client, SUB, { ids: [a], after });
  dataOf(await stack.request({ authorization: `Bearer ${admin}`, 'x-device-id': 'laptop-9' }, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {company: "Live Co"}) { version } }`, { id: b }));
  dataOf(await stack.query(admin, `mutation($id: ID!) { updateServiceProfile(customerId: $id, expectedVersion: 1, input: {tier: "platinum"}) { version } }`, { id: a }));
  const [first, second] = await all.waitFor(2);
  expect(first.data!.customerChanged).toMatchObject({ customerId: b, source: 'sales', version: 2, changedFields: ['company'], actor: 'admin-l', deviceId: 'laptop-9', customer: { name: 'Live B' } });
  expect(second.data!.customerChanged).toMatchObject({ customerId: a, source: 'service', changedFields: ['tier'], customer: { name: 'Live A', phone: '+8613800138000', service: { tier: 'platinum', openTickets: 0 }, marketing: { tags: ['vip'] } } });
  const [onlyFirst] = await onlyA.waitFor(1);
  expect(onlyFirst.data!.customerChanged).toMatchObject({ customerId: a, source: 'service' });
  expect(onlyA.results).toHaveLength(1);
  all.stop();
  onlyA.stop();
  await client.dispose();
});

it('resumes from a cursor: exactly the missed changes in order, then live ones, none twice, while writes continue', async () => {
  const admin = stack.token('admin', 'admin-r', tenant);
  const id = await insertCustomer(stack.db, { tenant, name: 'Resumed' });
  let version = 1;
  const write = async () => {
    version = dataOf(await stack.query(admin, `mutation($id: ID!, $v: Int!) { updateCustomer(id: $id, expectedVersion: $v, input: {dealValue: ${version * 10}}) { version } }`, { id, v: version })).updateCustomer.version;
  };
  const after = dataOf(await stack.query(admin, `{ latestChangeCursor }`)).latestChangeCursor;
  // The device is away while 100 changes happen.
  for (let i = 0; i < 100; i++) await write();
  await stack.relay.drain();
  const client = connect(stack.gatewayUrl, { authorization: `Bearer ${admin}` });
  const resumed = collect(client, `subscription($after: String, $ids: [ID!]) { customerChanged(after: $after, ids: $ids) { cursor version } }`, { after, ids: [id] });
  // More writes keep coming during the hand-over from replay to live.
  for (let i = 0; i < 20; i++) await write();
  const results = await resumed.waitFor(120, 20_000);
  const versions = results.map((r) => r.data!.customerChanged as { version: number }).map((c) => c.version);
  expect(versions).toEqual(Array.from({ length: 120 }, (_, i) => i + 2));
  const cursors = results.map((r) => Buffer.from((r.data!.customerChanged as { cursor: string }).cursor, 'base64url').toString());
  expect(new Set(cursors).size).toBe(120);
  await stack.relay.drain();
  expect(resumed.results).toHaveLength(120);
  resumed.stop();
  await client.dispose();
});

it('applies permissions per event and subscriber, and keeps tenants apart', async () => {
  const admin = stack.token('admin', 'admin-p', tenant);
  const own = await insertCustomer(stack.db, { tenant, name: 'Own', phone: '+8613800138001', ownerId: 'sales-p' });
  const other = await insertCustomer(stack.db, { tenant, name: 'Other', phone: '+8613800138002', ownerId: 'someone' });
  const after = dataOf(await stack.query(admin, `{ latestChangeCursor }`)).latestChangeCursor;
  const salesClient = connect(stack.gatewayUrl, { authorization: `Bearer ${stack.token('sales', 'sales-p', tenant)}` });
  const globexClient = connect(stack.gatewayUrl, { authorization: `Bearer ${stack.token('admin', 'g-admin', 'globex')}` });
  const sales = collect(salesClient, `subscription($after: String) { customerChanged(after: $after) { customerId customer { name phone } } }`, { after });
  const globexAdmin = stack.token('admin', 'g-admin', 'globex');
  const globexAfter = dataOf(await stack.query(globexAdmin, `{ latestChangeCursor }`)).latestChangeCursor;
  const globex = collect(globexClient, `subscription($after: String) { customerChanged(after: $after) { customerId } }`, { after: globexAfter });
  const forbidden = collect(salesClient, `subscription { customerChanged { customer { idNumber } } }`);
  for (const id of [own, other]) dataOf(await stack.query(admin, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {stage: WON}) { version } }`, { id }));
  const [first, second] = await sales.waitFor(2);
  expect(first).toEqual({ data: { customerChanged: { customerId: own, customer: { name: 'Own', phone: '+8613800138001' } } } });
  expect(second.data).toEqual({ customerChanged: { customerId: other, customer: { name: 'Other', phone: null } } });
  expect(second.errors?.map((e) => [e.extensions?.code, e.path])).toEqual([['FORBIDDEN', ['customerChanged', 'customer', 'phone']]]);
  await waitUntil(() => forbidden.error !== undefined);
  expect(JSON.stringify(forbidden.error)).toMatch(/FORBIDDEN.*Customer.idNumber|Customer.idNumber.*FORBIDDEN/);
  // A change of globex reaches the globex subscriber, and is the only thing it ever saw.
  const globexId = await insertCustomer(stack.db, { tenant: 'globex', name: 'Globex Own' });
  dataOf(await stack.query(globexAdmin, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {stage: WON}) { version } }`, { id: globexId }));
  await globex.waitFor(1);
  await stack.relay.drain();
  expect(globex.results).toEqual([{ data: { customerChanged: { customerId: globexId } } }]);
  sales.stop();
  globex.stop();
  await salesClient.dispose();
  await globexClient.dispose();
});

it('closes the socket with 4401 when the token expires mid-stream, and refuses a bad token with 4403', async () => {
  const closes: number[] = [];
  const shortLived = signShort(stack, 2);
  const client = connect(stack.gatewayUrl, { authorization: `Bearer ${shortLived}` }, (code) => closes.push(code));
  const sub = collect(client, `subscription { customerChanged { customerId } }`);
  await waitUntil(() => closes.length > 0, 10_000);
  expect(closes).toEqual([4401]);
  sub.stop();
  const rejected: number[] = [];
  const bad = connect(stack.gatewayUrl, { authorization: 'Bearer nope' }, (code) => rejected.push(code));
  collect(bad, `subscription { customerChanged { customerId } }`);
  await waitUntil(() => rejected.length > 0);
  expect(rejected).toEqual([4403]);
  await client.dispose();
  await bad.dispose();
});

function signShort(s: TestStack, seconds: number): string {
  // A token valid for a few seconds, as an identity provider would issue one.
  const { signToken } = require('../../lib/token') as typeof import('../../lib/token');
  const { TEST_JWT_SECRET } = require('../support/stack') as typeof import('../support/stack');
  void s;
  return signToken({ sub: 'short', tenant, roles: ['admin'] }, TEST_JWT_SECRET, seconds);
}

