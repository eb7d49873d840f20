/** What marketing follows in the feed: merges of customers, whose tags and segments join the survivor's. */
import type { FollowerSpec } from '../../lib/feedFollower';
import type { MarketingContext } from './loaders';
import { foldMergedProfile } from './writes';

/** The marketing subgraph's followers. */
export function createFollowers(contextFor: (tenant: string) => MarketingContext): FollowerSpec[] {
  return [
    {
      name: 'marketing:merge',
      filter: { source: 'sales', 'data.mergedInto': { $exists: true } },
      handle: (change) => foldMergedProfile(contextFor(change.tenant), change.customerId, String(change.data!.mergedInto)),
    },
  ];
}
