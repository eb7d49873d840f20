/** Per-request data access of the marketing subgraph. */
import DataLoader from 'dataloader';
import { Types } from 'mongoose';
import type { Caller } from '../../lib/caller';
import { loadByIds } from '../../lib/loadByIds';
import { isApiId } from '../../lib/objectId';
import { initialVersioning } from '../../lib/versionedRecord';
import type { SubgraphContext } from '../../lib/startSubgraph';
import type { MarketingModels, MarketingProfileRecord } from './models';

/** A `Customer` as the marketing subgraph knows it: just its key. */
export interface CustomerRef {
  readonly id: string;
}

export interface MarketingLoaders {
  /** Profile of each customer (an empty version-0 profile when marketing has none): one query per batch. */
  readonly profileByCustomer: DataLoader<string, MarketingProfileRecord>;
}

export type MarketingContext = SubgraphContext<MarketingModels, MarketingLoaders>;

/** Builds fresh loaders for one request and caller. */
export function createLoaders(caller: Caller, models: MarketingModels): MarketingLoaders {
  const { tenant } = caller;
  return {
    profileByCustomer: new DataLoader((ids) =>
      loadByIds<MarketingProfileRecord, MarketingProfileRecord>(models.MarketingProfile, tenant, ids, (id) => emptyMarketingProfile(id, tenant)),
    ),
  };
}

/** The profile of a customer marketing holds nothing for yet: version 0, the start of its first write. */
export function emptyMarketingProfile(customerId: string, tenant: string): MarketingProfileRecord {
  return {
    _id: new Types.ObjectId(isApiId(customerId) ? customerId : undefined),
    tenant,
    ...initialVersioning(),
    tags: [],
    segments: [],
    leadScore: 0,
    consent: { email: false, sms: false, updatedAt: null },
    updatedAt: new Date(0),
  };
}
