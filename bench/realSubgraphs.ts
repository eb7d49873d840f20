/**
 * The real subgraphs for the gateway benchmark: the local MongoDB-compatible server (tools/services),
 * seeded with the demo tenants (tools/seed, fewer customers than `npm run seed`), and the three
 * subgraph processes started as production starts them (`subgraphs/<name>/index.ts`, config from env).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { loadConfig, SUBGRAPH_NAMES, type SubgraphName } from '../lib/config';
import { connectMongo } from '../lib/mongo';
import { demoId } from '../tools/demoData';
import { seedDemoData } from '../tools/seed';
import { freePort, provisionServices, stopChild } from '../tools/services';
import { withoutReportingKeys } from './benchChild';

const ROOT = resolve(__dirname, '..');
const DATABASE = 'cg-bench-gateways';

export interface RealSubgraphs {
  readonly urls: Readonly<Record<SubgraphName, string>>;
  /** The acme customer with this index (demo ids are deterministic). */
  customerId(index: number): string;
  stop(): Promise<void>;
}

export interface RealSubgraphOptions {
  /** Signs the gateway's requests; the subgraphs refuse anything else. */
  readonly internalSecret: string;
  /** Customers seeded into acme (globex gets a tenth). */
  readonly customers: number;
  readonly log: (message: string) => void;
}

/** Provisions and seeds the database, starts the subgraphs, and resolves once all three are ready. */
export async function startRealSubgraphs(options: RealSubgraphOptions): Promise<RealSubgraphs> {
  const services = await provisionServices({ mongoBackend: 'memory', redis: false, log: options.log });
  const mongodbUri = services.mongodbUri.replace(/\/[^/?]*(\?|$)/, `/${DATABASE}$1`);
  const children: ChildProcess[] = [];
  // Last resort when the benchmark exits without stopping them (an uncaught error): no subgraph outlives it.
  const killChildren = () => children.forEach((child) => child.kill('SIGKILL'));
  process.once('exit', killChildren);
  const stop = async () => {
    process.off('exit', killChildren);
    await Promise.all(children.map(stopChild));
    const connection = await connectMongo(mongodbUri);
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
    await services.stop();
  };
  try {
    const ports = Object.fromEntries(await Promise.all(SUBGRAPH_NAMES.map(async (name) => [name, await freePort()] as const))) as Record<SubgraphName, number>;
    const env: NodeJS.ProcessEnv = {
      ...withoutReportingKeys(process.env),
      NODE_ENV: 'development',
      MONGODB_URI: mongodbUri,
      // No relay in this benchmark: writes stay in the change feed, nothing to wake.
      REDIS_URL: '',
      INTERNAL_SECRET: options.internalSecret,
      LOG_LEVEL: 'warn',
      SUBGRAPH_HOST: '127.0.0.1',
      SALES_PORT: String(ports.sales),
      SERVICE_PORT: String(ports.service),
      MARKETING_PORT: String(ports.marketing),
    };
    await seed(mongodbUri, env, options);
    await Promise.all(
      SUBGRAPH_NAMES.map((name) => {
        const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, `subgraphs/${name}/index.ts`)], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
        children.push(child);
        return waitForReady(name, ports[name], child);
      }),
    );
    return {
      urls: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, `http://127.0.0.1:${ports[name]}/graphql`])) as Record<SubgraphName, string>,
      customerId: (index) => demoId('acme', index).toHexString(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function seed(mongodbUri: string, env: NodeJS.ProcessEnv, options: RealSubgraphOptions): Promise<void> {
  const connection = await connectMongo(mongodbUri);
  try {
    const started = Date.now();
    await seedDemoData(connection, {
      keyring: loadConfig(env).keyring,
      customersPerTenant: { acme: options.customers, globex: Math.max(1, Math.round(options.customers / 10)) },
      progress: false,
      log: () => undefined,
    });
    options.log(`Seeded ${options.customers} acme customers in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    await connection.close();
  }
}

// Polls /readyz for up to a minute; a subgraph that exits first fails with what it printed.
async function waitForReady(name: SubgraphName, port: number, child: ChildProcess): Promise<void> {
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} subgraph exited with code ${child.exitCode}:\n${stderr}`);
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false);
    if (ready) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} subgraph not ready within 60 s:\n${stderr}`);
}
