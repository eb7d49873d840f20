/** Relay cursor pagination helpers: argument checks and opaque cursors over record ids. */
import { BadUserInputError } from './errors';

export const MAX_PAGE_SIZE = 100;
const CURSOR_PREFIX = 'c1:';

/** Checks `first` against 1..MAX_PAGE_SIZE. */
export function validateFirst(first: number | null | undefined, fallback = 20, max = MAX_PAGE_SIZE): number {
  const value = first ?? fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new BadUserInputError('first', `must be an integer from 1 to ${max}, got ${value}`);
  }
  return value;
}

/** Encodes a record id as an opaque cursor. */
export function encodeCursor(id: string): string {
  return Buffer.from(CURSOR_PREFIX + id).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`; throws `BAD_USER_INPUT` naming `field` when it is not one. */
export function decodeCursor(cursor: string, field = 'after'): string {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!raw.startsWith(CURSOR_PREFIX) || raw.length === CURSOR_PREFIX.length) {
    throw new BadUserInputError(field, 'is not a cursor returned by this API');
  }
  return raw.slice(CURSOR_PREFIX.length);
}

/** One page of a Relay connection over records keyed by ObjectId, oldest first. */
export interface Page<T> {
  readonly edges: ReadonlyArray<{ readonly cursor: string; readonly node: T }>;
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  /** Counts every record the filter matches; run only when a client asks for `totalCount`. */
  readonly totalCount: () => Promise<number>;
}

/** The two queries a page needs; a model adapter supplies them so this module stays free of mongoose. */
export interface PageSource<T extends { _id: { toHexString(): string } }> {
  /** Up to `limit` records whose id is greater than `afterId` (all when undefined), in id order. */
  findAfter(afterId: string | undefined, limit: number): Promise<T[]>;
  count(): Promise<number>;
}

/** Reads one page: fetches `first + 1` records to learn whether another page follows. */
export async function readPage<T extends { _id: { toHexString(): string } }>(
  source: PageSource<T>,
  first: number,
  afterId: string | undefined,
): Promise<Page<T>> {
  const records = await source.findAfter(afterId, first + 1);
  const hasNextPage = records.length > first;
  const nodes = hasNextPage ? records.slice(0, first) : records;
  const edges = nodes.map((node) => ({ cursor: encodeCursor(node._id.toHexString()), node }));
  return {
    edges,
    pageInfo: { hasNextPage, endCursor: edges.length > 0 ? edges[edges.length - 1].cursor : null },
    totalCount: () => source.count(),
  };
}
