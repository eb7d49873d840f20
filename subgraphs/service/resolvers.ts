import { listConflicts } from '../../lib/conflictLog';
import { toConflictView } from '../../lib/conflictView';
import { guardFields } from '../../lib/guardFields';
import { SUBJECT_FIELDS } from '../../lib/policy';
import { DateTimeScalar } from '../../lib/dateTimeScalar';
import { validateFirst } from '../../lib/pagination';
import type { Resolvers, ServiceProfileResolvers, TicketResolvers } from './generated/resolvers';
import { openTicket, setTicketStatus, updateServiceProfile } from './writes';

/** Service resolvers: a customer's service profile and tickets, and the service writes. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Mutation: {
    updateServiceProfile: (_parent, { customerId, expectedVersion, input, clientMutationId }, ctx) =>
      updateServiceProfile(ctx, customerId, expectedVersion, input, clientMutationId),
    openTicket: (_parent, { customerId, input, clientMutationId }, ctx) => openTicket(ctx, customerId, input, clientMutationId),
    setTicketStatus: (_parent, { id, status }, ctx) => setTicketStatus(ctx, id, status),
  },
  Customer: {
    __resolveReference: (reference) => ({ id: reference.id }),
    service: (customer, _args, ctx) => ctx.loaders.profileByCustomer.load(customer.id),
  },
  ServiceProfile: guardFields('ServiceProfile', SUBJECT_FIELDS.ServiceProfile, {
    tickets: (profile, { status }) => (status ? profile.tickets.filter((ticket) => ticket.status === status) : profile.tickets),
    conflicts: async (profile, { first }, ctx) => {
      const entries = await listConflicts(ctx.db, ctx.caller.tenant, 'service', profile._id.toHexString(), validateFirst(first, 20));
      return entries.map((entry) => toConflictView(entry));
    },
  } satisfies ServiceProfileResolvers),
  Ticket: guardFields('Ticket', SUBJECT_FIELDS.Ticket, {
    id: (ticket) => ticket._id.toHexString(),
  } satisfies TicketResolvers),
};
