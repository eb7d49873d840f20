/**
 * The audit log: append-only and hash-chained per tenant. Each entry's hash covers the previous
 * entry's hash and its own content, and each chain's head (last sequence and hash) is kept apart,
 * so `verifyAuditLog` detects an edited, deleted or reordered entry.
 */
import { createHash } from 'node:crypto';
import type { Connection } from 'mongoose';

export const AUDIT_COLLECTION = 'audit_log';
const HEADS_COLLECTION = 'audit_heads';
const GENESIS = '0'.repeat(64);

/** What happened, as recorded. */
export interface AuditEvent {
  readonly action: 'write' | 'read';
  readonly tenant: string;
  readonly actor: string;
  readonly roles: readonly string[];
  readonly deviceId: string | null;
  readonly source: string;
  readonly recordIds: readonly string[];
  readonly fields: readonly string[];
  readonly fromVersion?: number;
  readonly toVersion?: number;
  /** For writes: the change it records (so a relay that retries appends it once). */
  readonly changeId?: string;
  readonly requestId?: string;
  readonly at: Date;
}

export interface AuditEntry extends AuditEvent {
  readonly _id: string;
  readonly chain: string;
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * Appends events to their tenant's chain; appends of one process are serialised, other processes retry.
 * An append starts from the chain's recorded head (one read by key) and falls back to the log's last
 * entry when the head lags behind (another process appended meanwhile, or a crash came between the
 * two writes).
 */
export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly connection: Connection) {}

  /** Creates the indexes the log needs. */
  async init(): Promise<void> {
    await this.connection.collection(AUDIT_COLLECTION).createIndex({ chain: 1, seq: 1 }, { unique: true });
    await this.connection.collection(AUDIT_COLLECTION).createIndex({ changeId: 1 }, { sparse: true });
  }

  /** Appends one event, unless an entry for its `changeId` is already there; resolves once it is stored. */
  append(event: AuditEvent): Promise<void> {
    return this.enqueue(async () => {
      if (event.changeId && (await this.entries().findOne({ changeId: event.changeId }, { projection: { _id: 1 } }))) return;
      await this.recordHeads([await this.appendToChain(event.tenant, [event])]);
    });
  }

  /**
   * Appends events known not to be in the log yet (changes the relay has just stored), in order,
   * one batch per chain; resolves once all are stored.
   */
  appendNew(events: readonly AuditEvent[]): Promise<void> {
    return this.enqueue(async () => {
      const chains = new Map<string, AuditEvent[]>();
      for (const event of events) {
        const list = chains.get(event.tenant);
        if (list) list.push(event);
        else chains.set(event.tenant, [event]);
      }
      const heads: ChainHead[] = [];
      for (const [chain, list] of chains) heads.push(await this.appendToChain(chain, list));
      await this.recordHeads(heads);
    });
  }

  // Private:

  /** The last entry this process appended to each chain: where its next append most likely goes. */
  private readonly lastAppended = new Map<string, ChainHead>();

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private entries() {
    return this.connection.collection<AuditEntry>(AUDIT_COLLECTION);
  }

  private async appendToChain(chain: string, events: readonly AuditEvent[]): Promise<ChainHead> {
    let head: ChainHead | null = this.lastAppended.get(chain) ?? (await this.connection.collection<ChainHead>(HEADS_COLLECTION).findOne({ _id: chain }));
    let rest = events;
    for (let attempt = 0; attempt < 100; attempt++) {
      const entries = chainEntries(chain, head, rest);
      try {
        await this.entries().insertMany(entries, { ordered: true });
        const last = { _id: chain, seq: entries.at(-1)!.seq, hash: entries.at(-1)!.hash };
        this.lastAppended.set(chain, last);
        return last;
      } catch (error) {
        // Another process appended this sequence number first (or the head lags): chain after the last entry.
        const stored = storedBeforeDuplicate(error);
        if (stored === undefined) throw error;
        rest = rest.slice(stored);
        const last = await this.entries().find({ chain }).sort({ seq: -1 }).limit(1).next();
        head = last ? { _id: chain, seq: last.seq, hash: last.hash } : null;
      }
    }
    throw new Error(`audit chain ${chain} is too contended`);
  }

  // Each chain's head moves forward only (another process may have recorded a later one).
  private async recordHeads(heads: readonly ChainHead[]): Promise<void> {
    if (heads.length === 0) return;
    await this.connection
      .collection<ChainHead>(HEADS_COLLECTION)
      .bulkWrite(
        heads.map((head) => ({ updateOne: { filter: { _id: head._id, seq: { $lt: head.seq } }, update: { $set: { seq: head.seq, hash: head.hash } }, upsert: true } })) as never,
        { ordered: false },
      )
      .catch((error: { code?: number; writeErrors?: unknown }) => {
        // A later head is already there: the upsert collided with it.
        const errors = Array.isArray(error.writeErrors) ? error.writeErrors : [error];
        if (!errors.every((e: { code?: number }) => e.code === 11000)) throw error;
      });
  }
}

