/**
 * Child processes of the gateway benchmark: TypeScript entries forked with an IPC channel, their
 * stderr kept (the tail is shown when one fails), and stopped for sure at the end.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const STDERR_TAIL = 4000;

export interface BenchChild {
  readonly process: ChildProcess;
  /** Sends a message and resolves with the first reply of `replyType`. */
  request<T>(message: object, replyType: string, timeoutMs?: number): Promise<T>;
  /** Resolves with the first message of `type`. */
  waitFor<T>(type: string, timeoutMs: number): Promise<T>;
  /** Asks it to stop (`{ type: 'stop' }`), then kills it if it has not exited within 10 s. */
  stop(): Promise<void>;
}

/**
 * The environment without APOLLO_* / HIVE_* variables: Apollo Server turns usage reporting (and with
 * it ftv1 traces from subgraphs) on by itself when APOLLO_KEY is set, and a benchmark reports nowhere.
 */
export function withoutReportingKeys(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^(APOLLO_|HIVE_)/.test(name)));
}

/** Forks `bench/<entry>` under tsx. */
export function forkBenchChild(entry: string, args: readonly string[] = [], execArgv: readonly string[] = []): BenchChild {
  const child = fork(join(__dirname, entry), [...args], { env: withoutReportingKeys(process.env), execArgv: ['--import', 'tsx', ...execArgv], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL);
  });
  const waitFor = <T>(type: string, timeoutMs: number) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string; message?: string }) => {
        if (message.type === type) finish(() => resolve(message as T));
        else if (message.type === 'error') finish(() => reject(new Error(`${entry}: ${message.message}`)));
      };
      const onExit = (code: number | null, signal: string | null) => finish(() => reject(new Error(`${entry} exited (${signal ?? `code ${code}`}) before sending ${type}:\n${stderr}`)));
      const timer = setTimeout(() => finish(() => reject(new Error(`${entry} sent no ${type} within ${timeoutMs} ms:\n${stderr}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        settle();
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  return {
    process: child,
    waitFor,
    request(message, replyType, timeoutMs = 120_000) {
      const reply = waitFor<any>(replyType, timeoutMs);
      child.send(message);
      return reply;
    },
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        if (child.connected) child.send({ type: 'stop' });
        else child.kill('SIGTERM');
      });
    },
  };
}
