/** Optimistic-lock writes through the gateway: merges, conflicts, idempotent replays, history, revert and merge. */
import { Types } from 'mongoose';
import { insertCustomer } from '../support/fixtures';
import { dataOf, errorCodes } from '../support/graphql';
import { startStack, type TestStack } from '../support/stack';

let stack: TestStack;
let admin: string;

beforeAll(async () => {
  stack = await startStack('writes');
  admin = stack.token('admin');
});
afterAll(() => stack?.stop());

const UPDATE = `mutation($id: ID!, $v: Int!, $input: UpdateCustomerInput!, $cmid: ID) {
  updateCustomer(id: $id, expectedVersion: $v, input: $input, clientMutationId: $cmid) { id version name company email phone stage dealValue }
}`;

const update = (id: string, v: number, input: Record<string, unknown>, cmid?: string, token = admin) =>
  stack.query(token, UPDATE, { id, v, input, cmid });

describe('optimistic locking', () => {
  it('lets exactly one of 50 concurrent writes of the same field at the same version win', async () => {
    const id = await insertCustomer(stack.db, { name: 'Race Target' });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => update(id, 1, { company: `Company ${i}` })));
    const winners = results.filter((r) => !r.errors);
    const losers = results.filter((r) => r.errors);
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(49);
    const winner = winners[0].data.updateCustomer;
    expect(winner.version).toBe(2);
    for (const loser of losers) {
      expect(errorCodes(loser)).toEqual(['VERSION_CONFLICT']);
      expect(loser.errors![0].extensions).toMatchObject({ currentVersion: 2, conflictingFields: ['company'], current: { company: winner.company } });
    }
    const stored = dataOf(await stack.query(admin, `query($id: ID!) { customer(id: $id) { version company history { version } } }`, { id })).customer;
    expect(stored).toEqual({ version: 2, company: winner.company, history: [{ version: 2 }] });
  });

  it('merges concurrent writes of disjoint fields: both land', async () => {
    const id = await insertCustomer(stack.db, { name: 'Disjoint' });
    const [a, b] = await Promise.all([update(id, 1, { company: 'Acme Trading' }), update(id, 1, { phone: '139 1234 5678' })]);
    expect(errorCodes(a)).toEqual([]);
    expect(errorCodes(b)).toEqual([]);
    const stored = dataOf(await stack.query(admin, `query($id: ID!) { customer(id: $id) { version company phone } }`, { id })).customer;
    expect(stored).toEqual({ version: 3, company: 'Acme Trading', phone: '+8613912345678' });
  });

  it('applies a stale write on top when nothing it touches changed since', async () => {
    const id = await insertCustomer(stack.db, { name: 'Stale But Fine' });
    dataOf(await update(id, 1, { company: 'First' }));
    dataOf(await update(id, 2, { dealValue: 5000 }));
    const stale = dataOf(await update(id, 1, { stage: 'WON' })).updateCustomer;
    expect(stale).toMatchObject({ version: 4, company: 'First', dealValue: 5000, stage: 'WON' });
    const conflict = await update(id, 1, { company: 'Second' });
    expect(conflict.errors![0].extensions).toMatchObject({ code: 'VERSION_CONFLICT', currentVersion: 4, conflictingFields: ['company'], current: { company: 'First' } });
  });

  it('keeps a conflict record that admins can read and salespeople cannot', async () => {
    const id = await insertCustomer(stack.db, { name: 'Conflicted', ownerId: 'sales-1' });
    dataOf(await update(id, 1, { company: 'Theirs' }));
    await stack.query(stack.token('admin', 'admin-2'), UPDATE, { id, v: 1, input: { company: 'Mine' } });
    const view = dataOf(await stack.query(admin, `query($id: ID!) { customer(id: $id) { conflicts { actor expectedVersion currentVersion conflictingFields values { field mine theirs } } } }`, { id }));
    expect(view.customer.conflicts).toEqual([
      { actor: 'admin-2', expectedVersion: 1, currentVersion: 2, conflictingFields: ['company'], values: [{ field: 'company', mine: '"Mine"', theirs: '"Theirs"' }] },
    ]);
    const sales = await stack.query(stack.token('sales', 'sales-1'), `query($id: ID!) { customer(id: $id) { conflicts { actor } } }`, { id });
    expect(errorCodes(sales)).toEqual(['FORBIDDEN']);
  });

  it('refuses bad input naming the field, and versions from the future', async () => {
    const id = await insertCustomer(stack.db, { name: 'Validated' });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ phone: 'not a phone' }, 1, 'input.phone'],
      [{ email: 'nope' }, 1, 'input.email'],
      [{ name: '   ' }, 1, 'input.name'],
      [{ dealValue: -5 }, 1, 'input.dealValue'],
      [{}, 1, 'input'],
      [{ company: 'x' }, 7, 'expectedVersion'],
    ];
    for (const [input, v, field] of cases) {
      const result = await update(id, v, input);
      expect({ field, codes: errorCodes(result), got: result.errors?.[0].extensions?.field }).toEqual({ field, codes: ['BAD_USER_INPUT'], got: field });
    }
    const missing = await update('0123456789abcdef01234567', 1, { company: 'x' });
    expect(errorCodes(missing)).toEqual(['NOT_FOUND']);
  });
});

