/**
 * Hostile requests against a production-configured gateway: each one gets a clear error code (never a
 * 500 or an internal error), and the gateway stays healthy afterwards.
 */
import { insertCustomer } from '../support/fixtures';
import { dataOf } from '../support/graphql';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
let admin: string;
let id: string;

beforeAll(async () => {
  stack = await startStack('attacks', { gateway: { production: true, rateLimits: { perUserPerMinute: 60, perTenantPerMinute: 100_000 } } });
  admin = stack.token('admin', 'attacker');
  id = await insertCustomer(stack.db, { name: 'Target', phone: '+8613800138000', ownerId: 'sales-1' });
});
afterAll(() => stack?.stop());

interface Attack {
  readonly name: string;
  /** A GraphQL document, or a raw request when `raw` is set. */
  readonly query?: string;
  readonly variables?: Record<string, unknown>;
  readonly raw?: { body: string; contentType?: string; method?: string; headers?: Record<string, string> };
  readonly token?: string | null;
  readonly expect: readonly string[];
}

const repeat = (n: number, text: string, sep = ' ') => Array.from({ length: n }, (_, i) => text.replace(/\$i/g, String(i))).join(sep);
const nested = (depth: number) => `{ customer(id: "${'0'.repeat(24)}") { ${repeat(depth, 'duplicates {')} id ${'}'.repeat(depth)} } }`;

