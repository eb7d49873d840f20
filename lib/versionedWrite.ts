/**
 * Applies one write to a versioned record as a single atomic conditional update: the filter names
 * the version we read, the update bumps it by one and, in the same document write, appends the
 * revision and the pending change for the relay. A lost race re-reads and tries again, so
 * concurrent writes of disjoint fields both land and overlapping ones get VERSION_CONFLICT.
 */
import type { Model, Types } from 'mongoose';
import type { Caller } from './caller';
import { BadUserInputError, VersionConflictError } from './errors';
import { encodeFieldKey, findConflictingFields, readPath, type FieldChange, type PendingChange, type Revision, type Versioned } from './versionedRecord';

/** What a write does to the record it read. */
export interface WritePlan {
  /** Field path → new value. */
  readonly set: Readonly<Record<string, unknown>>;
  /** Values appended to arrays (e.g. a new ticket). */
  readonly push?: Readonly<Record<string, unknown>>;
  /** `arrayFilters` for positional paths in `set` (e.g. `tickets.$[t].status`). */
  readonly arrayFilters?: ReadonlyArray<Record<string, unknown>>;
  /** What history and the change feed record; empty means the write changes nothing. */
  readonly changes: readonly FieldChange[];
  /** Values for the feed's followers in other subgraphs (see PendingChange.data). */
  readonly data?: Readonly<Record<string, unknown>>;
}

/** A refused write, as kept for admins and managers. */
export interface ConflictDetails {
  readonly tenant: string;
  readonly recordId: string;
  readonly actor: string;
  readonly deviceId: string | null;
  readonly expectedVersion: number;
  readonly currentVersion: number;
  readonly conflictingFields: readonly string[];
  readonly mine: Readonly<Record<string, unknown>>;
  readonly theirs: Readonly<Record<string, unknown>>;
}

export interface VersionedWriteOptions<T extends Versioned> {
  readonly model: Model<T>;
  readonly tenant: string;
  readonly id: Types.ObjectId;
  readonly caller: Caller;
  readonly kind: Revision['kind'];
  /** The version the client last saw; undefined for writes without a lock (e.g. opening a ticket). */
  readonly expectedVersion?: number;
  /**
   * Field → value the client asked for: checked for conflicts and kept in the conflict record.
   * A function when the fields depend on the record (a revert touches what changed since).
   */
  readonly input: Readonly<Record<string, unknown>> | ((current: T) => Readonly<Record<string, unknown>>);
  readonly plan: (current: T) => WritePlan;
  /** Throws FORBIDDEN when the caller may not make this write to this record; runs before any other check. */
  readonly authorize?: (current: T) => void;
  /** The record a first write starts from (profiles); without it a missing record is `notFound()`. */
  readonly initial?: () => T;
  readonly notFound: () => Error;
  readonly mutationKey?: string;
  readonly historyLimit: number;
  readonly onConflict?: (conflict: ConflictDetails) => Promise<void>;
  /** Encrypts a value for storage (the conflict record keeps sensitive values sealed). */
  readonly seal?: (field: string, value: unknown) => unknown;
  /** Decrypts a stored value for the client (the conflict error shows values in the clear). */
  readonly open?: (field: string, value: unknown) => unknown;
}

export type WriteOutcome<T> =
  | { readonly status: 'applied'; readonly record: T }
  | { readonly status: 'unchanged'; readonly record: T }
  /** The same `mutationKey` was already applied (a replay racing its original). */
  | { readonly status: 'replayed'; readonly record: T };

const MAX_ATTEMPTS = 200;

