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

/** Appends events to their tenant's chain; appends of one process are serialised, other processes retry. */
export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly connection: Connection) {}

  /** Creates the indexes the log needs. */
  async init(): Promise<void> {
    await this.connection.collection(AUDIT_COLLECTION).createIndex({ chain: 1, seq: 1 }, { unique: true });
    await this.connection.collection(AUDIT_COLLECTION).createIndex({ changeId: 1 }, { sparse: true });
  }

  /** Appends one event; resolves once it is stored. */
  append(event: AuditEvent): Promise<void> {
    const next = this.queue.then(() => this.appendNow(event));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async appendNow(event: AuditEvent): Promise<void> {
    const chain = event.tenant;
    const entries = this.connection.collection<AuditEntry>(AUDIT_COLLECTION);
    if (event.changeId && (await entries.findOne({ changeId: event.changeId }, { projection: { _id: 1 } }))) return;
    for (let attempt = 0; attempt < 100; attempt++) {
      const last = await entries.find({ chain }).sort({ seq: -1 }).limit(1).next();
      const seq = (last?.seq ?? 0) + 1;
      const prevHash = last?.hash ?? GENESIS;
      const body = { chain, seq, prevHash, ...event };
      const entry: AuditEntry = { _id: `${chain}:${seq}`, ...body, hash: hashEntry(body) };
      try {
        await entries.insertOne(entry);
      } catch (error) {
        // Another process appended this sequence number first: chain after it.
        if ((error as { code?: number }).code === 11000) continue;
        throw error;
      }
      await this.connection
        .collection<{ _id: string; seq: number; hash: string }>(HEADS_COLLECTION)
        .updateOne({ _id: chain, seq: { $lt: seq } } as never, { $set: { seq, hash: entry.hash } }, { upsert: true })
        .catch((error: { code?: number }) => {
          if (error.code !== 11000) throw error; // a later head is already there
        });
      return;
    }
    throw new Error(`audit chain ${chain} is too contended`);
  }
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
