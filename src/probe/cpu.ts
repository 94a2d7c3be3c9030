/**
 * CPU accounting for the generator. Node 20 has no per-thread CPU clock, so on Linux the calling
 * thread's own counters are read from /proc/thread-self/stat (a synchronous read runs on the
 * calling thread, so it names the generator thread itself); elsewhere the event loop's active
 * time stands in (busy time of the loop, which includes its syscalls).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/** USER_HZ: the unit of utime/stime in /proc; 100 on every mainstream Linux. */
const CLOCK_TICKS_PER_SEC = 100;

function procThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'latin1');
    // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_SEC : undefined;
  } catch {
    return undefined;
  }
}

export interface CpuSnapshot {
  threadMs: number;
  processMs: number;
}

export function cpuSnapshot(): CpuSnapshot {
  const usage = process.cpuUsage();
  const processMs = (usage.user + usage.system) / 1000;
  const threadMs = procThreadCpuMs();
  if (threadMs !== undefined) return { threadMs, processMs };
  return { threadMs: performance.eventLoopUtilization().active, processMs };
}

export function cpuSince(start: CpuSnapshot): { threadMs: number; processMs: number } {
  const now = cpuSnapshot();
  return {
    threadMs: Math.max(0, now.threadMs - start.threadMs),
    processMs: Math.max(0, now.processMs - start.processMs),
  };
}
