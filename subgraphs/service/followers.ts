/** What service follows in the feed: merges of customers, whose tickets move to the survivor. */
import type { FollowerSpec } from '../../lib/feedFollower';
import type { ServiceContext } from './loaders';
import { foldMergedProfile } from './writes';

/** The service subgraph's followers. */
export function createFollowers(contextFor: (tenant: string) => ServiceContext): FollowerSpec[] {
  return [
    {
      name: 'service:merge',
      filter: { source: 'sales', 'data.mergedInto': { $exists: true } },
      handle: (change) => foldMergedProfile(contextFor(change.tenant), change.customerId, String(change.data!.mergedInto)),
    },
  ];
}
