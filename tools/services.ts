/**
 * Local dev services for `npm start` and `npm test`: a MongoDB-compatible server and Redis.
 *
 * - `MONGODB_URI` / `REDIS_URL` set: used as they are, nothing is started.
 * - Otherwise MongoDB is a real `mongod` when one is on PATH, else mongo-java-server 1.47.0
 *   through tools/mongo-launcher (built with Maven on first use); Redis is Debian's `redis-server`.
 * Every process started here is stopped on `stop()`, on exit, on Ctrl-C, and by a small reaper
 * process if this one is killed outright, so no orphan survives.
 *
 * Run `npm run services` to start them alone and print the variables to export.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const ROOT = resolve(__dirname, '..');
const LAUNCHER_DIR = join(ROOT, 'tools/mongo-launcher');
const LAUNCHER_JAR = join(LAUNCHER_DIR, 'target/mongo-launcher.jar');

export type MongoBackend = 'memory' | 'h2';

export interface ServiceOptions {
  /** `memory` for tests (fresh every run), `h2` for `npm start` (data kept under dataDir). */
  readonly mongoBackend: MongoBackend;
  /** Where persistent data lives (default `.data/` in the repo). */
  readonly dataDir?: string;
  /** Progress messages; default stderr. */
  readonly log?: (message: string) => void;
  /** Environment to read MONGODB_URI / REDIS_URL from (default: this process's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Skip Redis (e.g. for seeding); `redisUrl` is then empty. */
  readonly redis?: boolean;
}

export interface StartedService {
  readonly url: string;
  /** What serves it, for humans: "mongo-java-server 1.47.0 (memory)", "external", … */
  readonly kind: string;
  stop(): Promise<void>;
}

export interface LocalServices {
  readonly mongodbUri: string;
  readonly redisUrl: string;
  readonly mongoKind: string;
  readonly redisKind: string;
  stop(): Promise<void>;
}

/** Thrown when a service cannot be provisioned; the message says what to install or set. */
export class ServiceSetupError extends Error {
  override name = 'ServiceSetupError';
}

/** Starts (or adopts) MongoDB and Redis and resolves once both answer. */
export async function provisionServices(options: ServiceOptions): Promise<LocalServices> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const dataDir = options.dataDir ?? join(ROOT, '.data');
  const [mongo, redis] = await Promise.all([
    env.MONGODB_URI ? adopt(env.MONGODB_URI) : startMongo(options.mongoBackend, dataDir, log),
    options.redis === false ? adopt('') : env.REDIS_URL ? adopt(env.REDIS_URL) : startRedis(log),
  ]).catch(async (error: unknown) => {
    await stopAll();
    throw error;
  });
  return {
    mongodbUri: mongo.url,
    redisUrl: redis.url,
    mongoKind: mongo.kind,
    redisKind: redis.kind,
    async stop() {
      await Promise.all([mongo.stop(), redis.stop()]);
    },
  };
}

function adopt(url: string): StartedService {
  return { url, kind: 'external', stop: async () => undefined };
}

// ---------------------------------------------------------------- MongoDB

async function startMongo(backend: MongoBackend, dataDir: string, log: (m: string) => void): Promise<StartedService> {
  return startMongoServer(await freePort(), backend, dataDir, log);
}

/** Starts a MongoDB-compatible server on a given loopback port (fault tests restart it on the same port and data). */
export async function startMongoServer(port: number, backend: MongoBackend, dataDir: string, log: (m: string) => void = () => undefined): Promise<StartedService> {
  if (hasCommand('mongod')) {
    const dbPath = backend === 'h2' ? join(dataDir, 'mongod') : mkdtempIn(tmpdir(), 'cg-mongod-');
    mkdirSync(dbPath, { recursive: true });
    log(`Starting mongod on 127.0.0.1:${port} (data: ${dbPath})`);
    const child = spawnService('mongod', ['--bind_ip', '127.0.0.1', '--port', String(port), '--dbpath', dbPath, '--quiet'], dataDir);
    await waitForPort(port, child, 'mongod', 30_000);
    return managed(child, `mongodb://127.0.0.1:${port}/customergraph`, 'mongod');
  }
  checkJava();
  ensureLauncherJar(log);
  const args = ['-Xmx512m', '-XX:+UseSerialGC', '-jar', LAUNCHER_JAR, '--host', '127.0.0.1', '--port', String(port)];
  if (backend === 'h2') {
    mkdirSync(dataDir, { recursive: true });
    args.push('--h2', join(dataDir, 'mongo.h2'));
  } else {
    args.push('--memory');
  }
  log(`Starting mongo-java-server 1.47.0 (${backend}) on 127.0.0.1:${port}`);
  const child = spawnService('java', args, dataDir);
  await waitForPort(port, child, 'mongo-java-server', 60_000);
  return managed(child, `mongodb://127.0.0.1:${port}/customergraph`, `mongo-java-server 1.47.0 (${backend})`);
}

function checkJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new ServiceSetupError(
      'No MongoDB found: install Java 17+ and Maven (Debian: apt-get install -y openjdk-17-jdk-headless maven), ' +
        'put a mongod on PATH, or set MONGODB_URI to a MongoDB you run.',
    );
  }
  // `java -version` prints to stderr.
  const version = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)/.exec(version);
  if (!match || Number(match[1]) < 17) {
    throw new ServiceSetupError(`Java 17 or newer is needed for the local MongoDB-compatible server; found: ${version.split('\n')[0] || 'unknown'}. Or set MONGODB_URI.`);
  }
}

