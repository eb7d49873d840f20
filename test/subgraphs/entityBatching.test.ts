/**
 * `__resolveReference` goes through a per-request DataLoader: a whole entity batch costs one
 * database query per subgraph, however many customers it holds. Counted with driver command monitoring.
 */
import type { CommandStartedEvent } from 'mongodb';
import { insertCustomer } from '../support/fixtures';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
let admin: string;

beforeAll(async () => {
  stack = await startStack('batching');
  for (let i = 0; i < 30; i++) {
    await insertCustomer(stack.db, { name: `Batch ${i}`, tags: ['t'], tickets: [{ subject: `s${i}`, status: 'OPEN', priority: 'LOW' }] });
  }
  admin = stack.token('admin');
});
afterAll(() => stack?.stop());

/** Counts `find` commands per collection that each subgraph sends while `run` executes. */
async function countFinds(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const listeners = Object.entries(stack.subgraphs).map(([name, subgraph]) => {
    const listener = (event: CommandStartedEvent) => {
      // Feed followers poll `changes` in the background on their own timer; they are not part of the request.
      if (event.commandName !== 'find' || event.command.find === 'changes') return;
      const key = `${name}.${String(event.command.find)}`;
      counts[key] = (counts[key] ?? 0) + 1;
    };
    subgraph.connection.getClient().on('commandStarted', listener);
    return () => subgraph.connection.getClient().off('commandStarted', listener);
  });
  try {
    await run();
  } finally {
    listeners.forEach((remove) => remove());
  }
  return counts;
}

const pageQuery = (first: number) => `{
  customers(first: ${first}) { edges { node { id name service { tier openTickets } marketing { tags leadScore } } } }
}`;

describe('entity batching', () => {
  it.each([5, 30])('resolves %i customers with one query per subgraph', async (first) => {
    const counts = await countFinds(async () => {
      const result = await stack.query(admin, pageQuery(first));
      expect(result.errors).toBeUndefined();
      expect(result.data.customers.edges).toHaveLength(first);
    });
    expect(counts).toEqual({ 'sales.customers': 1, 'service.service_profiles': 1, 'marketing.marketing_profiles': 1 });
  });

  it('brings the tickets of a whole batch with the profiles, in the same query', async () => {
    const counts = await countFinds(async () => {
      const result = await stack.query(admin, `{ customers(first: 30) { edges { node { service { tickets { subject } } } } } }`);
      expect(result.errors).toBeUndefined();
      expect(result.data.customers.edges.every((e: any) => e.node.service.tickets.length === 1)).toBe(true);
    });
    expect(counts).toEqual({ 'sales.customers': 1, 'service.service_profiles': 1 });
  });

  it('does not share loader caches between requests', async () => {
    const id = (await stack.query(admin, `{ customers(first: 1) { edges { node { id } } } }`)).data.customers.edges[0].node.id;
    const counts = await countFinds(async () => {
      await stack.query(admin, `query($id: ID!) { customer(id: $id) { marketing { tags } } }`, { id });
      await stack.query(admin, `query($id: ID!) { customer(id: $id) { marketing { tags } } }`, { id });
    });
    expect(counts).toEqual({ 'sales.customers': 2, 'marketing.marketing_profiles': 2 });
  });
});
