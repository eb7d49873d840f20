import { createHash } from 'node:crypto';
import { Types } from 'mongoose';

/**
 * The id of a record created by a write with an idempotency key: the same key always gives the
 * same id, so a replay racing its original collides on `_id` instead of creating a twin.
 */
export function recordIdFor(mutationKey: string | undefined): Types.ObjectId {
  if (mutationKey === undefined) return new Types.ObjectId();
  return new Types.ObjectId(createHash('sha256').update(mutationKey).digest('hex').slice(0, 24));
}
