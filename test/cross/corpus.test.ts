// Every cross rule over real nginx configs from ../shared/corpus, each paired with synthetic
// gunicorn launchers that bind the config's first proxy target: nothing may crash, and the
// pairing must really link (so the rules run, not just return early).
import { afterAll, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { check } from '../../src/check.js';
import { loadConfig } from '../../src/nginx/load.js';
import { nginxTargets } from '../../src/model/link.js';
import type { NginxTarget } from '../../src/model/types.js';
import { deployment, removeAll } from './helpers.js';
import { describeShared, sharedPath } from '../helpers/shared.js';

const CORPUS = sharedPath('corpus');
const SETS = ['nginxconfig.io', 'h5bp', 'linuxserver-reverse-proxy-confs', 'nginx-tests', 'go-crossplane', 'crossplane', 'gixy'];

function filesWithProxyPass(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.conf$|^nginx\.conf$/.test(e.name) && fs.readFileSync(p, 'latin1').includes('proxy_pass')) out.push(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

/** gunicorn's spelling of a target address, or its default bind when the target is a variable. */
function bindFor(t: NginxTarget | undefined): string {
  if (!t || t.address.kind === 'unresolved') return '127.0.0.1:8000';
  if (t.address.kind === 'unix') return `unix:${t.address.path}`;
  return `${t.address.host.includes(':') ? `[${t.address.host}]` : t.address.host}:${t.address.port}`;
}

/** Launchers covering the worker models the rules distinguish. */
const LAUNCHERS = [
  (bind: string) => `web: gunicorn -w 1 -k gevent --keep-alive 75 --max-requests 100 --worker-connections 8 --bind ${bind} --forwarded-allow-ips '*' --limit-request-line 1024 app:app\n`,
  (bind: string) => `web: gunicorn -w 40 --timeout 300 --bind ${bind} --header-map refuse app:app\n`,
];

const dirs: string[] = [];
afterAll(() => removeAll(dirs));

describeShared('cross rules over the corpus', () => {
  for (const set of SETS) {
    const files = filesWithProxyPass(path.join(CORPUS, set));
    if (files.length === 0) continue;
    it(`${set}: ${files.length} configs × ${LAUNCHERS.length} gunicorn launchers run without internal errors`, () => {
      let linked = 0;
      const crashes: string[] = [];
      for (const file of files) {
        const targets = nginxTargets(loadConfig(file));
        for (const launcher of LAUNCHERS) {
          const dir = deployment({ Procfile: launcher(bindFor(targets.find((t) => t.address.kind !== 'unresolved'))) });
          dirs.push(dir);
          const r = check({ paths: [file], gunicornPaths: [path.join(dir, 'Procfile')], cwd: dir, select: ['cross/'], nginxVersion: '1.24.0', gunicornVersion: '23.0.0', cpus: 2, env: {} });
          for (const e of r.internalErrors) crashes.push(`${path.relative(CORPUS, file)}: ${e.ruleId}: ${String((e.error as Error)?.stack ?? e.error)}`);
          if (r.models.some((m) => m.links.length > 0)) linked++;
        }
        removeAll(dirs);
      }
      expect(crashes).toEqual([]);
      // Most configs proxy to literal addresses or upstreams the launcher binds.
      if (targets(files)) expect(linked).toBeGreaterThan(0);
    });
  }
});

/** Whether any of the files has a proxy target a launcher could bind (not only variables). */
function targets(files: string[]): boolean {
  return files.some((f) => nginxTargets(loadConfig(f)).some((t) => t.address.kind !== 'unresolved'));
}
