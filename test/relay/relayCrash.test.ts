/**
 * The relay is killed (SIGKILL, by its test-only fault switch) between the database write and the
 * publish; after a restart each change is in the feed once and on Redis once.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parseFeedMessage, tenantChannel, type ChangeMessage } from '../../lib/changeFeed';
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { testRedisUrl } from '../support/env';
import { startStack, type TestStack } from '../support/stack';

const ROOT = join(__dirname, '../..');
let stack: TestStack;
const tenant = `crash${process.pid}`;

beforeAll(async () => {
  stack = await startStack('relaycrash', { relay: false });
});
afterAll(() => stack?.stop());

/** Runs the relay process until it dies by itself (fault) or `until` holds, then stops it. */
function runRelay(fault: string | undefined, until?: () => boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'relay/index.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', MONGODB_URI: stack.mongodbUri, REDIS_URL: testRedisUrl(), RELAY_FAULT: fault ?? '', RELAY_SCAN_INTERVAL_MS: '100', RELAY_LEASE_MS: '500', LOG_LEVEL: 'warn' },
    stdio: 'inherit',
  });
  let poll: NodeJS.Timeout | undefined;
  if (until) {
    poll = setInterval(() => {
      if (!until()) return;
      clearInterval(poll);
      child.kill('SIGTERM');
    }, 20);
  }
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(killer);
      resolve({ code, signal });
    }),
  );
}

it.each(['after-insert', 'before-publish'])('loses and doubles nothing when the relay dies %s', async (fault) => {
  const token = stack.token('admin', 'admin-c', tenant);
  const id = await insertCustomer(stack.db, { tenant, name: `Crash ${fault}` });
  dataOf(await stack.query(token, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {company: "Before crash"}) { version } }`, { id }));

  const subscriber = new Redis(testRedisUrl());
  const received: ChangeMessage[] = [];
  subscriber.on('message', (_c: string, raw: string) => {
    const message = parseFeedMessage(raw) as ChangeMessage;
    if (message.change.customerId === id) received.push(message);
  });
  await subscriber.subscribe(tenantChannel(tenant));
  try {
    const crashed = await runRelay(fault);
    expect(crashed.signal).toBe('SIGKILL');
    expect(received).toEqual([]);
    const stored = await stack.db.collection('changes').find({ customerId: id }).toArray();
    expect(stored.map((c) => ({ version: c.version, published: c.published }))).toEqual([{ version: 2, published: false }]);

    const restarted = await runRelay(undefined, () => received.length > 0);
    expect(restarted.code).toBe(0);
    // The relay has exited; a PING answered on the subscriber connection comes after anything it published.
    await subscriber.ping();
    const again = dataOf(await stack.query(token, `{ changes(first: 1000) { changes { customerId version } } }`)).changes.changes.filter((c: any) => c.customerId === id);
    expect(again).toEqual([{ customerId: id, version: 2 }]);
    expect(received.map((m) => m.change.version)).toEqual([2]);
    expect(await stack.db.collection('changes').countDocuments({ customerId: id, published: true })).toBe(1);
    const record = await stack.db.collection('customers').findOne({ tenant, name: `Crash ${fault}` });
    expect(record?.pendingChanges).toEqual([]);
  } finally {
    subscriber.disconnect();
  }
});
