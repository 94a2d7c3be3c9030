// Shared by the tuner's integration tests: whether the tools a sandbox needs are installed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export function have(command: string, args: string[] = ['--version']): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  return !r.error && r.status === 0;
}

/** The Python gunicorn runs on (its script's #! line), which is where gevent must be importable. */
function gunicornPython(): string {
  const where = spawnSync('sh', ['-c', 'command -v gunicorn'], { encoding: 'utf8' }).stdout?.trim();
  if (!where) return 'python3';
  try {
    const first = readFileSync(where, 'utf8').split('\n')[0] ?? '';
    return /^#!\s*(\S+)/.exec(first)?.[1] ?? 'python3';
  } catch {
    return 'python3';
  }
}

/** nginx, gunicorn and python3-gevent: what the seed setup runs on. */
export function seedToolsInstalled(): boolean {
  return have('nginx', ['-v']) && have('gunicorn') && have(gunicornPython(), ['-c', 'import gevent']);
}

/** Whether `pid` is still a live process (zombies count as gone). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const r = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  return !(r.stdout ?? '').trim().startsWith('Z') && (r.stdout ?? '').trim() !== '';
}
