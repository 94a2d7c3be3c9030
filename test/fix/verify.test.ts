// Verification with the real nginx -t before writing: isolated copies, before/after comparison.
import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { insertIntoBlock } from '../../src/edit/edits.js';
import { nginxInfo, nginxTest } from '../../src/fix/verify.js';
import { loadConfig } from '../../src/nginx/load.js';
import { firstChild } from '../../src/nginx/tree.js';
import { rule as keepaliveMissing } from '../../rules/nginx/upstream-keepalive-missing.js';
import { checkOptions, fixWith, HAS_NGINX, read, requireTool, ruleOn, scratch } from './helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const SEED = fs.readFileSync(path.resolve(__dirname, '../../fixtures/seed/nginx.conf'), 'latin1');

/** Inserts a directive nginx does not know: parses fine, fails nginx -t. */
const bogus = ruleOn('test/bogus', 'http', (d) => [insertIntoBlock(d, 'no_such_directive on;')!], { when: (d) => !firstChild(d.block, 'no_such_directive') });

describe('nginx -t on an isolated copy', () => {
  it('accepts the seed config after --fix (it sets user and pid itself)', async () => {
    if (!requireTool(HAS_NGINX, 'nginx')) return;
    const dir = scratch({ 'nginx.conf': SEED }, dirs);
    const out = await fixWith(checkOptions(dir, ['nginx.conf'], [keepaliveMissing]), 'write');
    expect(out.errors).toEqual([]);
    expect(out.notes).toEqual(['applied 1 fix in 1 file']);
    const t = nginxTest(loadConfig(path.join(dir, 'nginx.conf')), nginxInfo()!, dir);
    expect(t).toMatchObject({ ok: true, messages: [] });
  });

  it('keeps logs, pid and temp dirs out of system paths', () => {
    if (!requireTool(HAS_NGINX, 'nginx')) return;
    const dir = scratch({
      'nginx.conf': 'pid /nonexistent/run/nginx.pid;\nerror_log /nonexistent/log/error.log warn;\nevents {}\nhttp {\n    access_log /nonexistent/log/access.log;\n    proxy_temp_path /nonexistent/proxy;\n    proxy_cache_path /nonexistent/cache keys_zone=c:1m;\n    server { listen 8080; }\n}\n',
    }, dirs);
    expect(nginxTest(loadConfig(path.join(dir, 'nginx.conf')), nginxInfo()!, dir)).toMatchObject({ ok: true, messages: [] });
    expect(fs.existsSync('/nonexistent')).toBe(false);
  });

  it('follows includes into the copies, relative and by glob', () => {
    if (!requireTool(HAS_NGINX, 'nginx')) return;
    const dir = scratch({
      'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n',
      'conf.d/a.conf': 'server {\n    listen 8080;\n    no_such_directive x;\n}\n',
    }, dirs);
    const t = nginxTest(loadConfig(path.join(dir, 'nginx.conf')), nginxInfo()!, dir);
    expect(t.ok).toBe(false);
    // nginx's message, pointing at the original file (relative to cwd) and line.
    expect(t.messages).toEqual(['[emerg] unknown directive "no_such_directive" in conf.d/a.conf:3']);
  });
});

