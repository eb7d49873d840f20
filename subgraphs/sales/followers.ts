/** What sales follows in the feed: marketing's tags and segments (list filters) and email consent (the marketing role's email rule). */
import { Types } from 'mongoose';
import type { FollowerSpec } from '../../lib/feedFollower';
import type { SalesContext } from './loaders';

/** The sales subgraph's followers. */
export function createFollowers(contextFor: (tenant: string) => SalesContext): FollowerSpec[] {
  return [
    {
      name: 'sales:marketing-mirror',
      filter: { source: 'marketing', data: { $exists: true } },
      async handle(change) {
        const { models } = contextFor(change.tenant);
        const set: Record<string, unknown> = { marketingMirrorVersion: change.version };
        for (const field of ['tags', 'segments', 'consentEmail']) if (change.data && field in change.data) set[field] = change.data[field];
        // A plain update, not a versioned write: the mirror is marketing's data, not a sales change.
        await models.Customer.collection.updateOne(
          {
            _id: new Types.ObjectId(change.customerId),
            tenant: change.tenant,
            $or: [{ marketingMirrorVersion: { $exists: false } }, { marketingMirrorVersion: { $lt: change.version } }],
          },
          { $set: set },
        );
      },
    },
  ];
}
