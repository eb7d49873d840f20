/**
 * Deterministic demo customers: the same tenant and index always give the same records,
 * so `npm run seed` can be re-run and only fills in what is missing.
 */
import { fakerDE, fakerEN_GB, fakerEN_US, fakerZH_CN, type Faker } from '@faker-js/faker';
import { createHash } from 'node:crypto';
import { Types } from 'mongoose';
import { makeNameKey } from '../lib/nameKey';
import { phoneIndexOf, sealValue } from '../lib/customerSecrets';
import type { Keyring } from '../lib/fieldCrypto';
import { initialVersioning } from '../lib/versionedRecord';
import { normalizePhone } from '../lib/phone';
import type { MarketingProfileRecord } from '../subgraphs/marketing/models';
import { STAGES, type CustomerRecord } from '../subgraphs/sales/models';
import { PRIORITIES, TICKET_STATUSES, type ServiceProfileRecord, type TicketRecord } from '../subgraphs/service/models';

export interface TenantPlan {
  readonly tenant: string;
  readonly customers: number;
  /** Salespeople who own accounts; `npm run token -- --role sales --sub <one of these>`. */
  readonly owners: readonly string[];
}

export const DEMO_TENANTS: readonly TenantPlan[] = [
  { tenant: 'acme', customers: 10_000, owners: ['sales-1', 'sales-2', 'sales-3', 'sales-4', 'sales-5'] },
  { tenant: 'globex', customers: 500, owners: ['g-sales-1', 'g-sales-2'] },
];

export interface DemoCustomer {
  /** As stored: phone and ID number encrypted. */
  readonly customer: CustomerRecord;
  /** The clear values a twin copies. */
  readonly plain: { readonly phone: string; readonly email: string };
  readonly service: ServiceProfileRecord;
  readonly marketing: MarketingProfileRecord;
}

const TAGS = ['vip', 'newsletter', 'webinar-2026', 'enterprise', 'smb', 'churn-risk', 'trade-show', 'referral'];
const SEGMENTS = ['north', 'south', 'east', 'west', 'apac', 'emea', 'amer'];
const TIERS = ['bronze', 'silver', 'gold', 'platinum'];
const SUBJECTS = ['Cannot log in', 'Invoice question', 'Delivery delayed', 'Upgrade request', 'Data export', 'Refund', '发票问题', '无法登录', '物流延迟'];
const EPOCH = Date.UTC(2024, 0, 1) / 1000;

/** The id of the `index`-th demo record of a tenant: time-ordered like a real ObjectId, and stable. */
export function demoId(tenant: string, index: number, kind = 'customer'): Types.ObjectId {
  const time = (EPOCH + index * 60).toString(16).padStart(8, '0');
  const middle = createHash('sha1').update(`${tenant}:${kind}`).digest('hex').slice(0, 10);
  const counter = (index % 0xffffff).toString(16).padStart(6, '0');
  return new Types.ObjectId(time + middle + counter);
}

/** Builds the `index`-th demo customer of a tenant with its service and marketing data. */
export function makeDemoCustomer(plan: TenantPlan, index: number, keyring: Keyring): DemoCustomer {
  const faker = pickFaker(index);
  faker.seed(hashSeed(`${plan.tenant}:${index}`));
  const id = demoId(plan.tenant, index);
  const chinese = faker === fakerZH_CN;
  const name = chinese ? `${faker.person.lastName()}${faker.person.firstName()}` : faker.person.fullName();
  const company = faker.datatype.boolean(0.85) ? faker.company.name() : null;
  // Every 50th customer repeats an earlier one's phone or email: likely duplicates to find.
  const twin = index % 50 === 49 ? makeDemoCustomer(plan, index - 1, keyring).plain : null;
  const phone = twin?.phone ?? makePhone(faker, chinese);
  const email = (index % 100 === 99 ? twin?.email : null) ?? `${faker.internet.username().toLowerCase()}.${index}@${faker.internet.domainName()}`.toLowerCase();
  const createdAt = id.getTimestamp();
  const updatedAt = new Date(createdAt.getTime() + faker.number.int({ min: 0, max: 30 * 24 * 3600 }) * 1000);
  const tags = faker.helpers.arrayElements(TAGS, { min: 0, max: 3 });
  const consent = { email: faker.datatype.boolean(0.6), sms: faker.datatype.boolean(0.3), updatedAt };
  const segments = faker.helpers.arrayElements(SEGMENTS, { min: 1, max: 2 });
  const customer: CustomerRecord = {
    _id: id,
    tenant: plan.tenant,
    name,
    company,
    email,
    phone: sealValue(keyring, 'phone', phone) as string,
    phoneIndex: phoneIndexOf(keyring, phone),
    idNumber: sealValue(keyring, 'idNumber', chinese ? chineseIdNumber(faker) : null) as string | null,
    ownerId: faker.helpers.arrayElement(plan.owners),
    stage: faker.helpers.arrayElement(STAGES),
    dealValue: faker.datatype.boolean(0.7) ? faker.number.int({ min: 1, max: 500 }) * 1000 : null,
    ...initialVersioning(1),
    nameKey: makeNameKey(name, company),
    tags,
    segments,
    consentEmail: consent.email,
    mergedInto: null,
    createdAt,
    updatedAt,
  };
  const tickets: TicketRecord[] = Array.from({ length: faker.number.int({ min: 0, max: 3 }) }, (_, t) => {
    const opened = new Date(createdAt.getTime() + (t + 1) * 86_400_000);
    return {
      _id: demoId(plan.tenant, index * 4 + t, 'ticket'),
      subject: faker.helpers.arrayElement(SUBJECTS),
      status: faker.helpers.arrayElement(TICKET_STATUSES),
      priority: faker.helpers.arrayElement(PRIORITIES),
      createdAt: opened,
      updatedAt: opened,
    };
  });
  const service: ServiceProfileRecord = {
    _id: id,
    tenant: plan.tenant,
    ...initialVersioning(1),
    tier: faker.helpers.arrayElement(TIERS),
    openTickets: tickets.filter((t) => t.status === 'OPEN' || t.status === 'PENDING').length,
    satisfaction: faker.datatype.boolean(0.6) ? faker.number.float({ min: 1, max: 5, fractionDigits: 1 }) : null,
    lastContactAt: tickets.length > 0 ? tickets[tickets.length - 1].createdAt : null,
    tickets,
    updatedAt,
  };
  const marketing: MarketingProfileRecord = {
    _id: id,
    tenant: plan.tenant,
    ...initialVersioning(1),
    tags,
    segments,
    leadScore: faker.number.int({ min: 0, max: 100 }),
    consent,
    updatedAt,
  };
  return { customer, service, marketing, plain: { phone, email } };
}