describe('verification before writing', () => {
  it('writes nothing when the fixed config fails nginx -t, and says why with the original path', async () => {
    if (!requireTool(HAS_NGINX, 'nginx')) return;
    const text = 'events {}\nhttp {\n    server { listen 8080; }\n}\n';
    const dir = scratch({ 'nginx.conf': text }, dirs);
    const out = await fixWith(checkOptions(dir, ['nginx.conf'], [bogus]), 'write');
    expect(out.errors).toEqual(['nginx -t rejects nginx.conf after fixing: [emerg] unknown directive "no_such_directive" in nginx.conf:3; nothing was written']);
    expect(read(dir, 'nginx.conf')).toBe(text);
  });

  it('writes when --no-verify is given', async () => {
    const dir = scratch({ 'nginx.conf': 'events {}\nhttp {\n    server { listen 8080; }\n}\n' }, dirs);
    const out = await fixWith(checkOptions(dir, ['nginx.conf'], [bogus]), 'write', { verify: false });
    expect(out.errors).toEqual([]);
    expect(read(dir, 'nginx.conf')).toContain('no_such_directive on;');
  });

  it('checks past certificate files that cannot be read here, using a placeholder, and says so', async () => {
    if (!requireTool(HAS_NGINX, 'nginx')) return;
    const conf = SEED.replace('listen 8080 default;', 'listen 8443 ssl;\n        ssl_certificate certs/missing.pem;\n        ssl_certificate_key certs/missing.key;');
    const dir = scratch({ 'nginx.conf': conf }, dirs);
    const out = await fixWith(checkOptions(dir, ['nginx.conf'], [keepaliveMissing]), 'write');
    expect(out.errors).toEqual([]);
    expect(out.notes).toEqual(['applied 1 fix in 1 file', 'nginx -t ran with a placeholder for certificate files not readable here: certs/missing.pem, certs/missing.key']);
    expect(read(dir, 'nginx.conf')).toContain('keepalive 16;');
  });

  it('does not block a fix when the original already fails the same way (an absent module)', async () => {
    if (!requireTool(HAS_NGINX, 'nginx')) return;
    const dir = scratch({ 'nginx.conf': 'load_module modules/ngx_conftune_absent.so;\n' + SEED }, dirs);
    const out = await fixWith(checkOptions(dir, ['nginx.conf'], [keepaliveMissing]), 'write');
    expect(out.errors).toEqual([]);
    expect(out.notes[1]).toMatch(/^nginx -t fails on nginx\.conf before and after the fix \(\[emerg\] dlopen\(\) ".*ngx_conftune_absent\.so" failed .* in nginx\.conf:1\); the fix adds no new failure$/);
    expect(read(dir, 'nginx.conf')).toContain('keepalive 16;');
  });

  it('still finds a failure the fix adds below one the original already has', async () => {
    if (!requireTool(HAS_NGINX, 'nginx')) return;
    const conf = 'load_module modules/ngx_conftune_absent.so;\nevents {}\nhttp {\n    server { listen 8080; }\n}\n';
    const dir = scratch({ 'nginx.conf': conf }, dirs);
    const out = await fixWith(checkOptions(dir, ['nginx.conf'], [bogus]), 'write');
    expect(out.errors).toEqual(['nginx -t rejects nginx.conf after fixing: [emerg] unknown directive "no_such_directive" in nginx.conf:4; nothing was written']);
    expect(read(dir, 'nginx.conf')).toBe(conf);
  });

  it('wraps a fragment (an http-level file) to verify it', async () => {
    if (!requireTool(HAS_NGINX, 'nginx')) return;
    const text = 'upstream app {\n    server 127.0.0.1:8000;\n}\nserver {\n    listen 8080;\n    location / { proxy_pass http://app; }\n}\n';
    const dir = scratch({ 'app.conf': text }, dirs);
    const good = await fixWith(checkOptions(dir, ['app.conf'], [keepaliveMissing]), 'write');
    expect(good.errors).toEqual([]);
    expect(read(dir, 'app.conf')).toContain('keepalive 16;');
    const badRule = ruleOn('test/bogus-upstream', 'upstream', (d) => [insertIntoBlock(d, 'no_such_directive on;')!], { when: (d) => !firstChild(d.block, 'no_such_directive') });
    const bad = await fixWith(checkOptions(dir, ['app.conf'], [badRule]), 'write');
    expect(bad.errors[0]).toMatch(/^nginx -t rejects app\.conf after fixing: \[emerg\] unknown directive "no_such_directive" in app\.conf:\d+; nothing was written$/);
  });

  it('writes with a note when nginx is not there to verify', async () => {
    const dir = scratch({ 'nginx.conf': SEED }, dirs);
    const out = await fixWith(checkOptions(dir, ['nginx.conf'], [keepaliveMissing]), 'write', { nginxBinary: path.join(dir, 'no-nginx-here') });
    expect(out.errors).toEqual([]);
    expect(out.notes).toContain('nginx is not on PATH: the fixed configuration was not verified with nginx -t');
  });
});
