import { buildCustomerFilter } from '../../lib/customerFilter';
import { DateTimeScalar } from '../../lib/dateTimeScalar';
import { parseObjectId } from '../../lib/objectId';
import { decodeCursor, readPage, validateFirst } from '../../lib/pagination';
import type { Resolvers } from './generated/resolvers';
import type { CustomerRecord } from './models';

/** Sales resolvers: the core customer fields, lists and the viewer. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Query: {
    customer: (_parent, { id }, ctx) => ctx.loaders.customerById.load(parseObjectId(id).toHexString()),
    customers: (_parent, { first, after, filter }, ctx) => {
      const limit = validateFirst(first);
      const afterId = after == null ? undefined : parseObjectId(decodeCursor(after), 'after').toHexString();
      const query = buildCustomerFilter(ctx.caller.tenant, filter, ctx.settings.defaultPhoneRegion);
      const { Customer } = ctx.models;
      return readPage<CustomerRecord>(
        {
          findAfter: (fromId, n) =>
            Customer.find(fromId ? { ...query, _id: { $gt: fromId } } : query)
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
    me: (_parent, _args, { caller }) => ({ id: caller.sub, tenant: caller.tenant, roles: [...caller.roles], deviceId: caller.deviceId ?? null }),
  },
  CustomerConnection: {
    totalCount: (page) => page.totalCount(),
  },
  Customer: {
    __resolveReference: (reference, ctx) => ctx.loaders.customerById.load(reference.id),
    id: (customer) => customer._id.toHexString(),
    duplicates: (customer, _args, ctx) => ctx.loaders.duplicatesOf.load(customer),
  },
};
