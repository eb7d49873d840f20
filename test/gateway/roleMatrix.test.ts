/**
 * The permission matrix, generated from the role table (docs/permissions.md, checked against DESIGN.md):
 * every role × every contract field × a customer it owns / one it does not / one of another tenant,
 * for reads and writes, over the real gateway.
 */
import type { Role } from '../../lib/caller';
import { insertCustomer } from '../support/fixtures';
import { readRoleTable, ALL_FIELDS, WRITE_OPS, type ReadCondition, type RoleSpec, type WriteOp } from '../support/roleTable';
import { startStack, type GraphQLResponse, type TestStack } from '../support/stack';

let stack: TestStack;
const table = readRoleTable();

beforeAll(async () => {
  stack = await startStack('matrix');
});
afterAll(() => stack?.stop());

type Scenario = 'own' | 'other' | 'otherWithoutConsent' | 'otherTenant';
const SCENARIOS: Scenario[] = ['own', 'other', 'otherWithoutConsent', 'otherTenant'];

const full = (tenant: string, ownerId: string, consentEmail: boolean) =>
  insertCustomer(stack.db, {
    tenant,
    name: `Matrix ${ownerId} ${consentEmail}`,
    company: 'Matrix Co',
    email: `m.${ownerId}.${consentEmail}@example.com`,
    phone: '+8613800138000',
    idNumber: '11010119900307001X',
    dealValue: 1000,
    ownerId,
    consentEmail,
    tier: 'gold',
    satisfaction: 4.5,
    lastContactAt: new Date('2026-11-01T00:00:00Z'),
    tags: ['vip'],
    segments: ['east'],
    tickets: [{ subject: 'Help', status: 'OPEN', priority: 'LOW' }],
  });

// How a field is selected, and how its value is read back.
function selection(field: string): string {
  const [head, tail] = field.split('.');
  const leaf = (name: string) => ({ history: 'history { version }', tickets: 'tickets { subject }', consent: 'consent { email }' })[name] ?? name;
  return tail ? `${head} { ${leaf(tail)} }` : leaf(head);
}
function valueOf(customer: Record<string, any> | null, field: string): unknown {
  const [head, tail] = field.split('.');
  if (!customer) return undefined;
  return tail ? customer[head]?.[tail] : customer[head];
}

type Expected = 'value' | 'null+FORBIDDEN' | 'refused' | 'absent';

function expectedRead(spec: RoleSpec, field: string, scenario: Scenario): Expected {
  const condition: ReadCondition | undefined = spec.reads.get(field);
  if (!condition) return 'refused';
  if (scenario === 'otherTenant') return 'absent';
  if (condition === 'own' && scenario !== 'own') return 'null+FORBIDDEN';
  if (condition === 'consent' && scenario === 'otherWithoutConsent') return 'null+FORBIDDEN';
  return 'value';
}

function observedRead(result: GraphQLResponse, field: string): Expected {
  const codes = (result.errors ?? []).map((e) => e.extensions?.code);
  if (result.data == null && codes.length === 1 && codes[0] === 'FORBIDDEN') return 'refused';
  const customer = result.data?.customer ?? null;
  if (customer === null && codes.length === 0) return 'absent';
  const value = valueOf(customer, field);
  const forbiddenAtPath = result.errors?.some((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.join('.').endsWith(field.split('.').at(-1)!));
  if (value === null && forbiddenAtPath && codes.every((c) => c === 'FORBIDDEN')) return 'null+FORBIDDEN';
  if (value !== null && value !== undefined && codes.length === 0) return 'value';
  return `unexpected: ${JSON.stringify(result)}` as Expected;
}

describe.each(table.map((spec) => [spec.role, spec] as const))('%s', (role, spec) => {
  const sub = `${role}-matrix`;
  const ids = {} as Record<Scenario, string>;

  beforeAll(async () => {
    ids.own = await full('acme', sub, true);
    ids.other = await full('acme', 'someone-else', true);
    ids.otherWithoutConsent = await full('acme', 'someone-else', false);
    ids.otherTenant = await full('globex', sub, true);
  });

  it(`reads exactly what the role table allows (${ALL_FIELDS.length} fields × ${SCENARIOS.length} customers)`, async () => {
    const token = stack.token(role as Role, sub);
    const expected: string[] = [];
    const observed: string[] = [];
    for (const field of ALL_FIELDS) {
      for (const scenario of SCENARIOS) {
        const result = await stack.query(token, `query($id: ID!) { customer(id: $id) { ${selection(field)} } }`, { id: ids[scenario] });
        expected.push(`${field} on ${scenario}: ${expectedRead(spec, field, scenario)}`);
        observed.push(`${field} on ${scenario}: ${observedRead(result, field)}`);
      }
    }
    expect(observed).toEqual(expected);
  });

  it(`writes exactly what the role table allows (${WRITE_OPS.length} operations × own, other, other tenant)`, async () => {
    const token = stack.token(role as Role, sub);
    const expected: string[] = [];
    const observed: string[] = [];
    for (const op of WRITE_OPS) {
      for (const scenario of ['own', 'other', 'otherTenant'] as const) {
        if (op === 'createCustomer' && scenario !== 'own') continue;
        const result = await runWrite(token, op, ids[scenario]);
        const scope = spec.writes.get(op);
        const allowed = scope === 'any' || (scope === 'own' && scenario === 'own');
        // Another tenant's customer does not exist for the caller: NOT_FOUND for any role that may
        // run the operation at all, never a hint that it exists.
        const want = scenario === 'otherTenant' && scope ? 'NOT_FOUND' : allowed ? 'ok' : 'FORBIDDEN';
        expected.push(`${op} on ${scenario}: ${want}`);
        observed.push(`${op} on ${scenario}: ${result.errors ? result.errors.map((e) => e.extensions?.code).join(',') : 'ok'}`);
      }
    }
    expect(observed).toEqual(expected);
  });
});

async function runWrite(token: string, op: WriteOp, id: string): Promise<GraphQLResponse> {
  const admin = stack.token('admin');
  const versions = (await stack.query(admin, `query($id: ID!) { customer(id: $id) { version service { version } marketing { version } } }`, { id })).data?.customer;
  switch (op) {
    case 'createCustomer':
      return stack.query(token, `mutation { createCustomer(input: {name: "Created In Matrix"}) { id } }`);
    case 'updateCustomer':
      return stack.query(token, `mutation($id: ID!, $v: Int!) { updateCustomer(id: $id, expectedVersion: $v, input: {company: "Written"}) { version } }`, { id, v: versions?.version ?? 0 });
    case 'updateServiceProfile':
      return stack.query(token, `mutation($id: ID!, $v: Int!) { updateServiceProfile(customerId: $id, expectedVersion: $v, input: {tier: "silver"}) { version } }`, { id, v: versions?.service.version ?? 0 });
    case 'openTicket':
      return stack.query(token, `mutation($id: ID!) { openTicket(customerId: $id, input: {subject: "From matrix"}) { id } }`, { id });
    case 'updateMarketingProfile':
      return stack.query(token, `mutation($id: ID!, $v: Int!) { updateMarketingProfile(customerId: $id, expectedVersion: $v, input: {leadScore: 50}) { version } }`, { id, v: versions?.marketing.version ?? 0 });
  }
}
