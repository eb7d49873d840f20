/**
 * Delivery groups. The live subscriptions of a gateway that would see the same thing (same tenant,
 * same selection and variables, same permission rules) form a group, so the cost of an event does not
 * grow with its subscribers: a group listens to its tenant's fan-out once, fetches each change through
 * the graph once, starting as soon as it is announced (fetches of consecutive changes overlap, deliveries
 * keep cursor order), serialises the payload once, and offers that same string to every member.
 * Feed reads of members that start or resume together are shared as well, when they ask for the same
 * page before it is read (never a read that began before a member listened: that could miss changes).
 */
import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import { decodeChangeCursor, encodeChangeCursor, type FeedChange } from '../lib/changeFeed';
import type { Caller } from '../lib/caller';
import type { Logger } from '../lib/logger';
import type { ChangeQueries } from './changeQueries';
import type { Fanout } from './fanout';

/** Runs a query through the federated graph as a caller. */
export type RunQuery = (caller: Caller, query: string, variables: Record<string, unknown>) => Promise<ExecutionResult | { data?: unknown; errors?: readonly GraphQLFormattedError[] }>;

/** A change as the members of a group send it. */
export interface GroupChange {
  readonly seq: number;
  readonly customerId: string;
  /** The `next` payload (`{"data":…,"errors":…}`), serialised once for the whole group. */
  readonly payload: string;
  /** When it was written (ms since the epoch), for changes delivered live. */
  readonly writtenAt?: number;
}

/** A page of the durable feed, ready to send. */
export interface FeedPage {
  readonly changes: readonly GroupChange[];
  readonly hasMore: boolean;
  /** An error that ends the subscription (`CURSOR_EXPIRED`, a subgraph down…). */
  readonly fatal?: GraphQLFormattedError;
}

/** What a group needs of each of its subscriptions. */
export interface GroupMember {
  /** Only changes of these customers, when set. */
  readonly ids: ReadonlySet<string> | undefined;
  /** A change fetched for the group; called in cursor order. */
  offer(change: GroupChange): void;
  /** Changes may have been missed (a fetch failed, Redis was away): read the feed from the last cursor sent. */
  resync(): void;
}

/** A member's hold on its group. */
export interface Membership {
  /** The feed after `afterSeq`, one page. */
  readFeed(afterSeq: number, ids: readonly string[] | undefined): Promise<FeedPage>;
  /** The tenant's newest cursor (sequence number), read now. */
  latestSeq(): Promise<number>;
  leave(): void;
}

export interface GroupSpec {
  /** Equal for subscriptions that see the same thing (tenant, selection, variables, permission rules). */
  readonly key: string;
  /** Who the group's queries run as (any member: they have the same permissions). */
  readonly caller: Caller;
  readonly queries: ChangeQueries;
  readonly variables: Readonly<Record<string, unknown>>;
}

export interface DeliveryGroups {
  /** Adds `member` to the group of `spec.key`; resolves once that group hears its tenant's changes. */
  join(spec: GroupSpec, member: GroupMember): Promise<Membership>;
  /** Groups open now. */
  count(): number;
}

const SHARED_READ_DELAY_MS = 5;

/** Creates the registry of delivery groups of one gateway process. */
export function createDeliveryGroups(options: { readonly fanout: Fanout; readonly runQuery: RunQuery; readonly logger: Logger }): DeliveryGroups {
  const groups = new Map<string, DeliveryGroup>();
  return {
    async join(spec, member) {
      let group = groups.get(spec.key);
      if (!group) {
        group = new DeliveryGroup(spec, options, () => groups.delete(spec.key));
        groups.set(spec.key, group);
      }
      return group.add(member);
    },
    count: () => groups.size,
  };
}

class DeliveryGroup {
  private readonly members = new Set<GroupMember>();
  private readonly listening: Promise<() => void>;
  private delivered: Promise<void> = Promise.resolve();
  /** Feed reads asked for but not started yet, by page: later askers share them. */
  private readonly reads = new Map<string, Promise<FeedPage | number>>();

  constructor(
    private readonly spec: GroupSpec,
    private readonly options: { readonly fanout: Fanout; readonly runQuery: RunQuery; readonly logger: Logger },
    private readonly onEmpty: () => void,
  ) {
    this.listening = options.fanout.subscribe(spec.caller.tenant, {
      onChange: (change) => this.announce(change),
      onResync: () => this.resyncAll(),
    });
  }

  async add(member: GroupMember): Promise<Membership> {
    this.members.add(member);
    await this.listening;
    return {
      readFeed: (afterSeq, ids) => this.shareRead(`${afterSeq}|${ids?.join(',') ?? '*'}`, () => this.readFeed(afterSeq, ids)) as Promise<FeedPage>,
      latestSeq: () => this.shareRead('latest', () => this.readLatest()) as Promise<number>,
      leave: () => this.remove(member),
    };
  }

  // Private:

  private remove(member: GroupMember): void {
    if (!this.members.delete(member) || this.members.size > 0) return;
    this.onEmpty();
    void this.listening.then((unsubscribe) => unsubscribe());
  }

