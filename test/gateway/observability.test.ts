/** What operators scrape and probe: /metrics on gateway and subgraphs, and /readyz following Redis. */
import { freePort, startRedisServer, type StartedService } from '../../tools/services';
import { dataOf } from '../support/graphql';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
let redis: StartedService;
let redisPort: number;

beforeAll(async () => {
  // This file stops Redis, so it has a Redis of its own.
  redisPort = await freePort();
  redis = await startRedisServer(redisPort);
  stack = await startStack('observability', { redisUrl: redis.url });
});
afterAll(async () => {
  await stack?.stop();
  await redis?.stop();
});

const origin = () => stack.gatewayUrl.replace('/graphql', '');

it('counts operations by name, and errors by code, on the gateway and in the subgraphs', async () => {
  dataOf(await stack.query(stack.token('admin'), `query ListForMetrics { customers(first: 1) { totalCount } }`));
  await stack.query(null, `query Anonymous { me { id } }`);
  await stack.query(stack.token('admin'), `query TooMany { customers(first: 10000) { totalCount } }`);
  const gateway = await (await fetch(`${origin()}/metrics`)).text();
  // One sample: name, labels (any order), value.
  const sample = (text: string, name: string, labels: Record<string, string>) =>
    text.split('\n').find((line) => line.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))?.split(' ').at(-1);
  expect(sample(gateway, 'cg_graphql_requests_total', { operation: 'ListForMetrics', type: 'query' })).toBe('1');
  expect(sample(gateway, 'cg_graphql_request_duration_seconds_count', { operation: 'ListForMetrics', type: 'query' })).toBe('1');
  expect(sample(gateway, 'cg_graphql_errors_total', { code: 'BAD_USER_INPUT' })).toBe('1');
  expect(gateway).toMatch(/cg_ws_connections\{service="gateway"\} 0/);
  expect(gateway).toMatch(/cg_redis_up\{service="gateway"\} 1/);
  expect(gateway).toMatch(/cg_failed_logins_total\{service="gateway"\} [1-9]/);
  const sales = await (await fetch(new URL('/metrics', stack.subgraphs.sales.url))).text();
  expect(sample(sales, 'cg_graphql_requests_total', { service: 'sales', type: 'query' })).toBe('1');
  expect(sales).toMatch(/cg_mongo_up\{service="sales"\} 1/);
  expect(sales).toMatch(/cg_change_feed_unpublished\{service="sales"\} \d+/);
});

it('reports unready while Redis is down, and ready again when it is back', async () => {
  const ready = async () => (await fetch(`${origin()}/readyz`)).status;
  expect(await ready()).toBe(200);
  await redis.stop();
  const deadline = Date.now() + 10_000;
  while ((await ready()) !== 503 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const body = await (await fetch(`${origin()}/readyz`)).json();
  expect(body).toMatchObject({ status: 'unready', redis: false });
  redis = await startRedisServer(redisPort);
  const back = Date.now() + 15_000;
  while ((await ready()) !== 200 && Date.now() < back) await new Promise((r) => setTimeout(r, 50));
  expect(await ready()).toBe(200);
});