/** Builds tools/mongo-launcher with Maven when the jar is missing or older than its sources. */
export function ensureLauncherJar(log: (m: string) => void = console.error): string {
  const sources = [join(LAUNCHER_DIR, 'pom.xml'), ...listFiles(join(LAUNCHER_DIR, 'src'))];
  const newestSource = Math.max(...sources.map((file) => statSync(file).mtimeMs));
  if (existsSync(LAUNCHER_JAR) && statSync(LAUNCHER_JAR).mtimeMs >= newestSource) return LAUNCHER_JAR;
  if (!hasCommand('mvn')) {
    throw new ServiceSetupError('Maven is needed once to build the local MongoDB-compatible server (Debian: apt-get install -y maven), or set MONGODB_URI.');
  }
  log('Building tools/mongo-launcher with Maven (first run only; downloads about 21 MB)...');
  const started = Date.now();
  try {
    execFileSync('mvn', ['-q', '-B', 'package', '-DskipTests'], { cwd: LAUNCHER_DIR, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
    throw new ServiceSetupError(`Building tools/mongo-launcher failed:\n${output.slice(-3000)}`);
  }
  log(`Built ${LAUNCHER_JAR} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return LAUNCHER_JAR;
}

// ---------------------------------------------------------------- Redis

async function startRedis(log: (m: string) => void): Promise<StartedService> {
  return startRedisServer(await freePort(), log);
}

/** Starts a redis-server on a given loopback port (fault tests restart Redis on the same port). */
export async function startRedisServer(port: number, log: (m: string) => void = () => undefined): Promise<StartedService> {
  if (!hasCommand('redis-server')) {
    throw new ServiceSetupError('redis-server not found: install it (Debian: apt-get install -y redis-server) or set REDIS_URL.');
  }
  log(`Starting redis-server on 127.0.0.1:${port}`);
  // Redis carries only the live signal (MongoDB holds the truth), so no persistence is needed.
  const child = spawnService(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
    undefined,
  );
  await waitForRedis(port, child);
  return managed(child, `redis://127.0.0.1:${port}`, 'redis-server');
}

function waitForRedis(port: number, child: ChildProcess): Promise<void> {
  return retryUntil(30_000, child, 'redis-server', async () => {
    const reply = await sendRaw(port, 'PING\r\n');
    return reply.startsWith('+PONG');
  });
}

// ---------------------------------------------------------------- processes

const running = new Set<ChildProcess>();
let exitHooksInstalled = false;

function spawnService(command: string, args: string[], logDir: string | undefined): ChildProcess {
  installExitHooks();
  let stdio: ['ignore', 'ignore' | number, 'ignore' | number] = ['ignore', 'ignore', 'ignore'];
  if (logDir) {
    mkdirSync(logDir, { recursive: true });
    const logFd = openSync(join(logDir, `${command.replace(/\W/g, '')}.log`), 'a');
    stdio = ['ignore', logFd, logFd];
  }
  const child = spawn(command, args, { stdio });
  running.add(child);
  child.once('exit', () => running.delete(child));
  startReaper(child.pid);
  return child;
}

function managed(child: ChildProcess, url: string, kind: string): StartedService {
  return { url, kind, stop: () => stopChild(child) };
}

/** Sends SIGTERM (graceful: H2 commits its store), then SIGKILL after 10 s. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

async function stopAll(): Promise<void> {
  await Promise.all([...running].map(stopChild));
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // Last resort on a plain exit: signal synchronously, there is no time to wait.
  process.once('exit', () => {
    for (const child of running) child.kill('SIGTERM');
  });
}

// If this process dies without running its exit hooks (SIGKILL), a detached watcher stops the child.
const REAPER = `
const [parent, child] = process.argv.slice(1).map(Number);
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
setInterval(() => {
  if (!alive(child)) process.exit(0);
  if (!alive(parent)) {
    try { process.kill(child, 'SIGTERM'); } catch {}
    setTimeout(() => { try { process.kill(child, 'SIGKILL'); } catch {} process.exit(0); }, 10000);
  }
}, 500);
`;

function startReaper(childPid: number | undefined): void {
  if (childPid === undefined) return;
  const reaper = spawn(process.execPath, ['-e', REAPER, String(process.pid), String(childPid)], { detached: true, stdio: 'ignore' });
  reaper.unref();
}

// ---------------------------------------------------------------- helpers

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

function mkdtempIn(base: string, prefix: string): string {
  const dir = join(base, `${prefix}${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Asks the OS for a free loopback port. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

function waitForPort(port: number, child: ChildProcess, name: string, timeoutMs: number): Promise<void> {
  return retryUntil(timeoutMs, child, name, () => canConnect(port));
}

async function retryUntil(timeoutMs: number, child: ChildProcess, name: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new ServiceSetupError(`${name} exited during start-up (code ${child.exitCode ?? child.signalCode}); see its log under .data/`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopChild(child);
  throw new ServiceSetupError(`${name} did not answer within ${timeoutMs / 1000} s`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveConnect(true);
    });
    socket.once('error', () => resolveConnect(false));
  });
}

function sendRaw(port: number, payload: string): Promise<string> {
  return new Promise((resolveSend, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => socket.destroy(new Error('timeout')));
    socket.once('connect', () => socket.write(payload));
    socket.once('data', (data) => {
      socket.destroy();
      resolveSend(data.toString());
    });
    socket.once('error', reject);
  });
}

async function main(): Promise<void> {
  const services = await provisionServices({ mongoBackend: 'h2' });
  console.log(`export MONGODB_URI=${services.mongodbUri}   # ${services.mongoKind}`);
  console.log(`export REDIS_URL=${services.redisUrl}   # ${services.redisKind}`);
  console.log('Services are running; Ctrl-C stops them.');
  const stop = () => void services.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
