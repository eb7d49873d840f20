import type { RelaySource } from './changeRelay';

/** The collections whose records carry pending changes, by the subgraph that owns them. */
export const FEED_SOURCES_COLLECTIONS: readonly RelaySource[] = [
  { source: 'sales', collection: 'customers' },
  { source: 'service', collection: 'service_profiles' },
  { source: 'marketing', collection: 'marketing_profiles' },
];
