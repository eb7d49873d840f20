import { DateTimeScalar } from '../../lib/dateTimeScalar';
import type { Resolvers } from './generated/resolvers';

/** Service resolvers: a customer's service profile and tickets. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Customer: {
    __resolveReference: (reference) => ({ id: reference.id }),
    service: (customer, _args, ctx) => ctx.loaders.profileByCustomer.load(customer.id),
  },
  ServiceProfile: {
    tickets: async (profile, { status }, ctx) => {
      const tickets = await ctx.loaders.ticketsByCustomer.load(profile._id.toHexString());
      return status ? tickets.filter((ticket) => ticket.status === status) : tickets;
    },
  },
  Ticket: {
    id: (ticket) => ticket._id.toHexString(),
  },
};
