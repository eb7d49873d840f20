/** `npm run import` on a messy export: every row imported or rejected with its reason, nothing twice. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { connectMongo } from '../../lib/mongo';
import { testMongoUri, uniqueDatabase } from '../support/env';
import { insertCustomer } from '../support/fixtures';
import { decryptValue } from '../../lib/fieldCrypto';
import { TEST_KEY_ENV, TEST_KEYRING } from '../support/keys';

const ROOT = join(__dirname, '../..');
const uri = testMongoUri(uniqueDatabase('import'));
const reportPath = join(mkdtempSync(join(tmpdir(), 'cg-import-')), 'report.json');
let db: Connection;

beforeAll(async () => {
  db = await connectMongo(uri);
  // Already in the database: the import must not create a twin of it.
  await insertCustomer(db, { tenant: 'imp', name: 'Chen Jing (CRM)', email: 'chen.jing@huaqiang.cn' });
});
afterAll(async () => {
  await db.dropDatabase();
  await db.close();
});

function runImport(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'tools/import.ts', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, MONGODB_URI: uri, NODE_ENV: 'test', ...TEST_KEY_ENV },
    timeout: 120_000,
  });
}

const FIXTURE = ['test/fixtures/messy-customers.csv', '--mapping', 'test/fixtures/messy-mapping.json', '--tenant', 'imp', '--report', reportPath];

it('imports the clean rows of a messy export and reports every rejected row with its reason', async () => {
  const run = runImport(...FIXTURE);
  expect(run.stderr).not.toMatch(/import failed/);
  expect(run.status).toBe(0);
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  expect({ rowsRead: report.rowsRead, imported: report.imported, rejected: report.rejected }).toEqual({ rowsRead: 15, imported: 5, rejected: 10 });
  expect(report.imported + report.rejected).toBe(report.rowsRead);
  expect(report.rejections.map((r: { row: number; reason: string }) => [r.row, r.reason])).toEqual([
    [4, 'duplicate of row 1 (same name and company)'],
    [5, 'name: is required'],
    [6, 'phone: is not a valid phone number'],
    [7, 'email: is not a valid email address'],
    [8, 'stage: unknown value "Negotiation" (expected LEAD, QUALIFIED, PROPOSAL, WON, LOST)'],
    [11, 'duplicate of row 2 (same phone)'],
    [12, 'dealValue: "abc" is not a number'],
    [13, expect.stringMatching(/^duplicate of existing customer [0-9a-f]{24} \(Chen Jing \(CRM\)\)$/)],
    [14, 'name: is required'],
    [15, 'duplicate of row 9 (same email)'],
  ]);

  const stored = await db.collection('customers').find({ tenant: 'imp' }, { projection: { name: 1, company: 1, email: 1, phone: 1, stage: 1, dealValue: 1 } }).sort({ name: 1 }).toArray();
  expect(stored.map(({ _id, ...c }) => ({ ...c, phone: c.phone && decryptValue(TEST_KEYRING, 'phone', c.phone) }))).toEqual(
    expect.arrayContaining([
      { name: '张伟', company: '上海明远科技有限公司', email: 'zhang.wei@example.cn', phone: '+8613800138000', stage: 'WON', dealValue: 12000 },
      { name: 'Li Na', company: 'Initech', email: 'li.na@initech.cn', phone: '+8613912345678', stage: 'LEAD', dealValue: null },
      { name: 'ABC Trading', company: 'ABC Ltd', email: 'abc@example.com', phone: '+8613700137000', stage: 'QUALIFIED', dealValue: 3000 },
      { name: 'John Smith', company: 'Smith & Co', email: 'john@smith.co.uk', phone: '+442079460958', stage: 'WON', dealValue: 1500.5 },
      { name: 'Maria Müller', company: 'Müller GmbH', email: 'maria@mueller.de', phone: '+4930901820', stage: 'PROPOSAL', dealValue: 2500 },
    ]),
  );
  expect(stored).toHaveLength(6);
  // Imported customers enter the change feed like any write.
  expect(await db.collection('customers').countDocuments({ tenant: 'imp', hasPending: true })).toBe(5);
});

it('imports nothing twice when the same file is imported again', async () => {
  const run = runImport(...FIXTURE);
  expect(run.status).toBe(0);
  const report = JSON.parse(readFileSync(reportPath, 'utf8'));
  expect({ imported: report.imported, rejected: report.rejected }).toEqual({ imported: 5, rejected: 10 });
  expect(await db.collection('customers').countDocuments({ tenant: 'imp' })).toBe(6);
});

it('stops with a clear message on a mapping to an unknown field', () => {
  const run = runImport('test/fixtures/messy-customers.csv', '--mapping', 'package.json');
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/import failed: mapping maps column "name" to "customer-graph"; fields are name, company/);
});
