import { listConflicts } from '../../lib/conflictLog';
import { toConflictView } from '../../lib/conflictView';
import { guardFields } from '../../lib/guardFields';
import { SUBJECT_FIELDS } from '../../lib/policy';
import { DateTimeScalar } from '../../lib/dateTimeScalar';
import { validateFirst } from '../../lib/pagination';
import type { MarketingProfileResolvers, Resolvers } from './generated/resolvers';
import { updateMarketingProfile } from './writes';

/** Marketing resolvers: a customer's tags, segments, lead score and consent, and the marketing write. */
export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Mutation: {
    updateMarketingProfile: (_parent, { customerId, expectedVersion, input, clientMutationId }, ctx) =>
      updateMarketingProfile(ctx, customerId, expectedVersion, input, clientMutationId),
  },
  Customer: {
    __resolveReference: (reference) => ({ id: reference.id }),
    marketing: (customer, _args, ctx) => ctx.loaders.profileByCustomer.load(customer.id),
  },
  MarketingProfile: guardFields('MarketingProfile', SUBJECT_FIELDS.MarketingProfile, {
    conflicts: async (profile, { first }, ctx) => {
      const entries = await listConflicts(ctx.db, ctx.caller.tenant, 'marketing', profile._id.toHexString(), validateFirst(first, 20));
      return entries.map((entry) => toConflictView(entry));
    },
  } satisfies MarketingProfileResolvers),
};
