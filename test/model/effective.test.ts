// Effective values: what nginx uses at a place after inheritance and defaults.
import { describe, expect, it } from 'vitest';
import { loadConfigFromText } from '../../src/nginx/load.js';
import { effectiveList, effectiveProxyHeaders, effectiveValue, nginxDefault, parseNginxSize, parseNginxTime } from '../../src/nginx/effective.js';
import { findAll } from '../../src/nginx/tree.js';

const conf = (text: string) => loadConfigFromText('/tmp/effective-test.conf', text);
const CONFIG = `
http {
    proxy_read_timeout 30s;
    proxy_set_header Host $host;
    proxy_set_header X-Real-IP $remote_addr;
    server {
        location / {
            proxy_pass http://a;
        }
        location /api/ {
            proxy_set_header X-Request-Id $request_id;
            proxy_read_timeout 5s;
            location /api/inner/ {
                proxy_pass http://a;
            }
            proxy_pass http://a;
        }
    }
}`;

describe('effectiveValue', () => {
  const c = conf(CONFIG);
  const [root, api, inner] = findAll(c, 'proxy_pass');

  it('inherits a single-valued directive from an outer level', () => {
    const v = effectiveValue(c, root!, 'proxy_read_timeout');
    expect(v.args).toEqual(['30s']);
    expect(v.level?.name).toBe('http');
    expect(v.isDefault).toBe(false);
  });

  it('takes the innermost level that sets it', () => {
    expect(effectiveValue(c, api!, 'proxy_read_timeout').args).toEqual(['5s']);
    expect(effectiveValue(c, inner!, 'proxy_read_timeout').args).toEqual(['5s']);
  });

  it("falls back to nginx's default for the target version", () => {
    expect(effectiveValue(c, root!, 'proxy_http_version', '1.24.0')).toMatchObject({ args: ['1.0'], isDefault: true, node: null });
    expect(effectiveValue(c, root!, 'proxy_http_version', '1.29.7').args).toEqual(['1.1']);
  });
});

describe('effectiveList (all-or-nothing inheritance)', () => {
  const c = conf(CONFIG);
  const [root, api, inner] = findAll(c, 'proxy_pass');

  it('inherits the whole list when a level sets none', () => {
    expect([...effectiveProxyHeaders(c, root!).keys()]).toEqual(['host', 'x-real-ip']);
  });

  it('drops every outer header when a level sets one', () => {
    expect([...effectiveProxyHeaders(c, api!).keys()]).toEqual(['x-request-id']);
  });

  it('a nested location inherits from its parent location', () => {
    const l = effectiveList(c, inner!, 'proxy_set_header');
    expect(l.level?.name).toBe('location');
    expect(l.nodes.map((d) => d.args[0]!.value)).toEqual(['X-Request-Id']);
  });

  it('reports no level when nothing sets the directive', () => {
    expect(effectiveList(c, root!, 'add_header')).toEqual({ nodes: [], level: undefined });
  });

  it('sees directives that came through an include', () => {
    const c2 = loadConfigFromText('/tmp/x/nginx.conf', 'http { server { location / { include /dev/null; proxy_set_header A b; proxy_pass http://a; } } }');
    expect([...effectiveProxyHeaders(c2, findAll(c2, 'proxy_pass')[0]!).keys()]).toEqual(['a']);
  });
});

describe('defaults and units', () => {
  it('knows version-dependent defaults', () => {
    expect(nginxDefault('keepalive_requests', '1.18.0')).toEqual(['100']);
    expect(nginxDefault('keepalive_requests', '1.19.10')).toEqual(['1000']);
    expect(nginxDefault('upstream:keepalive', '1.24.0')).toBeUndefined();
    expect(nginxDefault('upstream:keepalive', '1.29.7')).toEqual(['32', 'local']);
  });

  it('parses nginx times and sizes', () => {
    expect(parseNginxTime('65')).toBe(65);
    expect(parseNginxTime('1m30s')).toBe(90);
    expect(parseNginxTime('500ms')).toBe(0.5);
    expect(parseNginxTime('5 s')).toBeNaN();
    expect(parseNginxSize('8k')).toBe(8192);
    expect(parseNginxSize('1M')).toBe(1048576);
    expect(parseNginxSize('1.5m')).toBeNaN();
  });
});
