/** What service follows in the feed: new customers (their empty profile) and merges (tickets move to the survivor). */
import type { FollowerSpec } from '../../lib/feedFollower';
import type { ServiceContext } from './loaders';
import { createEmptyServiceProfile, foldMergedProfile } from './writes';

/** The service subgraph's followers. */
export function createFollowers(contextFor: (tenant: string) => ServiceContext): FollowerSpec[] {
  return [
    {
      name: 'service:customer-created',
      filter: { source: 'sales', version: 1 },
      handle: (change) => createEmptyServiceProfile(contextFor(change.tenant), change.customerId),
    },
    {
      name: 'service:merge',
      filter: { source: 'sales', 'data.mergedInto': { $exists: true } },
      handle: (change) => foldMergedProfile(contextFor(change.tenant), change.customerId, String(change.data!.mergedInto)),
    },
  ];
}
