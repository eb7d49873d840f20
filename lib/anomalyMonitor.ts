/**
 * Counts security- and sync-relevant events and warns when one spikes, so an operator can alert on
 * the log line (`anomaly`) or on the counters. A spike is more than `threshold` events in a minute.
 */
import type { Logger } from './logger';

export type AnomalyKind = 'failed_login' | 'conflict' | 'rate_limited' | 'sync_error';

export interface AnomalyMonitor {
  record(kind: AnomalyKind): void;
  /** Events per kind since start (exposed as metrics). */
  totals(): Readonly<Record<AnomalyKind, number>>;
}

const DEFAULT_THRESHOLDS: Readonly<Record<AnomalyKind, number>> = { failed_login: 20, conflict: 50, rate_limited: 20, sync_error: 5 };

/** A monitor logging to `logger`. */
export function createAnomalyMonitor(logger: Logger, thresholds: Partial<Record<AnomalyKind, number>> = {}): AnomalyMonitor {
  const limits = { ...DEFAULT_THRESHOLDS, ...thresholds };
  const recent: Record<AnomalyKind, number[]> = { failed_login: [], conflict: [], rate_limited: [], sync_error: [] };
  const totals: Record<AnomalyKind, number> = { failed_login: 0, conflict: 0, rate_limited: 0, sync_error: 0 };
  const lastWarned: Partial<Record<AnomalyKind, number>> = {};
  return {
    record(kind) {
      const now = Date.now();
      totals[kind] += 1;
      const times = recent[kind].filter((t) => now - t < 60_000);
      times.push(now);
      recent[kind] = times;
      // Warn once per minute per kind while the spike lasts.
      if (times.length > limits[kind] && now - (lastWarned[kind] ?? 0) > 60_000) {
        lastWarned[kind] = now;
        logger.warn({ anomaly: kind, lastMinute: times.length, threshold: limits[kind] }, `anomaly: ${times.length} ${kind.replace('_', ' ')} events in the last minute`);
      }
    },
    totals: () => ({ ...totals }),
  };
}
