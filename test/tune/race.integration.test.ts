// The keepalive race (cross/keepalive-timeout-race): gunicorn --keep-alive 1 behind an upstream
// pool that keeps idle connections for nginx's default 60s. POSTs sent in bursts whose idle gap
// ends as gunicorn's keepalive timer fires get a 502 before the fix; with the upstream
// keepalive_timeout below gunicorn's, nginx closes first and none fail.
//
// The race is a matter of timing. Measured on the 2-core dev host (gunicorn 20.1 gevent, one
// worker): 502s at client gaps of 996–1000 ms, none at 1004–1008 ms, so the sweep covers
// 996/998/1000 ms; a sweep that shows no 502 before the fix is repeated once by the tuner (its
// note says so). After the fix there is no race to lose, so "none after" is deterministic.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tune } from '../../src/tune/index.js';
import { alive, seedToolsInstalled } from './helpers.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-race-test-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const NGINX_CONF = `worker_processes 1;
events { worker_connections 1024; }
http {
    access_log off;
    upstream app_server {
        server 127.0.0.1:8000;
        keepalive 16;
    }
    server {
        listen 8080;
        keepalive_timeout 75s;
        location / {
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass http://app_server;
        }
    }
}
`;

describe('the keepalive race under idle-gap POSTs', () => {
  it('shows 502s before the upstream keepalive_timeout fix and none after', async () => {
    if (!seedToolsInstalled()) return void expect(process.env.CI, 'nginx, gunicorn and python3-gevent must be installed in CI').toBeFalsy();
    fs.writeFileSync(path.join(work, 'nginx.conf'), NGINX_CONF);
    fs.writeFileSync(path.join(work, 'Procfile'), 'web: gunicorn -w1 -k gevent --keep-alive 1 -b 127.0.0.1:8000 application:application\n');
    const r = await tune({ paths: ['nginx.conf', 'Procfile'], cwd: work, backend: 'hello', scenarios: ['idle-gap'], budgetSec: 80 });
    const sweeps = r.comparisons.filter((c) => c.scenario === 'idle-gap');
    const last = sweeps.at(-1)!;
    const [before, after] = last.arms;
    expect(after!.label).toBe('cross/keepalive-timeout-race');
    expect(before!.errors, `no 502 in ${sweeps.length} sweep(s): ${JSON.stringify(sweeps.map((s) => s.arms[0]!.samples.map((x) => [x.gapMs, x.errors])))}`).toBeGreaterThan(0);
    expect(JSON.stringify(before!.samples.map((s) => s.errorKinds))).toContain('http 502');
    expect(after!.errors).toBe(0);
    expect(r.chosen.rules).toEqual(['cross/keepalive-timeout-race']);
    expect(r.patch).toContain('+        keepalive_timeout 500ms;');
    expect(r.seenPids.filter(alive)).toEqual([]);
  }, 150_000);
});
