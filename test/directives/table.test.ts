// The directive table: generated data, derivation of nginx's argument flags from the reference's
// syntax strings, corrections, contexts, third-party modules, and the lookup helpers.

import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
// @ts-expect-error plain .mjs build script without types
import { CONTEXT_BITS as GENERATOR_BITS, deriveType } from '../../scripts/gen-directives.mjs';
import {
  CONF_1MORE,
  CONF_2MORE,
  CONF_BLOCK,
  CONF_FLAG,
  CONF_NOARGS,
  CONF_TAKE,
  CONTEXT_BITS,
  allowedIn,
  arityAccepts,
  checkArity,
  describeType,
  editDistance,
  formFor,
  isKnownDirective,
  isNginxSize,
  isNginxTime,
  knownDirectiveNames,
  lookupDirective,
  parseType,
  rejectsDuplicate,
  suggestDirective,
} from '../../src/nginx/directives.js';
import { REFERENCE_DIRECTIVES, REFERENCE_MODULES } from '../../src/nginx/directives-data.js';

const ROOT = path.resolve(__dirname, '../..');
const spec = (name: string) => {
  const s = lookupDirective(name);
  if (!s) throw new Error(`${name} missing from the table`);
  return s;
};
const p = (text: string) => `<p>${text}</p>\n`;
const em = (t: string) => `<em><code>${t}</code></em>`;
const code = (t: string) => `<code>${t}</code>`;

