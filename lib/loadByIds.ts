import type { Model, Types } from 'mongoose';
import { isApiId } from './objectId';


/** Reads leave out history and pending changes: they can be large and only history resolvers need them. */
export const WITHOUT_BOOKKEEPING: Record<string, 0> = { revisions: 0, pendingChanges: 0 };

/**
 * The batch function behind every "record by id within a tenant" DataLoader: one `find` with `$in`,
 * results in key order, `fallback(id)` for ids that are malformed, missing or in another tenant.
 */
export async function loadByIds<T extends { _id: Types.ObjectId }, R = T | null>(
  model: Model<T>,
  tenant: string,
  ids: readonly string[],
  fallback: (id: string) => R,
  projection: Record<string, 0 | 1> = WITHOUT_BOOKKEEPING,
): Promise<Array<T | R>> {
  const valid = ids.filter(isApiId);
  const records = valid.length === 0 ? [] : await model.find({ tenant, _id: { $in: valid } }, projection).lean<T[]>();
  const byId = new Map(records.map((record) => [record._id.toHexString(), record]));
  return ids.map((id) => byId.get(id) ?? fallback(id));
}
