/** What marketing follows in the feed: new customers (their empty profile) and merges (tags and segments join the survivor's). */
import type { FollowerSpec } from '../../lib/feedFollower';
import type { MarketingContext } from './loaders';
import { createEmptyMarketingProfile, foldMergedProfile } from './writes';

/** The marketing subgraph's followers. */
export function createFollowers(contextFor: (tenant: string) => MarketingContext): FollowerSpec[] {
  return [
    {
      name: 'marketing:customer-created',
      filter: { source: 'sales', version: 1 },
      handle: (change) => createEmptyMarketingProfile(contextFor(change.tenant), change.customerId),
    },
    {
      name: 'marketing:merge',
      filter: { source: 'sales', 'data.mergedInto': { $exists: true } },
      handle: (change) => foldMergedProfile(contextFor(change.tenant), change.customerId, String(change.data!.mergedInto)),
    },
  ];
}
