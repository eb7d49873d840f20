/** Refused writes, kept so admins and managers can see who collided with whom. */
import type { Connection } from 'mongoose';
import type { ConflictDetails } from './versionedWrite';

const COLLECTION = 'conflicts';

export interface ConflictEntry extends ConflictDetails {
  readonly source: string;
  readonly at: Date;
}

/** Returns an `onConflict` hook that stores conflicts of `source` records. */
export function createConflictRecorder(connection: Connection, source: string): (details: ConflictDetails) => Promise<void> {
  return async (details) => {
    await connection.collection(COLLECTION).insertOne({ ...details, source, at: new Date() });
  };
}

/** The most recent conflicts of one record, newest first. */
export async function listConflicts(connection: Connection, tenant: string, source: string, recordId: string, limit: number): Promise<ConflictEntry[]> {
  return connection
    .collection<ConflictEntry>(COLLECTION)
    .find({ tenant, source, recordId })
    .sort({ at: -1 })
    .limit(limit)
    .toArray();
}
