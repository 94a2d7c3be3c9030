// Parse throughput: conftune's loadConfig next to `nginx -t` on the same generated configs
// (a single ~17 MB file, and the same content spread over ~5,000 included files).
// Run with `npm run bench:parse` (builds dist/ first). Never part of `npm test`.
//
// Env: CONFTUNE_SHARED (default ../shared), BENCH_SERVERS (default 5000), BENCH_RUNS (default 7).

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

// Each timed run starts from a collected heap (as a CLI run would): re-run with --expose-gc.
if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = process.env.CONFTUNE_SHARED ?? path.resolve(repo, '../shared');
const servers = Number(process.env.BENCH_SERVERS ?? 5000);
const runs = Math.max(5, Number(process.env.BENCH_RUNS ?? 7));
const nginxRuns = 3;

const { loadConfig } = await import(path.join(repo, 'dist/src/nginx/load.js')).catch(() => {
  console.error('dist/ is missing: run `npm run build` (or `npx tsc -p tsconfig.json --noCheck --outDir dist`) first');
  process.exit(2);
});

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function generate(dir) {
  const tool = path.join(shared, 'tools/gen-big-config.py');
  const r = spawnSync('python3', [tool, dir, String(servers)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gen-big-config.py failed: ${r.stderr || r.error}`);
}

function timeConftune(file) {
  const times = [];
  let cfg;
  loadConfig(file); // warm-up: JIT and file cache
  for (let i = 0; i < runs; i++) {
    cfg = undefined;
    globalThis.gc();
    const t = process.hrtime.bigint();
    cfg = loadConfig(file);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  let bytes = 0;
  for (const f of cfg.files.values()) bytes += f.text.length;
  return { ms: median(times), bytes, files: cfg.files.size, diagnostics: cfg.diagnostics.length };
}

function timeNginx(file, work) {
  const check = spawnSync('nginx', ['-v']);
  if (check.status !== 0) return null;
  const times = [];
  for (let i = 0; i < nginxRuns; i++) {
    const prefix = fs.mkdtempSync(path.join(work, 'nginx-'));
    const t = process.hrtime.bigint();
    const r = spawnSync('nginx', ['-t', '-p', prefix, '-c', file, '-g', `pid ${prefix}/nginx.pid; error_log stderr;`], { encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 0) throw new Error(`nginx -t rejected ${file}: ${r.stderr}`);
  }
  return median(times);
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-bench-parse-'));
try {
  generate(work);
  console.log(
    `parse benchmark: ${servers} servers, median of ${runs} conftune runs and ${nginxRuns} nginx -t runs (node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)})`,
  );
  const rows = [];
  for (const [label, file] of [
    ['single file', path.join(work, 'big/nginx.conf')],
    ['include tree', path.join(work, 'includes/nginx.conf')],
  ]) {
    const ours = timeConftune(file);
    const theirs = timeNginx(file, work);
    const mbps = ours.bytes / 1e6 / (ours.ms / 1000);
    rows.push({
      config: label,
      files: ours.files,
      MB: +(ours.bytes / 1e6).toFixed(1),
      'conftune ms': +ours.ms.toFixed(0),
      'conftune MB/s': +mbps.toFixed(0),
      'nginx -t ms': theirs === null ? 'n/a' : +theirs.toFixed(0),
      'ratio (nginx/conftune)': theirs === null ? 'n/a' : +(theirs / ours.ms).toFixed(2),
      diagnostics: ours.diagnostics,
    });
  }
  console.table(rows);
  for (const r of rows) {
    if (typeof r['ratio (nginx/conftune)'] === 'number') {
      console.log(`${r.config}: ${r['ratio (nginx/conftune)'] >= 5 ? 'meets' : 'misses'} the target (parse at least 5x faster than nginx -t)`);
    }
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
