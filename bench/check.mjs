#!/usr/bin/env node
// npm run bench:check — `conftune check` with all rules on the generated 5,000-server config,
// next to `nginx -t` on the same file (ratio), plus 1,000 vs 5,000 servers to show linear growth.
//
// Per size, RUNS rounds of: CLI run (wall time incl. node startup, peak RSS), in-process run
// (`check()` alone in a fresh node: no startup, no output), `nginx -t`. Rounds are interleaved so
// machine noise hits all three alike; medians are printed with the load average, which matters
// on a small shared machine (other processes steal CPU from both sides).
//
// Env: RUNS (default 5), BENCH_SIZES (default "1000,5000"), CONFTUNE_CLI (another build's
// dist/src/cli/main.js, to compare builds on the same generated files).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI as DEFAULT_CLI, fmt, generate, median, spread, timeNginxT } from './lib.mjs';

const RUNS = Math.max(1, Number(process.env.RUNS ?? 5));
const sizes = (process.env.BENCH_SIZES ?? '1000,5000').split(',').map(Number);
const CLI = path.resolve(process.env.CONFTUNE_CLI ?? DEFAULT_CLI);
const CHECK_LIB = path.join(path.dirname(CLI), '..', 'check.js');
const GNU_TIME = ['/usr/bin/time', '/bin/time'].find((p) => fs.existsSync(p));
const ARGS = ['--nginx-version', '1.22.1', '--cpus', '2'];

if (!fs.existsSync(CLI)) {
  console.error(`bench:check: ${CLI} not found: run \`npm run build\` first`);
  process.exit(2);
}

/** One CLI run: wall seconds, findings, peak RSS in MiB (GNU time) or null. */
function cliRun(file) {
  const argv = [CLI, 'check', '--no-config', '--format', 'json', ...ARGS, file];
  const rssFile = path.join(os.tmpdir(), `conftune-bench-rss-${process.pid}`);
  const [cmd, args] = GNU_TIME ? [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...argv]] : [process.execPath, argv];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`conftune check failed (${r.status}): ${r.stderr.slice(0, 500)}`);
  let rss = null;
  if (GNU_TIME) {
    rss = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024;
    fs.rmSync(rssFile, { force: true });
  }
  return { seconds, rss, findings: JSON.parse(r.stdout).findings.length };
}

/** `check()` timed inside a fresh node process (read, parse, model, rules, suppressions; no startup, no output). */
function inProcessRun(file) {
  const code = `
    const { check } = await import(${JSON.stringify(CHECK_LIB)});
    const t0 = performance.now();
    const r = check({ paths: [${JSON.stringify(file)}], config: {}, nginxVersion: '1.22.1', cpus: 2 });
    const ms = performance.now() - t0;
    process.stdout.write(JSON.stringify({ ms, findings: r.findings.length }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`in-process check failed: ${r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stdout);
}

const loads = [os.loadavg()[0]];
const rows = [];
for (const n of sizes) {
  const g = generate(n);
  const bytes = fs.statSync(g.big).size;
  const cli = [];
  const inproc = [];
  const nginx = [];
  const rss = [];
  let findings = 0;
  for (let i = 0; i < RUNS; i++) {
    const c = cliRun(g.big);
    cli.push(c.seconds);
    if (c.rss !== null) rss.push(c.rss);
    findings = c.findings;
    inproc.push(inProcessRun(g.big).ms / 1000);
    nginx.push(timeNginxT(g.big));
    loads.push(os.loadavg()[0]);
  }
  rows.push({ n, mb: bytes / 1e6, cli, inproc, nginx, rss: rss.length ? Math.max(...rss) : null, findings });
  fs.rmSync(g.dir, { recursive: true, force: true });
}

console.log(`conftune check (all rules) vs nginx -t: medians of ${RUNS} interleaved rounds (node ${process.version}, ${os.cpus().length} CPUs, load average ${fmt(Math.min(...loads), 1)}–${fmt(Math.max(...loads), 1)})`);
console.log('servers  MB     CLI s (spread)   check() s   nginx -t s   nginx/CLI   nginx/check()   peak RSS MiB   findings');
for (const r of rows) {
  const c = median(r.cli);
  const p = median(r.inproc);
  const x = median(r.nginx);
  console.log(
    `${String(r.n).padEnd(8)} ${fmt(r.mb, 1).padEnd(6)} ${`${fmt(c, 3)} (±${fmt(spread(r.cli) * 50, 0)}%)`.padEnd(16)} ${fmt(p, 3).padEnd(11)} ${fmt(x, 3).padEnd(12)} ${(fmt(x / c, 2) + '×').padEnd(11)} ${(fmt(x / p, 2) + '×').padEnd(15)} ${(r.rss === null ? 'n/a' : fmt(r.rss, 0)).padEnd(14)} ${r.findings}`,
  );
}
if (rows.length >= 2) {
  const a = rows[0];
  const b = rows[rows.length - 1];
  console.log(
    `growth ${a.n}→${b.n}: CLI ×${fmt(median(b.cli) / median(a.cli))}, check() ×${fmt(median(b.inproc) / median(a.inproc))} for ×${fmt(b.mb / a.mb)} bytes (linear ≈ ×${fmt(b.mb / a.mb, 1)}); nginx -t ×${fmt(median(b.nginx) / median(a.nginx))}`,
  );
}
const last = rows[rows.length - 1];
const ratio = median(last.nginx) / median(last.cli);
console.log(`target: conftune ≥ 3× faster than nginx -t on ${last.n} servers → ${ratio >= 3 ? 'met' : 'NOT met'} (${fmt(ratio)}×; nginx -t / CLI wall time)`);
