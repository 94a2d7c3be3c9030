import { it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check } from '../../src/check.js';
import { loadConfig } from '../../src/nginx/load.js';
import { nginxTargets } from '../../src/model/link.js';
it('stats', () => {
  const CORPUS = '/work/shared/corpus';
  const files: string[] = [];
  const walk = (d: string): void => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (/\.conf$/.test(e.name) && fs.readFileSync(p, 'latin1').includes('proxy_pass')) files.push(p); } };
  for (const s of ['nginxconfig.io', 'linuxserver-reverse-proxy-confs', 'nginx-tests', 'gixy']) walk(path.join(CORPUS, s));
  const counts: Record<string, number> = {};
  const samples: Record<string, string[]> = {};
  const launchers = [(b: string) => `web: gunicorn -w 3 -k gevent --bind ${b} app:app\n`, (b: string) => `web: gunicorn -w 3 --bind ${b} app:app\n`];
  fs.mkdirSync('/tmp/ct/p', { recursive: true });
  for (const file of files) {
    const t = nginxTargets(loadConfig(file)).find((t) => t.address.kind !== 'unresolved');
    if (!t) continue;
    const bind = t.address.kind === 'unix' ? `unix:${t.address.path}` : t.address.kind === 'tcp' ? `${t.address.host.includes(':') ? `[${t.address.host}]` : t.address.host}:${t.address.port}` : '';
    for (const l of launchers) {
      fs.writeFileSync('/tmp/ct/p/Procfile', l(bind));
      const r = check({ paths: [file], gunicornPaths: ['/tmp/ct/p/Procfile'], cwd: '/tmp/ct/p', select: ['cross/'], nginxVersion: '1.24.0', gunicornVersion: '23.0.0', cpus: 2, env: {} });
      for (const f of r.findings) { counts[f.ruleId] = (counts[f.ruleId] ?? 0) + 1; (samples[f.ruleId] ??= []).push(`${path.relative(CORPUS, f.file)}:${f.line} ${f.message}`); }
    }
  }
  let out = JSON.stringify(counts, null, 1) + '\n';
  for (const [k, v] of Object.entries(samples)) out += `== ${k}\n` + v.filter((_, i) => i % Math.max(1, Math.floor(v.length / 6)) === 0).slice(0, 6).join('\n') + '\n';
  fs.writeFileSync('/tmp/ct/stats.txt', out);
});
