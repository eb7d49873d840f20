/**
 * `npm run import -- FILE [--mapping map.json] [--tenant T] [--report out.json]`: imports customers
 * from a CSV or JSON export of another system. Every row is normalised and checked like an API
 * write, duplicates (within the file and against the database) are refused, and every refused row
 * is reported with its reason: imported + rejected = rows read. Re-running the same file imports nothing twice.
 */
import { SingleBar, Presets } from 'cli-progress';
import { Command } from 'commander';
import { parse as parseCsv } from 'csv-parse/sync';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Connection } from 'mongoose';
import type { Caller } from '../lib/caller';
import { loadConfig } from '../lib/config';
import { normalizeCustomerInput, type CustomerInput } from '../lib/customerInput';
import { CustomerGraphError } from '../lib/errors';
import { makeMutationKey } from '../lib/idempotency';
import { initModels } from '../lib/mongo';
import { makeNameKey } from '../lib/nameKey';
import { phoneIndexOf } from '../lib/customerSecrets';
import type { Keyring } from '../lib/fieldCrypto';
import { abilityFor } from '../lib/policy';
import { recordIdFor } from '../lib/recordId';
import type { SalesContext } from '../subgraphs/sales/loaders';
import { createSalesModels, STAGES, type CustomerRecord } from '../subgraphs/sales/models';
import { createCustomer } from '../subgraphs/sales/writes';
import { withDatabase } from './withDatabase';

export const IMPORT_FIELDS = ['name', 'company', 'email', 'phone', 'idNumber', 'ownerId', 'stage', 'dealValue'] as const;
type ImportField = (typeof IMPORT_FIELDS)[number];

/** Column of the source file → field of a customer. */
export type ColumnMapping = Readonly<Record<string, ImportField>>;

export interface Rejection {
  readonly row: number;
  readonly reason: string;
  readonly field?: string;
}

export interface ImportReport {
  readonly tenant: string;
  readonly rowsRead: number;
  readonly imported: number;
  readonly rejected: number;
  readonly rejections: readonly Rejection[];
}

export interface ImportOptions {
  readonly keyring: Keyring;
  readonly tenant: string;
  readonly mapping?: ColumnMapping;
  /** Distinguishes one file's rows from another's in the idempotency keys. */
  readonly sourceId: string;
  readonly defaultPhoneRegion: string;
  readonly onProgress?: (done: number) => void;
}

/** Reads a CSV (header row) or JSON (array of objects) file into rows. */
export function readRows(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  if (extname(path).toLowerCase() === '.json') {
    const parsed = JSON.parse(text) as unknown;
    const rows = Array.isArray(parsed) ? parsed : (parsed as { customers?: unknown }).customers;
    if (!Array.isArray(rows)) throw new Error(`${path}: expected a JSON array of objects, or {"customers": [...]}`);
    return rows as Record<string, unknown>[];
  }
  return parseCsv(text, { columns: true, skip_empty_lines: true, trim: false, relax_column_count: true }) as Record<string, unknown>[];
}

/** Checks a mapping file's content: every target must be a customer field. */
export function parseMapping(raw: unknown): ColumnMapping {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('mapping must be a JSON object of "source column": "field"');
  for (const [column, field] of Object.entries(raw)) {
    if (!(IMPORT_FIELDS as readonly string[]).includes(field as string)) {
      throw new Error(`mapping maps column ${JSON.stringify(column)} to ${JSON.stringify(field)}; fields are ${IMPORT_FIELDS.join(', ')}`);
    }
  }
  return raw as ColumnMapping;
}

/** Imports rows into a tenant and reports what was imported and what was refused, and why. */
export async function importCustomers(connection: Connection, rows: readonly Record<string, unknown>[], options: ImportOptions): Promise<ImportReport> {
  const models = createSalesModels(connection);
  await initModels(models);
  const caller: Caller = { sub: `import:${options.sourceId.slice(0, 12)}`, tenant: options.tenant, roles: ['admin'] };
  const ctx = { caller, ability: abilityFor(caller), models, db: connection, settings: { defaultPhoneRegion: options.defaultPhoneRegion, historyLimit: 100, keyring: options.keyring }, wakeRelay: () => undefined, noteRead: () => undefined, monitor: { record: () => undefined, totals: () => ({}) } } as unknown as SalesContext;
  const seen = new Map<string, number>();
  const rejections: Rejection[] = [];
  let imported = 0;
  for (const [index, raw] of rows.entries()) {
    const row = index + 1;
    try {
      const input = mapRow(raw, options.mapping);
      const values = normalizeCustomerInput(input, options.defaultPhoneRegion, 'create');
      const keys = duplicateKeys(values);
      const earlier = keys.map((k) => seen.get(k)).find((r) => r !== undefined);
      if (earlier !== undefined) throw new RowError(`duplicate of row ${earlier} (same ${keys.find((k) => seen.get(k) === earlier)!.split(':')[0]})`);
      const clientMutationId = `${options.sourceId}:${row}`;
      const ownId = recordIdFor(makeMutationKey(caller.tenant, caller.sub, clientMutationId, 'createCustomer'));
      const existing = await findExistingDuplicate(models.Customer, options.tenant, values, ownId.toHexString(), options.keyring);
      if (existing) throw new RowError(`duplicate of existing customer ${existing._id.toHexString()} (${existing.name})`);
      await createCustomer(ctx, input, clientMutationId);
      for (const key of keys) seen.set(key, row);
      imported += 1;
    } catch (error) {
      if (!(error instanceof CustomerGraphError) && !(error instanceof RowError)) throw error;
      const field = error instanceof CustomerGraphError ? (error.extensions.field as string | undefined)?.replace(/^input\./, '') : undefined;
      rejections.push({ row, reason: error.message.replace(/^input\./, ''), ...(field ? { field } : {}) });
    }
    options.onProgress?.(row);
  }
  return { tenant: options.tenant, rowsRead: rows.length, imported, rejected: rejections.length, rejections };
}

