/** A subgraph that is down costs its own fields, not the whole response. */
import { insertCustomer } from '../support/fixtures';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
let admin: string;
let id: string;

beforeAll(async () => {
  stack = await startStack('partial');
  id = await insertCustomer(stack.db, { name: 'Partial Pat', tier: 'silver', tags: ['vip'] });
  admin = stack.token('admin');
});
afterAll(() => stack?.stop());

const QUERY = `query($id: ID!) { customer(id: $id) { id name marketing { tags } service { tier } } }`;

it('serves the other subgraphs when one is stopped, with an error at its path, and recovers when it returns', async () => {
  await stack.subgraphs.service.stop();
  const partial = await stack.query(admin, QUERY, { id });
  expect(partial.status).toBe(200);
  expect(partial.data?.customer).toBeDefined();
  expect(partial.errors?.length).toBeGreaterThan(0);
  const serviceError = partial.errors!.find((e) => e.extensions?.serviceName === 'service');
  expect(serviceError).toBeDefined();
  expect(serviceError!.path).toEqual(['customer', 'service']);
  expect(serviceError!.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', retryable: true });
  expect(partial.data!.customer).toEqual({ id, name: 'Partial Pat', marketing: { tags: ['vip'] }, service: null });

  const list = await stack.query(admin, `{ customers(first: 5) { edges { node { name service { tier } } } } }`);
  expect(list.data?.customers.edges[0].node).toEqual({ name: 'Partial Pat', service: null });
  expect(list.errors?.map((e) => e.path)).toEqual([['customers', 'edges', 0, 'node', 'service']]);

  await stack.restartSubgraph('service');
  const full = await stack.query(admin, QUERY, { id });
  expect(full.errors).toBeUndefined();
  expect(full.data.customer.service).toEqual({ tier: 'silver' });
});
