/** Per-request data access of the service subgraph. */
import DataLoader from 'dataloader';
import { Types } from 'mongoose';
import type { Caller } from '../../lib/caller';
import { loadByIds } from '../../lib/loadByIds';
import type { SubgraphContext } from '../../lib/startSubgraph';
import type { ServiceModels, ServiceProfileRecord, TicketRecord } from './models';

/** A `Customer` as the service subgraph knows it: just its key. */
export interface CustomerRef {
  readonly id: string;
}

/** A stored profile, or the empty one (version 0) of a customer service has no data for yet. */
export type ServiceProfileView = Omit<ServiceProfileRecord, 'updatedAt'>;

export interface ServiceLoaders {
  /** Profile of each customer: one query per batch. */
  readonly profileByCustomer: DataLoader<string, ServiceProfileView>;
  /** All tickets of each customer, oldest first: one query per batch. */
  readonly ticketsByCustomer: DataLoader<string, TicketRecord[]>;
}

export type ServiceContext = SubgraphContext<ServiceModels, ServiceLoaders>;

/** Builds fresh loaders for one request and caller. */
export function createLoaders(caller: Caller, models: ServiceModels): ServiceLoaders {
  const { tenant } = caller;
  return {
    profileByCustomer: new DataLoader((ids) =>
      loadByIds<ServiceProfileRecord, ServiceProfileView>(models.ServiceProfile, tenant, ids, (id) => emptyProfile(id, tenant)),
    ),
    ticketsByCustomer: new DataLoader(async (ids) => {
      const valid = ids.filter((id) => /^[0-9a-f]{24}$/.test(id)).map((id) => new Types.ObjectId(id));
      const tickets = await models.Ticket.find({ tenant, customerId: { $in: valid } })
        .sort({ createdAt: 1 })
        .lean<TicketRecord[]>();
      const byCustomer = new Map<string, TicketRecord[]>();
      for (const ticket of tickets) {
        const key = ticket.customerId.toHexString();
        byCustomer.set(key, [...(byCustomer.get(key) ?? []), ticket]);
      }
      return ids.map((id) => byCustomer.get(id) ?? []);
    }),
  };
}

function emptyProfile(customerId: string, tenant: string): ServiceProfileView {
  return {
    _id: new Types.ObjectId(/^[0-9a-f]{24}$/.test(customerId) ? customerId : undefined),
    tenant,
    version: 0,
    tier: null,
    openTickets: 0,
    satisfaction: null,
    lastContactAt: null,
  };
}