describe('generated data', () => {
  it('is up to date with the installed @nginx/reference-lib', () => {
    expect(() => execFileSync('node', [path.join(ROOT, 'scripts/gen-directives.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('uses the same context bits as the runtime', () => {
    expect(GENERATOR_BITS).toEqual(CONTEXT_BITS);
  });

  it('stays compact: one short line per directive, well under the reference package size', () => {
    const size = fs.statSync(path.join(ROOT, 'src/nginx/directives-data.ts')).size;
    expect(size).toBeLessThan(64 * 1024);
    expect(REFERENCE_DIRECTIVES.split('\n').length).toBeGreaterThan(700);
    expect(REFERENCE_MODULES).toContain('ngx_http_proxy_module');
  });
});

describe('argument flags derived from syntax strings', () => {
  it('reads `on | off` as FLAG', () => {
    expect(deriveType([p(`${code('on')} | ${code('off')}`)], false)).toBe(CONF_FLAG);
  });

  it('reads optional words as a TAKE range', () => {
    expect(deriveType([p(`${em('name')} ${em('value')} [${code('always')}]`)], false)).toBe(CONF_TAKE[2] | CONF_TAKE[3]);
  });

  it('reads `x …` as 1MORE and `x … y` as 2MORE', () => {
    expect(deriveType([p(`${em('mime-type')} &hellip;`)], false)).toBe(CONF_1MORE);
    expect(deriveType([p(`${em('code')} &hellip; [${code('=')}[${em('response')}]] ${em('uri')}`)], false)).toBe(CONF_2MORE);
  });

  it('keeps glued optional parts inside one word (`address[:port]`)', () => {
    expect(deriveType([p(`${em('address')}[:${em('port')}]`)], false)).toBe(CONF_TAKE[1]);
  });

  it('unions the counts of several syntax lines', () => {
    const ret = [p(`${em('code')} [${em('text')}]`), p(`${em('code')} ${em('URL')}`), p(em('URL'))];
    expect(deriveType(ret, false)).toBe(CONF_TAKE[1] | CONF_TAKE[2]);
  });

  it('reads `{...}` as a block and an empty syntax as NOARGS', () => {
    expect(deriveType([p(code('{...}'))], true)).toBe(CONF_BLOCK | CONF_NOARGS);
    expect(deriveType([''], false)).toBe(CONF_NOARGS);
  });

  it('reads a list of optional words (`[SSLv2] [SSLv3] …`) as 1MORE', () => {
    expect(deriveType([p(`[${code('SSLv2')}] [${code('SSLv3')}] [${code('TLSv1')}] [${code('TLSv1.1')}]`)], false)).toBe(CONF_1MORE);
  });

  it('matches what nginx -t 1.22 accepts for every directive it knows', () => {
    const observed = JSON.parse(fs.readFileSync(path.join(__dirname, 'nginx-1.22.1-arity.json'), 'utf8')).arity as Record<string, string>;
    // Newer nginx accepts more than 1.22 here (the table follows the newest docs): lenient by design.
    const newerThan122 = new Set(['keepalive@ngx_http_upstream_module', 'limit_req_zone@ngx_http_limit_req_module']);
    const mismatches: string[] = [];
    for (const [key, bits] of Object.entries(observed)) {
      if (newerThan122.has(key)) continue;
      const [name, module] = key.split('@') as [string, string];
      const form = spec(name).forms.find((f) => f.module === module);
      if (!form) {
        mismatches.push(`${key}: no such form`);
        continue;
      }
      const ours = [...bits].map((_, n) => (arityAccepts(form.type, n) ? '1' : '0')).join('');
      if (ours !== bits) mismatches.push(`${key}: table ${ours} (${describeType(form.type)}), nginx ${bits}`);
    }
    expect(Object.keys(observed).length).toBeGreaterThan(500);
    expect(mismatches).toEqual([]);
  });
});

describe('corrections the syntax text cannot express', () => {
  it('gives if a condition of any length and a block', () => {
    expect(describeType(spec('if').forms[0]!.type)).toBe('1MORE|BLOCK');
  });

  it('gives upstream server any number of parameters, unlike http server (a block)', () => {
    expect(describeType(formFor(spec('server'), 'upstream')!.type)).toBe('1MORE');
    expect(describeType(formFor(spec('server'), 'http')!.type)).toBe('NOARGS|BLOCK');
    expect(describeType(formFor(spec('server'), 'stream_upstream')!.type)).toBe('1MORE');
  });

  it('lets error_log sit in every kind of server, as nginx does', () => {
    for (const c of ['server', 'mail_server', 'stream_server'] as const) expect(allowedIn(spec('error_log'), c)).toBe(true);
  });
});

describe('contexts', () => {
  it('allows proxy_pass in location, if-in-location and limit_except, and in stream servers', () => {
    const s = spec('proxy_pass');
    expect(['location', 'lif', 'limit_except', 'stream_server'].map((c) => allowedIn(s, c as never))).toEqual([true, true, true, true]);
    expect(allowedIn(s, 'server')).toBe(false);
    expect(allowedIn(s, 'sif')).toBe(false);
  });

  it('allows rewrite-module directives in both kinds of if', () => {
    for (const name of ['return', 'rewrite', 'set', 'break']) {
      expect(allowedIn(spec(name), 'sif'), name).toBe(true);
      expect(allowedIn(spec(name), 'lif'), name).toBe(true);
    }
  });

  it('allows include everywhere', () => {
    for (const c of ['main', 'events', 'upstream', 'stream_server', 'lif'] as const) expect(allowedIn(spec('include'), c)).toBe(true);
  });

  it('marks map, geo, types, split_clients and charset_map bodies as free-form', () => {
    for (const name of ['map', 'geo', 'types', 'split_clients', 'charset_map']) expect(spec(name).body, name).toBe('opaque');
    expect(spec('location').body).toBe('directives');
  });
});

describe('third-party modules', () => {
  it('knows every *_by_lua* directive of lua-nginx-module, with Lua bodies', () => {
    const phases = ['init', 'init_worker', 'set', 'rewrite', 'access', 'content', 'header_filter', 'body_filter', 'log', 'balancer'];
    for (const phase of phases) {
      for (const suffix of ['_by_lua_block', '_by_lua_file']) expect(isKnownDirective(`${phase}${suffix}`), phase + suffix).toBe(true);
      expect(spec(`${phase}_by_lua_block`).body).toBe('lua');
    }
    for (const name of ['ssl_certificate_by_lua_block', 'ssl_session_fetch_by_lua_block', 'exit_worker_by_lua_block', 'server_rewrite_by_lua_block', 'ssl_client_hello_by_lua_block']) {
      expect(isKnownDirective(name), name).toBe(true);
    }
  });

  it('knows lua_* settings with their flags', () => {
    expect(describeType(spec('lua_shared_dict').forms[0]!.type)).toBe('TAKE2');
    expect(describeType(spec('lua_code_cache').forms[0]!.type)).toBe('FLAG');
    expect(allowedIn(spec('lua_package_path'), 'http')).toBe(true);
    expect(allowedIn(spec('lua_package_path'), 'stream')).toBe(true);
  });

  it('counts set_by_lua_block $var as one argument before its body', () => {
    expect(describeType(spec('set_by_lua_block').forms[0]!.type)).toBe('TAKE1|BLOCK');
  });

  it('knows njs, headers-more, geoip2, brotli and vts', () => {
    for (const name of ['js_import', 'js_content', 'more_set_headers', 'more_clear_headers', 'geoip2', 'brotli', 'brotli_types', 'vhost_traffic_status_zone']) {
      expect(isKnownDirective(name), name).toBe(true);
    }
    expect(spec('geoip2').body).toBe('opaque');
  });

  it('knows the modules Debian nginx-light lacks: perl, xslt, image_filter, mail, stream', () => {
    for (const name of ['perl', 'perl_set', 'xslt_stylesheet', 'image_filter', 'mail', 'smtp_auth', 'stream', 'ssl_preread']) {
      expect(isKnownDirective(name), name).toBe(true);
    }
  });

  it('knows undocumented directives nginx 1.22 still accepts', () => {
    for (const name of ['post_action', 'gzip_window', 'open_file_cache_events']) expect(isKnownDirective(name), name).toBe(true);
  });
});

describe('checkArity', () => {
  it("uses nginx's message for a wrong count", () => {
    expect(checkArity(spec('proxy_pass'), 0, [], 'location')).toEqual({
      kind: 'count',
      message: 'invalid number of arguments in "proxy_pass" directive',
    });
    expect(checkArity(spec('proxy_pass'), 1, ['http://a'], 'location')).toBeNull();
  });

  it('picks the form of the context (upstream server vs http server)', () => {
    expect(checkArity(spec('server'), 3, ['a', 'weight=2', 'backup'], 'upstream')).toBeNull();
    expect(checkArity(spec('server'), 1, ['a'], 'http')?.kind).toBe('count');
  });

  it('rejects flag values other than on/off, case-insensitively like nginx', () => {
    expect(checkArity(spec('sendfile'), 1, ['yes'])?.message).toBe('invalid value "yes" in "sendfile" directive, it must be "on" or "off"');
    expect(checkArity(spec('sendfile'), 1, ['ON'])).toBeNull();
  });

  it('checks size and time syntax, skipping values with variables', () => {
    expect(checkArity(spec('client_max_body_size'), 1, ['10mb'])?.message).toBe('"client_max_body_size" directive invalid value');
    expect(checkArity(spec('client_max_body_size'), 1, ['1g'])).toBeNull();
    expect(checkArity(spec('proxy_read_timeout'), 1, ['1h 30m'])).toBeNull();
    expect(checkArity(spec('proxy_read_timeout'), 1, ['5x'])?.kind).toBe('value');
    expect(checkArity(spec('limit_rate' as string), 1, ['$rate'])).toBeNull();
  });

  it('never accepts more than 7 arguments for TAKE directives (NGX_CONF_MAX_ARGS)', () => {
    expect(arityAccepts(parseType('TAKE1234'), 8)).toBe(false);
    expect(arityAccepts(parseType('1MORE'), 50)).toBe(true);
  });
});

describe('size and time syntax', () => {
  it('accepts k/K/m/M sizes and g/G offsets only', () => {
    expect(['0', '512', '8k', '8K', '1m', '1M'].every((v) => isNginxSize(v, false))).toBe(true);
    expect(isNginxSize('1g', false)).toBe(false);
    expect(isNginxSize('1g', true)).toBe(true);
    expect(['10mb', '1.5m', '', 'k', '-1'].some((v) => isNginxSize(v, true))).toBe(false);
  });

  it('accepts ms/s/m/h/d/w/M/y, combined largest first', () => {
    expect(['30', '30s', '500ms', '1h30m', '1h 30m', '1y', '2M', '1d 2h 3m 4s 5ms'].every(isNginxTime)).toBe(true);
    expect(['5x', '30m1h', 's', '', '1.5s', '1s1s'].some(isNginxTime)).toBe(false);
  });
});

describe('suggestions', () => {
  it('suggests the nearest name for a typo', () => {
    expect(suggestDirective('proxy_pas')).toBe('proxy_pass');
    expect(suggestDirective('worker_proccesses')).toBe('worker_processes');
    expect(suggestDirective('Proxy_Pass')).toBe('proxy_pass');
  });

  it('counts a transposition as one edit', () => {
    expect(editDistance('sendfiel', 'sendfile')).toBe(1);
    expect(suggestDirective('sendfiel')).toBe('sendfile');
  });

  it('suggests nothing when no name is close', () => {
    expect(suggestDirective('frobnicate')).toBeUndefined();
    expect(suggestDirective('xx')).toBeUndefined();
  });
});

describe('duplicates', () => {
  it('knows which single-value directives nginx rejects twice', () => {
    expect(rejectsDuplicate('sendfile', 'http')).toBe(true);
    expect(rejectsDuplicate('proxy_pass', 'location')).toBe(true);
  });

  it('lets repeatable directives repeat', () => {
    for (const name of ['add_header', 'proxy_set_header', 'listen', 'server_name', 'access_log', 'error_log', 'proxy_redirect', 'ssl_certificate']) {
      expect(rejectsDuplicate(name, 'server'), name).toBe(false);
    }
  });

  it('does not judge stream and mail forms it could not verify', () => {
    expect(rejectsDuplicate('proxy_pass', 'stream_server')).toBe(false);
  });
});

describe('lookups', () => {
  it('knows nothing it should not', () => {
    expect(isKnownDirective('proxy_pas')).toBe(false);
    expect(lookupDirective('')).toBeUndefined();
  });

  it('lists the names sorted, reference and extras together', () => {
    const names = knownDirectiveNames();
    expect(names).toContain('proxy_pass');
    expect(names).toContain('content_by_lua_block');
    expect([...names].sort()).toEqual(names);
  });
});
