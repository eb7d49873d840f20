/**
 * The durable change feed: one document per accepted write in `changes`, numbered by a strictly
 * increasing per-tenant sequence, and the Redis messages that announce it. Messages are written
 * the way graphql-ws writes its protocol: an enum of types, readonly interfaces, one parser.
 */
import type { Connection } from 'mongoose';
import { BadUserInputError, CursorExpiredError } from './errors';
import type { PendingChange } from './versionedRecord';

export const FEED_SOURCES = ['sales', 'service', 'marketing'] as const;
export type FeedSource = (typeof FEED_SOURCES)[number];

/** A change as stored in the `changes` collection: the record's pending change, numbered and placed. */
export interface StoredChange extends PendingChange {
  /** `source:recordId:version`: unique, so relaying the same pending change twice stores it once. */
  readonly _id: string;
  readonly tenant: string;
  readonly seq: number;
  readonly customerId: string;
  readonly source: FeedSource;
  readonly published: boolean;
  /** Followers that have handled this change. */
  readonly followedBy?: readonly string[];
}

/** A change as clients and gateways see it (DESIGN.md `CustomerChange` without `customer`). */
export interface FeedChange {
  readonly cursor: string;
  readonly customerId: string;
  readonly source: FeedSource;
  readonly version: number;
  readonly changedFields: readonly string[];
  readonly actor: string;
  readonly deviceId: string | null;
  readonly at: string;
}

export const CHANGES_COLLECTION = 'changes';
export const FEED_COUNTERS_COLLECTION = 'feed_counters';
export const FEED_STATE_COLLECTION = 'feed_state';

// ---------------------------------------------------------------- cursors

const CURSOR_PREFIX = 'f1:';

/** The opaque cursor of a sequence number. */
export function encodeChangeCursor(seq: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${seq}`).toString('base64url');
}

/** The sequence number of a cursor made by `encodeChangeCursor`; BAD_USER_INPUT naming `field` otherwise. */
export function decodeChangeCursor(cursor: string, field = 'after'): number {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const seq = Number(raw.slice(CURSOR_PREFIX.length));
  if (!raw.startsWith(CURSOR_PREFIX) || !Number.isSafeInteger(seq) || seq < 0) {
    throw new BadUserInputError(field, 'is not a change cursor returned by this API');
  }
  return seq;
}

/** The public form of a stored change. */
export function toFeedChange(change: StoredChange): FeedChange {
  return {
    cursor: encodeChangeCursor(change.seq),
    customerId: change.customerId,
    source: change.source,
    version: change.version,
    changedFields: change.changedFields,
    actor: change.actor,
    deviceId: change.deviceId,
    at: change.at.toISOString(),
  };
}

// ---------------------------------------------------------------- reading

export interface ChangeBatch {
  readonly changes: StoredChange[];
  readonly hasMore: boolean;
}

/**
 * Changes of a tenant after `afterSeq` (from the start when undefined), oldest first.
 * Throws CURSOR_EXPIRED when changes after that cursor were already removed by retention.
 */
export async function readChanges(connection: Connection, tenant: string, afterSeq: number | undefined, limit: number, customerIds?: readonly string[]): Promise<ChangeBatch> {
  const rows = await connection
    .collection<StoredChange>(CHANGES_COLLECTION)
    .find({ tenant, seq: { $gt: afterSeq ?? 0 }, ...(customerIds ? { customerId: { $in: [...customerIds] } } : {}) })
    .sort({ seq: 1 })
    .limit(limit + 1)
    .toArray();
  // Retention removes a tenant's oldest changes: when the change right after the cursor is still
  // there, nothing after the cursor was removed (a live event's fetch never needs the second read).
  if (afterSeq !== undefined && rows[0]?.seq !== afterSeq + 1) {
    const state = await connection.collection<{ _id: string; trimmedThrough: number }>(FEED_STATE_COLLECTION).findOne({ _id: tenant });
    if (state && afterSeq < state.trimmedThrough) throw new CursorExpiredError();
  }
  return { changes: rows.slice(0, limit), hasMore: rows.length > limit };
}

/** The newest sequence number of a tenant's feed, or undefined when it is empty. */
export async function latestSeq(connection: Connection, tenant: string): Promise<number | undefined> {
  const newest = await connection.collection<StoredChange>(CHANGES_COLLECTION).find({ tenant }).sort({ seq: -1 }).limit(1).next();
  return newest?.seq;
}

/** Creates the feed's indexes (unique per-tenant sequence). */
export async function ensureFeedIndexes(connection: Connection): Promise<void> {
  await connection.collection(CHANGES_COLLECTION).createIndex({ tenant: 1, seq: 1 }, { unique: true });
  await connection.collection(CHANGES_COLLECTION).createIndex({ published: 1, tenant: 1, seq: 1 });
  await connection.collection(CHANGES_COLLECTION).createIndex({ tenant: 1, at: 1 });
}

// ---------------------------------------------------------------- Redis messages

/** Channel of a tenant's live changes. */
export function tenantChannel(tenant: string): string {
  return `cg:changes:${tenant}`;
}

/** Channel on which writers wake the relay right after a write. */
export const WAKE_CHANNEL = 'cg:relay:wake';

export enum FeedMessageType {
  /** A change entered the feed. */
  Change = 'change',
  /** A record has pending changes: relay now rather than at the next scan. */
  Wake = 'wake',
}

export interface ChangeMessage {
  readonly type: FeedMessageType.Change;
  readonly tenant: string;
  readonly change: FeedChange;
}

export interface WakeMessage {
  readonly type: FeedMessageType.Wake;
  readonly source: FeedSource;
  readonly recordId: string;
}

export type FeedMessage = ChangeMessage | WakeMessage;

/** Serialises a message for Redis. */
export function stringifyFeedMessage(message: FeedMessage): string {
  return JSON.stringify(message);
}

/** Parses and validates a message from Redis; throws on anything malformed. */
export function parseFeedMessage(raw: string): FeedMessage {
  const message = JSON.parse(raw) as Record<string, unknown>;
  switch (message.type) {
    case FeedMessageType.Change: {
      const change = message.change as Record<string, unknown> | undefined;
      if (typeof message.tenant !== 'string' || !change || typeof change.cursor !== 'string' || typeof change.customerId !== 'string' || !isSource(change.source) || typeof change.version !== 'number' || !Array.isArray(change.changedFields)) {
        throw new Error('Invalid change message');
      }
      return message as unknown as ChangeMessage;
    }
    case FeedMessageType.Wake:
      if (!isSource(message.source) || typeof message.recordId !== 'string') throw new Error('Invalid wake message');
      return message as unknown as WakeMessage;
    default:
      throw new Error(`Unknown feed message type ${JSON.stringify(message.type)}`);
  }
}

function isSource(value: unknown): value is FeedSource {
  return typeof value === 'string' && (FEED_SOURCES as readonly string[]).includes(value);
}
