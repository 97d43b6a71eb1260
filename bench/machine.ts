// The machine is shared (other sessions' builds and tests may run on it): the bench waits for a quiet moment
// before each measured run and records how much CPU other processes took during it, so a disturbed run shows.
import fs from 'node:fs';
import { sleep } from './stats.js';

/**
 * Process-attributable busy jiffies (user, nice, system) and all jiffies over all cores, from /proc/stat;
 * undefined without /proc. Interrupt and softirq time is left out of `busy`: loopback TCP is mostly processed
 * in softirq, charged to no process, and would otherwise look like someone else's load.
 */
function cpuTimes(): { busy: number; total: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'latin1').split('\n', 1)[0]!;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number) as number[];
    const busy = user! + nice! + system!;
    return { busy, total: busy + idle! + iowait! + irq! + softirq! + steal! };
  } catch {
    return undefined;
  }
}

/** A reading to pass to `coresBusySince`. */
export const machineMark = cpuTimes;

/** Cores' worth of CPU the whole machine used since `mark` (0 … number of cores). */
export function coresBusySince(mark: ReturnType<typeof cpuTimes>, cores: number): number {
  const now = cpuTimes();
  if (!mark || !now || now.total === mark.total) return NaN;
  return ((now.busy - mark.busy) / (now.total - mark.total)) * cores;
}

/** Waits (at most `capMs`) until the machine has been nearly idle for a 300 ms sample; false if it never was. */
export async function waitForQuietMachine(cores: number, capMs = 4_000, threshold = 0.25): Promise<boolean> {
  const until = performance.now() + capMs;
  for (;;) {
    const mark = cpuTimes();
    if (!mark) return true;
    await sleep(300);
    if (coresBusySince(mark, cores) < threshold) return true;
    if (performance.now() > until) return false;
  }
}
