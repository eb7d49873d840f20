import { DateTimeScalar } from '../../lib/dateTimeScalar';
import type { Resolvers } from './generated/resolvers';

/** Marketing resolvers: a customer's tags, segments, lead score and consent. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Customer: {
    __resolveReference: (reference) => ({ id: reference.id }),
    marketing: (customer, _args, ctx) => ctx.loaders.profileByCustomer.load(customer.id),
  },
};
