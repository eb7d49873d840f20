/** Per-request data access of the service subgraph. */
import DataLoader from 'dataloader';
import { Types } from 'mongoose';
import type { Caller } from '../../lib/caller';
import { loadByIds } from '../../lib/loadByIds';
import { isApiId } from '../../lib/objectId';
import type { SubgraphContext } from '../../lib/startSubgraph';
import { initialVersioning } from '../../lib/versionedRecord';
import type { ServiceModels, ServiceProfileRecord } from './models';

/** A `Customer` as the service subgraph knows it: just its key. */
export interface CustomerRef {
  readonly id: string;
}

export interface ServiceLoaders {
  /** Profile of each customer, tickets included (an empty version-0 profile when service has none): one query per batch. */
  readonly profileByCustomer: DataLoader<string, ServiceProfileRecord>;
}

export type ServiceContext = SubgraphContext<ServiceModels, ServiceLoaders>;

/** Builds fresh loaders for one request and caller. */
export function createLoaders(caller: Caller, models: ServiceModels): ServiceLoaders {
  const { tenant } = caller;
  return {
    profileByCustomer: new DataLoader((ids) =>
      loadByIds<ServiceProfileRecord, ServiceProfileRecord>(models.ServiceProfile, tenant, ids, (id) => emptyServiceProfile(id, tenant)),
    ),
  };
}

/** The profile of a customer service holds nothing for yet: version 0, the start of its first write. */
export function emptyServiceProfile(customerId: string, tenant: string): ServiceProfileRecord {
  return {
    _id: new Types.ObjectId(isApiId(customerId) ? customerId : undefined),
    tenant,
    ...initialVersioning(),
    tier: null,
    openTickets: 0,
    satisfaction: null,
    lastContactAt: null,
    tickets: [],
    updatedAt: new Date(0),
  };
}
