#!/usr/bin/env node
/**
 * Throughput of the embedded probe against its peers, measured in one run on the same target:
 * a trivial nginx (`return 200`, one worker, access_log off) on a free loopback port, then
 * interleaved rounds of conftune probe, wrk (-t1) and autocannon, same connections and duration.
 * Prints each tool's req/s per round, the medians and the ratios.
 *
 *   node bench/probe.mjs [--rounds 3] [--duration 5] [--connections 32]
 *   CONFTUNE_PROBE_MODULE=/path/to/probe/index.js node bench/probe.mjs   (another build)
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const TARGET_VS_WRK = 0.8;
const TARGET_VS_AUTOCANNON = 1.5;

function argValue(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}
const rounds = Math.max(1, argValue('--rounds', 3));
const durationSec = Math.max(1, argValue('--duration', 5));
const connections = Math.max(1, argValue('--connections', 32));
const probeModule = process.env.CONFTUNE_PROBE_MODULE
  ? path.resolve(process.env.CONFTUNE_PROBE_MODULE)
  : path.join(here, '..', 'dist', 'src', 'probe', 'index.js');

function requireTool(command, args) {
  const r = spawnSync(command, args, { stdio: 'ignore' });
  if (r.error) {
    console.error(`bench/probe: ${command} is required (${r.error.code})`);
    process.exit(2);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, deadlineMs) {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port}`);
}

function nginxConfig(dir, port) {
  const p = (name) => path.join(dir, name);
  return `worker_processes 1;
daemon off;
pid ${p('nginx.pid')};
error_log ${p('error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${p('client_body')};
  proxy_temp_path ${p('proxy')};
  fastcgi_temp_path ${p('fastcgi')};
  uwsgi_temp_path ${p('uwsgi')};
  scgi_temp_path ${p('scgi')};
  server {
    listen 127.0.0.1:${port};
    location / { return 200 "ok\\n"; }
  }
}
`;
}

/** GNU time, when present, reports each tool's own CPU time (user + system). */
const TIME = '/usr/bin/time';
const haveTime = spawnSync(TIME, ['-f', '%U', 'true'], { stdio: 'ignore' }).status === 0;
const CPU_MARK = 'bench-cpu:';

/**
 * Runs a child to completion (bounded). Returns its stdout and, with GNU time, the CPU seconds
 * it used: CPU per request is a cost measure that other load on the host disturbs far less
 * than req/s.
 */
function runChild(command, args, limitMs) {
  const [file, argv] = haveTime ? [TIME, ['-f', `${CPU_MARK} %U %S`, command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = new RegExp(`${CPU_MARK} ([\\d.]+) ([\\d.]+)`).exec(err);
      const cpuSec = m ? Number(m[1]) + Number(m[2]) : undefined;
      if (code === 0) resolve({ out, cpuSec });
      else reject(new Error(`${command} exited with ${code}: ${err.slice(-500)}`));
    });
  });
}

const probeScript = `
const { probe } = await import(process.argv[1]);
const r = await probe({ url: process.argv[2], connections: Number(process.argv[3]), durationSec: Number(process.argv[4]), threads: 1 });
process.stdout.write(JSON.stringify(r));
`;

async function measureConftune(url) {
  const { out, cpuSec } = await runChild(
    process.execPath,
    ['--input-type=module', '-e', probeScript, '--', pathToFileURL(probeModule).href, url, String(connections), String(durationSec)],
    (durationSec + 30) * 1000,
  );
  const r = JSON.parse(out);
  const errors = Object.values(r.errors).reduce((a, b) => a + b, 0);
  return {
    rps: r.rps,
    cpuPerRequestUs: cpuSec === undefined ? undefined : (cpuSec * 1e6) / r.requests,
    note: `generator ${Math.round(r.generatorCpuUtil * 100)}%${errors ? `, ${errors} errors` : ''}`,
  };
}

async function measureWrk(url) {
  const { out, cpuSec } = await runChild('wrk', ['-t1', `-c${connections}`, `-d${durationSec}s`, url], (durationSec + 30) * 1000);
  const m = /Requests\/sec:\s*([\d.]+)/.exec(out);
  if (!m) throw new Error(`cannot read wrk output:\n${out}`);
  const errors = /Non-2xx|Socket errors/.test(out) ? 'errors reported' : '';
  const total = /(\d+) requests in/.exec(out);
  return {
    rps: Number(m[1]),
    cpuPerRequestUs: cpuSec === undefined || !total ? undefined : (cpuSec * 1e6) / Number(total[1]),
    note: errors,
  };
}

