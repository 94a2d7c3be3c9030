#!/usr/bin/env node
// npm run bench:scale — time and peak memory of `conftune check` (all rules, built CLI) on
// generated configs of 1k, 5k and 20k server blocks, one file and spread over includes, and
// whether both grow linearly. Peak RSS from GNU time (`/usr/bin/time -v`) when present, else by
// polling VmHWM in /proc/<pid>/status.
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { CLI, fmt, generate, median } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 3);
const SIZES = (process.env.SIZES ?? '1000,5000,20000').split(',').map(Number);
const GNU_TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

/** Wall seconds, peak RSS (KiB) and exit status of one `conftune check`. */
function measure(conf) {
  const args = [CLI, 'check', '--no-config', '--format', 'json', '--nginx-version', '1.22.1', '--cpus', '2', conf];
  const [cmd, argv] = GNU_TIME ? [GNU_TIME, ['-v', process.execPath, ...args]] : [process.execPath, args];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let findings = 0;
    let out = '';
    let hwm = 0;
    const poll = GNU_TIME ? null : setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) hwm = Math.max(hwm, Number(m[1]));
      } catch {
        /* exited */
      }
    }, 5);
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => {
      if (poll) clearInterval(poll);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      if (status !== 0 && status !== 1) return reject(new Error(`conftune check failed (${status}): ${stderr.slice(-800)}`));
      if (GNU_TIME) hwm = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? 0);
      try {
        findings = JSON.parse(out).findings.length;
      } catch {
        findings = -1;
      }
      resolve({ seconds, rssKiB: hwm, findings });
    });
  });
}

/** Growth exponent between two sizes: 1 = linear, 2 = quadratic. */
const exponent = (a, b, na, nb) => Math.log(b / a) / Math.log(nb / na);

const results = { big: [], includes: [] };
for (const n of SIZES) {
  const g = generate(n);
  for (const layout of ['big', 'includes']) {
    const conf = g[layout];
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await measure(conf));
    results[layout].push({ n, mb: fs.statSync(conf).size / 1e6, seconds: median(runs.map((r) => r.seconds)), rssMiB: median(runs.map((r) => r.rssKiB)) / 1024, findings: runs[0].findings });
  }
  fs.rmSync(g.dir, { recursive: true, force: true });
}

console.log(`conftune check, all rules, built CLI (wall time incl. node startup; medians of ${RUNS}); peak RSS via ${GNU_TIME ? 'GNU time' : '/proc VmHWM polling'}`);
let verdict = true;
for (const [layout, rows] of Object.entries(results)) {
  console.log(`\n${layout === 'big' ? 'one file' : 'include tree (20-level chain + conf.d/*.conf; file MB = main file only)'}`);
  console.log('servers   file MB  time s    peak RSS MiB   findings   time exp.  RSS exp. (vs previous size; 1 = linear)');
  rows.forEach((r, i) => {
    const p = rows[i - 1];
    const te = p ? exponent(p.seconds, r.seconds, p.n, r.n) : null;
    // RSS has a fixed base (node + rules): compare what grows above the smallest run's.
    const re = p ? exponent(p.rssMiB, r.rssMiB, p.n, r.n) : null;
    if (te !== null && te > 1.3) verdict = false;
    if (re !== null && re > 1.3) verdict = false;
    console.log(`${String(r.n).padEnd(9)} ${fmt(r.mb, 1).padEnd(8)} ${fmt(r.seconds, 2).padEnd(9)} ${fmt(r.rssMiB, 0).padEnd(14)} ${String(r.findings).padEnd(10)} ${te === null ? '-'.padEnd(10) : fmt(te, 2).padEnd(10)} ${re === null ? '-' : fmt(re, 2)}`);
  });
}
console.log(`\n${verdict ? 'time and peak RSS grow linearly (or better)' : 'WARNING: super-linear growth (exponent > 1.3) above'} across ${SIZES.join(' / ')} servers`);
