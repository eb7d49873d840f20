/**
 * `npm run console:screenshot [-- --url U --out F]`: with `npm start` running, opens the console as
 * two devices (a manager who edits a customer twice, and salesperson sales-1 who owns it and
 * watches), and saves what the salesperson sees to docs/console.png.
 */
import { Command } from 'commander';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, waitForText } from './browser';

const EDITS = [
  { stage: 'PROPOSAL', dealValue: '25000' },
  { stage: 'WON', dealValue: '27500' },
];

async function signIn(page: Page, url: string, role: string): Promise<void> {
  await page.goto(url);
  await page.selectOption('#role', role);
  await page.click('#sign-in');
  await page.waitForSelector('#list-body tr');
  await page.waitForSelector('#connection[data-state="live"]');
}

async function main(options: { url: string; out: string }): Promise<void> {
  const browser = await launchBrowser();
  try {
    const viewport = { width: 1440, height: 860 };
    const [manager, sales] = [await (await browser.newContext({ viewport })).newPage(), await (await browser.newContext({ viewport })).newPage()];
    await signIn(manager, options.url, 'manager');
    await signIn(sales, options.url, 'sales');
    const id = await sales.$$eval('#list-body tr', (rows) => rows.find((row) => row.querySelector('[data-field="ownerId"]')?.textContent === 'sales-1')?.getAttribute('data-id'));
    if (!id) throw new Error('sales-1 owns no customer on the first page: is this the demo data of npm start?');
    for (const page of [manager, sales]) {
      await page.click(`#list-body tr[data-id="${id}"]`);
      await page.waitForSelector('#customer');
    }
    for (const edit of EDITS) {
      await manager.click('#edit');
      await manager.selectOption('#edit-form [name="stage"]', edit.stage);
      await manager.fill('#edit-form [name="dealValue"]', edit.dealValue);
      const saved = Date.now();
      await manager.click('#save');
      await waitForText(sales, '#customer .sales [data-field="stage"]', edit.stage, 10_000);
      console.log(`stage ${edit.stage} shown on the second device ${Date.now() - saved} ms after Save`);
    }
    await sales.screenshot({ path: options.out });
    console.log(`wrote ${options.out}`);
  } finally {
    await browser.close();
  }
}

new Command('console:screenshot')
  .description('Screenshot the live console (npm start must be running).')
  .option('--url <url>', 'the console', 'http://localhost:4000/')
  .option('--out <file>', 'where to write the PNG', join(__dirname, '../docs/console.png'))
  .action(main)
  .parseAsync()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