describe('clean data in', () => {
  it('stores phones as E.164, emails lower-cased and names trimmed', async () => {
    const created = dataOf(
      await stack.query(admin, `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id version name email phone stage duplicates { id } } }`, {
        input: { name: '  王　芳  ', email: ' Wang.Fang@Example.CN ', phone: '(0086) 138-0013-8001' },
      }),
    ).createCustomer;
    expect(created).toMatchObject({ version: 1, name: '王 芳', email: 'wang.fang@example.cn', phone: '+8613800138001', stage: 'LEAD', duplicates: [] });
    const twin = dataOf(await stack.query(admin, `mutation { createCustomer(input: {name: "Fang Wang", phone: "+86 138 0013 8001"}) { duplicates { id } } }`)).createCustomer;
    expect(twin.duplicates).toEqual([{ id: created.id }]);
  });
});

describe('idempotent replays', () => {
  it('applies each write of a device queue once, even when the queue is replayed twice and concurrently', async () => {
    const id = await insertCustomer(stack.db, { name: 'Queue Owner', ownerId: 'sales-9' });
    const device = stack.token('sales', 'sales-9');
    const queue = [
      { cmid: 'q-1', v: 1, input: { company: 'Offline Co' } },
      { cmid: 'q-2', v: 1, input: { dealValue: 1200 } },
      { cmid: 'q-3', v: 1, input: { stage: 'QUALIFIED' } },
    ];
    const replay = () => Promise.all(queue.map((w) => update(id, w.v, w.input, w.cmid, device)));
    const [first, second] = await Promise.all([replay(), replay()]);
    const third = await replay();
    for (const results of [first, second, third]) expect(results.map(errorCodes)).toEqual([[], [], []]);
    expect(third.map((r) => r.data.updateCustomer.version)).toEqual(first.map((r) => r.data.updateCustomer.version));
    const stored = dataOf(await stack.query(admin, `query($id: ID!) { customer(id: $id) { version history { version actor } } }`, { id })).customer;
    expect(stored.version).toBe(4);
    expect(stored.history.map((h: { version: number }) => h.version)).toEqual([4, 3, 2]);
  });

  it('replays a refusal as it was', async () => {
    const id = await insertCustomer(stack.db, { name: 'Refusal' });
    dataOf(await update(id, 1, { company: 'Winner' }));
    const first = await update(id, 1, { company: 'Loser' }, 'r-1');
    const again = await update(id, 1, { company: 'Loser' }, 'r-1');
    expect(errorCodes(first)).toEqual(['VERSION_CONFLICT']);
    expect(again.errors).toEqual(first.errors);
  });

  it('does not keep a retryable refusal: the same clientMutationId succeeds once the profile exists', async () => {
    const id = await insertCustomer(stack.db, { name: 'Early Writer', tier: 'silver' });
    // As just after a create: the service subgraph has not seen the customer in the feed yet.
    const profile = (await stack.db.collection('service_profiles').findOneAndDelete({ _id: new Types.ObjectId(id) }))!;
    const write = () =>
      stack.query(admin, `mutation($id: ID!) { updateServiceProfile(customerId: $id, expectedVersion: 1, input: {tier: "gold"}, clientMutationId: "early-1") { version tier } }`, { id });
    const early = await write();
    expect(errorCodes(early)).toEqual(['NOT_FOUND']);
    expect(early.errors?.[0].extensions?.retryable).toBe(true);

    await stack.db.collection('service_profiles').insertOne(profile);
    expect(dataOf(await write()).updateServiceProfile).toEqual({ version: 2, tier: 'gold' });
    expect(dataOf(await write()).updateServiceProfile).toEqual({ version: 2, tier: 'gold' });
  });

  it('creates one customer for a create replayed concurrently', async () => {
    const create = () => stack.query(admin, `mutation { createCustomer(input: {name: "Replay Create"}, clientMutationId: "c-1") { id version } }`);
    const results = await Promise.all([create(), create(), create()]);
    const ids = new Set(results.map((r) => dataOf(r).createCustomer.id));
    expect(ids.size).toBe(1);
    const listed = dataOf(await stack.query(admin, `{ customers(filter: {search: "Replay Create"}) { totalCount } }`));
    expect(listed.customers.totalCount).toBe(1);
  });
});

