/** Subgraphs answer only the gateway: direct calls that are unsigned, replayed, tampered or stale are refused. */
import { encodeCaller } from '../../lib/caller';
import { signRequest } from '../../lib/internalAuth';
import { insertCustomer } from '../support/fixtures';
import { startStack, TEST_INTERNAL_SECRET, type TestStack } from '../support/stack';

let stack: TestStack;
let foreignId: string;

beforeAll(async () => {
  stack = await startStack('internalauth');
  foreignId = await insertCustomer(stack.db, { tenant: 'globex', name: 'Globex Only', phone: '+8613900001111' });
});
afterAll(() => stack?.stop());

const acmeAdmin = encodeCaller({ sub: 'intruder', tenant: 'acme', roles: ['admin'] });
const ENTITIES = (id: string) => JSON.stringify({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { name phone } } }', variables: { r: [{ __typename: 'Customer', id }] } });

async function post(body: string, headers: Record<string, string>) {
  const response = await fetch(stack.subgraphs.sales.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as any };
}

it('refuses unsigned requests, _service included, even with a caller header', async () => {
  for (const body of [JSON.stringify({ query: '{ _service { sdl } }' }), ENTITIES(foreignId)]) {
    const result = await post(body, { 'x-cg-caller': acmeAdmin });
    expect(result.status).toBe(401);
    expect(result.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  }
});

it('answers a correctly signed request once, and refuses it when replayed', async () => {
  const body = JSON.stringify({ query: '{ me { id tenant } }' });
  const headers = { 'x-cg-caller': acmeAdmin, ...signRequest(TEST_INTERNAL_SECRET, 'sales', acmeAdmin, body) };
  expect(await post(body, headers)).toEqual({ status: 200, body: { data: { me: { id: 'intruder', tenant: 'acme' } } } });
  const replay = await post(body, headers);
  expect(replay.status).toBe(401);
  expect(replay.body.errors[0].message).toMatch(/already used/);
});

it('refuses a tampered body, a swapped caller, a wrong key, another subgraph and a stale timestamp', async () => {
  const body = JSON.stringify({ query: '{ me { id } }' });
  const tampered = await post(JSON.stringify({ query: '{ me { tenant } }' }), { 'x-cg-caller': acmeAdmin, ...signRequest(TEST_INTERNAL_SECRET, 'sales', acmeAdmin, body) });
  const globexAdmin = encodeCaller({ sub: 'intruder', tenant: 'globex', roles: ['admin'] });
  const swapped = await post(body, { 'x-cg-caller': globexAdmin, ...signRequest(TEST_INTERNAL_SECRET, 'sales', acmeAdmin, body) });
  const wrongKey = await post(body, { 'x-cg-caller': acmeAdmin, ...signRequest('not-the-internal-secret', 'sales', acmeAdmin, body) });
  const stale = await post(body, { 'x-cg-caller': acmeAdmin, ...signRequest(TEST_INTERNAL_SECRET, 'sales', acmeAdmin, body, Date.now() - 5 * 60_000) });
  const forAnotherSubgraph = await post(body, { 'x-cg-caller': acmeAdmin, ...signRequest(TEST_INTERNAL_SECRET, 'service', acmeAdmin, body) });
  expect([tampered, swapped, wrongKey, forAnotherSubgraph, stale].map((r) => [r.status, r.body.errors[0].message])).toEqual([
    [401, 'Request signature does not match'],
    [401, 'Request signature does not match'],
    [401, 'Request signature does not match'],
    [401, 'Request signature does not match'],
    [401, 'Signed request is stale'],
  ]);
});

it('resolves no entity of another tenant, even for a signed caller', async () => {
  const body = ENTITIES(foreignId);
  const result = await post(body, { 'x-cg-caller': acmeAdmin, ...signRequest(TEST_INTERNAL_SECRET, 'sales', acmeAdmin, body) });
  expect(result).toEqual({ status: 200, body: { data: { _entities: [null] } } });
});
