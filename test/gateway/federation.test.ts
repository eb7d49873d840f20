/** The read side, end to end: HTTP to the gateway, three subgraphs, a real MongoDB-compatible server. */
import { seedDemoData } from '../../tools/seed';
import { insertCustomer } from '../support/fixtures';
import { startStack, TEST_KEYRING, type TestStack } from '../support/stack';

let stack: TestStack;
let admin: string;

beforeAll(async () => {
  stack = await startStack('federation');
  await seedDemoData(stack.db, { customersPerTenant: { acme: 130, globex: 20 }, progress: false, log: () => undefined, keyring: TEST_KEYRING });
  admin = stack.token('admin');
});
afterAll(() => stack?.stop());

const CUSTOMER_ALL_SUBGRAPHS = `
  query($id: ID!) {
    customer(id: $id) {
      id name company email phone stage version updatedAt
      service { version tier openTickets satisfaction tickets { id subject status priority createdAt } }
      marketing { version tags segments leadScore consent { email sms } }
    }
  }`;

describe('federated reads', () => {
  it('resolves one customer with fields from sales, service and marketing', async () => {
    const id = await insertCustomer(stack.db, {
      name: '张伟',
      company: '上海明远科技有限公司',
      email: 'zhang.wei@example.cn',
      phone: '+8613800138000',
      tier: 'gold',
      tags: ['vip'],
      segments: ['east'],
      tickets: [
        { subject: '无法登录', status: 'OPEN', priority: 'HIGH' },
        { subject: 'Invoice', status: 'CLOSED', priority: 'LOW' },
      ],
    });
    const result = await stack.query(admin, CUSTOMER_ALL_SUBGRAPHS, { id });
    expect(result.errors).toBeUndefined();
    expect(result.data.customer).toMatchObject({
      id,
      name: '张伟',
      phone: '+8613800138000',
      service: { version: 1, tier: 'gold', openTickets: 1 },
      marketing: { version: 1, tags: ['vip'], segments: ['east'], consent: { email: true, sms: false } },
    });
    expect(result.data.customer.service.tickets.map((t: { subject: string }) => t.subject).sort()).toEqual(['Invoice', '无法登录']);
  });

  it('returns an empty version-0 profile where service and marketing hold nothing yet', async () => {
    const id = await insertCustomer(stack.db, { name: 'No Profiles' });
    await stack.db.collection('service_profiles').deleteOne({ _id: new (require('mongoose').Types.ObjectId)(id) });
    const result = await stack.query(admin, `query($id: ID!) { customer(id: $id) { service { version tier openTickets tickets { id } } } }`, { id });
    expect(result.errors).toBeUndefined();
    expect(result.data.customer.service).toEqual({ version: 0, tier: null, openTickets: 0, tickets: [] });
  });

  it('pages through every customer to the end with stable, non-overlapping cursors', async () => {
    const total = (await stack.query(admin, `{ customers(first: 1) { totalCount } }`)).data.customers.totalCount;
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const page: any = await stack.query(admin, `query($after: String) { customers(first: 40, after: $after) { pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`, { after });
      expect(page.errors).toBeUndefined();
      const { edges, pageInfo } = page.data.customers;
      seen.push(...edges.map((e: { node: { id: string } }) => e.node.id));
      pages += 1;
      if (!pageInfo.hasNextPage) break;
      expect(pageInfo.endCursor).toBe(edges[edges.length - 1].cursor);
      after = pageInfo.endCursor;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect(pages).toBe(Math.ceil(total / 40));
    // The same cursor gives the same page again.
    const first = await stack.query(admin, `{ customers(first: 40) { pageInfo { endCursor } } }`);
    const again = await stack.query(admin, `query($after: String) { customers(first: 3, after: $after) { edges { node { id } } } }`, { after: first.data.customers.pageInfo.endCursor });
    expect(again.data.customers.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual(seen.slice(40, 43));
  });

  it('never shows a customer of another tenant, by id or in lists', async () => {
    const foreign = await insertCustomer(stack.db, { tenant: 'globex', name: 'Globex Secret', phone: '+8613911112222' });
    const byId = await stack.query(admin, `query($id: ID!) { customer(id: $id) { id name } }`, { id: foreign });
    expect(byId.errors).toBeUndefined();
    expect(byId.data.customer).toBeNull();
    const listed = await stack.query(admin, `{ customers(first: 10, filter: {search: "Globex Secret"}) { totalCount } }`);
    expect(listed.data.customers.totalCount).toBe(0);
    const globexAdmin = stack.token('admin', 'admin-g', 'globex');
    const own = await stack.query(globexAdmin, `query($id: ID!) { customer(id: $id) { name } }`, { id: foreign });
    expect(own.data.customer).toEqual({ name: 'Globex Secret' });
  });

  it('tells the caller who they are', async () => {
    const result = await stack.query(stack.token('sales', 'sales-7'), `{ me { id tenant roles } }`);
    expect(result.data.me).toEqual({ id: 'sales-7', tenant: 'acme', roles: ['sales'] });
  });

  it('finds likely duplicates by phone, email or name and company', async () => {
    const a = await insertCustomer(stack.db, { name: 'Dup Origin', company: 'Dupco', phone: '+8613700001111', email: 'dup@example.com' });
    const byPhone = await insertCustomer(stack.db, { name: 'Someone Else', phone: '+8613700001111' });
    const byEmail = await insertCustomer(stack.db, { name: 'Third', email: 'dup@example.com' });
    const byName = await insertCustomer(stack.db, { name: ' dup origin ', company: 'DUPCO' });
    await insertCustomer(stack.db, { tenant: 'globex', name: 'Dup Origin', company: 'Dupco', phone: '+8613700001111' });
    const result = await stack.query(admin, `query($id: ID!) { customer(id: $id) { duplicates { id } } }`, { id: a });
    expect(result.data.customer.duplicates.map((d: { id: string }) => d.id).sort()).toEqual([byPhone, byEmail, byName].sort());
  });
});

describe('customer filters', () => {
  const tenant = 'initech';
  let token: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    token = stack.token('admin', 'admin-i', tenant);
    ids = {
      li: await insertCustomer(stack.db, { tenant, name: '李娜', company: 'Initech 北京', phone: '+8613800138000', email: 'li.na@initech.cn', stage: 'WON', ownerId: 'sales-1', tags: ['vip'], segments: ['north'] }),
      bob: await insertCustomer(stack.db, { tenant, name: 'Bob Slydell', company: 'Consulting LLC', phone: '+14155550132', email: 'bob@consult.com', stage: 'LEAD', ownerId: 'sales-2', tags: ['newsletter'], segments: ['amer'] }),
      milton: await insertCustomer(stack.db, { tenant, name: 'Milton Waddams', company: 'Initech', email: 'milton@initech.com', stage: 'LOST', ownerId: 'sales-1', tags: ['vip', 'churn-risk'], segments: ['amer'] }),
    };
  });

  const names = async (filter: Record<string, unknown>) => {
    const result = await stack.query(token, `query($filter: CustomerFilter) { customers(first: 100, filter: $filter) { totalCount edges { node { id } } } }`, { filter });
    expect(result.errors).toBeUndefined();
    const found = result.data.customers.edges.map((e: { node: { id: string } }) => Object.keys(ids).find((k) => ids[k] === e.node.id));
    expect(result.data.customers.totalCount).toBe(found.length);
    return found.sort();
  };

  it('searches name and company, case-insensitively', async () => {
    expect(await names({ search: 'initech' })).toEqual(['li', 'milton']);
    expect(await names({ search: 'SLYDELL' })).toEqual(['bob']);
    expect(await names({ search: '.*' })).toEqual([]);
  });
  it('filters by stage and by owner', async () => {
    expect(await names({ stage: 'WON' })).toEqual(['li']);
    expect(await names({ ownerId: 'sales-1' })).toEqual(['li', 'milton']);
  });
  it('matches a phone typed in any common format', async () => {
    expect(await names({ phone: '138-0013-8000' })).toEqual(['li']);
    expect(await names({ phone: '+86 138 0013 8000' })).toEqual(['li']);
    expect(await names({ phone: '+1 (415) 555-0132' })).toEqual(['bob']);
  });
  it('matches an email regardless of case and spaces', async () => {
    expect(await names({ email: '  Milton@INITECH.com ' })).toEqual(['milton']);
  });
  it('filters by tag and by segment, and combines filters', async () => {
    expect(await names({ tag: 'vip' })).toEqual(['li', 'milton']);
    expect(await names({ segment: 'amer' })).toEqual(['bob', 'milton']);
    expect(await names({ tag: 'vip', segment: 'amer' })).toEqual(['milton']);
  });
});

