/** Operating the live layer: a new supergraph file is picked up without dropping subscriptions; browser origins are checked. */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { waitUntil } from '../support/waitUntil';
import { startStack, type TestStack } from '../support/stack';
import { collect, connect } from '../support/wsClient';

let stack: TestStack;
const supergraph = join(mkdtempSync(join(tmpdir(), 'cg-supergraph-')), 'supergraph.graphql');

beforeAll(async () => {
  copyFileSync(join(__dirname, '../../schema/supergraph.graphql'), supergraph);
  stack = await startStack('liveops', { supergraphPath: supergraph, gateway: { allowedOrigins: ['https://console.acme.test'] } });
});
afterAll(() => stack?.stop());


it('picks up a new supergraph file while a subscription stays open and keeps delivering', async () => {
  const admin = stack.token('admin', 'ops');
  const id = await insertCustomer(stack.db, { name: 'Hot Reload' });
  const after = dataOf(await stack.query(admin, `{ latestChangeCursor }`)).latestChangeCursor;
  const client = connect(stack.gatewayUrl, { authorization: `Bearer ${admin}` });
  const sub = collect(client, `subscription($after: String, $ids: [ID!]) { customerChanged(after: $after, ids: $ids) { version customer { company } } }`, { after, ids: [id] });
  dataOf(await stack.query(admin, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {company: "Before"}) { version } }`, { id }));
  await sub.waitFor(1);

  const loads = stack.gateway.schemaLoads();
  // A recomposed supergraph (here: the same graph with a new description) replaces the file.
  writeFileSync(supergraph, readFileSync(supergraph, 'utf8').replace('type Customer\n', '"A customer, as every team sees it."\ntype Customer\n'));
  await waitUntil(() => stack.gateway.schemaLoads() > loads, 10_000);

  dataOf(await stack.query(admin, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 2, input: {company: "After"}) { version } }`, { id }));
  const results = await sub.waitFor(2);
  expect(results.map((r) => r.data)).toEqual([
    { customerChanged: { version: 2, customer: { company: 'Before' } } },
    { customerChanged: { version: 3, customer: { company: 'After' } } },
  ]);
  expect(sub.error).toBeUndefined();
  sub.stop();
  await client.dispose();
});

it('refuses a WebSocket from a browser origin that is not allowed, and accepts an allowed one and the gateway\'s own (its console)', async () => {
  const open = (origin: string) =>
    new Promise<string>((resolve) => {
      const socket = new WebSocket(stack.gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', { origin });
      socket.on('open', () => {
        socket.close();
        resolve('open');
      });
      socket.on('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
      socket.on('error', () => undefined);
    });
  expect(await open('https://evil.example')).toBe('refused 401');
  expect(await open('https://console.acme.test')).toBe('open');
  const own = new URL(stack.gatewayUrl).host;
  expect(await open(`http://${own}`)).toBe('open');
  expect(await open(`http://${own}.evil.example`)).toBe('refused 401');
});
