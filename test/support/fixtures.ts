/** Hand-made customers for tests that need to know exactly what is in the database. */
import { Types, type Connection } from 'mongoose';
import { makeNameKey } from '../../lib/nameKey';
import { phoneIndexOf, sealValue } from '../../lib/customerSecrets';
import { TEST_KEYRING } from './keys';
import { initialVersioning } from '../../lib/versionedRecord';
import { createMarketingModels } from '../../subgraphs/marketing/models';
import { createSalesModels, type CustomerRecord } from '../../subgraphs/sales/models';
import { createServiceModels, type TicketRecord } from '../../subgraphs/service/models';

export interface FixtureCustomer {
  readonly tenant?: string;
  readonly name: string;
  readonly company?: string | null;
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly idNumber?: string | null;
  readonly dealValue?: number | null;
  readonly ownerId?: string | null;
  readonly stage?: CustomerRecord['stage'];
  readonly tags?: string[];
  readonly segments?: string[];
  readonly tier?: string | null;
  readonly satisfaction?: number | null;
  readonly lastContactAt?: Date | null;
  /** Marketing's consent.email (default true), mirrored on the customer. */
  readonly consentEmail?: boolean;
  readonly tickets?: Array<Pick<TicketRecord, 'subject' | 'status' | 'priority'>>;
}

/** Inserts one customer with its service and marketing profiles; returns its id. */
export async function insertCustomer(db: Connection, fixture: FixtureCustomer): Promise<string> {
  const { Customer } = createSalesModels(db);
  const { ServiceProfile } = createServiceModels(db);
  const { MarketingProfile } = createMarketingModels(db);
  const _id = new Types.ObjectId();
  const tenant = fixture.tenant ?? 'acme';
  const now = new Date();
  const tags = fixture.tags ?? [];
  const segments = fixture.segments ?? [];
  await Customer.create({
    _id,
    tenant,
    name: fixture.name,
    company: fixture.company ?? null,
    email: fixture.email ?? null,
    // Stored as the subgraph stores them: encrypted, the phone findable by its blind index.
    phone: sealValue(TEST_KEYRING, 'phone', fixture.phone ?? null) as string | null,
    phoneIndex: phoneIndexOf(TEST_KEYRING, fixture.phone),
    idNumber: sealValue(TEST_KEYRING, 'idNumber', fixture.idNumber ?? null) as string | null,
    ownerId: fixture.ownerId ?? null,
    stage: fixture.stage ?? 'LEAD',
    dealValue: fixture.dealValue ?? null,
    ...initialVersioning(1),
    nameKey: makeNameKey(fixture.name, fixture.company),
    tags,
    segments,
    consentEmail: fixture.consentEmail ?? true,
    mergedInto: null,
    createdAt: now,
    updatedAt: now,
  });
  const tickets = (fixture.tickets ?? []).map((t) => ({ ...t, _id: new Types.ObjectId(), createdAt: now, updatedAt: now }));
  await ServiceProfile.create({
    _id,
    tenant,
    ...initialVersioning(1),
    tier: fixture.tier ?? null,
    openTickets: tickets.filter((t) => t.status === 'OPEN' || t.status === 'PENDING').length,
    satisfaction: fixture.satisfaction ?? null,
    lastContactAt: fixture.lastContactAt ?? null,
    tickets,
    updatedAt: now,
  });
  await MarketingProfile.create({ _id, tenant, ...initialVersioning(1), tags, segments, leadScore: 10, consent: { email: fixture.consentEmail ?? true, sms: false, updatedAt: now }, updatedAt: now });
  return _id.toHexString();
}
