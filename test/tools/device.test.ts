/** `npm run device`: a write made offline is queued, then applied once when the device is back online. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../tools/services';
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { startStack, type TestStack } from '../support/stack';

const ROOT = join(__dirname, '../..');
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack('device');
});
afterAll(() => stack?.stop());

// Asynchronous on purpose: the gateway runs in this process and must keep answering meanwhile.
function device(...args: string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'tools/device.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout: `${stdout}${stderr}` });
    });
  });
}

it('queues an edit made offline and replays it exactly once on reconnect', async () => {
  const token = stack.token('admin', 'field-agent');
  const id = await insertCustomer(stack.db, { name: 'Offline Edit' });
  const state = join(mkdtempSync(join(tmpdir(), 'cg-device-')), 'state.json');
  const online = ['--token', token, '--url', stack.gatewayUrl, '--state', state, '--device', 'laptop-7'];

  // First sync fills the cache (so the edit knows the version it is based on).
  dataOf(await stack.query(token, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {stage: QUALIFIED}) { version } }`, { id }));
  const sync = await device(...online, '--ids', id, '--once');
  expect(sync.status).toBe(0);
  expect(sync.stdout).toMatch(/online/);

  const offline = ['--token', token, '--url', `http://127.0.0.1:${await freePort()}/graphql`, '--state', state, '--device', 'laptop-7'];
  const queued = await device('edit', ...offline, '--id', id, '--set', 'company=Written Offline');
  expect(queued.status).toBe(0);
  expect(queued.stdout).toMatch(/queued: 1 write/);
  expect(JSON.parse(readFileSync(state, 'utf8')).queue).toHaveLength(1);

  const back = await device(...online, '--ids', id, '--once');
  expect(back.status).toBe(0);
  expect(back.stdout).toMatch(/sent queued write laptop-7:.*is now version 3/);
  const again = await device(...online, '--ids', id, '--once');
  expect(again.stdout).not.toMatch(/sent queued write/);

  const stored = dataOf(await stack.query(token, `query($id: ID!) { customer(id: $id) { version company history { version deviceId } } }`, { id })).customer;
  expect(stored).toEqual({ version: 3, company: 'Written Offline', history: [{ version: 3, deviceId: 'laptop-7' }, { version: 2, deviceId: null }] });
  expect(JSON.parse(readFileSync(state, 'utf8')).queue).toEqual([]);
});

it('shows a VERSION_CONFLICT with both values', async () => {
  const token = stack.token('admin', 'field-agent-2');
  const id = await insertCustomer(stack.db, { name: 'Conflicted Offline', company: 'Before' });
  const state = join(mkdtempSync(join(tmpdir(), 'cg-device-')), 'state.json');
  const args = ['--token', token, '--url', stack.gatewayUrl, '--state', state, '--device', 'tablet-3'];
  dataOf(await stack.query(token, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {company: "Theirs"}) { version } }`, { id }));
  const result = await device('edit', ...args, '--id', id, '--expected-version', '1', '--set', 'company=Mine');
  expect(result.stdout).toMatch(/conflict on .* company: mine \{"company":"Mine"\}, theirs \{"company":"Theirs"\} \(now version 2\)/);
});
