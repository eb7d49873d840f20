/**
 * `npm run seed`: fills the database with the demo tenants (acme: 10,000 customers, globex: 500).
 * Idempotent: records are deterministic, only missing ones are inserted. With MONGODB_URI unset
 * it starts the local server itself (the same data `npm start` uses).
 */
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError } from 'commander';
import type { Connection, Model, Types } from 'mongoose';
import { loadConfig } from '../lib/config';
import type { Keyring } from '../lib/fieldCrypto';
import { initModels } from '../lib/mongo';
import { createMarketingModels } from '../subgraphs/marketing/models';
import { createSalesModels } from '../subgraphs/sales/models';
import { createServiceModels } from '../subgraphs/service/models';
import { DEMO_TENANTS, makeDemoCustomer, type TenantPlan } from './demoData';
import { withDatabase } from './withDatabase';

const BATCH = 500;

export interface SeedOptions {
  /** Keys to encrypt phones and ID numbers with. */
  readonly keyring: Keyring;
  /** Override the customers per tenant (tests use small numbers). */
  readonly customersPerTenant?: Partial<Record<string, number>>;
  readonly progress?: boolean;
  readonly log?: (message: string) => void;
}

export interface SeedResult {
  readonly inserted: number;
  readonly existing: number;
}

/** Seeds the demo tenants into the database behind `connection`. */
export async function seedDemoData(connection: Connection, options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const models = { ...createSalesModels(connection), ...createServiceModels(connection), ...createMarketingModels(connection) };
  await initModels(models);
  let inserted = 0;
  let existing = 0;
  for (const base of DEMO_TENANTS) {
    const plan: TenantPlan = { ...base, customers: options.customersPerTenant?.[base.tenant] ?? base.customers };
    const present = await models.Customer.countDocuments({ tenant: plan.tenant });
    if (present >= plan.customers) {
      log(`${plan.tenant}: ${present} customers already there.`);
      existing += plan.customers;
      continue;
    }
    const bar = options.progress === false ? null : new SingleBar({ format: `${plan.tenant.padEnd(7)} {bar} {value}/{total} customers | {eta_formatted} left`, noTTYOutput: true, notTTYSchedule: 3000, stream: process.stderr }, Presets.shades_classic);
    bar?.start(plan.customers, 0);
    for (let start = 0; start < plan.customers; start += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, plan.customers - start) }, (_, i) => makeDemoCustomer(plan, start + i, options.keyring));
      const added = await insertMissing(models.Customer, batch.map((d) => d.customer));
      await insertMissing(models.ServiceProfile, batch.map((d) => d.service));
      await insertMissing(models.MarketingProfile, batch.map((d) => d.marketing));
      inserted += added;
      existing += batch.length - added;
      bar?.update(start + batch.length);
    }
    bar?.stop();
  }
  return { inserted, existing };
}

// Inserts the records whose _id is not there yet; a re-run after a crash only fills the gaps.
async function insertMissing<T extends { _id: Types.ObjectId }>(model: Model<T>, records: T[]): Promise<number> {
  if (records.length === 0) return 0;
  const found = await model.find({ _id: { $in: records.map((r) => r._id) } }, { _id: 1 }).lean<Array<{ _id: Types.ObjectId }>>();
  const have = new Set(found.map((r) => r._id.toHexString()));
  const missing = records.filter((r) => !have.has(r._id.toHexString()));
  if (missing.length > 0) await model.insertMany(missing, { ordered: false, lean: true });
  return missing.length;
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new InvalidArgumentError('must be an integer from 1 to 1000000');
  return n;
}

async function main(): Promise<void> {
  const program = new Command('seed')
    .description('Insert the demo tenants acme and globex (idempotent).')
    .option('--acme <n>', 'customers in acme', parseCount)
    .option('--globex <n>', 'customers in globex', parseCount)
    .parse();
  const counts = program.opts<{ acme?: number; globex?: number }>();
  const config = loadConfig();
  await withDatabase(async (connection) => {
    const started = Date.now();
    const result = await seedDemoData(connection, { customersPerTenant: counts, keyring: config.keyring });
    console.log(`Seeded: ${result.inserted} customers inserted, ${result.existing} already present (${((Date.now() - started) / 1000).toFixed(1)} s).`);
  }, (m) => process.stderr.write(`${m}\n`));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
