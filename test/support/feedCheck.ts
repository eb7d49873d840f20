/**
 * Reads a tenant's whole change feed through the gateway and compares it with what writers were
 * told and what subscribers received: each accepted write exactly once, in cursor order.
 */
import { decodeChangeCursor } from '../../lib/changeFeed';
import { dataOf } from './graphql';
import type { GraphQLResponse } from './stack';
import type { ReceivedChange } from './liveSubscriber';

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

// The sequence number behind an opaque cursor.
function seqOf(cursor: string): number {
  return decodeChangeCursor(cursor);
}

function changeKey(change: AcceptedChange): string {
  return `${change.source}:${change.customerId}:${change.version}`;
}
