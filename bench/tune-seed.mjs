#!/usr/bin/env node
// The tuner's acceptance benchmark on the seed setup (fixtures/seed: its nginx.conf, gunicorn
// -w8 -k gevent --keep-alive 60 with the hello-world app):
//   1. runs `conftune tune --search --out DIR` on the seed;
//   2. starts one gunicorn (the seed's command) and two sandboxed nginx in front of it: the seed
//      config and the tuned one (same isolation rewrites as the tuner's sandbox);
//   3. measures with wrk -t1 -c32, interleaved: seed, tuned, raw gunicorn, … for ROUNDS rounds
//      after a discarded warm-up round, and prints medians and the ratios
//      tuned/seed (target ≥ 2) and tuned/raw gunicorn (target ≥ 0.6).
// TUNED_CONF=path[,path…] skips step 1 and measures the given nginx.conf files instead (each one
// its own target, named by its file name; the first is the one the targets are checked on), for
// quick by-hand experiments. ROUNDS (default 5) and WRK_DURATION (default 3s) size the runs.
// CPU=1 also reports where the CPU went per request (µs of gunicorn, of the target's nginx, and of
// the rest — wrk and the kernel's loopback work — from /proc), the medians over the rounds.
// PROBE=1 also measures every target with conftune's embedded probe (one generator thread, as the
// tuner runs it) right after wrk, so the two clients can be compared on the same host state.
// Before each round the host must be quiet (other processes under QUIET_PCT % of the CPUs, default
// 25, waited for at most 30 s): runs taken on a busy host are flagged and left out of the medians.
// Needs `npm run build`, nginx, gunicorn + python3-gevent and wrk. Loopback only; every process
// started here is stopped by pid (process group) on exit. Never part of `npm test`.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO, median, spread, fmt } from './lib.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const DURATION = process.env.WRK_DURATION ?? '3s';
const BUDGET = process.env.TUNE_BUDGET ?? '60s';
const SEED = path.join(REPO, 'fixtures/seed');
const DIST = process.env.CONFTUNE_DIST ?? path.join(REPO, 'dist/src');
const WITH_PROBE = process.env.PROBE === '1';
const WITH_CPU = process.env.CPU === '1';
const QUIET_PCT = Number(process.env.QUIET_PCT ?? 25);
const GIVEN = (process.env.TUNED_CONF ?? '').split(',').map((p) => p.trim()).filter(Boolean).map((p) => path.resolve(p));

for (const tool of ['nginx', 'gunicorn', 'wrk']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`tune-seed: ${tool} is not installed`);
    process.exit(2);
  }
}
if (!fs.existsSync(path.join(DIST, 'tune/index.js'))) {
  console.error('tune-seed: dist/ has no tuner: run npm run build first');
  process.exit(2);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-tune-seed-'));
const outDir = path.join(work, 'out');
const { ProcessGroup } = await import(path.join(DIST, 'tune/procs.js'));
const { startNginx, nginxBinaryInfo } = await import(path.join(DIST, 'tune/sandbox.js'));
const { freePort, waitUntilReady } = await import(path.join(DIST, 'tune/net.js'));
const group = new ProcessGroup();
group.install();
const cleanup = async () => {
  await group.stopAll();
  group.dispose();
  fs.rmSync(work, { recursive: true, force: true });
};

/** `conftune tune` through the CLI: main.js when it has the command, else the module directly. */
function runTune() {
  const args = ['tune', 'nginx.conf', 'Procfile', '--search', '--budget', BUDGET, '--out', outDir, '--json'];
  const main = path.join(DIST, 'cli/main.js');
  const help = spawnSync(process.execPath, [main, '--help'], { encoding: 'utf8' }).stdout ?? '';
  const hasTune = /^\s+tune\b/m.test(help);
  const cmd = hasTune
    ? [main, ...args]
    : ['--input-type=module', '-e', `import { Command } from 'commander'; import { registerTuneCommand } from ${JSON.stringify(path.join(DIST, 'cli/tune.js'))}; const p = new Command('conftune'); registerTuneCommand(p); await p.parseAsync(['node', 'conftune', ...${JSON.stringify(args)}]);`];
  console.log(`tune-seed: conftune ${args.join(' ')}`);
  const r = spawnSync(process.execPath, cmd, { cwd: SEED, encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`conftune tune exited with ${r.status}`);
  return JSON.parse(r.stdout);
}

function wrk(url) {
  const r = spawnSync('wrk', ['-t1', '-c32', `-d${DURATION}`, '--timeout', '5s', url], { encoding: 'utf8', timeout: 60_000 });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout ?? '')?.[1] ?? NaN);
  const requests = Number(/(\d+) requests in/.exec(r.stdout ?? '')?.[1] ?? NaN);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout ?? '')?.[1] ?? '0';
  const socketErrors = /Socket errors: (.*)/.exec(r.stdout ?? '')?.[1];
  return { rps, requests, errors: Number(errors), socketErrors };
}

