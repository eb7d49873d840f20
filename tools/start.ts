/**
 * `npm start`: the whole system on this machine. Provisions MongoDB and Redis when
 * MONGODB_URI / REDIS_URL are unset, seeds an empty database, starts the three subgraphs
 * and the gateway as separate processes, and prints how to query it. Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { ROLES } from '../lib/caller';
import { loadConfig, SUBGRAPH_NAMES, type Config } from '../lib/config';
import { connectMongo } from '../lib/mongo';
import { signToken } from '../lib/token';
import { createSalesModels } from '../subgraphs/sales/models';
import { DEMO_TENANTS } from './demoData';
import { seedDemoData } from './seed';
import { provisionServices, stopChild, type LocalServices } from './services';

const ROOT = resolve(__dirname, '..');
const ENTRIES = {
  sales: 'subgraphs/sales/index.ts',
  service: 'subgraphs/service/index.ts',
  marketing: 'subgraphs/marketing/index.ts',
  relay: 'relay/index.ts',
  gateway: 'gateway/index.ts',
} as const;

const children = new Map<string, ChildProcess>();
let services: LocalServices | undefined;
let shuttingDown = false;

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadConfig();
  services = await provisionServices({ mongoBackend: 'h2' });
  await seedIfEmpty(services.mongodbUri, config);

  const env = { ...process.env, MONGODB_URI: services.mongodbUri, REDIS_URL: services.redisUrl };
  for (const name of SUBGRAPH_NAMES) startChild(name, ENTRIES[name], env);
  startChild('relay', ENTRIES.relay, env);
  await waitForReady(config, `http://127.0.0.1:${config.ports.sales}/readyz`, 'sales', 60_000);
  await Promise.all(
    (['service', 'marketing'] as const).map((name) => waitForReady(config, `http://127.0.0.1:${config.ports[name]}/readyz`, name, 60_000)),
  );
  startChild('gateway', ENTRIES.gateway, env);
  await waitForReady(config, `http://127.0.0.1:${config.ports.gateway}/readyz`, 'gateway', 60_000);
  printWelcome(config, services, (Date.now() - started) / 1000);
}

async function seedIfEmpty(mongodbUri: string, config: Config): Promise<void> {
  const connection = await connectMongo(mongodbUri);
  try {
    const count = await createSalesModels(connection).Customer.estimatedDocumentCount();
    if (count === 0) {
      console.log('Empty database: seeding the demo tenants (first run only)...');
      await seedDemoData(connection, { keyring: config.keyring });
    } else {
      console.log(`Using the existing data (${count} customers).`);
    }
  } finally {
    await connection.close();
  }
}

function startChild(name: string, entry: string, env: NodeJS.ProcessEnv): void {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, entry)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.set(name, child);
  const print = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) console.log(formatLogLine(name, line));
  };
  child.stdout?.on('data', print);
  child.stderr?.on('data', print);
  child.once('exit', (code, signal) => {
    children.delete(name);
    if (!shuttingDown) {
      console.error(`${name} exited (${signal ?? `code ${code}`}); stopping everything.`);
      void shutdown(1);
    }
  });
}

// Pino writes JSON; show it as one readable line per entry.
function formatLogLine(name: string, line: string): string {
  try {
    const entry = JSON.parse(line) as { level?: number; msg?: string; time?: number; [key: string]: unknown };
    const level = ({ 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' } as Record<number, string>)[entry.level ?? 30] ?? 'info';
    const { level: _l, msg, time: _t, pid: _p, hostname: _h, name: _n, service: _s, ...rest } = entry;
    const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
    return `[${name}] ${level} ${msg ?? ''}${extra}`;
  } catch {
    return `[${name}] ${line}`;
  }
}

async function waitForReady(config: Config, url: string, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!children.has(name)) throw new Error(`${name} exited during start-up; see its output above (is port ${portOf(config, name)} free?)`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000} s (${url})`);
}

function portOf(config: Config, name: string): number {
  return name === 'gateway' ? config.ports.gateway : config.ports[name as keyof Config['ports']];
}

function printWelcome(config: Config, running: LocalServices, seconds: number): void {
  const url = `http://localhost:${config.ports.gateway}/graphql`;
  const acme = DEMO_TENANTS[0];
  const tokens = ROLES.map((role) => {
    const sub = role === 'sales' ? acme.owners[0] : `${role}-1`;
    return `  ${role.padEnd(9)} (sub ${sub.padEnd(11)}) ${signToken({ sub, tenant: acme.tenant, roles: [role] }, config.jwtSecret)}`;
  });
  console.log(`
Customer Graph is ready in ${seconds.toFixed(1)} s: ${url}
  Live console: http://localhost:${config.ports.gateway}/ (pick a role, open two windows, edit in one)
  MongoDB: ${running.mongodbUri} (${running.mongoKind})
  Redis:   ${running.redisUrl} (${running.redisKind})

Dev tokens for tenant ${acme.tenant} (valid 12 h; more with npm run token -- --role R --sub S --tenant T):
${tokens.join('\n')}

Try:
  TOKEN=<a token above>
  curl -s ${url} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\
    -d '{"query":"{ customers(first: 2) { totalCount edges { node { id name phone service { tier openTickets } marketing { tags } } } } }"}'

Ctrl-C stops everything.`);
}

async function shutdown(exitCode: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log('Stopping...');
  await Promise.all([...children.values()].map(stopChild));
  await services?.stop();
  process.exit(exitCode);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

main().catch(async (error: unknown) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
});
