/** One versioned write from a subgraph resolver: conflicts recorded, the relay woken, bookkeeping stripped. */
import type { Model, Types } from 'mongoose';
import type { FeedSource } from './changeFeed';
import { createConflictRecorder } from './conflictLog';
import { publicRecord } from './publicRecord';
import type { SubgraphContext } from './startSubgraph';
import type { Revision, Versioned } from './versionedRecord';
import { applyVersionedWrite, type VersionedWriteOptions } from './versionedWrite';

export type WriteSpec<T extends Versioned> = Pick<
  VersionedWriteOptions<T>,
  'expectedVersion' | 'input' | 'plan' | 'initial' | 'notFound' | 'mutationKey' | 'authorize' | 'seal' | 'open'
> & { readonly kind: Revision['kind'] };

/** Applies `spec` to the record `id` of `model` as the request's caller. */
export async function writeRecord<T extends Versioned & { _id: Types.ObjectId; tenant: string }>(
  ctx: Pick<SubgraphContext<unknown, unknown>, 'caller' | 'db' | 'settings' | 'wakeRelay' | 'monitor'>,
  source: FeedSource,
  model: Model<T>,
  id: Types.ObjectId,
  spec: WriteSpec<T>,
): Promise<T> {
  const outcome = await applyVersionedWrite<T>({
    ...spec,
    model,
    tenant: ctx.caller.tenant,
    id,
    caller: ctx.caller,
    historyLimit: ctx.settings.historyLimit,
    onConflict: async (details) => {
      ctx.monitor.record('conflict');
      await createConflictRecorder(ctx.db, source)(details);
    },
  });
  if (outcome.status === 'applied') ctx.wakeRelay(id.toHexString());
  return publicRecord(outcome.record) as T;
}