interface ChainHead {
  readonly _id: string;
  readonly seq: number;
  readonly hash: string;
}

// The entries of `events`, chained after `head`.
function chainEntries(chain: string, head: ChainHead | null, events: readonly AuditEvent[]): AuditEntry[] {
  let seq = head?.seq ?? 0;
  let prevHash = head?.hash ?? GENESIS;
  return events.map((event) => {
    seq += 1;
    const body = { chain, seq, prevHash, ...event };
    const entry: AuditEntry = { _id: `${chain}:${seq}`, ...body, hash: hashEntry(body) };
    prevHash = entry.hash;
    return entry;
  });
}

// How many entries of an ordered insert were stored before a duplicate key stopped it; undefined for any other error.
function storedBeforeDuplicate(error: unknown): number | undefined {
  const { code, writeErrors } = error as { code?: number; writeErrors?: { index: number; code?: number } | Array<{ index: number; code?: number }> };
  if (code !== 11000) return undefined;
  const first = Array.isArray(writeErrors) ? writeErrors[0] : writeErrors;
  return first?.index ?? 0;
}

export interface AuditVerification {
  readonly chains: number;
  readonly entries: number;
  readonly problems: readonly string[];
}

/** Walks every chain and reports each broken link, edited entry, gap or missing tail. */
export async function verifyAuditLog(connection: Connection): Promise<AuditVerification> {
  const problems: string[] = [];
  const heads = new Map(
    (await connection.collection<{ _id: string; seq: number; hash: string }>(HEADS_COLLECTION).find({}).toArray()).map((h) => [h._id, h]),
  );
  const chains = await connection.collection<AuditEntry>(AUDIT_COLLECTION).distinct('chain');
  let count = 0;
  for (const chain of new Set([...chains, ...heads.keys()])) {
    let expectedSeq = 1;
    let prevHash = GENESIS;
    const byHead = heads.get(chain);
    let sawHead = false;
    for await (const entry of connection.collection<AuditEntry>(AUDIT_COLLECTION).find({ chain }).sort({ seq: 1 })) {
      count += 1;
      if (entry.seq !== expectedSeq) problems.push(`${chain}: entry ${expectedSeq}${entry.seq > expectedSeq + 1 ? `..${entry.seq - 1}` : ''} missing`);
      const { _id, hash, ...body } = entry;
      if (entry.prevHash !== prevHash) problems.push(`${chain}: entry ${entry.seq} does not follow entry ${entry.seq - 1}`);
      if (hashEntry(body) !== hash) problems.push(`${chain}: entry ${entry.seq} was changed after it was written`);
      if (byHead && entry.seq === byHead.seq) {
        sawHead = true;
        if (byHead.hash !== hash) problems.push(`${chain}: entry ${entry.seq} is not the recorded head`);
      }
      expectedSeq = entry.seq + 1;
      prevHash = hash;
    }
    if (byHead && !sawHead) problems.push(`${chain}: entries up to ${byHead.seq} were recorded, the log ends at ${expectedSeq - 1}`);
  }
  return { chains: new Set([...chains, ...heads.keys()]).size, entries: count, problems };
}

function hashEntry(body: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

// JSON with sorted keys and ISO dates, so the hash does not depend on property order.
function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value as object).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