async function measureAutocannon(url) {
  const require = createRequire(import.meta.url);
  const bin = path.join(path.dirname(require.resolve('autocannon/package.json')), 'autocannon.js');
  const { out, cpuSec } = await runChild(
    process.execPath,
    [bin, '-c', String(connections), '-d', String(durationSec), '-j', url],
    (durationSec + 30) * 1000,
  );
  const r = JSON.parse(out);
  const errors = (r.errors ?? 0) + (r.non2xx ?? 0);
  return {
    rps: r.requests.total / r.duration,
    cpuPerRequestUs: cpuSec === undefined ? undefined : (cpuSec * 1e6) / r.requests.total,
    note: errors ? `${errors} errors` : '',
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function main() {
  requireTool('nginx', ['-v']);
  requireTool('wrk', ['--version']);
  const dir = mkdtempSync(path.join(tmpdir(), 'conftune-bench-probe-'));
  for (const sub of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(path.join(dir, sub));
  const port = await freePort();
  writeFileSync(path.join(dir, 'nginx.conf'), nginxConfig(dir, port));
  const nginx = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stopped = false;
  const cleanup = () => {
    if (stopped) return;
    stopped = true;
    if (nginx.pid !== undefined && nginx.exitCode === null) {
      try {
        process.kill(nginx.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      cleanup();
      process.exit(130);
    });
  }
  try {
    await waitForPort(port, 5000);
    const url = `http://127.0.0.1:${port}/`;
    const tools = [
      { name: 'conftune', run: measureConftune },
      { name: 'wrk', run: measureWrk },
      { name: 'autocannon', run: measureAutocannon },
    ];
    const results = Object.fromEntries(tools.map((t) => [t.name, []]));
    const cpuCosts = Object.fromEntries(tools.map((t) => [t.name, []]));
    console.log(`probe bench: ${url} nginx return 200, ${connections} connections, ${durationSec} s, ${rounds} rounds`);
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round so no tool always runs first (warm caches) or last.
      const order = tools.map((_, i) => tools[(i + round) % tools.length]);
      for (const tool of order) {
        const { rps, cpuPerRequestUs, note } = await tool.run(url);
        results[tool.name].push(rps);
        if (cpuPerRequestUs !== undefined) cpuCosts[tool.name].push(cpuPerRequestUs);
        const cost = cpuPerRequestUs === undefined ? '' : `${cpuPerRequestUs.toFixed(2).padStart(6)} CPU µs/req  `;
        console.log(`  round ${round + 1}  ${tool.name.padEnd(10)} ${fmt(rps).padStart(9)} req/s  ${cost}${note}`);
      }
    }
    const med = Object.fromEntries(tools.map((t) => [t.name, median(results[t.name])]));
    console.log('\nmedian req/s (min – max)');
    for (const t of tools) {
      const xs = results[t.name];
      const cost = cpuCosts[t.name].length ? `  ${median(cpuCosts[t.name]).toFixed(2)} CPU µs/req` : '';
      console.log(`  ${t.name.padEnd(10)} ${fmt(med[t.name]).padStart(9)}  (${fmt(Math.min(...xs))} – ${fmt(Math.max(...xs))})${cost}`);
    }
    const vsWrk = med.conftune / med.wrk;
    const vsAutocannon = med.conftune / med.autocannon;
    const verdict = (ratio, target) => (ratio >= target ? 'ok' : `BELOW target ${target}`);
    console.log(`\nconftune / wrk        ${vsWrk.toFixed(2)}  (${verdict(vsWrk, TARGET_VS_WRK)})`);
    console.log(`conftune / autocannon ${vsAutocannon.toFixed(2)}  (${verdict(vsAutocannon, TARGET_VS_AUTOCANNON)})`);
    // Other processes competing for the cores make every tool slower and the ratios noisier.
    const load = loadavg()[0];
    if (load > cpus().length) {
      console.log(`note: load average ${load.toFixed(1)} on ${cpus().length} cores during the run: the host was busy`);
    }
  } finally {
    cleanup();
  }
}

main().catch((error) => {
  console.error(`bench/probe: ${error.message}`);
  process.exitCode = 1;
});
