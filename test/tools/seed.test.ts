/** `npm run seed` as a user runs it: a real process against the test database. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { connectMongo } from '../../lib/mongo';
import { testMongoUri, uniqueDatabase } from '../support/env';
import { decryptValue } from '../../lib/fieldCrypto';
import { TEST_KEY_ENV, TEST_KEYRING } from '../support/keys';

const ROOT = join(__dirname, '../..');
const uri = testMongoUri(uniqueDatabase('seed'));

function seed(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'tools/seed.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, MONGODB_URI: uri, NODE_ENV: 'test', ...TEST_KEY_ENV },
    timeout: 120_000,
  });
}

afterAll(async () => {
  const db = await connectMongo(uri);
  await db.dropDatabase();
  await db.close();
});

it('seeds both tenants once, stores phones as E.164 and emails lower-cased, and inserts nothing on a re-run', async () => {
  const first = seed('--acme', '300', '--globex', '40');
  expect(first.stderr).not.toMatch(/Error/);
  expect(first.status).toBe(0);
  expect(first.stdout).toMatch(/340 customers inserted, 0 already present/);

  const again = seed('--acme', '300', '--globex', '40');
  expect(again.status).toBe(0);
  expect(again.stdout).toMatch(/0 customers inserted, 340 already present/);

  const db = await connectMongo(uri);
  try {
    const customers = db.collection('customers');
    expect(await customers.countDocuments({ tenant: 'acme' })).toBe(300);
    expect(await customers.countDocuments({ tenant: 'globex' })).toBe(40);
    const all = await customers.find({}, { projection: { tenant: 1, name: 1, phone: 1, email: 1 } }).toArray();
    // Phones are stored encrypted, and are E.164 once decrypted.
    expect(all.filter((c) => !c.phone.startsWith('enc:v1:t1:'))).toEqual([]);
    expect(all.filter((c) => !/^\+[1-9]\d{6,14}$/.test(decryptValue(TEST_KEYRING, 'phone', c.phone)))).toEqual([]);
    expect(all.filter((c) => c.email !== c.email.trim().toLowerCase())).toEqual([]);
    expect(all.filter((c) => c.tenant === 'acme' && /[\u4e00-\u9fff]/.test(c.name)).length).toBeGreaterThan(100);
    expect((await customers.distinct('ownerId', { tenant: 'acme' })).length).toBeGreaterThan(2);
    expect(await db.collection('service_profiles').countDocuments()).toBe(340);
    expect(await db.collection('marketing_profiles').countDocuments()).toBe(340);
    const tickets = await db.collection('service_profiles').aggregate([{ $project: { n: { $size: '$tickets' } } }, { $group: { _id: null, n: { $sum: '$n' } } }]).toArray();
    expect(tickets[0].n).toBeGreaterThan(100);
  } finally {
    await db.close();
  }
});

it('refuses a bad count with a clear message', () => {
  const result = seed('--acme', 'lots');
  expect(result.status).not.toBe(0);
  expect(result.stderr).toMatch(/--acme.*must be an integer/);
});
