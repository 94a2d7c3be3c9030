#!/usr/bin/env node
// Startup cost of `conftune check` on the seed deployment (nginx.conf + Procfile) — what a
// pre-commit hook pays on every commit — next to `node -e 0` and, with GIXY=/path/to/gixy,
// gixy-ng on the same nginx.conf, all measured in the same run. Target: ≤ 1.5× node's startup.
// Runs interleaved (node, conftune, gixy, node, …) so machine noise hits all alike.
//   npm run bench:startup            (RUNS=20 to change the count, at least 10; GIXY=… optional)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, fmt, median, spread } from './lib.mjs';

const RUNS = Math.max(10, Number(process.env.RUNS ?? 15));
const TARGET = 1.5;
const seed = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'seed');
const conf = path.join(seed, 'nginx.conf');
const procfile = path.join(seed, 'Procfile');
const dir = seed;

if (!fs.existsSync(CLI)) {
  console.error(`startup: ${CLI} not found: run \`npm run build\` first`);
  process.exit(2);
}

// The default check path starts no child process (versions come from options, config or
// defaults); `--host` asks nginx and gunicorn for theirs, shown as a separate cost.
const cases = {
  node: [process.execPath, ['-e', '0']],
  check: [process.execPath, [CLI, 'check', '--no-config', conf, procfile]],
  'check nginx.conf': [process.execPath, [CLI, 'check', '--no-config', conf]],
  '--version': [process.execPath, [CLI, '--version']],
};
if (process.env.GIXY) cases['gixy-ng'] = [process.env.GIXY, [conf]];

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const once = (cmd, args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: dir });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.error || (r.status !== 0 && r.status !== 1)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
};
// One warm-up round fills the OS file cache.
for (const [cmd, args] of Object.values(cases)) once(cmd, args);
for (let i = 0; i < RUNS; i++) for (const [name, [cmd, args]] of Object.entries(cases)) times[name].push(once(cmd, args));

const base = median(times.node);
console.log(`startup (${RUNS} runs each, median wall time, spread = (max-min)/median)`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`  ${name.padEnd(18)} ${fmt(m, 1).padStart(7)} ms   ${fmt(m / base)}× node   spread ${fmt(spread(xs))}`);
}
const ratio = median(times.check) / base;
console.log(`conftune check / node -e 0 = ${fmt(ratio)}× (target ≤ ${TARGET}×): ${ratio <= TARGET ? 'ok' : 'OVER TARGET'}`);
if (times['gixy-ng']) {
  const g = median(times.check) / median(times['gixy-ng']);
  console.log(`conftune check (with Procfile) / gixy-ng (nginx.conf) = ${fmt(g)}×: ${g < 1 ? 'faster' : 'SLOWER'}`);
}
