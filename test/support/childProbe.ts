/**
 * Preloaded (`--import`) into the product processes that tests and benchmarks start as children:
 * the child dies with its parent (no orphan survives a killed test run), and it answers
 * `{ type: 'sample' }` over IPC with its memory and open handles (the soak samples the gateway).
 */
import { readdirSync } from 'node:fs';

/** What a child reports when sampled. */
export interface ProcessSample {
  readonly type: 'sample';
  /** Milliseconds since the epoch. */
  readonly at: number;
  readonly rssBytes: number;
  /** Heap in use right after a full GC (when the child runs with --expose-gc), else as it is. */
  readonly heapUsedBytes: number;
  /** Handles keeping the event loop alive (sockets, timers, servers). */
  readonly activeHandles: number;
  /** Open file descriptors (Linux). */
  readonly openFds: number;
}

if (process.send) {
  process.on('disconnect', () => process.kill(process.pid, 'SIGKILL'));
  process.on('message', (message: { type?: string }) => {
    if (message?.type !== 'sample') return;
    (globalThis as { gc?: () => void }).gc?.();
    const sample: ProcessSample = {
      type: 'sample',
      at: Date.now(),
      rssBytes: process.memoryUsage.rss(),
      heapUsedBytes: process.memoryUsage().heapUsed,
      activeHandles: (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length,
      openFds: countOpenFds(),
    };
    process.send!(sample);
  });
  // The IPC channel must not keep a finished process alive (listening on it refs it).
  process.channel?.unref();
}

function countOpenFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}
