// `probe` cleans up after itself (no child process, no temp file) on success, error, SIGINT and
// SIGTERM; and no load ever goes to a non-loopback address unless explicitly allowed.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probe, planProbe, ProbeOptionsError } from '../../src/probe/index.js';
import { CLI, tempDir } from '../helpers/cli.js';

let server: http.Server;
let url = '';
const dirs: string[] = [];

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Pids below `pid` (children, grandchildren), from /proc. */
function descendants(pid: number): number[] {
  const out: number[] = [];
  const visit = (p: number): void => {
    let tasks: string[] = [];
    try {
      tasks = fs.readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const t of tasks) {
      let kids = '';
      try {
        kids = fs.readFileSync(`/proc/${p}/task/${t}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const k of kids.split(/\s+/).filter(Boolean).map(Number)) {
        out.push(k);
        visit(k);
      }
    }
  };
  visit(pid);
  return out;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
  seen: number[];
  tmp: string;
}

/** Runs `conftune probe …` with a private TMPDIR; sends `signal` once it has started sending load. */
function runProbe(args: string[], signal?: NodeJS.Signals): Promise<Run> {
  return runCli(['probe', ...args], signal, 1500);
}

/** Runs the CLI with a private TMPDIR, recording every descendant; sends `signal` after `signalAfterMs`. */
function runCli(argv: string[], signal: NodeJS.Signals | undefined, signalAfterMs: number): Promise<Run> {
  const tmp = tempDir('conftune-probe-tmp-');
  dirs.push(tmp);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...argv], { env: { ...process.env, TMPDIR: tmp, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const seen = new Set<number>();
    let sent = false;
    const poll = setInterval(() => {
      for (const p of descendants(child.pid!)) seen.add(p);
    }, 20);
    const bound = setTimeout(() => child.kill('SIGKILL'), 50_000);
    const maybeSignal = (): void => {
      if (signal && !sent && argv[0] === 'probe' && stdout.length + stderr.length > 0) {
        sent = true;
        setTimeout(() => child.kill(signal), 300);
      }
    };
    child.stdout.on('data', (d) => {
      stdout += d;
      maybeSignal();
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      maybeSignal();
    });
    // Some runs print nothing until the end: signal after a moment anyway.
    if (signal) setTimeout(() => {
      if (!sent) {
        sent = true;
        child.kill(signal);
      }
    }, signalAfterMs);
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearInterval(poll);
      clearTimeout(bound);
      resolve({ code, signal: sig, stdout, stderr, pid: child.pid!, seen: [...seen], tmp });
    });
  });
}

function expectClean(r: Run): void {
  expect(alive(r.pid)).toBe(false);
  for (const p of r.seen) expect(alive(p), `child ${p} of the probe still runs`).toBe(false);
  expect(fs.readdirSync(r.tmp)).toEqual([]);
}

describe('probe leaves nothing behind', () => {
  it('after a successful run', async () => {
    const r = await runProbe([url, '-d', '500ms', '-c', '2', '-t', '2']);
    expect(r.code).toBe(0);
    expectClean(r);
  });

  it('after an error (nothing listening)', async () => {
    const r = await runProbe(['http://127.0.0.1:1/', '-d', '300ms', '-c', '1']);
    expect(r.code).not.toBeNull();
    expectClean(r);
  });

  it('after SIGINT', async () => {
    const r = await runProbe([url, '-d', '20s', '-c', '2', '-t', '2'], 'SIGINT');
    expect(r.code === 130 || r.signal === 'SIGINT' || r.code === 0).toBe(true);
    expectClean(r);
  });

  it('after SIGTERM', async () => {
    const r = await runProbe([url, '-d', '20s', '-c', '2', '-t', '2'], 'SIGTERM');
    expect(r.code !== null || r.signal === 'SIGTERM').toBe(true);
    expectClean(r);
  });
});

describe('loopback guard', () => {
  for (const target of ['http://10.0.0.1/', 'http://192.168.1.20:8080/', 'http://172.16.0.1/', 'http://8.8.8.8/', 'http://example.com/', 'http://[2001:db8::1]/', 'http://0.0.0.0/']) {
    it(`refuses ${target} before opening any socket`, async () => {
      const plan = planProbe({ url: target, durationSec: 1 });
      expect(plan.ok).toBe(false);
      // A rejection from the planning step: no connection was attempted (it would take seconds to time out).
      await expect(probe({ url: target, durationSec: 1 })).rejects.toBeInstanceOf(ProbeOptionsError);
    });
  }

  it('refuses a remote target on the command line with exit 2 and sends nothing', async () => {
    const r = await runProbe(['http://10.0.0.1/', '-d', '1s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a loopback address/);
    expectClean(r);
  });

  it('accepts loopback targets', () => {
    for (const target of ['http://127.0.0.1/', 'http://localhost:8080/', 'http://[::1]/']) expect(planProbe({ url: target, durationSec: 1 }).ok).toBe(true);
  });
});

describe('tune leaves nothing behind', () => {
  // The sandbox runs nginx and a backend as children and lives in a temp dir under TMPDIR.
  const seed = path.resolve(__dirname, '../../fixtures/seed/nginx.conf');
  const tune = ['tune', seed, '--backend', 'builtin', '--budget', '6s', '--scenario', 'throughput', '--cpus', '2'];

  it('after a successful run', { timeout: 60_000 }, async () => {
    const r = await runCli(tune, undefined, 0);
    expect(r.code, r.stderr).toBe(0);
    expect(r.seen.length).toBeGreaterThan(0);
    expectClean(r);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`after ${signal} while measuring`, { timeout: 60_000 }, async () => {
      const r = await runCli(tune, signal, 2500);
      expect(r.code !== 0 || r.signal !== null).toBe(true);
      expectClean(r);
    });
  }
});
