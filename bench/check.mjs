#!/usr/bin/env node
// npm run bench:check — `conftune check` with all rules on the generated 5,000-server config,
// next to `nginx -t` on the same file (ratio), plus 1,000 vs 5,000 servers to show linear growth.
import * as fs from 'node:fs';
import { CLI, fmt, generate, median, timeCommand, timeNginxT } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 3);
const sizes = [1000, 5000];
const rows = [];
for (const n of sizes) {
  const g = generate(n);
  const bytes = fs.statSync(g.big).size;
  const ours = [];
  const theirs = [];
  let findings = 0;
  // Interleave conftune and nginx -t so machine noise hits both alike.
  for (let i = 0; i < RUNS; i++) {
    const r = timeCommand(process.execPath, [CLI, 'check', '--no-config', '--format', 'json', '--nginx-version', '1.22.1', '--cpus', '2', g.big]);
    if (r.status !== 0 && r.status !== 1) throw new Error(`conftune check failed (${r.status}): ${r.stderr.slice(0, 500)}`);
    findings = JSON.parse(r.stdout).findings.length;
    ours.push(r.seconds);
    theirs.push(timeNginxT(g.big));
  }
  rows.push({ n, mb: bytes / 1e6, ours: median(ours), nginx: median(theirs), findings });
  fs.rmSync(g.dir, { recursive: true, force: true });
}
console.log('conftune check (all rules, CLI wall time incl. startup) vs nginx -t, medians of', RUNS, 'interleaved runs');
console.log('servers   MB     conftune s   nginx -t s   ratio (nginx/conftune)   findings');
for (const r of rows) {
  console.log(`${String(r.n).padEnd(9)} ${fmt(r.mb, 1).padEnd(6)} ${fmt(r.ours, 3).padEnd(12)} ${fmt(r.nginx, 3).padEnd(12)} ${(fmt(r.nginx / r.ours, 2) + '×').padEnd(24)} ${r.findings}`);
}
const [a, b] = rows;
console.log(`growth 1k→5k: conftune ×${fmt(b.ours / a.ours)} for ×${fmt(b.mb / a.mb)} bytes (linear ≈ ×5); nginx -t ×${fmt(b.nginx / a.nginx)}`);
console.log(`target: conftune ≥ 3× faster than nginx -t on 5,000 servers → ${b.nginx / b.ours >= 3 ? 'met' : 'NOT met'} (${fmt(b.nginx / b.ours)}×)`);
