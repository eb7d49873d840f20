/** `npm run rotate-key`: every sensitive value ends up under the new key, across runs that stop half-way. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { decryptValue, isEncrypted, keyIdOf, parseKeyring } from '../../lib/fieldCrypto';
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { TEST_KEY_ENV } from '../support/keys';
import { startStack, type TestStack } from '../support/stack';

const ROOT = join(__dirname, '../..');
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack('rotation');
});
afterAll(() => stack?.stop());

function collectCiphertexts(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string' && isEncrypted(value)) found.push(value);
  else if (Array.isArray(value)) value.forEach((v) => collectCiphertexts(v, found));
  else if (value && typeof value === 'object' && value.constructor?.name === 'Object') Object.values(value).forEach((v) => collectCiphertexts(v, found));
  return found;
}

it('re-encrypts records, history, conflicts and stored results with the new key, resuming after a partial run', async () => {
  const admin = stack.token('admin');
  for (let i = 0; i < 5; i++) await insertCustomer(stack.db, { name: `Rotated ${i}`, phone: `+861391234100${i}`, idNumber: `11010119900307100${i}` });
  const id = dataOf(await stack.query(admin, `mutation { createCustomer(input: {name: "Rotation", phone: "13912342000"}, clientMutationId: "rot-1") { id } }`)).createCustomer.id;
  dataOf(await stack.query(admin, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {phone: "13912342001"}) { version } }`, { id }));
  await stack.query(admin, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {phone: "13912342002"}, clientMutationId: "rot-2") { version } }`, { id });

  const newKey = randomBytes(32).toString('base64');
  const env = { ...process.env, NODE_ENV: 'test', MONGODB_URI: stack.mongodbUri, BLIND_INDEX_KEY: TEST_KEY_ENV.BLIND_INDEX_KEY, FIELD_ENCRYPTION_KEY: `t2:${newKey},${TEST_KEY_ENV.FIELD_ENCRYPTION_KEY}` };
  const rotate = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'tools/rotateKey.ts', ...args], { cwd: ROOT, encoding: 'utf8', env });

  const partial = rotate('--max-records', '3');
  expect(partial.status).toBe(0);
  expect(partial.stdout).toMatch(/Re-encrypted 3 documents with key t2 .*; [1-9]\d* documents still hold older keys/);
  const rest = rotate();
  expect(rest.status).toBe(0);
  expect(rest.stdout).toMatch(/; 0 documents still hold older keys/);

  const ring = parseKeyring(`t2:${newKey}`, TEST_KEY_ENV.BLIND_INDEX_KEY);
  const ciphertexts: Array<{ collection: string; value: string }> = [];
  for (const collection of ['customers', 'conflicts', 'mutation_results']) {
    for (const doc of await stack.db.collection(collection).find({}).toArray()) {
      for (const value of collectCiphertexts(doc)) ciphertexts.push({ collection, value });
    }
  }
  expect(new Set(ciphertexts.map((c) => c.collection))).toEqual(new Set(['customers', 'conflicts', 'mutation_results']));
  expect(ciphertexts.filter((c) => keyIdOf(c.value) !== 't2')).toEqual([]);
  const record = await stack.db.collection('customers').findOne({ name: 'Rotation' });
  expect(decryptValue(ring, 'phone', record!.phone)).toBe('+8613912342001');
  expect(record!.revisions.map((r: { changes: Array<{ field: string; old: string | null; new: string }> }) => r.changes.filter((c) => c.field === 'phone').map((c) => [c.old && decryptValue(ring, 'phone', c.old), decryptValue(ring, 'phone', c.new)]))).toEqual([
    [[null, '+8613912342000']],
    [['+8613912342000', '+8613912342001']],
  ]);
  // A further run finds nothing to do.
  expect(rotate().stdout).toMatch(/Re-encrypted 0 documents .*; 0 documents still hold older keys/);
});
