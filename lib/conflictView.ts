import type { ConflictEntry } from './conflictLog';

/** `WriteConflict` as the schema shows it: values JSON-encoded, since fields differ in type. */
export interface ConflictView {
  readonly at: Date;
  readonly actor: string;
  readonly deviceId: string | null;
  readonly expectedVersion: number;
  readonly currentVersion: number;
  readonly conflictingFields: readonly string[];
  readonly values: ReadonlyArray<{ field: string; mine: string | null; theirs: string | null }>;
}

/** The schema view of a stored conflict. */
export function toConflictView(entry: ConflictEntry, reveal: (field: string, value: unknown) => unknown = (_f, v) => v): ConflictView {
  return {
    at: entry.at,
    actor: entry.actor,
    deviceId: entry.deviceId,
    expectedVersion: entry.expectedVersion,
    currentVersion: entry.currentVersion,
    conflictingFields: entry.conflictingFields,
    values: entry.conflictingFields.map((field) => ({
      field,
      mine: JSON.stringify(reveal(field, entry.mine[field] ?? null)),
      theirs: JSON.stringify(reveal(field, entry.theirs[field] ?? null)),
    })),
  };
}
