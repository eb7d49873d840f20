/**
 * Real headless Chromium for browser tests: Debian's `chromium` driven by playwright-core (no
 * browser download). CHROMIUM_PATH overrides where it is; a missing browser fails the test.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Launches Chromium; throws naming the fix when it is not installed. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is not at ${CHROMIUM_PATH}: apt-get install chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: FLAGS, headless: true });
}

/** Waits until the element at `selector` shows exactly `text`. */
export async function waitForText(page: Page, selector: string, text: string, timeoutMs = 5000): Promise<void> {
  await page.waitForSelector(`${selector}:text-is(${JSON.stringify(text)})`, { timeout: timeoutMs });
}

/** Waits until `selector` matches `count` elements (at least `count` with `atLeast`). */
export async function waitForCount(page: Page, selector: string, count: number, options: { atLeast?: boolean; timeoutMs?: number } = {}): Promise<void> {
  // A function, not a string: the console's CSP forbids evaluating strings. It runs in the page, where `document` exists.
  const matches = ({ selector, count, atLeast }: { selector: string; count: number; atLeast: boolean }) => {
    const found = (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll(selector).length;
    return atLeast ? found >= count : found === count;
  };
  await page.waitForFunction(matches, { selector, count, atLeast: options.atLeast ?? false }, { timeout: options.timeoutMs ?? 5000 });
}
