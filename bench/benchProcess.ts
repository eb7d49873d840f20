/**
 * Starts a TypeScript entry of the benchmarks as a child process with an IPC channel. The soft
 * file-descriptor limit is raised to the hard one first (thousands of sockets per process need
 * it); the entries exit when the channel closes, so a killed benchmark leaves no process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

export interface BenchProcessOptions {
  /** Node flags (`--expose-gc`, `--cpu-prof`…). */
  readonly nodeArgs?: readonly string[];
  /** TypeScript modules loaded before the entry (paths from the repository root, or absolute). */
  readonly preload?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs `entry` (a path from the repository root, or absolute) under tsx. */
export function startBenchProcess(entry: string, options: BenchProcessOptions = {}): ChildProcess {
  const preload = (options.preload ?? []).flatMap((module) => ['--import', resolve(ROOT, module)]);
  const args = [...(options.nodeArgs ?? []), '--import', 'tsx', ...preload, resolve(ROOT, entry)];
  // `exec` keeps the pid and the IPC descriptor; the limit cannot go past the hard one without root.
  return spawn('/bin/sh', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'sh', process.execPath, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The file-descriptor limit the children get (the hard limit of this shell). */
export function childFileLimit(): number {
  const raw = execFileSync('/bin/sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
  return raw === 'unlimited' ? Number.POSITIVE_INFINITY : Number(raw);
}

/** Resolves with the child's next message that `accept` returns a value for; rejects when it exits or time runs out. */
export function nextMessage<T>(child: ChildProcess, accept: (message: unknown) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolveMessage, reject) => {
    const timer = setTimeout(() => finish(new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)), timeoutMs);
    const onMessage = (message: unknown) => {
      const value = accept(message);
      if (value !== undefined) finish(undefined, value);
    };
    const onExit = (code: number | null) => finish(new Error(`the process exited (${code}) while waiting for ${what}`));
    function finish(error: Error | undefined, value?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolveMessage(value as T);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Asks the child to stop (SIGTERM, then SIGKILL after `graceMs`) and waits for it. */
export function stopBenchProcess(child: ChildProcess, graceMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}
