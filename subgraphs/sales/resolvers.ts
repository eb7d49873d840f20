import { decodeChangeCursor, encodeChangeCursor, latestSeq, readChanges, toFeedChange } from '../../lib/changeFeed';
import { BadUserInputError } from '../../lib/errors';
import { listConflicts } from '../../lib/conflictLog';
import { subject } from '@casl/ability';
import { SENSITIVE_FIELDS, openValue, phoneIndexOf } from '../../lib/customerSecrets';
import { toConflictView } from '../../lib/conflictView';
import { guardFields, readableWhere } from '../../lib/guardFields';
import { SUBJECT_FIELDS, writableFields } from '../../lib/policy';
import { buildCustomerFilter } from '../../lib/customerFilter';
import { DateTimeScalar } from '../../lib/dateTimeScalar';
import { WITHOUT_BOOKKEEPING } from '../../lib/loadByIds';
import { parseObjectId } from '../../lib/objectId';
import { decodeCursor, readPage, validateFirst } from '../../lib/pagination';
import type { CustomerResolvers, Resolvers } from './generated/resolvers';
import type { SalesContext } from './loaders';
import type { CustomerRecord } from './models';
import { createCustomer, customerConditions, mergeCustomers, revertCustomer, updateCustomer } from './writes';

// Every read of a phone or ID number is audited (lib/auditLog), then decrypted for the caller.
function readSensitive(ctx: SalesContext, customer: CustomerRecord, field: 'phone' | 'idNumber'): string | null {
  const stored = customer[field];
  if (stored === null) return null;
  ctx.noteRead(customer._id.toHexString(), field);
  return openValue(ctx.settings.keyring, field, stored) as string;
}

/** Sales resolvers: the core customer fields, lists, the change feed and the sales writes. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    customer: (_parent, { id }, ctx) => ctx.loaders.customerById.load(parseObjectId(id).toHexString()),
    customers: (_parent, { first, after, filter }, ctx) => {
      const limit = validateFirst(first);
      const afterId = after == null ? undefined : parseObjectId(decodeCursor(after), 'after').toHexString();
      const base = buildCustomerFilter(ctx.caller.tenant, filter, ctx.settings.defaultPhoneRegion, (phone) => phoneIndexOf(ctx.settings.keyring, phone)!);
      // Looking customers up by phone or email is reading those fields: only where the caller may.
      const narrowing = (['phone', 'email'] as const).filter((f) => filter?.[f] != null).map((f) => readableWhere(ctx.ability, 'Customer', f));
      const query = narrowing.length > 0 ? { $and: [base, ...narrowing] } : base;
      const { Customer } = ctx.models;
      return readPage<CustomerRecord>(
        {
          findAfter: (fromId, n) =>
            Customer.find(fromId ? { ...query, _id: { $gt: fromId } } : query, WITHOUT_BOOKKEEPING)
              .sort({ _id: 1 })
              .limit(n)
              .lean<CustomerRecord[]>()
              .exec(),
          count: () => Customer.countDocuments(query).exec(),
        },
        limit,
        afterId,
      );
    },
    me: (_parent, _args, { caller }) => ({ id: caller.sub, tenant: caller.tenant, roles: [...caller.roles], deviceId: caller.deviceId ?? null, writableFields: writableFields(caller) }),
    changes: async (_parent, { after, first, ids }, ctx) => {
      const limit = validateFirst(first, 100, 1000);
      if (ids && ids.length > 1000) throw new BadUserInputError('ids', 'at most 1000 ids');
      const batch = await readChanges(ctx.db, ctx.caller.tenant, after == null ? undefined : decodeChangeCursor(after), limit, ids ?? undefined);
      const changes = batch.changes.map(toFeedChange);
      return { changes, cursor: changes.at(-1)?.cursor ?? after ?? null, hasMore: batch.hasMore };
    },
    latestChangeCursor: async (_parent, _args, ctx) => {
      // An empty feed has a cursor too (position 0), so "from here" never races the first change.
      return encodeChangeCursor((await latestSeq(ctx.db, ctx.caller.tenant)) ?? 0);
    },
  },
  Mutation: {
    createCustomer: (_parent, { input, clientMutationId }, ctx) => createCustomer(ctx, input, clientMutationId),
    updateCustomer: (_parent, { id, expectedVersion, input, clientMutationId }, ctx) => updateCustomer(ctx, id, expectedVersion, input, clientMutationId),
    revertCustomer: (_parent, { id, toVersion, expectedVersion }, ctx) => revertCustomer(ctx, id, toVersion, expectedVersion),
    mergeCustomers: (_parent, { survivorId, duplicateId }, ctx) => mergeCustomers(ctx, survivorId, duplicateId),
  },
  CustomerConnection: {
    totalCount: (page) => page.totalCount(),
  },
  CustomerChange: {
    at: (change) => new Date(change.at),
    customer: (change, _args, ctx) => ctx.loaders.customerById.load(change.customerId),
  },
  CustomerRevision: {
    changedFields: (revision) => revision.changes.map((change) => change.field),
  },
  Customer: guardFields('Customer', SUBJECT_FIELDS.Customer, {
    __resolveReference: (reference, ctx) => ctx.loaders.customerById.load(reference.id),
    id: (customer) => customer._id.toHexString(),
    phone: (customer, _args, ctx) => readSensitive(ctx, customer, 'phone'),
    idNumber: (customer, _args, ctx) => readSensitive(ctx, customer, 'idNumber'),
    duplicates: (customer, _args, ctx) => ctx.loaders.duplicatesOf.load(customer),
    history: async (customer, { first }, ctx) => {
      const limit = validateFirst(first, 20);
      const revisions = await ctx.loaders.historyOf.load(customer._id.toHexString());
      return [...revisions].sort((a, b) => b.version - a.version).slice(0, limit);
    },
    conflicts: async (customer, { first }, ctx) => {
      const entries = await listConflicts(ctx.db, ctx.caller.tenant, 'sales', customer._id.toHexString(), validateFirst(first, 20));
      // Values are shown in the clear only where the reader may read that field of this customer.
      const readable = (field: string) => ctx.ability.can('read', subject('Customer', customerConditions(customer)) as never, field);
      const id = customer._id.toHexString();
      return entries.map((entry) =>
        toConflictView(entry, (field, value) => {
          if (!readable(field)) return '[hidden]';
          if (value != null && SENSITIVE_FIELDS.includes(field)) ctx.noteRead(id, field);
          return openValue(ctx.settings.keyring, field, value);
        }),
      );
    },
  } satisfies CustomerResolvers, customerConditions),
};
