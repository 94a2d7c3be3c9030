// The nginx performance rules over real configurations: nginxconfig.io's generated sites, h5bp's
// include-heavy tree and linuxserver's reverse-proxy fragments. Prints how often each rule fires
// (the numbers to watch for false positives) and asserts no rule throws.

import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diskFileSystem, loadConfig, type FileSystem } from '../../src/nginx/load.js';
import { buildDeployment } from '../../src/model/deployment.js';
import { runRules } from '../../src/lint/engine.js';
import type { Finding, Rule } from '../../src/lint/rule.js';
import { allRules } from '../../rules/index.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

const CORPUS = sharedPath('corpus');

export const PERF_RULE_IDS = [
  'worker-rlimit-nofile', 'worker-connections-low', 'worker-processes', 'access-log-unbuffered',
  'tcp-nopush-ineffective', 'tcp-nodelay-off', 'proxy-buffering-off-broad', 'keepalive-requests-low',
  'client-keepalive-off', 'gzip-level-high', 'open-file-cache-missing', 'sendfile-off', 'ssl-session-cache',
  'http2-missing', 'next-upstream-non-idempotent', 'proxy-to-localhost', 'proxy-host-default',
  'alias-trailing-slash', 'root-in-location',
].map((n) => `nginx/${n}`);

const rules: Rule[] = allRules.filter((r) => PERF_RULE_IDS.includes(r.meta.id));

/** nginxconfig.io writes absolute includes under /etc/nginx: map them onto the generated tree. */
function etcNginxAt(dir: string): FileSystem {
  const map = (p: string): string => {
    if (!p.startsWith('/etc/nginx/')) return p;
    const rel = p.slice('/etc/nginx/'.length).replace(/^sites-enabled(\/|$)/, 'sites-available$1');
    return path.join(dir, rel);
  };
  return {
    read: (p) => diskFileSystem.read(map(p)),
    list: (d) => diskFileSystem.list(map(d)),
  };
}

/** A file system where `from` reads as `to`. */
function redirectDir(from: string, to: string): FileSystem {
  const map = (p: string): string => (p === from || p.startsWith(from + '/') ? to + p.slice(from.length) : p);
  return { read: (p) => diskFileSystem.read(map(p)), list: (d) => diskFileSystem.list(map(d)) };
}

interface Input {
  label: string;
  file: string;
  fs?: FileSystem;
  prefix?: string;
}

function inputs(): Input[] {
  const out: Input[] = [];
  const nc = path.join(CORPUS, 'nginxconfig.io');
  for (const name of fs.readdirSync(nc).sort()) {
    const dir = path.join(nc, name);
    if (!fs.statSync(dir).isDirectory()) continue;
    out.push({ label: `nginxconfig.io/${name}`, file: path.join(dir, 'nginx.conf'), fs: etcNginxAt(dir), prefix: '/etc/nginx' });
  }
  const h5bp = path.join(CORPUS, 'h5bp');
  out.push({ label: 'h5bp', file: path.join(h5bp, 'nginx.conf') });
  // h5bp's example sites live in conf.d/templates: read them as if they were enabled.
  out.push({ label: 'h5bp+templates', file: path.join(h5bp, 'nginx.conf'), fs: redirectDir(path.join(h5bp, 'conf.d'), path.join(h5bp, 'conf.d', 'templates')) });
  const ls = path.join(CORPUS, 'linuxserver-reverse-proxy-confs');
  for (const name of fs.readdirSync(ls).sort()) {
    if (name.endsWith('.conf')) out.push({ label: `linuxserver/${name}`, file: path.join(ls, name) });
  }
  return out;
}

function run(input: Input): { findings: Finding[]; errors: string[] } {
  const config = loadConfig(input.file, { fs: input.fs, prefix: input.prefix });
  const errors: string[] = [];
  const findings = runRules(buildDeployment(config, []), rules, {
    versions: { nginx: '1.24.0', gunicorn: '23.0.0' },
    cpus: 4,
    ruleOptions: {},
    onInternalError: (meta, e) => errors.push(`${meta.id}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`),
  });
  return { findings, errors };
}

describe('nginx performance rules', () => {
  it('registers every rule of the performance list', () => {
    expect(rules.map((r) => r.meta.id).sort()).toEqual([...PERF_RULE_IDS].sort());
  });
});

describeShared('nginx performance rules on the corpus', () => {

  it('runs over nginxconfig.io, h5bp and linuxserver without internal errors', () => {
    expect(fs.existsSync(path.join(CORPUS, 'README.md')), `corpus not found at ${CORPUS}`).toBe(true);
    const counts = new Map<string, number>(PERF_RULE_IDS.map((id) => [id, 0]));
    const errors: string[] = [];
    const verbose = process.env.CONFTUNE_CORPUS_VERBOSE === '1';
    for (const input of inputs()) {
      const r = run(input);
      errors.push(...r.errors.map((e) => `${input.label}: ${e}`));
      for (const f of r.findings) {
        counts.set(f.ruleId, (counts.get(f.ruleId) ?? 0) + 1);
        if (verbose) console.log(`${input.label} ${path.relative(CORPUS, f.file)}:${f.line} ${f.ruleId} ${f.message}`);
      }
    }
    console.log([...counts].map(([id, n]) => `${String(n).padStart(4)}  ${id}`).join('\n'));
    expect(errors).toEqual([]);
  });

  // gixy-ng's tests for the two plugins these rules stand in for (catalog aliases).
  for (const [plugin, id] of [['worker_rlimit_nofile_vs_connections', 'nginx/worker-rlimit-nofile'], ['low_keepalive_requests', 'nginx/keepalive-requests-low']] as const) {
    it(`matches gixy-ng's ${plugin} cases`, () => {
      const dir = path.join(CORPUS, 'gixy', 'gixy-ng', 'simply', plugin);
      const files = fs.readdirSync(dir).filter((f) => f.endsWith('.conf')).sort();
      const got = files.map((f) => `${f}: ${run({ label: f, file: path.join(dir, f) }).findings.some((x) => x.ruleId === id) ? 'reported' : 'quiet'}`);
      const want = files.map((f) => `${f}: ${f.endsWith('_fp.conf') ? 'quiet' : 'reported'}`);
      expect(got).toEqual(want);
    });
  }
});