const attacks = (): Attack[] => [
  { name: 'alias overload', query: `{ ${repeat(100, 'a$i: me { id }')} }`, expect: ['QUERY_TOO_COMPLEX'] },
  { name: 'alias overload in a mutation', query: `mutation { ${repeat(50, 'c$i: createCustomer(input: {name: "x$i"}) { id }')} }`, expect: ['QUERY_TOO_COMPLEX'] },
  { name: 'deep nesting', query: nested(30), expect: ['QUERY_TOO_COMPLEX'] },
  { name: 'circular fragments', query: `query { customer(id: "x") { ...A } } fragment A on Customer { duplicates { ...B } } fragment B on Customer { duplicates { ...A } }`, expect: ['GRAPHQL_VALIDATION_FAILED'] },
  { name: 'field duplication', query: `{ me { ${repeat(3000, 'id')} } }`, expect: ['QUERY_TOO_COMPLEX'] },
  // Repeating a non-repeatable directive is also invalid by the spec: both refusals are reported.
  { name: 'directive overload', query: `{ me { id ${repeat(50, '@include(if: true)')} } }`, expect: ['QUERY_TOO_COMPLEX', 'GRAPHQL_VALIDATION_FAILED'] },
  { name: 'cost explosion through lists', query: `{ changes(first: 1000) { changes { customer { duplicates { duplicates { duplicates { id name company email phone stage } } } } } } }`, expect: ['QUERY_TOO_COMPLEX'] },
  { name: 'fragment fan-out (billion laughs)', query: `{ customers(first: 100) { edges { node { ...F0 } } } } ${repeat(6, 'fragment F$i on Customer { duplicates { ...F$i_n } }').replace(/F(\d)_n/g, (_m, n) => `F${Number(n) + 1}`)} fragment F6 on Customer { id }`, expect: ['QUERY_TOO_COMPLEX'] },
  { name: 'page size out of range', query: `{ customers(first: 100000) { totalCount } }`, expect: ['BAD_USER_INPUT'] },
  { name: 'negative page size', query: `{ changes(first: -5) { hasMore } }`, expect: ['BAD_USER_INPUT'] },
  { name: 'Int overflow', query: `{ customers(first: 99999999999) { totalCount } }`, expect: ['GRAPHQL_VALIDATION_FAILED'] },
  { name: 'introspection in production', query: `{ __schema { types { name } } }`, expect: ['GRAPHQL_VALIDATION_FAILED'] },
  { name: 'type introspection in production', query: `{ __type(name: "Customer") { fields { name } } }`, expect: ['GRAPHQL_VALIDATION_FAILED'] },
  { name: 'field suggestion probing', query: `{ custmer(id: "x") { id } }`, expect: ['GRAPHQL_VALIDATION_FAILED'] },
  { name: 'operator injection through a variable', query: `query($f: CustomerFilter) { customers(filter: $f) { totalCount } }`, variables: { f: { phone: { $ne: null } } }, expect: ['BAD_USER_INPUT'] },
  { name: 'operator injection in an owner filter', query: `query($f: CustomerFilter) { customers(filter: $f) { totalCount } }`, variables: { f: { ownerId: { $gt: '' } } }, expect: ['BAD_USER_INPUT'] },
  { name: 'operator text in a search', query: `{ customers(filter: {search: "{\\"$gt\\": \\"\\"}"}) { totalCount } }`, expect: [] },
  { name: 'regex denial of service in a search', query: `{ customers(filter: {search: "(a+)+$"}) { totalCount } }`, expect: [] },
  { name: 'javascript in an id', query: `{ customer(id: "'; return true; var x='") { id } }`, expect: ['BAD_USER_INPUT'] },
  { name: 'prototype pollution in an input', query: `mutation($i: CreateCustomerInput!) { createCustomer(input: $i) { id } }`, variables: { i: { name: 'x', __proto__: { isAdmin: true }, constructor: { prototype: { role: 'admin' } } } }, expect: ['BAD_USER_INPUT'] },
  { name: 'huge string in a search', query: `query($s: String) { customers(filter: {search: $s}) { totalCount } }`, variables: { s: 'x'.repeat(50_000) }, expect: ['BAD_USER_INPUT'] },
  { name: 'body over the size limit', raw: { body: JSON.stringify({ query: `{ me { id } }`, variables: { pad: 'x'.repeat(400_000) } }) }, expect: ['BAD_REQUEST'] },
  { name: 'batched operations', raw: { body: JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { tenant } }' }]) }, expect: ['BAD_REQUEST'] },
  { name: 'malformed JSON', raw: { body: '{"query": "{ me { id } }"' }, expect: ['BAD_REQUEST'] },
  { name: 'cross-site simple POST (CSRF)', raw: { body: 'query={me{id}}', contentType: 'text/plain' }, expect: ['BAD_REQUEST'] },
  { name: 'cross-site GET (CSRF)', raw: { body: '', method: 'GET' }, expect: ['BAD_REQUEST'] },
  { name: 'empty query', raw: { body: JSON.stringify({ query: '' }) }, expect: ['BAD_REQUEST'] },
  { name: 'syntax error', query: `{ me { id `, expect: ['GRAPHQL_PARSE_FAILED'] },
  { name: 'null bytes in a query', query: `{ me { id\u0000 } }`, expect: ['GRAPHQL_PARSE_FAILED'] },
  { name: 'unknown operation name', raw: { body: JSON.stringify({ query: 'query A { me { id } }', operationName: 'B' }) }, expect: ['OPERATION_RESOLUTION_FAILURE'] },
  { name: 'subscription over HTTP', query: `subscription { customerChanged { cursor } }`, expect: ['GRAPHQL_VALIDATION_FAILED'] },
  { name: 'forged caller header to the gateway', raw: { body: JSON.stringify({ query: '{ customer(id: "ID") { idNumber } }' }), headers: { 'x-cg-caller': Buffer.from(JSON.stringify({ sub: 'x', tenant: 'acme', roles: ['admin'] })).toString('base64url') } }, token: 'partner', expect: ['FORBIDDEN'] },
  { name: 'no credentials', query: `{ me { id } }`, token: null, expect: ['UNAUTHENTICATED'] },
  { name: 'forged token', query: `{ me { id } }`, token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4IiwidGVuYW50IjoiYWNtZSIsInJvbGVzIjpbImFkbWluIl19.', expect: ['UNAUTHENTICATED'] },
  { name: 'tenant name injection in a token', query: `{ me { id } }`, token: 'tenant-injection', expect: ['UNAUTHENTICATED'] },
];

async function send(attack: Attack): Promise<{ status: number; codes: string[] }> {
  const token =
    attack.token === null ? null
    : attack.token === 'partner' ? stack.token('partner', 'p-1')
    : attack.token === 'tenant-injection' ? stack.token('admin', 'x', 'acme"},{"$where":"1') 
    : attack.token ?? admin;
  const raw = attack.raw;
  const method = raw?.method ?? 'POST';
  const response = await fetch(method === 'GET' ? `${stack.gatewayUrl}?query=${encodeURIComponent('{ me { id } }')}` : stack.gatewayUrl, {
    method,
    headers: { ...(method === 'POST' ? { 'content-type': raw?.contentType ?? 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...raw?.headers },
    body: method === 'GET' ? undefined : raw ? raw.body.replace('"ID"', `\\"${id}\\"`) : JSON.stringify({ query: attack.query, variables: attack.variables }),
  });
  const text = await response.text();
  let codes: string[];
  try {
    const body = JSON.parse(text) as { errors?: Array<{ extensions?: { code?: string } }> };
    codes = [...new Set((body.errors ?? []).map((e) => String(e.extensions?.code)))];
  } catch {
    codes = [`non-JSON answer: ${text.slice(0, 80)}`];
  }
  return { status: response.status, codes };
}

it('answers each of the attack corpus with a clear error code, and stays healthy', async () => {
  const corpus = attacks();
  expect(corpus.length).toBeGreaterThanOrEqual(30);
  const results: string[] = [];
  for (const attack of corpus) {
    const { status, codes } = await send(attack);
    results.push(`${attack.name}: ${status < 500 ? 'handled' : `HTTP ${status}`} ${codes.join(',')}`);
  }
  expect(results).toEqual(corpus.map((a) => `${a.name}: handled ${a.expect.join(',')}`));
  const health = await fetch(stack.gatewayUrl.replace('/graphql', '/healthz'));
  expect(health.status).toBe(200);
  expect(dataOf(await stack.query(admin, `query($id: ID!) { customer(id: $id) { name } }`, { id }))).toEqual({ customer: { name: 'Target' } });
});

it('limits each user per minute with RATE_LIMITED, a retry delay and HTTP 429, without slowing other users', async () => {
  const noisy = stack.token('sales', 'noisy');
  const results = [];
  for (let i = 0; i < 65; i++) results.push(await stack.query(noisy, `{ me { id } }`));
  const limited = results.filter((r) => r.errors?.[0]?.extensions?.code === 'RATE_LIMITED');
  expect(results.filter((r) => !r.errors)).toHaveLength(60);
  expect(limited).toHaveLength(5);
  expect(limited[0].status).toBe(429);
  expect(limited[0].errors![0].extensions).toMatchObject({ scope: 'user', retryAfter: expect.any(Number) });
  expect(limited[0].errors![0].extensions!.retryAfter).toBeGreaterThan(0);
  expect(limited[0].errors![0].extensions!.retryAfter).toBeLessThanOrEqual(60);
  expect(dataOf(await stack.query(stack.token('sales', 'quiet'), `{ me { id } }`))).toEqual({ me: { id: 'quiet' } });
});
