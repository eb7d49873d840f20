/** CPU time of the whole machine and of single processes, from /proc (Linux; NaN elsewhere). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Busy and total CPU time of all cores since boot, in clock ticks. */
export interface MachineCpu {
  readonly busy: number;
  readonly total: number;
}

/** Reads the machine's CPU counters (all cores). */
export function readMachineCpu(): MachineCpu {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: idle and iowait are not busy.
    const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - fields[3] - fields[4], total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

/** Share of the machine that was busy between two readings, in % of all cores. */
export function busyPercent(from: MachineCpu, to: MachineCpu): number {
  return (100 * (to.busy - from.busy)) / (to.total - from.total);
}

let ticksPerSecond: number | undefined;

/** User + system CPU seconds a process has used so far. */
export function processCpuSeconds(pid: number): number {
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}
