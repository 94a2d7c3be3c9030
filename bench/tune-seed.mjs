#!/usr/bin/env node
// The tuner's acceptance benchmark on the seed setup (fixtures/seed: its nginx.conf, gunicorn
// -w8 -k gevent --keep-alive 60 with the hello-world app):
//   1. runs `conftune tune --search --out DIR` on the seed;
//   2. starts one gunicorn (the seed's command) and two sandboxed nginx in front of it: the seed
//      config and the tuned one (same isolation rewrites as the tuner's sandbox);
//   3. measures with wrk -t1 -c32, interleaved: seed, tuned, raw gunicorn, … for ROUNDS rounds
//      after a discarded warm-up round, and prints medians and the ratios
//      tuned/seed (target ≥ 2) and tuned/raw gunicorn (target ≥ 0.6).
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
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout ?? '')?.[1] ?? '0';
  const socketErrors = /Socket errors: (.*)/.exec(r.stdout ?? '')?.[1];
  return { rps, errors: Number(errors), socketErrors };
}

try {
  const result = runTune();
  console.log(`tune-seed: tuner chose "${result.chosen.label}"`);
  for (const c of result.chosen.changes) console.log(`  - ${c}`);
  if (result.ratio) console.log(`tune-seed: the tuner's own confirm run: ${fmt(result.baseline.rps, 0)} → ${fmt(result.tuned.rps, 0)} req/s (${fmt(result.ratio.median)}×)`);
  const tunedConf = path.join(outDir, 'nginx.conf');
  if (!fs.existsSync(tunedConf)) throw new Error('tune wrote no patched nginx.conf');

  // One gunicorn, the seed's command, behind both nginx and measured raw.
  const port = await freePort();
  const gunicorn = group.start({ role: 'gunicorn', command: 'gunicorn', args: ['-w8', '-k', 'gevent', '--keep-alive', '60', '--bind', `127.0.0.1:${port}`, 'application:application'], cwd: SEED, stopSignal: 'SIGINT', env: { GUNICORN_CMD_ARGS: '' } });
  const why = await waitUntilReady({ kind: 'tcp', host: '127.0.0.1', port }, { timeoutMs: 20_000, exited: gunicorn.hasExited });
  if (why) throw new Error(`gunicorn did not start: ${why}\n${gunicorn.output()}`);
  const info = nginxBinaryInfo();
  const backend = { kind: 'tcp', host: '127.0.0.1', port };
  const seedMain = path.join(SEED, 'nginx.conf');
  const seedNginx = await startNginx({ name: 'seed', parentDir: work, mainFile: seedMain, texts: new Map([[seedMain, fs.readFileSync(seedMain, 'latin1')]]), backend, info, group });
  const tunedNginx = await startNginx({ name: 'tuned', parentDir: work, mainFile: seedMain, texts: new Map([[seedMain, fs.readFileSync(tunedConf, 'latin1')]]), backend, info, group });
  const targets = [
    { name: 'seed nginx.conf', url: `http://127.0.0.1:${seedNginx.entry.port}/` },
    { name: 'tuned nginx.conf', url: `http://127.0.0.1:${tunedNginx.entry.port}/` },
    { name: 'raw gunicorn', url: `http://127.0.0.1:${port}/` },
  ];
  const runs = new Map(targets.map((t) => [t.name, []]));
  const errors = new Map(targets.map((t) => [t.name, 0]));
  for (let round = 0; round <= ROUNDS; round++) {
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const t of order) {
      const r = wrk(t.url);
      if (round === 0) continue; // warm-up round
      runs.get(t.name).push(r.rps);
      errors.set(t.name, errors.get(t.name) + r.errors);
      if (r.socketErrors) console.log(`  ${t.name}: socket errors ${r.socketErrors}`);
    }
    if (round > 0) console.log(`round ${round}: ${targets.map((t) => `${t.name} ${fmt(runs.get(t.name).at(-1), 0)}`).join(', ')}`);
  }
  const med = (n) => median(runs.get(n));
  console.log('');
  console.log('target              median req/s   runs                 spread   non-2xx');
  for (const t of targets) {
    const xs = runs.get(t.name);
    console.log(`${t.name.padEnd(20)}${fmt(med(t.name), 0).padStart(12)}   ${xs.map((x) => fmt(x, 0)).join(' ').padEnd(20)} ${fmt(spread(xs) * 100, 1).padStart(5)}%   ${errors.get(t.name)}`);
  }
  const vsSeed = med('tuned nginx.conf') / med('seed nginx.conf');
  const vsRaw = med('tuned nginx.conf') / med('raw gunicorn');
  // Runs of one round are seconds apart: their ratio cancels the host's drift between rounds.
  const paired = (a, b) => median(runs.get(a).map((x, i) => x / runs.get(b)[i]));
  console.log('');
  console.log(`tuned / seed:         ${fmt(vsSeed)}× of medians, ${fmt(paired('tuned nginx.conf', 'seed nginx.conf'))}× median of per-round ratios  (target ≥ 2)   ${vsSeed >= 2 ? 'PASS' : 'FAIL'}`);
  console.log(`tuned / raw gunicorn: ${fmt(vsRaw)}× of medians, ${fmt(paired('tuned nginx.conf', 'raw gunicorn'))}× median of per-round ratios  (target ≥ 0.6) ${vsRaw >= 0.6 ? 'PASS' : 'FAIL'}`);
  process.exitCode = vsSeed >= 2 && vsRaw >= 0.6 ? 0 : 1;
} catch (e) {
  console.error(`tune-seed: ${e.message}`);
  process.exitCode = 2;
} finally {
  await cleanup();
}