class RowError extends Error {}

const STAGE_WORDS: Readonly<Record<string, string>> = { NEW: 'LEAD', OPEN: 'LEAD', CLOSEDWON: 'WON', CLOSEDLOST: 'LOST', 赢单: 'WON', 输单: 'LOST', 线索: 'LEAD' };

// Source values arrive as text with full-width forms, stray spaces and local number formats.
function mapRow(raw: Record<string, unknown>, mapping: ColumnMapping | undefined): CustomerInput {
  const input: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(raw)) {
    const field = mapping ? mapping[column] : IMPORT_FIELDS.find((f) => f.toLowerCase() === column.trim().toLowerCase());
    if (!field) continue;
    const text = value == null ? '' : String(value).normalize('NFKC').replace(/\s+/g, ' ').trim();
    if (text === '') continue;
    if (field === 'stage') {
      const word = text.toUpperCase().replace(/[\s_-]/g, '');
      const stage = STAGE_WORDS[word] ?? word;
      if (!(STAGES as readonly string[]).includes(stage)) throw new RowError(`stage: unknown value ${JSON.stringify(text)} (expected ${STAGES.join(', ')})`);
      input.stage = stage;
    } else if (field === 'dealValue') {
      const amount = Number(text.replace(/[^\d.-]/g, ''));
      if (text.replace(/[^\d]/g, '') === '' || !Number.isFinite(amount)) throw new RowError(`dealValue: ${JSON.stringify(text)} is not a number`);
      input.dealValue = amount;
    } else {
      input[field] = text;
    }
  }
  // Rows without an owner stay unowned (an API create would default to its caller).
  if (!('ownerId' in input)) input.ownerId = null;
  return input as CustomerInput;
}

function duplicateKeys(values: Record<string, unknown>): string[] {
  const keys = [`name and company:${makeNameKey(values.name as string, (values.company as string | undefined) ?? null)}`];
  if (values.phone) keys.push(`phone:${values.phone}`);
  if (values.email) keys.push(`email:${values.email}`);
  return keys;
}

async function findExistingDuplicate(model: ReturnType<typeof createSalesModels>['Customer'], tenant: string, values: Record<string, unknown>, ownId: string, keyring: Keyring) {
  const or: Record<string, unknown>[] = [{ nameKey: makeNameKey(values.name as string, (values.company as string | undefined) ?? null) }];
  if (values.phone) or.push({ phoneIndex: phoneIndexOf(keyring, values.phone as string) });
  if (values.email) or.push({ email: values.email });
  const matches = await model.find({ tenant, mergedInto: null, $or: or }, { _id: 1, name: 1 }).limit(5).lean<Pick<CustomerRecord, '_id' | 'name'>[]>();
  // A re-run of the same file finds its own earlier rows: those are not duplicates, the import is idempotent.
  return matches.find((m) => m._id.toHexString() !== ownId);
}

async function main(): Promise<void> {
  const program = new Command('import')
    .description('Import customers from a CSV or JSON file, with a report of every refused row.')
    .argument('<file>', 'CSV (with a header row) or JSON (array of objects)')
    .option('-m, --mapping <file>', 'JSON object mapping source columns to fields (name, company, email, phone, idNumber, ownerId, stage, dealValue)')
    .option('-t, --tenant <tenant>', 'tenant to import into', 'acme')
    .option('-r, --report <file>', 'where to write the JSON report', 'import-report.json')
    .parse();
  const [file] = program.args;
  const opts = program.opts<{ mapping?: string; tenant: string; report: string }>();
  const mapping = opts.mapping ? parseMapping(JSON.parse(readFileSync(opts.mapping, 'utf8'))) : undefined;
  const rows = readRows(file);
  const config = loadConfig();
  const bar = new SingleBar({ format: 'import {bar} {value}/{total} rows', noTTYOutput: true, notTTYSchedule: 2000, stream: process.stderr }, Presets.shades_classic);
  await withDatabase(async (connection) => {
    bar.start(rows.length, 0);
    const sourceId = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16);
    const report = await importCustomers(connection, rows, { tenant: opts.tenant, mapping, sourceId, defaultPhoneRegion: config.defaultPhoneRegion, keyring: config.keyring, onProgress: (n) => bar.update(n) });
    bar.stop();
    writeFileSync(opts.report, `${JSON.stringify({ file, ...report }, null, 2)}\n`);
    console.log(`Read ${report.rowsRead} rows: ${report.imported} imported, ${report.rejected} rejected (report: ${opts.report}).`);
    for (const r of report.rejections.slice(0, 20)) console.log(`  row ${r.row}: ${r.reason}`);
    if (report.rejections.length > 20) console.log(`  … ${report.rejections.length - 20} more in the report`);
  }).finally(() => bar.stop());
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`import failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