describe('history, revert and merge', () => {
  it('reverts to an earlier version by writing a new one', async () => {
    const id = await insertCustomer(stack.db, { name: 'Revertible', company: 'Original' });
    dataOf(await update(id, 1, { company: 'Changed', phone: '13800138002' }));
    dataOf(await update(id, 2, { stage: 'WON' }));
    const reverted = dataOf(
      await stack.query(admin, `mutation($id: ID!) { revertCustomer(id: $id, toVersion: 1, expectedVersion: 3) { version company phone stage history(first: 1) { version changedFields } } }`, { id }),
    ).revertCustomer;
    expect(reverted).toEqual({ version: 4, company: 'Original', phone: null, stage: 'LEAD', history: [{ version: 4, changedFields: ['company', 'phone', 'stage'] }] });
    const tooOld = await stack.query(admin, `mutation($id: ID!) { revertCustomer(id: $id, toVersion: 9, expectedVersion: 4) { version } }`, { id });
    expect(tooOld.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'toVersion' });
  });

  it('merges a duplicate into a survivor, which leaves lists and duplicate checks', async () => {
    const survivor = await insertCustomer(stack.db, { name: 'Merge Survivor', phone: '+8613800138003' });
    const duplicate = await insertCustomer(stack.db, { name: 'Merge Duplicate', phone: '+8613800138003', email: 'dup@merge.cn', company: 'MergeCo' });
    const merged = dataOf(
      await stack.query(admin, `mutation($s: ID!, $d: ID!) { mergeCustomers(survivorId: $s, duplicateId: $d) { id version email company phone duplicates { id } } }`, { s: survivor, d: duplicate }),
    ).mergeCustomers;
    expect(merged).toEqual({ id: survivor, version: 2, email: 'dup@merge.cn', company: 'MergeCo', phone: '+8613800138003', duplicates: [] });
    const gone = dataOf(await stack.query(admin, `query($id: ID!) { customer(id: $id) { mergedInto } customers(filter: {search: "Merge Duplicate"}) { totalCount } }`, { id: duplicate }));
    expect(gone).toEqual({ customer: { mergedInto: survivor }, customers: { totalCount: 0 } });
  });

  it("folds the duplicate's tickets and tags into the survivor through the feed", async () => {
    const survivor = await insertCustomer(stack.db, { name: 'Fold Survivor', tags: ['vip'], tickets: [{ subject: 'Mine', status: 'OPEN', priority: 'LOW' }] });
    const duplicate = await insertCustomer(stack.db, {
      name: 'Fold Duplicate',
      tags: ['trade-show'],
      segments: ['emea'],
      tier: 'gold',
      tickets: [
        { subject: 'Theirs open', status: 'OPEN', priority: 'HIGH' },
        { subject: 'Theirs closed', status: 'CLOSED', priority: 'LOW' },
      ],
    });
    dataOf(await stack.query(admin, `mutation($s: ID!, $d: ID!) { mergeCustomers(survivorId: $s, duplicateId: $d) { id } }`, { s: survivor, d: duplicate }));
    await stack.settle();
    const view = dataOf(
      await stack.query(admin, `query($s: ID!, $d: ID!) {
        s: customer(id: $s) { service { tier openTickets tickets { subject } } marketing { tags segments } }
        d: customer(id: $d) { service { openTickets tickets { subject } } }
        byTag: customers(filter: {tag: "trade-show", search: "Fold"}) { edges { node { id } } }
      }`, { s: survivor, d: duplicate }),
    );
    expect(view.s.service).toEqual({ tier: 'gold', openTickets: 2, tickets: [{ subject: 'Mine' }, { subject: 'Theirs open' }, { subject: 'Theirs closed' }] });
    expect(view.s.marketing).toEqual({ tags: ['vip', 'trade-show'], segments: ['emea'] });
    expect(view.d.service).toEqual({ openTickets: 0, tickets: [] });
    // Sales mirrors marketing's tags for its filters, so the survivor is now found by the duplicate's tag.
    expect(view.byTag.edges).toEqual([{ node: { id: survivor } }]);
  });
});

