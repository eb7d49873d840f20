/** What the console shows of a customer, and the GraphQL selections built from it for one identity. */
import type { FieldAccess } from './api';

export type Editor = 'text' | 'stage' | 'number';

export interface FieldSpec {
  /** `Type.field`, as the gateway names it in FORBIDDEN errors. */
  readonly key: string;
  readonly label: string;
  /** The selection that fetches it. */
  readonly select: string;
  /** How the core form edits it (only Customer fields are edited here). */
  readonly editor?: Editor;
}

export const STAGES = ['LEAD', 'QUALIFIED', 'PROPOSAL', 'WON', 'LOST'] as const;

const field = (type: string, name: string, label: string, editor?: Editor, select = name): FieldSpec => ({ key: `${type}.${name}`, label, select, editor });

export const CORE_FIELDS: readonly FieldSpec[] = [
  field('Customer', 'name', 'Name', 'text'),
  field('Customer', 'company', 'Company', 'text'),
  field('Customer', 'email', 'Email', 'text'),
  field('Customer', 'phone', 'Phone', 'text'),
  field('Customer', 'idNumber', 'National ID', 'text'),
  field('Customer', 'ownerId', 'Owner', 'text'),
  field('Customer', 'stage', 'Stage', 'stage'),
  field('Customer', 'dealValue', 'Deal value', 'number'),
  field('Customer', 'updatedAt', 'Updated'),
];

export const SERVICE_FIELDS: readonly FieldSpec[] = [
  field('ServiceProfile', 'tier', 'Tier'),
  field('ServiceProfile', 'openTickets', 'Open tickets'),
  field('ServiceProfile', 'satisfaction', 'Satisfaction'),
  field('ServiceProfile', 'lastContactAt', 'Last contact'),
  field('ServiceProfile', 'tickets', 'Tickets', undefined, 'tickets { id subject status priority }'),
];

export const MARKETING_FIELDS: readonly FieldSpec[] = [
  field('MarketingProfile', 'tags', 'Tags'),
  field('MarketingProfile', 'segments', 'Segments'),
  field('MarketingProfile', 'leadScore', 'Lead score'),
  field('MarketingProfile', 'consent', 'Consent', undefined, 'consent { email sms }'),
];

export const LIST_FIELDS: readonly FieldSpec[] = [CORE_FIELDS[0], CORE_FIELDS[1], CORE_FIELDS[6], CORE_FIELDS[5]];

/** The selections of `specs` this identity may read, joined. */
export function readable(specs: readonly FieldSpec[], access: FieldAccess): string {
  return specs
    .filter((spec) => !access.isNeverReadable(spec.key))
    .map((spec) => spec.select)
    .join(' ');
}

function optional(access: FieldAccess, key: string, select: string): string {
  return access.isNeverReadable(key) ? '' : select;
}

/** A sub-selection, or nothing when none of its fields may be read (an empty `{ }` is invalid). */
function section(name: string, versionKey: string, specs: readonly FieldSpec[], access: FieldAccess): string {
  const inner = `${optional(access, versionKey, 'version')} ${readable(specs, access)}`.trim();
  return inner ? `${name} { ${inner} }` : '';
}

/** Everything the console shows of one customer, as this identity may see it. */
function customerSelection(access: FieldAccess): string {
  return `id ${optional(access, 'Customer.version', 'version')} ${readable(CORE_FIELDS, access)}
    ${section('service', 'ServiceProfile.version', SERVICE_FIELDS, access)}
    ${section('marketing', 'MarketingProfile.version', MARKETING_FIELDS, access)}
    ${optional(access, 'Customer.history', 'history(first: 5) { version changedFields actor deviceId at }')}`;
}

/** One customer. */
export function customerQuery(access: FieldAccess): string {
  return `query ConsoleCustomer($id: ID!) { customer(id: $id) { ${customerSelection(access)} } }`;
}

const CHANGE = 'cursor customerId source version changedFields actor deviceId at';

/** The changes of one customer, each with the whole customer as it is after the change. */
export function customerSubscription(access: FieldAccess): string {
  return `subscription ConsoleCustomerChanges($ids: [ID!], $after: String) { customerChanged(ids: $ids, after: $after) { ${CHANGE} customer { ${customerSelection(access)} } } }`;
}

/** A page of the customer list. */
export function listQuery(access: FieldAccess): string {
  return `query ConsoleCustomers($first: Int!, $after: String, $filter: CustomerFilter) {
    customers(first: $first, after: $after, filter: $filter) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id ${readable(LIST_FIELDS, access)} } } } }`;
}

/** Every field the console may show, asked once after signing in so the gateway names all refused ones at once. */
export function probeQuery(access: FieldAccess): string {
  return `query ConsoleProbe { customers(first: 1) { edges { node { id ${optional(access, 'Customer.version', 'version')} ${readable(CORE_FIELDS, access)}
    ${section('service', 'ServiceProfile.version', SERVICE_FIELDS, access)}
    ${section('marketing', 'MarketingProfile.version', MARKETING_FIELDS, access)}
    ${optional(access, 'Customer.history', 'history(first: 1) { version }')} } } } }`;
}

/** Every change in the tenant, with what the list shows of the customer. */
export function changesSubscription(access: FieldAccess): string {
  return `subscription ConsoleChanges($after: String) { customerChanged(after: $after) { ${CHANGE} customer { id ${readable(LIST_FIELDS, access)} } } }`;
}

export const UPDATE_CUSTOMER = `mutation ConsoleUpdate($id: ID!, $expectedVersion: Int!, $input: UpdateCustomerInput!, $clientMutationId: ID) {
  updateCustomer(id: $id, expectedVersion: $expectedVersion, input: $input, clientMutationId: $clientMutationId) { id version } }`;

/** A value as the console prints it. */
export function display(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map(display).join(', ') : '—';
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${k}: ${display(v)}`).join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}
