/** Every write and every read of a phone or ID number is audited; `npm run audit:verify` catches tampering. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { startStack, type TestStack } from '../support/stack';

const ROOT = join(__dirname, '../..');
let stack: TestStack;
const tenant = 'audited';

beforeAll(async () => {
  stack = await startStack('audit');
});
afterAll(() => stack?.stop());

const verify = () =>
  spawnSync(process.execPath, ['--import', 'tsx', 'tools/auditVerify.ts'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'test', MONGODB_URI: stack.mongodbUri } });

it('audits writes and sensitive reads with actor, role, device, record, fields and versions', async () => {
  const id = await insertCustomer(stack.db, { tenant, name: 'Audited', phone: '+8613800138000', ownerId: 'sales-a' });
  const headers = { authorization: `Bearer ${stack.token('sales', 'sales-a', tenant)}`, 'x-device-id': 'phone-a' };
  dataOf(await stack.request(headers, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {company: "Audit Co"}) { version } }`, { id }));
  dataOf(await stack.request(headers, `query($id: ID!) { customer(id: $id) { name phone } }`, { id }));
  dataOf(await stack.request(headers, `query($id: ID!) { customer(id: $id) { name company } }`, { id }));
  await stack.settle();

  // Writes are audited when the relay moves them into the feed, reads when they are answered: sort by action.
  const entries = (await stack.db.collection('audit_log').find({ tenant }).toArray()).sort((a, b) => b.action.localeCompare(a.action));
  expect(entries.map(({ action, actor, roles, deviceId, source, recordIds, fields, fromVersion, toVersion }) => ({ action, actor, roles, deviceId, source, recordIds, fields, fromVersion, toVersion }))).toEqual([
    { action: 'write', actor: 'sales-a', roles: ['sales'], deviceId: 'phone-a', source: 'sales', recordIds: [id], fields: ['company'], fromVersion: 1, toVersion: 2 },
    { action: 'read', actor: 'sales-a', roles: ['sales'], deviceId: 'phone-a', source: 'sales', recordIds: [id], fields: ['phone'], fromVersion: undefined, toVersion: undefined },
  ]);
  const ok = verify();
  expect(ok.status).toBe(0);
  expect(ok.stdout).toMatch(/Audit log verified: \d+ entries/);
});

it('fails verification when an entry is edited, and when one is deleted', async () => {
  const entries = stack.db.collection('audit_log');
  const first = (await entries.findOne({ tenant, seq: 1 }))!;
  await entries.updateOne({ _id: first._id }, { $set: { actor: 'someone-else' } });
  const edited = verify();
  expect(edited.status).toBe(1);
  expect(edited.stderr).toMatch(new RegExp(`${tenant}: entry 1 was changed after it was written`));
  await entries.updateOne({ _id: first._id }, { $set: { actor: first.actor } });
  expect(verify().status).toBe(0);

  const last = (await entries.find({ tenant }).sort({ seq: -1 }).limit(1).next())!;
  await entries.deleteOne({ _id: last._id });
  const cut = verify();
  expect(cut.status).toBe(1);
  expect(cut.stderr).toMatch(new RegExp(`${tenant}: entries up to ${last.seq} were recorded, the log ends at ${last.seq - 1}`));
  await entries.insertOne(last);

  await entries.deleteOne({ _id: first._id });
  const gap = verify();
  expect(gap.status).toBe(1);
  expect(gap.stderr).toMatch(new RegExp(`${tenant}: entry 1 missing`));
  await entries.insertOne(first);
  expect(verify().status).toBe(0);
});