/** Runs the write; throws VERSION_CONFLICT, BAD_USER_INPUT or `notFound()`. */
export async function applyVersionedWrite<T extends Versioned & { _id: Types.ObjectId; tenant: string }>(
  options: VersionedWriteOptions<T>,
): Promise<WriteOutcome<T>> {
  const { model, tenant, id, expectedVersion } = options;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await model.findOne({ _id: id, tenant }).lean<T>().exec();
    const current = stored ?? options.initial?.();
    if (!current) throw options.notFound();
    options.authorize?.(current);
    if (options.mutationKey && (current.revisions ?? []).some((r) => r.mutationKey === options.mutationKey)) {
      return { status: 'replayed', record: current };
    }
    if (expectedVersion !== undefined) await checkVersion(options, current, expectedVersion);
    const plan = options.plan(current);
    if (plan.changes.length === 0) return { status: 'unchanged', record: current };

    const update = buildUpdate(options, current, plan, stored === null);
    try {
      const written = await model
        .findOneAndUpdate(stored ? { _id: id, tenant, version: current.version } : { _id: id, tenant, version: { $exists: false } }, update, {
          new: true,
          upsert: stored === null,
          arrayFilters: plan.arrayFilters ? [...plan.arrayFilters] : undefined,
        })
        .lean<T>()
        .exec();
      if (written) return { status: 'applied', record: written };
    } catch (error) {
      if ((error as { code?: number }).code !== 11000) throw error;
      // Either two first writes raced to create the record (the loser reads it and goes again),
      // or the id belongs to a record of another tenant, which does not exist for this caller.
      const owner = await model.findOne({ _id: id }, { tenant: 1 }).lean<{ tenant: string }>().exec();
      if (owner && owner.tenant !== tenant) throw options.notFound();
    }
    // Lost the race for this version: back off a little once contention is visible.
    if (attempt > 2) await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, attempt * 2)));
  }
  throw new Error(`Write to ${id.toHexString()} lost ${MAX_ATTEMPTS} races in a row`);
}

async function checkVersion<T extends Versioned & { _id: Types.ObjectId }>(options: VersionedWriteOptions<T>, current: T, expectedVersion: number): Promise<void> {
  if (!Number.isInteger(expectedVersion) || expectedVersion < 0 || expectedVersion > current.version) {
    throw new BadUserInputError('expectedVersion', `must be an integer from 0 to the current version ${current.version}, got ${expectedVersion}`);
  }
  const input = typeof options.input === 'function' ? options.input(current) : options.input;
  const conflicting = findConflictingFields(current, expectedVersion, Object.keys(input));
  if (conflicting.length === 0) return;
  const seal = options.seal ?? ((_field: string, value: unknown) => value);
  const open = options.open ?? ((_field: string, value: unknown) => value);
  const stored = Object.fromEntries(conflicting.map((field) => [field, readPath(current as unknown as Record<string, unknown>, field) ?? null]));
  const mine = Object.fromEntries(conflicting.map((field) => [field, seal(field, input[field] ?? null)]));
  const details: ConflictDetails = {
    tenant: options.tenant,
    recordId: options.id.toHexString(),
    actor: options.caller.sub,
    deviceId: options.caller.deviceId ?? null,
    expectedVersion,
    currentVersion: current.version,
    conflictingFields: conflicting,
    mine,
    theirs: stored,
  };
  // Kept before the refusal is sent, so a client that sees the conflict finds its record.
  // Best effort: failing to keep it must not turn a conflict into a 500.
  await options.onConflict?.(details).catch(() => undefined);
  throw new VersionConflictError(current.version, conflicting, Object.fromEntries(conflicting.map((field) => [field, open(field, stored[field])])));
}

function buildUpdate<T extends Versioned & { _id: Types.ObjectId }>(options: VersionedWriteOptions<T>, current: T, plan: WritePlan, creating: boolean) {
  const version = current.version + 1;
  const at = new Date();
  const deviceId = options.caller.deviceId ?? null;
  const revision: Revision = { version, kind: options.kind, changes: plan.changes, actor: options.caller.sub, deviceId, at, mutationKey: options.mutationKey ?? null };
  const pending: PendingChange = { version, changedFields: plan.changes.map((c) => c.field), actor: options.caller.sub, roles: options.caller.roles, deviceId, at, ...(plan.data ? { data: plan.data } : {}) };
  const set: Record<string, unknown> = { ...plan.set, updatedAt: at, hasPending: true };
  for (const change of plan.changes) set[`fieldVersions.${encodeFieldKey(change.field)}`] = version;
  const update: Record<string, unknown> = {
    $set: set,
    $inc: { version: 1 },
    $push: { ...plan.push, revisions: { $each: [revision], $slice: -options.historyLimit }, pendingChanges: pending },
  };
  if (creating) {
    // Defaults of a record created by its first write, except what the update itself writes.
    const written = new Set([...Object.keys(set), ...Object.keys(plan.push ?? {})].map((path) => path.split('.')[0]));
    const reserved = new Set(['_id', 'tenant', 'version', 'fieldVersions', 'revisions', 'pendingChanges']);
    update.$setOnInsert = Object.fromEntries(Object.entries(current).filter(([key]) => !written.has(key) && !reserved.has(key)));
  }
  return update;
}
