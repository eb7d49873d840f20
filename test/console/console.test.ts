/**
 * The live console in real headless Chromium, against the real stack (gateway, subgraphs, relay,
 * Redis, database). Each browser context is one device with its own device id.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { insertCustomer } from '../support/fixtures';
import { launchBrowser, waitForCount, waitForText } from '../../tools/browser';
import { startStack, TEST_JWT_SECRET, type TestStack } from '../support/stack';
import { dataOf } from '../support/graphql';
import { createApiKey } from '../../lib/apiKeys';

const ADA = { name: 'Ada Lovelace', company: 'Analytical Engines', email: 'ada@example.com', phone: '+8613800138000', idNumber: '110101199003070011', ownerId: 'sales-1', stage: 'QUALIFIED' as const, dealValue: 1200, tags: ['vip'], tier: 'gold', tickets: [{ subject: 'Cannot log in', status: 'OPEN' as const, priority: 'HIGH' as const }] };
const GRACE = { name: 'Grace Hopper', company: 'Navy', email: 'grace@example.com', phone: '+8613800138001', idNumber: '110101199003070022', ownerId: 'sales-2', stage: 'LEAD' as const, dealValue: 300 };
const LINUS = { name: 'Linus Pauling', company: 'Caltech', email: 'linus@example.com', phone: '+8613800138002', ownerId: 'sales-2' };
const PII = [ADA, GRACE, LINUS].flatMap((c) => [c.email, c.phone, 'idNumber' in c ? c.idNumber : undefined].filter((v): v is string => Boolean(v)));

let stack: TestStack;
let browser: Browser;
let consoleUrl: string;
const ids: Record<'ada' | 'grace' | 'linus', string> = { ada: '', grace: '', linus: '' };
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  stack = await startStack('console', { gateway: { devTokenSecret: TEST_JWT_SECRET } });
  ids.ada = await insertCustomer(stack.db, ADA);
  ids.grace = await insertCustomer(stack.db, GRACE);
  ids.linus = await insertCustomer(stack.db, LINUS);
  consoleUrl = stack.gatewayUrl.replace(/\/graphql$/, '/');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

/** A new device: its own browser context, signed in as the given identity, with the list loaded and the stream live. */
async function device(role: string, user = `${role}-1`): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 820 } });
  contexts.push(context);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(consoleUrl);
  await page.selectOption('#role', role);
  await page.fill('#user', user);
  await page.click('#sign-in');
  await page.waitForSelector('#list-body tr');
  await page.waitForSelector('#connection[data-state="live"]');
  expect(problems).toEqual([]);
  return page;
}

async function open(page: Page, id: string): Promise<void> {
  await page.click(`#list-body tr[data-id="${id}"]`);
  await page.waitForSelector(`#customer[data-id="${id}"]`);
}

const COMPANY = '#customer .sales [data-field="company"]';
const fieldText = (page: Page, field: string) => page.textContent(`#customer .sales [data-field="${field}"]`);

async function edit(page: Page, values: Record<string, string>): Promise<void> {
  if (!(await page.isVisible('#edit-form'))) await page.click('#edit');
  for (const [field, value] of Object.entries(values)) await page.fill(`#edit-form [name="${field}"]`, value);
}

test('the page is served with a strict content security policy, and dev tokens are refused for a bad identity', async () => {
  const page = await fetch(consoleUrl);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  const script = await fetch(new URL('/console/app.js', consoleUrl));
  expect(script.status).toBe(200);
  expect((await script.text()).length).toBeGreaterThan(1000);
  const bad = await fetch(new URL('/console/token', consoleUrl), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ role: 'root', sub: 'x', tenant: 'acme' }) });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toMatch(/role must be one of/);
});

test('an edit on one device shows on another, with actor and device in its activity feed', async () => {
  const [a, b] = [await device('manager'), await device('manager', 'manager-2')];
  await open(a, ids.ada);
  await open(b, ids.ada);
  const deviceA = await a.evaluate('localStorage.getItem("cg-device-id")');
  expect(deviceA).toMatch(/^console-/);
  expect(deviceA).not.toEqual(await b.evaluate('localStorage.getItem("cg-device-id")'));

  await edit(a, { company: 'Difference Engines Ltd' });
  const saved = Date.now();
  await a.click('#save');
  await waitForText(b, COMPANY, 'Difference Engines Ltd');
  const shownAfterMs = Date.now() - saved;
  process.stderr.write(`\n[console] edit on device A shown on device B after ${shownAfterMs} ms\n`);

  expect(await b.textContent('#customer-version')).toBe('v2');
  expect(await b.textContent(`#list-body tr[data-id="${ids.ada}"] [data-field="company"]`)).toBe('Difference Engines Ltd');
  const entry = b.locator(`#activity-list li[data-customer-id="${ids.ada}"]`).first();
  await entry.waitFor();
  expect(await entry.locator('.actor').textContent()).toBe('manager-1');
  expect(await entry.locator('.device').textContent()).toBe(` on ${deviceA}`);
  expect(await entry.textContent()).toContain('changed company of Ada Lovelace');
  // The device that saved sees its own change too, once.
  await waitForCount(a, `#activity-list li[data-customer-id="${ids.ada}"]`, 1);
  expect(await fieldText(a, 'company')).toBe('Difference Engines Ltd');
});

