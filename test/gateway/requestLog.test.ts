/** One request id follows a request from the gateway into every subgraph it reaches, in the JSON logs. */
import { Writable } from 'node:stream';
import { insertCustomer } from '../support/fixtures';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
const lines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const logs = new Writable({
    write(chunk, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  stack = await startStack('requestlog', { logs });
});
afterAll(() => stack?.stop());

it('logs the same request id in the gateway and in each subgraph, with operation, duration and error codes', async () => {
  const id = await insertCustomer(stack.db, { name: 'Logged', tier: 'gold' });
  const headers = { authorization: `Bearer ${stack.token('admin')}`, 'x-request-id': 'req-trace-42' };
  await stack.request(headers, `query Traced($id: ID!) { customer(id: $id) { name service { tier } } }`, { id });
  const traced = lines.filter((l) => l.requestId === 'req-trace-42' && l.msg === 'graphql request');
  expect(traced.map((l) => l.service).sort()).toEqual(['gateway', 'sales', 'service']);
  const gateway = traced.find((l) => l.service === 'gateway')!;
  expect(gateway).toMatchObject({ operation: 'Traced', type: 'query', level: 30 });
  expect(gateway.durationMs).toEqual(expect.any(Number));

  await stack.request({ ...headers, 'x-request-id': 'req-bad-1' }, `{ customer(id: "nope") { id } }`);
  expect(lines.find((l) => l.requestId === 'req-bad-1' && l.service === 'gateway')).toMatchObject({ errors: ['BAD_USER_INPUT'] });
});
