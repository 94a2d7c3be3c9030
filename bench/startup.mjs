#!/usr/bin/env node
// Startup cost of `conftune check` on a small config — what a pre-commit hook pays on every
// commit — next to `node -e 0` measured in the same run. Target: ≤ 3× node's own startup.
// Runs interleaved (node, conftune, node, conftune…) so machine noise hits both alike.
//   npm run bench:startup            (RUNS=20 to change the count, at least 10)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, fmt, median, spread } from './lib.mjs';

const RUNS = Math.max(10, Number(process.env.RUNS ?? 15));
const TARGET = 3;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-startup-'));
const conf = path.join(dir, 'nginx.conf');
fs.writeFileSync(conf, [
  'events { worker_connections 1024; }',
  'http {',
  '    upstream app { server 127.0.0.1:8000; keepalive 16; }',
  '    server {',
  '        listen 8080;',
  '        location / { proxy_http_version 1.1; proxy_set_header Connection ""; proxy_pass http://app; }',
  '    }',
  '}',
  '',
].join('\n'));

if (!fs.existsSync(CLI)) {
  console.error(`startup: ${CLI} not found: run \`npm run build\` first`);
  process.exit(2);
}

// --nginx-version keeps `nginx -v` (a child process) out of what is measured; it is a
// separate, optional cost shown below.
const cases = {
  node: [process.execPath, ['-e', '0']],
  check: [process.execPath, [CLI, 'check', '--nginx-version', '1.24', '--cpus', '4', '--no-config', conf]],
  'check (nginx -v)': [process.execPath, [CLI, 'check', '--cpus', '4', '--no-config', conf]],
  '--version': [process.execPath, [CLI, '--version']],
};

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const once = (cmd, args) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: dir });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
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
fs.rmSync(dir, { recursive: true, force: true });
