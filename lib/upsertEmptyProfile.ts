import type { Collection, Document } from 'mongodb';
import type { Types } from 'mongoose';

/** Inserts a profile's defaults unless a profile with that id exists (in any tenant): idempotent. */
export async function upsertEmptyProfile(collection: Collection<Document>, id: Types.ObjectId, defaults: Record<string, unknown>): Promise<void> {
  try {
    await collection.updateOne({ _id: id }, { $setOnInsert: defaults }, { upsert: true });
  } catch (error) {
    if ((error as { code?: number }).code !== 11000) throw error; // created concurrently: fine
  }
}
