// Child processes of one tune run: each started in its own process group (so nginx's and
// gunicorn's workers go with their master), tracked by pid, and stopped by pid on every way out:
// normal return, error, SIGINT/SIGTERM and process exit. Also CPU accounting from /proc.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';

export interface ManagedProcess {
  role: string;
  pid: number;
  child: ChildProcess;
  /** Last lines of stderr/stdout, for error messages. */
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<string>;
  hasExited(): boolean;
}

export interface StartSpec {
  role: string;
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Signal that stops the process quickly (nginx: TERM; gunicorn: INT, its quick shutdown). */
  stopSignal?: NodeJS.Signals;
}

const OUTPUT_KEEP = 8192;
const STOP_GRACE_MS = 2000;

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/**
 * The processes one tune run owns. `stopAll` is idempotent; `install` hooks exit and signals
 * until `dispose`, so an interrupted run leaves nothing behind.
 */
export class ProcessGroup {
  private readonly procs: Array<ManagedProcess & { stopSignal: NodeJS.Signals }> = [];
  /** Every pid seen in a tracked tree (masters and workers), for the orphan check. */
  readonly seenPids = new Set<number>();
  private hooks: Array<() => void> = [];

  start(spec: StartSpec): ManagedProcess {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...process.env, ...spec.env },
      detached: true, // own process group: its workers are signalled with it
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const keep = (chunk: Buffer): void => {
      out = (out + chunk.toString('utf8')).slice(-OUTPUT_KEEP);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    let done = false;
    const exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => {
        done = true;
        resolve(signal ?? String(code));
      });
      child.once('error', (e) => {
        done = true;
        keep(Buffer.from(`\n${e.message}\n`));
        resolve('error');
      });
    });
    const pid = child.pid ?? -1;
    if (pid > 0) this.seenPids.add(pid);
    const proc = { role: spec.role, pid, child, output: () => out, exited, hasExited: () => done, stopSignal: spec.stopSignal ?? 'SIGTERM' };
    this.procs.push(proc);
    return proc;
  }

  list(): ManagedProcess[] {
    return [...this.procs];
  }

  /** Records the current descendants of every tracked process (workers come and go). */
  noteDescendants(): void {
    for (const p of this.procs) for (const pid of processTree(p.pid)) this.seenPids.add(pid);
  }

  /** Stops one process (its group): quick-stop signal, then SIGKILL after a grace period. */
  async stop(proc: ManagedProcess): Promise<void> {
    const entry = this.procs.find((p) => p === proc);
    if (!entry) return;
    this.noteDescendants();
    if (!entry.hasExited()) signalGroup(entry.pid, entry.stopSignal);
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_GRACE_MS).unref());
    if ((await Promise.race([entry.exited, timer])) === 'timeout') signalGroup(entry.pid, 'SIGKILL');
    // Workers may outlive a master killed hard: the group gets a final SIGKILL either way.
    signalGroup(entry.pid, 'SIGKILL');
    await Promise.race([entry.exited, new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())]);
    this.procs.splice(this.procs.indexOf(entry), 1);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.procs].map((p) => this.stop(p)));
  }

  /** Synchronous last resort (process exit, second Ctrl-C): SIGKILL every group. */
  killAllNow(): void {
    for (const p of this.procs) signalGroup(p.pid, 'SIGKILL');
  }

  /**
   * Hooks process exit and SIGINT/SIGTERM. On a signal the children are killed and the signal is
   * re-raised when nobody else listens to it, so the default behaviour (terminate) is kept.
   */
  install(onSignal?: (signal: NodeJS.Signals) => void): void {
    const onExit = (): void => this.killAllNow();
    process.on('exit', onExit);
    this.hooks.push(() => process.off('exit', onExit));
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const handler = (): void => {
        if (onSignal) {
          onSignal(sig);
          return;
        }
        this.killAllNow();
        this.dispose();
        if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      };
      process.on(sig, handler);
      this.hooks.push(() => process.off(sig, handler));
    }
  }

  dispose(): void {
    for (const h of this.hooks.splice(0)) h();
  }
}

// ---- /proc ---------------------------------------------------------------------------------------

/** USER_HZ, the unit of utime/stime in /proc (100 on mainstream Linux). */
const TICKS_PER_SEC = 100;

interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the command name: state (3), ppid (4) … utime (14), stime (15).
    return { pid, ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function allStats(): ProcStat[] {
  let names: string[];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return [];
  }
  const out: ProcStat[] = [];
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const s = readStat(Number(n));
    if (s) out.push(s);
  }
  return out;
}

/** `root` and all its descendants that exist now (empty when /proc is unavailable). */
export function processTree(root: number, stats: ProcStat[] = allStats()): number[] {
  const children = new Map<number, number[]>();
  for (const s of stats) {
    const list = children.get(s.ppid) ?? [];
    list.push(s.pid);
    children.set(s.ppid, list);
  }
  if (!stats.some((s) => s.pid === root)) return [];
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** CPU ticks by pid for the tree under each root (one pass over /proc for all of them). */
export function cpuSnapshots(roots: number[]): Array<Map<number, number>> {
  const stats = allStats();
  const byPid = new Map(stats.map((s) => [s.pid, s]));
  return roots.map((r) => new Map(processTree(r, stats).map((pid) => [pid, byPid.get(pid)!.cpuTicks])));
}

/** CPU seconds used between two snapshots (processes present in both; new ones count from 0). */
export function cpuSecondsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of after) ticks += Math.max(0, t - (before.get(pid) ?? 0));
  return ticks / TICKS_PER_SEC;
}
