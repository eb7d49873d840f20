/** The compiled dist/ (what the Docker image runs) starts with production settings, and refuses to start without its secrets. */
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../tools/services';
import { writeConsole } from '../../tools/bundleConsole';
import { readFileSync } from 'node:fs';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { testMongoUri, testRedisUrl, uniqueDatabase } from '../support/env';

const ROOT = join(__dirname, '../..');
const run = promisify(execFile);

beforeAll(async () => {
  await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT });
  await writeConsole(join(ROOT, 'dist/console'));
}, 120_000);

const secrets = () => ({
  JWT_SECRET: randomBytes(24).toString('base64'),
  INTERNAL_SECRET: randomBytes(24).toString('base64'),
  FIELD_ENCRYPTION_KEY: `k1:${randomBytes(32).toString('base64')}`,
  BLIND_INDEX_KEY: randomBytes(32).toString('base64'),
});

it('refuses to start in production without its secrets, naming the variable', async () => {
  const result = await run(process.execPath, ['dist/subgraphs/sales/index.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', MONGODB_URI: testMongoUri(uniqueDatabase('prod')) },
  }).catch((error: { code: number; stderr: string }) => error);
  expect(result).toMatchObject({ code: 1 });
  expect((result as { stderr: string }).stderr).toMatch(/JWT_SECRET must be set in production/);
});

it('serves a subgraph from dist/ with production settings and stops cleanly on SIGTERM', async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/subgraphs/sales/index.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, NODE_ENV: 'production', MONGODB_URI: testMongoUri(uniqueDatabase('prod')), REDIS_URL: testRedisUrl(), SALES_PORT: String(port), LOG_LEVEL: 'warn', ...secrets() },
    stdio: 'inherit',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  let status = 0;
  while (Date.now() < deadline) {
    status = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(status).toBe(200);
  // Unsigned requests are refused in production as everywhere.
  const unsigned = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ _service { sdl } }"}' });
  expect(unsigned.status).toBe(401);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
});

it('serves the console from the bundle in dist/, so production needs no bundler', async () => {
  // The compiled router, as the image runs it.
  const { createConsoleRouter } = require(join(ROOT, 'dist/gateway/console.js')) as typeof import('../../gateway/console');
  const server = express().use(createConsoleRouter({})).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const script = await fetch(`${base}/console/app.js`);
    expect(script.status).toBe(200);
    expect(await script.text()).toBe(readFileSync(join(ROOT, 'dist/console/app.js'), 'utf8'));
    expect(await (await fetch(`${base}/`)).text()).toContain('<script defer src="/console/app.js">');
    // Without a dev-token secret (production) the role picker is off.
    expect(await (await fetch(`${base}/console/config.json`)).json()).toEqual({ devTokens: false });
    expect((await fetch(`${base}/console/token`, { method: 'POST' })).status).toBe(404);
  } finally {
    server.close();
  }
});