const CLK_TCK = 100;
/** CPU seconds (user + system) used so far by `pid` and its live descendants, from /proc. */
function cpuSeconds(pid) {
  let ticks = 0;
  const seen = new Set();
  const visit = (p) => {
    if (seen.has(p)) return;
    seen.add(p);
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      for (const t of fs.readdirSync(`/proc/${p}/task`)) {
        for (const c of fs.readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) visit(Number(c));
      }
    } catch {
      // gone, or no /proc: counts as nothing
    }
  };
  visit(pid);
  return ticks / CLK_TCK;
}

/** Idle and total jiffies of the whole host so far, from /proc/stat (null where there is none). */
function hostJiffies() {
  try {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** Busy CPU seconds of the whole host so far. */
function hostCpuSeconds() {
  const j = hostJiffies();
  return j ? (j.total - j.idle) / CLK_TCK : NaN;
}

/** Busy share of all CPUs (0..1) over `ms` (null where /proc/stat is missing). */
async function hostBusy(ms = 500) {
  const a = hostJiffies();
  await new Promise((r) => setTimeout(r, ms));
  const b = hostJiffies();
  if (!a || !b || b.total === a.total) return null;
  return 1 - (b.idle - a.idle) / (b.total - a.total);
}

/** Waits (at most 30 s) until the host is quiet; returns whether it is. */
async function waitQuiet() {
  for (let i = 0; i < 60; i++) {
    const busy = await hostBusy();
    if (busy === null || busy * 100 < QUIET_PCT) return true;
    if (i === 0) process.stdout.write(`  host busy (${fmt(busy * 100, 0)}% of the CPUs): waiting…`);
  }
  process.stdout.write(' still busy, round flagged\n');
  return false;
}

const probeLib = WITH_PROBE ? await import(path.join(DIST, 'probe/index.js')) : null;
async function probeRun(url) {
  const seconds = Number.parseFloat(DURATION) || 3;
  const r = await probeLib.probe({ url, connections: 32, durationSec: seconds, warmupSec: 0.25, threads: 1, timeoutMs: 5000 });
  return { rps: r.rps, util: r.generatorCpuUtil };
}

try {
  let tunedConfs = GIVEN;
  if (tunedConfs.length === 0) {
    const result = runTune();
    console.log(`tune-seed: tuner chose "${result.chosen.label}"`);
    for (const c of result.chosen.changes) console.log(`  - ${c}`);
    if (result.ratio) console.log(`tune-seed: the tuner's own confirm run: ${fmt(result.baseline.rps, 0)} → ${fmt(result.tuned.rps, 0)} req/s (${fmt(result.ratio.median)}×)`);
    tunedConfs = [path.join(outDir, 'nginx.conf')];
    if (!fs.existsSync(tunedConfs[0])) throw new Error('tune wrote no patched nginx.conf');
  } else {
    for (const f of tunedConfs) if (!fs.existsSync(f)) throw new Error(`TUNED_CONF: ${f} does not exist`);
    console.log(`tune-seed: tune step skipped, measuring ${tunedConfs.join(', ')}`);
  }

  // One gunicorn, the seed's command, behind both nginx and measured raw.
  const port = await freePort();
  const gunicorn = group.start({ role: 'gunicorn', command: 'gunicorn', args: ['-w8', '-k', 'gevent', '--keep-alive', '60', '--bind', `127.0.0.1:${port}`, 'application:application'], cwd: SEED, stopSignal: 'SIGINT', env: { GUNICORN_CMD_ARGS: '' } });
  const why = await waitUntilReady({ kind: 'tcp', host: '127.0.0.1', port }, { timeoutMs: 20_000, exited: gunicorn.hasExited });
  if (why) throw new Error(`gunicorn did not start: ${why}\n${gunicorn.output()}`);
  const info = nginxBinaryInfo();
  const backend = { kind: 'tcp', host: '127.0.0.1', port };
  const seedMain = path.join(SEED, 'nginx.conf');
  const seedNginx = await startNginx({ name: 'seed', parentDir: work, mainFile: seedMain, texts: new Map([[seedMain, fs.readFileSync(seedMain, 'latin1')]]), backend, info, group });
  // Each tuned file replaces the seed's main file in its own sandbox (same isolation rewrites).
  const tunedTargets = [];
  for (const [i, conf] of tunedConfs.entries()) {
    const nginx = await startNginx({ name: `tuned-${i}`, parentDir: work, mainFile: seedMain, texts: new Map([[seedMain, fs.readFileSync(conf, 'latin1')]]), backend, info, group });
    const name = GIVEN.length === 0 ? 'tuned nginx.conf' : i === 0 ? `tuned ${path.basename(conf)}` : path.basename(conf);
    tunedTargets.push({ name, url: `http://127.0.0.1:${nginx.entry.port}/`, nginxPid: nginx.process.pid });
  }
  const TUNED = tunedTargets[0].name;
  const targets = [
    { name: 'seed nginx.conf', url: `http://127.0.0.1:${seedNginx.entry.port}/`, nginxPid: seedNginx.process.pid },
    ...tunedTargets,
    { name: 'raw gunicorn', url: `http://127.0.0.1:${port}/`, nginxPid: null },
  ];
  const width = Math.max(20, ...targets.map((t) => t.name.length + 1));
  const runs = new Map(targets.map((t) => [t.name, []]));
  const probeRuns = new Map(targets.map((t) => [t.name, []]));
  const probeUtil = [];
  const errors = new Map(targets.map((t) => [t.name, 0]));
  // Per target and round: µs of CPU per request for gunicorn, nginx and the rest.
  const cpuRuns = new Map(targets.map((t) => [t.name, []]));
  let flagged = 0;
  // Bounded: ROUNDS + 1 rounds, plus at most ROUNDS retries of rounds taken on a busy host.
  for (let round = 0, tries = 0; round <= ROUNDS && tries <= 2 * ROUNDS + 1; tries++) {
    const quiet = await waitQuiet();
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    const got = new Map();
    for (const t of order) {
      const before = WITH_CPU ? { g: cpuSeconds(gunicorn.pid), n: t.nginxPid ? cpuSeconds(t.nginxPid) : 0, host: hostCpuSeconds() } : null;
      const r = wrk(t.url);
      if (before) {
        const g = cpuSeconds(gunicorn.pid) - before.g;
        const n = t.nginxPid ? cpuSeconds(t.nginxPid) - before.n : 0;
        const host = hostCpuSeconds() - before.host;
        const perReq = (x) => (x / r.requests) * 1e6;
        r.cpu = { gunicorn: perReq(g), nginx: perReq(n), rest: perReq(Math.max(0, host - g - n)) };
      }
      const p = WITH_PROBE ? await probeRun(t.url) : null;
      got.set(t.name, { r, p });
    }
    const after = await hostBusy(200);
    // Our own processes are stopped between rounds, so a busy reading after the round is others'.
    const clean = quiet && (after === null || after * 100 < QUIET_PCT + 10);
    if (!clean && flagged < ROUNDS) {
      flagged++;
      console.log(`round ${round}: host busy during the round, measured again`);
      continue;
    }
    if (round > 0) {
      for (const t of targets) {
        const { r, p } = got.get(t.name);
        runs.get(t.name).push(r.rps);
        if (r.cpu) cpuRuns.get(t.name).push(r.cpu);
        errors.set(t.name, errors.get(t.name) + r.errors);
        if (r.socketErrors) console.log(`  ${t.name}: socket errors ${r.socketErrors}`);
        if (p) {
          probeRuns.get(t.name).push(p.rps);
          probeUtil.push(p.util);
        }
      }
      console.log(`round ${round}: ${targets.map((t) => `${t.name} ${fmt(runs.get(t.name).at(-1), 0)}${WITH_PROBE ? `/${fmt(probeRuns.get(t.name).at(-1), 0)}` : ''}`).join(', ')}`);
    }
    round++;
  }
  if (runs.get(targets[0].name).length === 0) throw new Error('no round completed');
  const med = (n) => median(runs.get(n));
  console.log('');
  // Runs of one round are seconds apart: their ratio cancels the host's drift between rounds.
  const paired = (a, b) => median(runs.get(a).map((x, i) => x / runs.get(b)[i]));
  console.log(`${'target'.padEnd(width)}median req/s   runs${' '.repeat(Math.max(1, ROUNDS * 6 - 3))}spread   non-2xx   /seed   /raw (paired)`);
  for (const t of targets) {
    const xs = runs.get(t.name);
    console.log(`${t.name.padEnd(width)}${fmt(med(t.name), 0).padStart(12)}   ${xs.map((x) => fmt(x, 0)).join(' ').padEnd(ROUNDS * 6 + 1)} ${fmt(spread(xs) * 100, 1).padStart(5)}%   ${String(errors.get(t.name)).padStart(7)}   ${fmt(paired(t.name, 'seed nginx.conf')).padStart(5)}   ${fmt(paired(t.name, 'raw gunicorn'))}`);
  }
  if (WITH_PROBE) {
    const pmed = (n) => median(probeRuns.get(n));
    const ppaired = (a, b) => median(probeRuns.get(a).map((x, i) => x / probeRuns.get(b)[i]));
    console.log('');
    console.log(`embedded probe (1 generator thread, median CPU use of its core ${fmt(median(probeUtil) * 100, 0)}%):`);
    for (const t of targets) console.log(`${t.name.padEnd(width)}${fmt(pmed(t.name), 0).padStart(12)}   ${probeRuns.get(t.name).map((x) => fmt(x, 0)).join(' ').padEnd(ROUNDS * 6 + 1)} ${fmt(spread(probeRuns.get(t.name)) * 100, 1).padStart(5)}%             ${fmt(ppaired(t.name, 'seed nginx.conf')).padStart(5)}   ${fmt(ppaired(t.name, 'raw gunicorn'))}`);
  }
  if (WITH_CPU) {
    console.log('');
    console.log(`CPU per request (µs, medians over rounds; "rest" is wrk plus loopback work the kernel did outside both):`);
    console.log(`${'target'.padEnd(width)}   gunicorn      nginx       rest      total`);
    for (const t of targets) {
      const xs = cpuRuns.get(t.name);
      const m = (k) => median(xs.map((x) => x[k]));
      const total = median(xs.map((x) => x.gunicorn + x.nginx + x.rest));
      console.log(`${t.name.padEnd(width)}${fmt(m('gunicorn'), 1).padStart(11)}${fmt(m('nginx'), 1).padStart(11)}${fmt(m('rest'), 1).padStart(11)}${fmt(total, 1).padStart(11)}`);
    }
  }
  const vsSeed = med(TUNED) / med('seed nginx.conf');
  const vsRaw = med(TUNED) / med('raw gunicorn');
  console.log('');
  console.log(`tuned / seed:         ${fmt(vsSeed)}× of medians, ${fmt(paired(TUNED, 'seed nginx.conf'))}× median of per-round ratios  (target ≥ 2)   ${vsSeed >= 2 ? 'PASS' : 'FAIL'}`);
  console.log(`tuned / raw gunicorn: ${fmt(vsRaw)}× of medians, ${fmt(paired(TUNED, 'raw gunicorn'))}× median of per-round ratios  (target ≥ 0.6) ${vsRaw >= 0.6 ? 'PASS' : 'FAIL'}`);
  process.exitCode = vsSeed >= 2 && vsRaw >= 0.6 ? 0 : 1;
} catch (e) {
  console.error(`tune-seed: ${e.message}`);
  process.exitCode = 2;
} finally {
  await cleanup();
}