  private announce(change: FeedChange): void {
    if (!this.wants(change.customerId)) return;
    const seq = decodeChangeCursor(change.cursor);
    const writtenAt = Date.parse(change.at);
    const fetched = this.run(this.spec.queries.live, { cgAfter: encodeChangeCursor(seq - 1), cgIds: [change.customerId] });
    this.delivered = this.delivered
      .then(() => fetched)
      .then(
        (result) => this.deliver(result, writtenAt),
        (error: unknown) => {
          this.options.logger.warn({ err: error }, 'could not fetch a change for its subscribers; they catch up from the feed');
          this.resyncAll();
        },
      );
  }

  private deliver(result: ExecutionResult, writtenAt: number): void {
    const [change] = toGroupChanges(this.spec.queries.responseKey, result, writtenAt);
    // The change is stored before it is announced, so no answer means the fetch failed (a subgraph
    // timed out…): never skip it, members read the feed from the last cursor they sent instead.
    if (!change) return this.resyncAll();
    for (const member of this.members) {
      if (member.ids && !member.ids.has(change.customerId)) continue;
      try {
        member.offer(change);
      } catch (error) {
        this.options.logger.error({ err: error }, 'could not deliver a change to a subscriber; it catches up from the feed');
        member.resync();
      }
    }
  }

  private wants(customerId: string): boolean {
    for (const member of this.members) if (!member.ids || member.ids.has(customerId)) return true;
    return false;
  }

  private resyncAll(): void {
    for (const member of this.members) member.resync();
  }

  // A read starts a few milliseconds after it is first asked for; whoever asks for the same page
  // before then shares it (devices reconnecting together after a restart all ask for the same pages).
  private shareRead(key: string, read: () => Promise<FeedPage | number>): Promise<FeedPage | number> {
    let shared = this.reads.get(key);
    if (!shared) {
      shared = new Promise<void>((resolve) => setTimeout(resolve, SHARED_READ_DELAY_MS)).then(() => {
        this.reads.delete(key);
        return read();
      });
      this.reads.set(key, shared);
    }
    return shared;
  }

  private async readFeed(afterSeq: number, ids: readonly string[] | undefined): Promise<FeedPage> {
    const result = await this.run(this.spec.queries.replay, { cgAfter: encodeChangeCursor(afterSeq), cgIds: ids ? [...ids] : null });
    const fatal = result.errors?.find((e) => !e.path || e.path.length <= 1);
    if (fatal) return { changes: [], hasMore: false, fatal: { message: fatal.message, extensions: fatal.extensions } };
    const batch = (result.data as { changes?: { hasMore: boolean } } | undefined)?.changes;
    return { changes: toGroupChanges(this.spec.queries.responseKey, result), hasMore: batch?.hasMore ?? false };
  }

  private async readLatest(): Promise<number> {
    const latest = await this.options.runQuery(this.spec.caller, '{ latestChangeCursor }', {});
    const cursor = (latest.data as { latestChangeCursor?: string | null } | undefined)?.latestChangeCursor;
    // Without a starting point the stream could not promise "no gap": end it with the error instead.
    if (!cursor) throw new Error(`no latest cursor: ${JSON.stringify(latest.errors ?? [])}`);
    return decodeChangeCursor(cursor);
  }

  private run(query: string, variables: Record<string, unknown>): Promise<ExecutionResult> {
    return this.options.runQuery(this.spec.caller, query, { ...this.spec.variables, ...variables }) as Promise<ExecutionResult>;
  }
}

function toGroupChanges(responseKey: string, result: ExecutionResult, writtenAt?: number): GroupChange[] {
  const items = ((result.data as { changes?: { changes?: Array<Record<string, unknown>> } } | undefined)?.changes?.changes ?? []) as Array<Record<string, unknown>>;
  return items.map((item, index) => {
    const { cgCursor, cgCustomerId, ...fields } = item;
    return { seq: decodeChangeCursor(String(cgCursor)), customerId: String(cgCustomerId), payload: serialisePayload(responseKey, fields, errorsAt(result, index)), writtenAt };
  });
}

// Errors at ["changes", "changes", index, …] belong to that change.
function errorsAt(result: ExecutionResult, index: number): ExecutionResult['errors'] {
  return result.errors?.filter((e) => e.path?.[0] === 'changes' && e.path[1] === 'changes' && e.path[2] === index);
}

// The payload as graphql-ws would write it (errors as GraphQLError#toJSON), at the subscriber's path.
function serialisePayload(responseKey: string, fields: Record<string, unknown>, errors: ExecutionResult['errors']): string {
  const formatted = (errors ?? []).map((e) => ({
    message: e.message,
    path: [responseKey, ...(e.path ?? []).slice(3)],
    ...(e.extensions && Object.keys(e.extensions).length > 0 ? { extensions: e.extensions } : {}),
  }));
  return JSON.stringify({ data: { [responseKey]: fields }, ...(formatted.length > 0 ? { errors: formatted } : {}) });
}
