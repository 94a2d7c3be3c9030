#!/usr/bin/env node
// Dev tool (not a test): asks the local `nginx -t` how many arguments each directive of the
// generated table accepts, and writes nginx-<version>-arity.json beside this file. table.test.ts
// compares the table against that record, so the check runs without nginx.
// Usage: node test/directives/probe-nginx-arity.mjs   (needs nginx on PATH; ~20 s on 16 cores)

import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dataTs = readFileSync(join(here, '../../src/nginx/directives-data.ts'), 'utf8');
const constant = (name) => JSON.parse(new RegExp(`${name}(?:: [^=]+)? =\\s*([\\s\\S]*?);\\n`).exec(dataTs)[1]);
const DIRECTIVES = constant('REFERENCE_DIRECTIVES');
const MODULES = constant('REFERENCE_MODULES');

const BITS = { main: 1, events: 2, http: 4, server: 8, location: 16, lif: 64, sif: 32, limit_except: 128, upstream: 256 };
const WRAP = {
  main: (x) => `${x}\nevents {}`,
  events: (x) => `events { ${x} }`,
  http: (x) => `events {}\nhttp { ${x} }`,
  server: (x) => `events {}\nhttp { server { ${x} } }`,
  location: (x) => `events {}\nhttp { server { location / { ${x} } } }`,
  lif: (x) => `events {}\nhttp { server { location / { if ($a) { ${x} } } } }`,
  sif: (x) => `events {}\nhttp { server { if ($a) { ${x} } } }`,
  limit_except: (x) => `events {}\nhttp { server { location / { limit_except GET { ${x} } } } }`,
  upstream: (x) => `events {}\nhttp { upstream u { ${x} server 127.0.0.1; } }`,
};

// `nginx -v` writes to stderr.
const version = /nginx\/([\d.]+)/.exec(execFileSync('sh', ['-c', 'nginx -v 2>&1'], { encoding: 'utf8' }))[1];
const tmp = mkdtempSync(join(tmpdir(), 'conftune-probe-'));
const nginxT = (file) =>
  new Promise((resolve) =>
    execFile('nginx', ['-t', '-q', '-p', tmp, '-c', file, '-g', `pid ${tmp}/n.pid; error_log stderr;`], (_e, _o, err) =>
      resolve(err.split('\n').find((l) => l.includes('[emerg]')) ?? 'OK'),
    ),
  );

const jobs = [];
for (const line of DIRECTIVES.split('\n')) {
  const [name, ...forms] = line.split(' ');
  for (const form of forms) {
    const [ctx, type, mod] = form.split('.');
    const module = MODULES[parseInt(mod, 36)];
    if (/^ngx_(stream|mail)_/.test(module)) continue; // not loadable in Debian's build
    const where = Object.keys(BITS).find((c) => parseInt(ctx, 16) & BITS[c]);
    if (!where) continue;
    const block = (parseInt(type, 16) & 0x100) !== 0;
    for (let n = 0; n <= 8; n++) {
      const file = join(tmp, `${jobs.length}.conf`);
      writeFileSync(file, WRAP[where](`${name}${' a'.repeat(n)}${block ? ' { }' : ';'}`));
      jobs.push({ key: `${name}@${module}`, n, file });
    }
  }
}
let next = 0;
const worker = async () => {
  while (next < jobs.length) {
    const job = jobs[next++];
    job.out = await nginxT(job.file);
  }
};
await Promise.all(Array.from({ length: 16 }, worker));
rmSync(tmp, { recursive: true, force: true });

const arity = {};
const byKey = new Map();
for (const j of jobs) byKey.set(j.key, [...(byKey.get(j.key) ?? []), j]);
for (const [key, list] of [...byKey].sort(([a], [b]) => (a < b ? -1 : 1))) {
  if (list.every((j) => j.out.includes('unknown directive'))) continue; // not in this build
  if (list.some((j) => j.out.includes('is not allowed here'))) continue; // a form this version lacks
  arity[key] = list.sort((a, b) => a.n - b.n).map((j) => (j.out.includes('invalid number of arguments') ? '0' : '1')).join('');
}
const out = join(here, `nginx-${version}-arity.json`);
writeFileSync(
  out,
  JSON.stringify(
    {
      about: `nginx -t ${version}: per directive@module, character n is 1 when n arguments pass the argument-count check (n = 0..8). Written by probe-nginx-arity.mjs.`,
      nginx: version,
      arity,
    },
    null,
    1,
  ) + '\n',
);
console.log(`wrote ${out}: ${Object.keys(arity).length} directives`);