describe('service and marketing writes', () => {
  it("gives a new customer empty profiles, then opens and closes tickets, keeping openTickets in step", async () => {
    const id = dataOf(await stack.query(admin, `mutation { createCustomer(input: {name: "Ticket Holder"}) { id service { version } } }`)).createCustomer.id;
    // Service creates the profile when it sees the new customer in the feed; a guessed id of another tenant finds none.
    await stack.settle();
    const profile = dataOf(
      await stack.query(admin, `mutation($id: ID!) { updateServiceProfile(customerId: $id, expectedVersion: 0, input: {tier: "gold", satisfaction: 4.5}) { version tier satisfaction openTickets } }`, { id }),
    ).updateServiceProfile;
    expect(profile).toEqual({ version: 1, tier: 'gold', satisfaction: 4.5, openTickets: 0 });
    const ticket = dataOf(await stack.query(admin, `mutation($id: ID!) { openTicket(customerId: $id, input: {subject: " Printer on fire "}, clientMutationId: "t-1") { id subject status priority } }`, { id })).openTicket;
    expect(ticket).toMatchObject({ subject: 'Printer on fire', status: 'OPEN', priority: 'NORMAL' });
    const replayed = dataOf(await stack.query(admin, `mutation($id: ID!) { openTicket(customerId: $id, input: {subject: "Printer on fire"}, clientMutationId: "t-1") { id } }`, { id })).openTicket;
    expect(replayed.id).toBe(ticket.id);
    dataOf(await stack.query(admin, `mutation($t: ID!) { setTicketStatus(id: $t, status: SOLVED) { status } }`, { t: ticket.id }));
    const after = dataOf(await stack.query(admin, `query($id: ID!) { customer(id: $id) { service { version openTickets tickets { status } } } }`, { id })).customer.service;
    expect(after).toEqual({ version: 3, openTickets: 0, tickets: [{ status: 'SOLVED' }] });
    const unknown = await stack.query(admin, `mutation { setTicketStatus(id: "0123456789abcdef01234567", status: OPEN) { id } }`);
    expect(errorCodes(unknown)).toEqual(['NOT_FOUND']);
  });

  it('merges marketing writes per field, consent channels included', async () => {
    const id = await insertCustomer(stack.db, { name: 'Consenting', tags: ['vip'] });
    const M = `mutation($id: ID!, $v: Int!, $input: MarketingProfileInput!) { updateMarketingProfile(customerId: $id, expectedVersion: $v, input: $input) { version tags leadScore consent { email sms updatedAt } } }`;
    const [a, b] = await Promise.all([
      stack.query(admin, M, { id, v: 1, input: { consent: { sms: true } } }),
      stack.query(admin, M, { id, v: 1, input: { tags: ['vip', 'newsletter', 'vip'], leadScore: 80 } }),
    ]);
    expect([errorCodes(a), errorCodes(b)]).toEqual([[], []]);
    const final = dataOf(await stack.query(admin, `query($id: ID!) { customer(id: $id) { marketing { version tags leadScore consent { email sms } } } }`, { id })).customer.marketing;
    expect(final).toEqual({ version: 3, tags: ['vip', 'newsletter'], leadScore: 80, consent: { email: true, sms: true } });
    const conflict = await stack.query(admin, M, { id, v: 1, input: { consent: { sms: false } } });
    expect(conflict.errors?.[0].extensions).toMatchObject({ code: 'VERSION_CONFLICT', conflictingFields: ['consent.sms'] });
    const bad = await stack.query(admin, M, { id, v: 3, input: { leadScore: 101 } });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.leadScore' });
  });
});
