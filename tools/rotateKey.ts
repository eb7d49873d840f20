/**
 * `npm run rotate-key`: re-encrypts every sensitive value with the current key (the first of
 * FIELD_ENCRYPTION_KEY), in customers (fields and history), conflicts and stored mutation results.
 * Resumable: progress is kept in `key_rotation`; a run that stops (Ctrl-C, crash, --max-records)
 * continues where it was. Keep the old key in FIELD_ENCRYPTION_KEY until a run reports 0 left.
 */
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import type { Connection } from 'mongoose';
import { SENSITIVE_FIELDS } from '../lib/customerSecrets';
import { loadConfig } from '../lib/config';
import { decryptValue, encryptValue, isEncrypted, keyIdOf, type Keyring } from '../lib/fieldCrypto';
import { withDatabase } from './withDatabase';

const COLLECTIONS = ['customers', 'conflicts', 'mutation_results'] as const;

export interface RotationReport {
  readonly keyId: string;
  readonly rewritten: Record<string, number>;
  /** Documents still holding values of older keys (0 when the rotation is complete). */
  readonly remaining: number;
}

/** Re-encrypts up to `maxRecords` documents (all by default) and reports what is left. */
export async function rotateKeys(connection: Connection, keyring: Keyring, options: { maxRecords?: number; onProgress?: (n: number) => void } = {}): Promise<RotationReport> {
  const state = connection.collection<{ _id: string; keyId: string; lastId: unknown }>('key_rotation');
  const rewritten: Record<string, number> = {};
  let budget = options.maxRecords ?? Number.POSITIVE_INFINITY;
  let done = 0;
  for (const name of COLLECTIONS) {
    rewritten[name] = 0;
    const collection = connection.collection(name);
    const checkpoint = await state.findOne({ _id: name });
    // A checkpoint of another key belongs to an older rotation: start this one from the beginning.
    let lastId = checkpoint?.keyId === keyring.currentId ? checkpoint.lastId : undefined;
    while (budget > 0) {
      const batch = await collection
        .find(lastId === undefined ? {} : { _id: { $gt: lastId } } as never)
        .sort({ _id: 1 })
        .limit(Math.min(200, budget))
        .toArray();
      if (batch.length === 0) break;
      for (const first of batch) {
        // Customers change under us: write only the encrypted paths, only at the version read,
        // and read again until it holds (conflicts and stored results never change once written).
        for (let doc: Record<string, unknown> | null = first, attempt = 0; doc && attempt < 20; attempt++) {
          const resealed = reseal(keyring, doc, '');
          if (!resealed.changed) break;
          const value = resealed.value as Record<string, unknown>;
          const result =
            name === 'customers'
              ? await collection.updateOne({ _id: doc._id, version: doc.version } as never, { $set: { phone: value.phone, idNumber: value.idNumber, revisions: value.revisions } })
              : await collection.replaceOne({ _id: doc._id } as never, value as never);
          if (result.modifiedCount === 1) {
            rewritten[name] += 1;
            break;
          }
          doc = await collection.findOne({ _id: doc._id } as never);
        }
        lastId = first._id;
        budget -= 1;
        done += 1;
        options.onProgress?.(done);
      }
      await state.updateOne({ _id: name }, { $set: { keyId: keyring.currentId, lastId } }, { upsert: true });
    }
  }
  let remaining = 0;
  for (const name of COLLECTIONS) {
    for await (const doc of connection.collection(name).find({})) if (reseal(keyring, doc, '').changed) remaining += 1;
  }
  if (remaining === 0) await state.deleteMany({});
  return { keyId: keyring.currentId, rewritten, remaining };
}

// Walks a document; a ciphertext is keyed by its field name (`phone`), or by `field` beside `old`/`new` in history.
function reseal(keyring: Keyring, value: unknown, key: string, field?: string): { value: unknown; changed: boolean } {
  if (typeof value === 'string') {
    const name = field ?? key;
    if (isEncrypted(value)) {
      if (keyIdOf(value) === keyring.currentId) return { value, changed: false };
      return { value: encryptValue(keyring, name, decryptValue(keyring, name, value)), changed: true };
    }
    // Written before encryption was turned on: encrypt it now.
    if (SENSITIVE_FIELDS.includes(name) && (field !== undefined || key === name)) return { value: encryptValue(keyring, name, value), changed: true };
    return { value, changed: false };
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => reseal(keyring, item, key));
    return { value: items.map((i) => i.value), changed: items.some((i) => i.changed) };
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && value.constructor?.name === 'Object') {
    const source = value as Record<string, unknown>;
    const historyField = typeof source.field === 'string' && 'old' in source && 'new' in source ? source.field : undefined;
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(source)) {
      const inner = reseal(keyring, v, k, historyField && (k === 'old' || k === 'new') ? historyField : undefined);
      out[k] = inner.value;
      changed ||= inner.changed;
    }
    return { value: out, changed };
  }
  return { value, changed: false };
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

async function main(): Promise<void> {
  const program = new Command('rotate-key')
    .description('Re-encrypt phones and ID numbers with the first key of FIELD_ENCRYPTION_KEY (resumable).')
    .option('--max-records <n>', 'stop after this many documents (continue with another run)', parseCount)
    .parse();
  const { maxRecords } = program.opts<{ maxRecords?: number }>();
  const config = loadConfig();
  const bar = new SingleBar({ format: 'rotate {bar} {value} documents checked', noTTYOutput: true, notTTYSchedule: 2000, stream: process.stderr }, Presets.shades_classic);
  await withDatabase(async (connection) => {
    bar.start(maxRecords ?? 0, 0);
    const report = await rotateKeys(connection, config.keyring, { maxRecords, onProgress: (n) => bar.update(n) });
    bar.stop();
    const total = Object.values(report.rewritten).reduce((a, b) => a + b, 0);
    console.log(`Re-encrypted ${total} documents with key ${report.keyId} (${Object.entries(report.rewritten).map(([k, v]) => `${k}: ${v}`).join(', ')}); ${report.remaining} documents still hold older keys.`);
    if (report.remaining > 0) console.log('Run npm run rotate-key again to continue; keep the old key in FIELD_ENCRYPTION_KEY until 0 remain.');
  }).finally(() => bar.stop());
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`rotate-key failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
