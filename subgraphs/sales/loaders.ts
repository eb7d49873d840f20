/** Per-request data access of the sales subgraph. */
import DataLoader from 'dataloader';
import type { Caller } from '../../lib/caller';
import { WITHOUT_BOOKKEEPING, loadByIds } from '../../lib/loadByIds';
import type { Revision } from '../../lib/versionedRecord';
import type { Page } from '../../lib/pagination';
import type { SubgraphContext } from '../../lib/startSubgraph';
import type { CustomerRecord, SalesModels } from './models';

export interface SalesLoaders {
  /** Customers of the caller's tenant by id (null when missing or elsewhere): one query per batch. */
  readonly customerById: DataLoader<string, CustomerRecord | null>;
  /** The kept revisions of each customer, oldest first: one query per batch. */
  readonly historyOf: DataLoader<string, Revision[]>;
  /** Likely duplicates of each customer: one query per batch. */
  readonly duplicatesOf: DataLoader<CustomerRecord, CustomerRecord[], string>;
}

/** What `Query.customers` returns: `totalCount` is counted only when asked for. */
export type CustomerPage = Page<CustomerRecord>;

export type SalesContext = SubgraphContext<SalesModels, SalesLoaders>;

/** Builds fresh loaders for one request and caller. */
export function createLoaders(caller: Caller, models: SalesModels): SalesLoaders {
  const { tenant } = caller;
  return {
    customerById: new DataLoader((ids) => loadByIds(models.Customer, tenant, ids, () => null)),
    historyOf: new DataLoader(async (ids) => {
      const records = await loadByIds<CustomerRecord, null>(models.Customer, tenant, ids, () => null, { _id: 1, revisions: 1 });
      return records.map((record) => record?.revisions ?? []);
    }),
    duplicatesOf: new DataLoader(
      async (customers) => {
        const phones = distinct(customers.map((c) => c.phoneIndex));
        const emails = distinct(customers.map((c) => c.email));
        const nameKeys = distinct(customers.map((c) => c.nameKey));
        const candidates = await models.Customer.find({
          tenant,
          mergedInto: null,
          $or: [{ phoneIndex: { $in: phones } }, { email: { $in: emails } }, { nameKey: { $in: nameKeys } }],
        }, WITHOUT_BOOKKEEPING)
          .limit(1000)
          .lean<CustomerRecord[]>();
        return customers.map((customer) => candidates.filter((other) => isLikelyDuplicate(customer, other)));
      },
      { cacheKeyFn: (customer) => customer._id.toHexString() },
    ),
  };
}

function isLikelyDuplicate(a: CustomerRecord, b: CustomerRecord): boolean {
  if (a._id.equals(b._id)) return false;
  return (a.phoneIndex != null && a.phoneIndex === b.phoneIndex) || (a.email !== null && a.email === b.email) || a.nameKey === b.nameKey;
}

function distinct(values: Array<string | null>): string[] {
  return [...new Set(values.filter((v): v is string => v !== null))];
}