describe('bad input', () => {
  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    ['a malformed id', `query($id: ID!) { customer(id: $id) { id } }`, { id: 'not-an-id' }, 'id'],
    ['first: -1', `{ customers(first: -1) { totalCount } }`, {}, 'first'],
    ['first: 10000', `{ customers(first: 10000) { totalCount } }`, {}, 'first'],
    ['a forged cursor', `{ customers(after: "bm90LWEtY3Vyc29y") { totalCount } }`, {}, 'after'],
    ['an unparseable phone filter', `{ customers(filter: {phone: "call me"}) { totalCount } }`, {}, 'filter.phone'],
    ['an invalid email filter', `{ customers(filter: {email: "nobody"}) { totalCount } }`, {}, 'filter.email'],
  ];
  it.each(cases)('refuses %s with BAD_USER_INPUT naming the field', async (_name, query, variables, field) => {
    const result = await stack.query(admin, query, variables);
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('refuses a wrongly typed variable with BAD_USER_INPUT', async () => {
    const result = await stack.query(admin, `query($n: Int) { customers(first: $n) { totalCount } }`, { n: 'many' });
    expect(result.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers 401 UNAUTHENTICATED without a token or with a forged one', async () => {
    const none = await stack.query(null, `{ me { id } }`);
    expect(none.status).toBe(401);
    expect(none.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
    const forged = await stack.query(`${admin.slice(0, -4)}AAAA`, `{ me { id } }`);
    expect(forged.status).toBe(401);
    expect(forged.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});
