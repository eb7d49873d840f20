/** Live changes over graphql-ws, resolved through the federated graph as each subscriber. */
import { connect, collect } from '../support/wsClient';
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
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