// 60% Chinese customers, the rest from the UK, the US and Germany.
function pickFaker(index: number): Faker {
  const bucket = index % 10;
  if (bucket < 6) return fakerZH_CN;
  if (bucket < 8) return fakerEN_US;
  if (bucket < 9) return fakerEN_GB;
  return fakerDE;
}

// Random digits are not always an assigned range: draw again until libphonenumber accepts it.
function makePhone(faker: Faker, chinese: boolean): string {
  for (let attempt = 0; ; attempt++) {
    try {
      return normalizePhone(typePhone(faker, chinese), 'CN');
    } catch (error) {
      if (attempt > 50) throw error;
    }
  }
}

// Phones typed the way people type them: "138-0013-8000", "+86 138 0013 8000", "(0086)13800138000"…
function typePhone(faker: Faker, chinese: boolean): string {
  if (chinese) {
    const digits = `1${faker.helpers.arrayElement(['38', '39', '50', '58', '86', '88', '36', '77'])}${faker.string.numeric(8)}`;
    const [a, b, c] = [digits.slice(0, 3), digits.slice(3, 7), digits.slice(7)];
    return faker.helpers.arrayElement([`${a}-${b}-${c}`, `+86 ${a} ${b} ${c}`, digits, `(0086)${digits}`, `+86-${digits}`, `${a} ${b} ${c}`]);
  }
  const region = faker.helpers.arrayElement(['US', 'GB', 'DE']);
  if (region === 'US') {
    const area = faker.helpers.arrayElement(['212', '415', '617', '312', '206']);
    const line = `${faker.number.int({ min: 200, max: 999 })}-${faker.string.numeric(4)}`;
    return faker.helpers.arrayElement([`+1 (${area}) ${line}`, `+1-${area}-${line}`, `001 ${area} ${line.replace('-', ' ')}`]);
  }
  if (region === 'GB') return faker.helpers.arrayElement([`+44 7${faker.helpers.arrayElement(['4', '5', '7', '8', '9'])}${faker.string.numeric(2)} ${faker.string.numeric(6)}`, `+4479${faker.string.numeric(8)}`]);
  return faker.helpers.arrayElement([`+49 151 ${faker.string.numeric(8)}`, `+49 (0)170 ${faker.string.numeric(7)}`]);
}

// A well-formed 18-character PRC resident ID (region, birth date, sequence, ISO 7064 check digit).
function chineseIdNumber(faker: Faker): string {
  const region = faker.helpers.arrayElement(['110101', '310104', '440305', '330106', '510107']);
  const birth = faker.date.birthdate({ min: 20, max: 70, mode: 'age' });
  const date = `${birth.getUTCFullYear()}${String(birth.getUTCMonth() + 1).padStart(2, '0')}${String(birth.getUTCDate()).padStart(2, '0')}`;
  const body = `${region}${date}${faker.string.numeric(3)}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((acc, digit, i) => acc + Number(digit) * weights[i], 0);
  return body + '10X98765432'[sum % 11];
}

function hashSeed(text: string): number {
  return createHash('sha1').update(text).digest().readUInt32BE(0);
}