test('overlapping edits open the conflict dialog with mine, theirs and the merged proposal', async () => {
  const [a, b] = [await device('manager'), await device('admin')];
  await open(a, ids.grace);
  await open(b, ids.grace);
  await edit(a, { company: 'US Navy (A)', dealValue: '450' });
  await edit(b, { company: 'US Navy (B)' });
  await b.click('#save');
  // A is told while editing that someone else changed the customer.
  await a.waitForSelector('#edit-notice');
  expect(await a.textContent('#edit-notice')).toContain('admin-1');

  await a.click('#save');
  await a.waitForSelector('#conflict[open]');
  const row = a.locator('#conflict tr[data-field="company"]');
  expect(await row.locator('.mine').textContent()).toBe('US Navy (A)');
  expect(await row.locator('.theirs').textContent()).toBe('US Navy (B)');
  // The proposal keeps my non-conflicting change and, by default, my value for the conflict.
  expect(await a.getAttribute('#conflict-proposal [data-field="dealValue"]', 'data-from')).toBe('mine');
  expect(await a.getAttribute('#conflict-proposal [data-field="company"]', 'data-from')).toBe('mine');
  await row.locator('input[value="theirs"]').check();
  expect(await a.getAttribute('#conflict-proposal [data-field="company"]', 'data-from')).toBe('theirs');
  expect(await a.textContent('#conflict-proposal [data-field="company"]')).toContain('US Navy (B)');
  await row.locator('input[value="mine"]').check();
  await a.click('#conflict-save');

  await waitForText(b, COMPANY, 'US Navy (A)');
  expect(await fieldText(b, 'dealValue')).toBe('450');
  const stored = dataOf(await stack.query(stack.token('admin'), `query($id: ID!) { customer(id: $id) { company dealValue version } }`, { id: ids.grace }));
  expect(stored.customer).toEqual({ company: 'US Navy (A)', dealValue: 450, version: 3 });
});

test('a partner sees no personal data: those fields are marked, not missing', async () => {
  const partner = await device('partner');
  await open(partner, ids.ada);
  for (const field of ['email', 'phone', 'idNumber', 'ownerId', 'dealValue']) {
    expect(await partner.getAttribute(`#customer .sales [data-field="${field}"]`, 'class')).toBe('forbidden');
  }
  expect(await partner.textContent('#customer .service')).toContain('Not visible to your role');
  expect(await partner.textContent('#customer .marketing [data-field="tags"]')).toBe('vip');
  expect(await partner.isVisible('#edit')).toBe(false);
  const text = await partner.locator('body').innerText();
  for (const value of PII) expect(text).not.toContain(value);
});

test('a pasted partner key signs in, and a forged token is refused with a clear message', async () => {
  const { key } = await createApiKey(stack.db, 'acme', 'console test');
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(consoleUrl);
  await page.click('#paste summary');
  await page.fill('#credential', stack.token('admin', 'admin-1', 'acme').replace(/\.[^.]+$/, '.forged'));
  await page.click('#credential-form button');
  await page.waitForSelector('#message[data-kind="error"]');
  expect(await page.textContent('#message')).toMatch(/\(UNAUTHENTICATED\)$/);
  expect(await page.textContent('#connection')).toBe('offline');
  await page.fill('#credential', key);
  await page.click('#credential-form button');
  await page.waitForSelector('#connection[data-state="live"]');
  expect(await page.textContent('#who')).toMatch(/partner · acme/);
  await waitForCount(page, '#list-body tr', 3);
});

test("a salesperson sees the phone of their own customer and a marked field on someone else's", async () => {
  const sales = await device('sales', 'sales-1');
  await open(sales, ids.ada);
  expect(await fieldText(sales, 'phone')).toBe(ADA.phone);
  await open(sales, ids.linus);
  expect(await sales.getAttribute('#customer .sales [data-field="phone"]', 'class')).toBe('forbidden');
  expect(await fieldText(sales, 'phone')).toBe('not for this customer');
  expect(await sales.locator('body').innerText()).not.toContain(LINUS.phone);
});

test('the indicator goes offline and back to live, and changes made meanwhile arrive once', async () => {
  const page = await device('manager');
  await open(page, ids.linus);
  await page.context().setOffline(true);
  await page.waitForSelector('#connection[data-state="offline"]');
  const update = (expectedVersion: number, company: string) =>
    stack.query(stack.token('admin'), `mutation($id: ID!, $v: Int!, $c: String) { updateCustomer(id: $id, expectedVersion: $v, input: { company: $c }) { version } }`, { id: ids.linus, v: expectedVersion, c: company });
  dataOf(await update(1, 'Caltech (offline 1)'));
  dataOf(await update(2, 'Caltech (offline 2)'));
  await page.context().setOffline(false);
  await page.waitForSelector('#connection[data-state="live"]');
  await waitForText(page, COMPANY, 'Caltech (offline 2)', 10_000);
  await waitForCount(page, `#activity-list li[data-customer-id="${ids.linus}"]`, 2, { atLeast: true, timeoutMs: 10_000 });
  const versions = await page.$$eval(`#activity-list li[data-customer-id="${ids.linus}"] small`, (nodes) => nodes.map((n) => n.textContent));
  expect(versions).toEqual([' · sales v3', ' · sales v2']);
});
