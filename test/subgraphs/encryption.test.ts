/** Phones and ID numbers never reach the database in the clear: records, history, conflicts, stored results, the feed. */
import { insertCustomer } from '../support/fixtures';
import { dataOf, errorCodes } from '../support/graphql';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack('encryption');
});
afterAll(() => stack?.stop());

const PHONES = ['+8613912340001', '+8613912340002', '+8613912340003'];
const ID_NUMBERS = ['11010119900307001X', '310104198512120023'];

it('stores no plaintext phone or ID number anywhere, and serves them in the clear to those allowed', async () => {
  const admin = stack.token('admin');
  const created = dataOf(
    await stack.query(admin, `mutation { createCustomer(input: {name: "Secret Holder", phone: "139-1234-0001", idNumber: "11010119900307001x"}, clientMutationId: "enc-1") { id version phone idNumber } }`),
  ).createCustomer;
  expect(created).toMatchObject({ phone: PHONES[0], idNumber: ID_NUMBERS[0] });
  const id = created.id;
  // A second write of the phone keeps the old one in history; a stale write conflicts on it.
  dataOf(await stack.query(admin, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {phone: "13912340002", idNumber: "310104198512120023"}, clientMutationId: "enc-2") { version } }`, { id }));
  const conflict = await stack.query(admin, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {phone: "13912340003"}, clientMutationId: "enc-3") { version } }`, { id });
  expect(errorCodes(conflict)).toEqual(['VERSION_CONFLICT']);
  expect(conflict.errors![0].extensions!.current).toEqual({ phone: PHONES[1] });
  const replayed = await stack.query(admin, `mutation($id: ID!) { updateCustomer(id: $id, expectedVersion: 1, input: {phone: "13912340003"}, clientMutationId: "enc-3") { version } }`, { id });
  expect(replayed.errors).toEqual(conflict.errors);
  // Merge a duplicate that carries the phone into a survivor without one.
  const survivor = await insertCustomer(stack.db, { name: 'Survivor Without Phone' });
  const duplicate = await insertCustomer(stack.db, { name: 'Duplicate With Phone', phone: PHONES[2] });
  dataOf(await stack.query(admin, `mutation($s: ID!, $d: ID!) { mergeCustomers(survivorId: $s, duplicateId: $d) { phone } }`, { s: survivor, d: duplicate }));
  await stack.settle();

  // Found by phone, and revertible, though stored encrypted.
  const found = dataOf(await stack.query(admin, `{ customers(filter: {phone: "+86 139 1234 0002"}) { edges { node { id phone } } } }`)).customers.edges;
  expect(found).toEqual([{ node: { id, phone: PHONES[1] } }]);
  const reverted = dataOf(await stack.query(admin, `mutation($id: ID!) { revertCustomer(id: $id, toVersion: 1, expectedVersion: 2) { phone idNumber } }`, { id })).revertCustomer;
  expect(reverted).toEqual({ phone: PHONES[0], idNumber: ID_NUMBERS[0] });
  const conflicts = dataOf(await stack.query(admin, `query($id: ID!) { customer(id: $id) { conflicts { values { field mine theirs } } } }`, { id })).customer.conflicts;
  expect(conflicts[0].values).toEqual([{ field: 'phone', mine: JSON.stringify(PHONES[2]), theirs: JSON.stringify(PHONES[1]) }]);

  const leaks: string[] = [];
  const secrets = [...PHONES, ...PHONES.map((p) => p.slice(3)), ...ID_NUMBERS];
  const collections = await stack.db.db!.listCollections().toArray();
  let documents = 0;
  for (const { name } of collections) {
    for (const doc of await stack.db.collection(name).find({}).toArray()) {
      documents += 1;
      const text = JSON.stringify(doc);
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${name}: ${secret}`);
    }
  }
  expect(documents).toBeGreaterThan(10);
  expect(collections.map((c) => c.name)).toEqual(expect.arrayContaining(['customers', 'changes', 'conflicts', 'mutation_results']));
  expect(leaks).toEqual([]);
});
