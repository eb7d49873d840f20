/**
 * The one permission policy (DESIGN.md, "Identity and permissions"), as CASL abilities.
 * The gateway asks it what a caller may *ever* read or write (type-level `can`, which counts a
 * conditional rule as possible); subgraphs ask it about the loaded record (`subject(type, record)`),
 * where conditions such as `ownerId = sub` apply. Nothing else defines rules.
 */
import { AbilityBuilder, createMongoAbility, type MongoAbility } from '@casl/ability';
import type { Caller, Role } from './caller';

export type Action = 'read' | 'create' | 'update' | 'execute';
export type SubjectName = 'Customer' | 'ServiceProfile' | 'Ticket' | 'MarketingProfile' | 'Mutation';
export type AppAbility = MongoAbility<[Action, SubjectName | Record<string, unknown>]>;

/** Every field the policy speaks about, per subject. */
export const SUBJECT_FIELDS = {
  Customer: ['id', 'name', 'company', 'email', 'phone', 'idNumber', 'ownerId', 'stage', 'dealValue', 'version', 'updatedAt', 'history', 'duplicates', 'conflicts', 'mergedInto'],
  ServiceProfile: ['version', 'tier', 'tickets', 'openTickets', 'satisfaction', 'lastContactAt', 'conflicts'],
  Ticket: ['id', 'subject', 'status', 'priority', 'createdAt', 'updatedAt'],
  MarketingProfile: ['version', 'tags', 'segments', 'leadScore', 'consent', 'conflicts'],
  Mutation: [
    'createCustomer',
    'updateCustomer',
    'revertCustomer',
    'mergeCustomers',
    'updateServiceProfile',
    'openTicket',
    'setTicketStatus',
    'updateMarketingProfile',
  ],
} as const satisfies Record<SubjectName, readonly string[]>;

/** Customer fields a write may set (mergedInto and the bookkeeping are set by the system only). */
export const CUSTOMER_WRITABLE = ['name', 'company', 'email', 'phone', 'idNumber', 'ownerId', 'stage', 'dealValue'] as const;
const SERVICE_WRITABLE = ['tier', 'satisfaction', 'lastContactAt', 'tickets', 'openTickets'];
const MARKETING_WRITABLE = ['tags', 'segments', 'leadScore', 'consent.email', 'consent.sms'];

const META = ['id', 'version', 'updatedAt', 'mergedInto'];
const except = (fields: readonly string[], excluded: readonly string[]) => fields.filter((f) => !excluded.includes(f));

/** The record conditions a Customer rule may test (values loaded from the record). */
export interface CustomerConditions {
  readonly ownerId: string | null;
  /** Marketing's `consent.email`, mirrored by sales. */
  readonly consentEmail: boolean;
}

type Define = AbilityBuilder<AppAbility>['can'];

