/**
 * Reads a tenant's whole change feed through the gateway and compares it with what writers were
 * told and what subscribers received: each accepted write exactly once, in cursor order.
 */
import { decodeChangeCursor } from '../../lib/changeFeed';
import { dataOf } from './graphql';
import type { GraphQLResponse } from './stack';
import type { LiveSubscriber, ReceivedChange } from './liveSubscriber';
import { recordProblems, type SteadyWriter } from './steadyWriter';
import { waitUntil } from './waitUntil';

/** A change as the `changes` query returns it. */
export interface FeedEntry {
  readonly cursor: string;
  readonly customerId: string;
  readonly source: string;
  readonly version: number;
  readonly changedFields: readonly string[];
}

/** A write the system accepted: (customer, source, version) must be in the feed once. */
export interface AcceptedChange {
  readonly customerId: string;
  readonly source: string;
  readonly version: number;
}

type Query = (query: string, variables: Record<string, unknown>) => Promise<GraphQLResponse>;

/** Every change after `after` (from the start without it), page by page. */
export async function readFeed(query: Query, after?: string | null): Promise<FeedEntry[]> {
  const feed: FeedEntry[] = [];
  for (let cursor = after ?? null; ; ) {
    const page = dataOf(
      await query(`query($after: String) { changes(after: $after, first: 1000) { cursor hasMore changes { cursor customerId source version changedFields } } }`, { after: cursor }),
    ).changes as { cursor: string | null; hasMore: boolean; changes: FeedEntry[] };
    feed.push(...page.changes);
    cursor = page.cursor;
    if (!page.hasMore) return feed;
  }
}

/** Problems with the feed itself: cursors must strictly increase, each (source, customer, version) once. */
export function feedProblems(feed: readonly FeedEntry[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of feed.entries()) {
    if (index > 0 && seqOf(entry.cursor) <= seqOf(feed[index - 1].cursor)) problems.push(`cursor ${seqOf(entry.cursor)} after ${seqOf(feed[index - 1].cursor)}`);
    const key = changeKey(entry);
    if (seen.has(key)) problems.push(`${key} twice in the feed`);
    seen.add(key);
  }
  return problems;
}

/**
 * Compares accepted writes with the feed restricted to their customers: every accepted write is
 * there once, and nothing else is (a write applied twice would be a second entry).
 */
export function acceptedVersusFeed(accepted: readonly AcceptedChange[], feed: readonly FeedEntry[]): { missing: string[]; unexpected: string[] } {
  const customers = new Set(accepted.map((a) => a.customerId));
  const inFeed = new Set(feed.filter((e) => customers.has(e.customerId)).map(changeKey));
  const wanted = new Set(accepted.map(changeKey));
  return {
    missing: [...wanted].filter((key) => !inFeed.has(key)),
    unexpected: [...inFeed].filter((key) => !wanted.has(key)),
  };
}

/** Versions of one record and source must run 2, 3, 4… (1 is the record's creation). */
export function versionGaps(accepted: readonly AcceptedChange[]): string[] {
  const byRecord = new Map<string, number[]>();
  for (const a of accepted) byRecord.set(`${a.source}:${a.customerId}`, [...(byRecord.get(`${a.source}:${a.customerId}`) ?? []), a.version]);
  const gaps: string[] = [];
  for (const [record, versions] of byRecord) {
    const sorted = [...versions].sort((x, y) => x - y);
    sorted.forEach((version, index) => {
      if (version !== index + 2) gaps.push(`${record}: expected version ${index + 2}, found ${version}`);
    });
  }
  return gaps;
}

/** The cursors a subscriber should have received: the feed entries it may see, in order. */
export function expectedCursors(feed: readonly FeedEntry[], ids?: readonly string[]): string[] {
  const wanted = ids ? new Set(ids) : undefined;
  return feed.filter((e) => !wanted || wanted.has(e.customerId)).map((e) => e.cursor);
}

/** The cursors a subscriber received, in arrival order (duplicates kept, so they show). */
export function receivedCursors(received: readonly ReceivedChange[]): string[] {
  return received.map((r) => r.cursor);
}

