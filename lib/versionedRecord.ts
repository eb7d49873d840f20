/**
 * The shape every versioned record shares (a customer, a service profile, a marketing profile),
 * and the pure rules of optimistic locking with field-level merge (DESIGN.md, "Versions, merges
 * and conflicts").
 */

/** One field a write changed, with its value before and after. */
export interface FieldChange {
  readonly field: string;
  readonly old: unknown;
  readonly new: unknown;
}

/** One accepted write, kept in the record's bounded history. */
export interface Revision {
  readonly version: number;
  readonly kind: 'create' | 'update' | 'revert' | 'merge';
  readonly changes: readonly FieldChange[];
  readonly actor: string;
  readonly deviceId: string | null;
  readonly at: Date;
  /** `tenant:actor:clientMutationId` of the write, so a replay racing the original is recognised. */
  readonly mutationKey: string | null;
}

/**
 * A change waiting in the record itself for the relay to move it into the feed. Written in the
 * same document update as the change (the outbox pattern without transactions).
 */
export interface PendingChange {
  readonly version: number;
  readonly changedFields: readonly string[];
  readonly actor: string;
  /** The actor's roles at the time of the write (for the audit log). */
  readonly roles?: readonly string[];
  readonly deviceId: string | null;
  readonly at: Date;
  /** Values other subgraphs follow (e.g. `mergedInto`, marketing tags); stays inside the feed, never sent to clients. */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The versioning fields of every record. */
export interface Versioned {
  version: number;
  /** Version at which each field last changed; encoded with `encodeFieldKey`. */
  fieldVersions: Record<string, number>;
  revisions: Revision[];
  pendingChanges: PendingChange[];
  /** Set while `pendingChanges` is not empty, so the relay finds work with one indexed query. */
  hasPending?: boolean;
}

/** Dotted field paths ("consent.email") as MongoDB-safe keys of `fieldVersions`. */
export function encodeFieldKey(field: string): string {
  return field.replace(/\./g, ':');
}

/**
 * The fields of a write that a revision after `expectedVersion` already changed: a write is merged
 * on top when this is empty and refused with VERSION_CONFLICT otherwise.
 */
export function findConflictingFields(record: Pick<Versioned, 'fieldVersions'>, expectedVersion: number, fields: readonly string[]): string[] {
  // Records written before versioning (or minimised by mongoose) may lack the map: nothing changed since.
  return fields.filter((field) => (record.fieldVersions?.[encodeFieldKey(field)] ?? 0) > expectedVersion);
}

/** The fields of `input` whose value differs from `current` (deep equality for arrays and dates). */
export function diffFields(current: Record<string, unknown>, input: Record<string, unknown>): FieldChange[] {
  return Object.entries(input)
    .filter(([field, value]) => !sameValue(readPath(current, field), value))
    .map(([field, value]) => ({ field, old: readPath(current, field) ?? null, new: value }));
}

/**
 * The value each field had at `toVersion`, for the fields changed since, from the history.
 * Returns undefined when the history no longer reaches back to `toVersion`.
 */
export function valuesAtVersion(record: Pick<Versioned, 'version' | 'revisions'>, toVersion: number): Record<string, unknown> | undefined {
  const later = (record.revisions ?? []).filter((r) => r.version > toVersion).sort((a, b) => a.version - b.version);
  const expected = record.version - toVersion;
  // Every version after toVersion must still be in the history, or an old value could be missing.
  if (later.length !== expected) return undefined;
  const values: Record<string, unknown> = {};
  for (const revision of later) {
    for (const change of revision.changes) {
      if (!(change.field in values)) values[change.field] = change.old;
    }
  }
  return values;
}

/** Reads a dotted path of a plain object. */
export function readPath(source: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), source);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  return (a ?? null) === (b ?? null);
}

/** The versioning fields of a record nobody has written yet (version 0), or of seeded data at `version`. */
export function initialVersioning(version = 0): Pick<Versioned, 'version' | 'fieldVersions' | 'revisions' | 'pendingChanges'> {
  return { version, fieldVersions: {}, revisions: [], pendingChanges: [] };
}