const ROLE_RULES: Readonly<Record<Role, (can: Define, caller: Caller) => void>> = {
  admin(can) {
    for (const [name, fields] of Object.entries(SUBJECT_FIELDS)) can(name === 'Mutation' ? 'execute' : 'read', name as SubjectName, [...fields]);
    can('create', 'Customer', [...CUSTOMER_WRITABLE]);
    can('update', 'Customer', [...CUSTOMER_WRITABLE]);
    can('update', 'ServiceProfile', SERVICE_WRITABLE);
    can('update', 'MarketingProfile', MARKETING_WRITABLE);
  },
  manager(can) {
    can('read', 'Customer', except(SUBJECT_FIELDS.Customer, ['idNumber']));
    can('read', 'ServiceProfile', [...SUBJECT_FIELDS.ServiceProfile]);
    can('read', 'Ticket', [...SUBJECT_FIELDS.Ticket]);
    can('read', 'MarketingProfile', [...SUBJECT_FIELDS.MarketingProfile]);
    can('execute', 'Mutation', [...SUBJECT_FIELDS.Mutation]);
    can('create', 'Customer', except(CUSTOMER_WRITABLE, ['idNumber']));
    can('update', 'Customer', except(CUSTOMER_WRITABLE, ['idNumber']));
    can('update', 'ServiceProfile', SERVICE_WRITABLE);
    can('update', 'MarketingProfile', MARKETING_WRITABLE);
  },
  sales(can, caller) {
    const own = { ownerId: caller.sub };
    can('read', 'Customer', ['name', 'company', 'stage', 'ownerId', 'duplicates', ...META]);
    can('read', 'Customer', ['email', 'phone', 'dealValue', 'history'], own);
    can('read', 'ServiceProfile', ['version', 'openTickets', 'satisfaction']);
    can('read', 'MarketingProfile', ['version', 'tags', 'segments']);
    can('execute', 'Mutation', ['createCustomer', 'updateCustomer']);
    const core = ['name', 'company', 'email', 'phone', 'stage', 'dealValue', 'ownerId'];
    can('create', 'Customer', core, own);
    can('update', 'Customer', except(core, ['ownerId']), own);
  },
  service(can) {
    can('read', 'Customer', ['name', 'company', 'email', 'phone', 'duplicates', ...META]);
    can('read', 'ServiceProfile', except(SUBJECT_FIELDS.ServiceProfile, ['conflicts']));
    can('read', 'Ticket', [...SUBJECT_FIELDS.Ticket]);
    can('execute', 'Mutation', ['updateServiceProfile', 'openTicket', 'setTicketStatus']);
    can('update', 'ServiceProfile', SERVICE_WRITABLE);
  },
  marketing(can) {
    can('read', 'Customer', ['name', 'company', 'stage', ...META]);
    can('read', 'Customer', ['email'], { consentEmail: true });
    can('read', 'MarketingProfile', except(SUBJECT_FIELDS.MarketingProfile, ['conflicts']));
    can('execute', 'Mutation', ['updateMarketingProfile']);
    can('update', 'MarketingProfile', MARKETING_WRITABLE);
  },
  partner(can) {
    can('read', 'Customer', ['name', 'company', 'stage', 'id', 'version', 'updatedAt']);
    can('read', 'MarketingProfile', ['version', 'tags', 'segments']);
  },
};

/** The abilities of a caller: the union of their roles' rules. */
export function defineAbilityFor(caller: Caller): AppAbility {
  const { can, build } = new AbilityBuilder<AppAbility>(createMongoAbility);
  for (const role of caller.roles) ROLE_RULES[role](can, caller);
  return build();
}

// What each update mutation may set, per subject: the basis of `Viewer.writableFields`.
const UPDATES: ReadonlyArray<{ subject: SubjectName; mutation: string; fields: readonly string[] }> = [
  { subject: 'Customer', mutation: 'updateCustomer', fields: CUSTOMER_WRITABLE },
  { subject: 'ServiceProfile', mutation: 'updateServiceProfile', fields: SERVICE_WRITABLE },
  { subject: 'MarketingProfile', mutation: 'updateMarketingProfile', fields: MARKETING_WRITABLE },
];

/**
 * The fields (`Customer.company`, `MarketingProfile.consent.email`…) this caller may update on at
 * least some records: what a client offers to edit. Every write is still checked against its record.
 */
export function writableFields(caller: Caller): string[] {
  const ability = abilityFor(caller);
  return UPDATES.filter(({ mutation }) => ability.can('execute', 'Mutation', mutation)).flatMap(({ subject, fields }) =>
    fields.filter((field) => ability.can('update', subject, field)).map((field) => `${subject}.${field}`),
  );
}

const abilityCache = new Map<string, AppAbility>();

/** `defineAbilityFor`, memoised per (roles, sub): abilities are immutable and cheap to share. */
export function abilityFor(caller: Caller): AppAbility {
  const key = `${[...caller.roles].sort().join(',')}|${caller.sub}`;
  let ability = abilityCache.get(key);
  if (!ability) {
    if (abilityCache.size > 10_000) abilityCache.clear();
    ability = defineAbilityFor(caller);
    abilityCache.set(key, ability);
  }
  return ability;
}