/** What subscribers received against what they should have; all but `expected` and `delivered` must be 0. */
export interface DeliveryCounts {
  /** Changes the subscribers should have received, all together. */
  readonly expected: number;
  readonly delivered: number;
  /** Deliveries of a change a subscriber had already received. */
  readonly duplicates: number;
  /** Changes a subscriber should have received and never did. */
  readonly gaps: number;
  /** Deliveries whose cursor is lower than the one before. */
  readonly outOfOrder: number;
  /** Deliveries of a change not in the feed the subscriber may see. */
  readonly unexpected: number;
}

/** Counts, over every subscriber, how its received cursors differ from its expected ones. */
export function countDeliveries(expected: ReadonlyArray<readonly string[]>, received: ReadonlyArray<readonly string[]>): DeliveryCounts {
  const counts = { expected: 0, delivered: 0, duplicates: 0, gaps: 0, outOfOrder: 0, unexpected: 0 };
  expected.forEach((wanted, i) => {
    const got = received[i];
    const gotSet = new Set(got);
    const wantedSet = new Set(wanted);
    counts.expected += wanted.length;
    counts.delivered += got.length;
    counts.duplicates += got.length - gotSet.size;
    counts.gaps += wanted.filter((cursor) => !gotSet.has(cursor)).length;
    counts.outOfOrder += got.filter((cursor, k) => k > 0 && seqOf(cursor) < seqOf(got[k - 1])).length;
    counts.unexpected += got.filter((cursor) => !wantedSet.has(cursor)).length;
  });
  return counts;
}

/** What the final check of a steady write load found (it fails the test unless all is exact). */
export interface WriteLoadCheck {
  readonly feed: FeedEntry[];
  readonly deliveries: DeliveryCounts;
  /** Accepted writes missing from the feed or their record, plus records that disagree with their writes: 0. */
  readonly halfApplied: number;
  /** Subscribers that received exactly the feed they may see. */
  readonly caughtUp: number;
}

/**
 * The final check of a fault test that wrote through a steady writer (sales writes only): the feed
 * holds each accepted write once, in cursor order, and nothing else; each record agrees with its
 * writes (none lost, doubled or half-applied); every refused attempt said it may be retried; and each
 * subscriber (its `ids` filter in `filters`) received exactly the feed it may see, within `waitMs`.
 */
export async function expectFeedAndSubscribersExact(options: {
  readonly send: Query;
  /** The cursor the subscribers started after. */
  readonly start: string;
  readonly writer: SteadyWriter;
  readonly subscribers: readonly LiveSubscriber[];
  readonly filters: ReadonlyArray<readonly string[] | undefined>;
  readonly waitMs: number;
}): Promise<WriteLoadCheck> {
  const { send, start, writer, subscribers, filters, waitMs } = options;
  const feed = await readFeed(send, start);
  const versusFeed = acceptedVersusFeed(writer.accepted.map((a) => ({ ...a, source: 'sales' })), feed);
  const records = await recordProblems(send, writer.accepted);
  expect(feedProblems(feed)).toEqual([]);
  expect(versusFeed).toEqual({ missing: [], unexpected: [] });
  expect(feed).toHaveLength(writer.accepted.length);
  expect(records).toEqual([]);
  expect(writer.failures.filter((f) => !f.retryable)).toEqual([]);

  const expected = filters.map((filter) => expectedCursors(feed, filter));
  await waitUntil(() => subscribers.every((s, i) => s.received.length >= expected[i].length), waitMs);
  const received = subscribers.map((s) => receivedCursors(s.received));
  received.forEach((cursors, i) => expect(cursors).toEqual(expected[i]));
  return {
    feed,
    deliveries: countDeliveries(expected, received),
    halfApplied: versusFeed.missing.length + versusFeed.unexpected.length + records.length,
    caughtUp: received.filter((cursors, i) => cursors.join() === expected[i].join()).length,
  };
}

// The sequence number behind an opaque cursor.
function seqOf(cursor: string): number {
  return decodeChangeCursor(cursor);
}

function changeKey(change: AcceptedChange): string {
  return `${change.source}:${change.customerId}:${change.version}`;
}
