#!/usr/bin/env node
// npm run bench — every benchmark of bench/, one after another (never in parallel: each one times
// the machine), each with its own output, then one line per benchmark: exit status and wall time.
// Never part of `npm test`. `npm run bench` builds dist/ first; run alone, build it yourself.
//
//   node bench/all.mjs                  full runs (many minutes: parse and scale generate 17 MB+ configs)
//   node bench/all.mjs --quick          small sizes and few rounds: a smoke run (about a minute or two)
//   node bench/all.mjs --only parse,startup
//
// parse, check and scale generate their configs with ../shared/tools/gen-big-config.py
// (CONFTUNE_GEN_BIG or CONFTUNE_SHARED to point elsewhere): without it they are skipped, not failed.
// check, parse and probe need nginx; probe also wrk. tune-seed.mjs (the tuner's acceptance run,
// needs gunicorn + gevent) is not included: run it by itself.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const onlyAt = argv.indexOf('--only');
const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',').filter(Boolean) : null;

const shared = process.env.CONFTUNE_SHARED ? path.resolve(process.env.CONFTUNE_SHARED) : path.resolve(repo, '../shared');
const gen = process.env.CONFTUNE_GEN_BIG ?? path.join(shared, 'tools/gen-big-config.py');

/** name, script, extra args, env for --quick (defaults are each script's own), whether it needs gen-big-config.py. */
const BENCHES = [
  { name: 'parse', script: 'parse.mjs', quick: { BENCH_SERVERS: '1000', BENCH_RUNS: '5' }, gen: true },
  { name: 'check', script: 'check.mjs', quick: { RUNS: '1', BENCH_SIZES: '500,1000' }, gen: true },
  { name: 'probe', script: 'probe.mjs', quickArgs: ['--rounds', '1', '--duration', '2'] },
  { name: 'startup', script: 'startup.mjs', quick: { RUNS: '10' } },
  { name: 'scale', script: 'scale.mjs', quick: { RUNS: '1', SIZES: '500,1000' }, gen: true },
];

const unknown = (only ?? []).filter((n) => !BENCHES.some((b) => b.name === n));
if (onlyAt >= 0 && (only.length === 0 || unknown.length > 0)) {
  console.error(`bench/all: --only takes a comma-separated list of ${BENCHES.map((b) => b.name).join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`);
  process.exit(2);
}
if (!fs.existsSync(path.join(repo, 'dist/bundle/main.js'))) {
  console.error('bench/all: dist/ is missing: run `npm run build` first (`npm run bench` does)');
  process.exit(2);
}

const results = [];
for (const b of BENCHES) {
  if (only && !only.includes(b.name)) continue;
  console.log(`\n=== bench:${b.name}${quick ? ' (--quick)' : ''} ===`);
  if (b.gen && !fs.existsSync(gen)) {
    console.log(`skipped: no ${process.env.CONFTUNE_GEN_BIG || process.env.CONFTUNE_SHARED ? gen : '../shared/tools/gen-big-config.py'}`);
    results.push({ name: b.name, status: 'skipped', seconds: 0 });
    continue;
  }
  const env = { ...process.env, CONFTUNE_GEN_BIG: gen, CONFTUNE_SHARED: shared, ...(quick ? b.quick : {}) };
  const args = [path.join(here, b.script), ...(quick ? (b.quickArgs ?? []) : [])];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: repo, env, stdio: 'inherit' });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const status = r.error ? `error (${r.error.message})` : r.signal ? `killed (${r.signal})` : r.status === 0 ? 'ok' : `exit ${r.status}`;
  results.push({ name: b.name, status, seconds });
}

console.log('\n=== summary ===');
for (const r of results) console.log(`${r.name.padEnd(8)} ${r.status.padEnd(10)} ${r.seconds.toFixed(1).padStart(7)} s`);
process.exit(results.some((r) => r.status !== 'ok' && r.status !== 'skipped') ? 1 : 0);
