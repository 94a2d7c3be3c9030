// Loading a configuration: includes resolved as nginx resolves them, `nginx -T` dumps split back
// into their files, fragments recognised by their top-level directives.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { globFiles, loadConfig, loadConfigFromText, memoryFileSystem, splitNginxDump, diskFileSystem, detectRootContext } from '../../src/nginx/load.js';
import { walk } from '../../src/nginx/tree.js';
import type { Directive } from '../../src/nginx/tree.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'conftune-load-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

let counter = 0;
/** Writes a tree of files into a fresh temp dir and returns its path. */
function tree(files: Record<string, string>): string {
  const dir = path.join(tmpRoot, String(counter++));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const namesIn = (nodes: Directive[]) => {
  const out: string[] = [];
  walk(nodes, (d) => {
    out.push(d.args.length ? `${d.name} ${d.args.map((a) => a.value).join(' ')}` : d.name);
  });
  return out;
};

describe('includes', () => {
  it('expands includes in place, relative to the main file directory, with file and line of origin', () => {
    const dir = tree({ 'nginx.conf': 'http {\n  include conf.d/a.conf;\n}\n', 'conf.d/a.conf': '\nserver_tokens off;\n' });
    const cfg = loadConfig(path.join(dir, 'nginx.conf'));
    expect(cfg.diagnostics).toEqual([]);
    expect(namesIn(cfg.root)).toEqual(['http', 'include conf.d/a.conf', 'server_tokens off']);
    const st = cfg.root[0]!.block![1]!;
    expect(st.file.path).toBe(path.join(dir, 'conf.d/a.conf'));
    expect(st.line).toBe(2);
    expect(st.parent?.name).toBe('http');
    expect(st.includedBy?.name).toBe('include');
    expect(cfg.files.size).toBe(2);
  });

  it('resolves includes of nested files against the main file directory, not their own', () => {
    const dir = tree({ 'nginx.conf': 'include sub/one.conf;', 'sub/one.conf': 'include sub/two.conf;', 'sub/two.conf': 'x;' });
    expect(namesIn(loadConfig(path.join(dir, 'nginx.conf')).root)).toEqual(['include sub/one.conf', 'include sub/two.conf', 'x']);
  });

  it('expands globs sorted, skipping dotfiles for `*`', () => {
    const dir = tree({ 'nginx.conf': 'include d/*.conf;', 'd/b.conf': 'b;', 'd/a.conf': 'a;', 'd/.hidden.conf': 'h;', 'd/c.txt': 'c;', 'd/A.conf': 'A;' });
    expect(namesIn(loadConfig(path.join(dir, 'nginx.conf')).root)).toEqual(['include d/*.conf', 'A', 'a', 'b']);
  });

  it('accepts a glob that matches nothing, as nginx does', () => {
    const dir = tree({ 'nginx.conf': 'include none/*.conf;' });
    expect(loadConfig(path.join(dir, 'nginx.conf')).diagnostics).toEqual([]);
  });

  it('reports a missing plain include with nginx open() message at the include', () => {
    const dir = tree({ 'nginx.conf': 'http {\n  include missing.conf;\n}' });
    const d = loadConfig(path.join(dir, 'nginx.conf')).diagnostics;
    expect(d.map((x) => `${x.line}:${x.column} ${x.kind} ${x.message}`)).toEqual([
      `2:11 include open() "${path.join(dir, 'missing.conf')}" failed (2: No such file or directory)`,
    ]);
  });

  it('reports an include cycle instead of hanging', () => {
    const dir = tree({ 'nginx.conf': 'include a.conf;', 'a.conf': 'include b.conf;', 'b.conf': 'include a.conf;' });
    const cfg = loadConfig(path.join(dir, 'nginx.conf'));
    expect(cfg.diagnostics.map((d) => d.message)).toEqual(['include cycle: a.conf → b.conf → a.conf']);
  });

  it('reports a cycle through a symlink at the first repeat of the real file', () => {
    const dir = tree({ 'nginx.conf': 'include self.conf;', 'self.conf': 'include link.conf;' });
    fs.symlinkSync(path.join(dir, 'self.conf'), path.join(dir, 'link.conf'));
    const cfg = loadConfig(path.join(dir, 'nginx.conf'));
    expect(cfg.diagnostics.map((d) => d.message)).toEqual(['include cycle: self.conf → self.conf']);
    expect(namesIn(cfg.root)).toEqual(['include self.conf', 'include link.conf']);
  });

  it('reports a file included from itself', () => {
    const dir = tree({ 'nginx.conf': 'include nginx.conf;' });
    expect(loadConfig(path.join(dir, 'nginx.conf')).diagnostics.map((d) => d.kind)).toEqual(['include']);
  });

  it('globs through a memory file system as on disk', () => {
    const fsys = memoryFileSystem(new Map([['/e/n.conf', ''], ['/e/s/2.conf', ''], ['/e/s/1.conf', ''], ['/e/s/.x.conf', '']]));
    expect(globFiles(fsys, '/e/s/*.conf')).toEqual(['/e/s/1.conf', '/e/s/2.conf']);
    expect(globFiles(fsys, '/e/s/[12].conf')).toEqual(['/e/s/1.conf', '/e/s/2.conf']);
    expect(globFiles(diskFileSystem, path.join(tmpRoot, 'nothing-here', '*'))).toEqual([]);
  });

  it('reports a missing main file as a diagnostic, not an exception', () => {
    const cfg = loadConfig(path.join(tmpRoot, 'does-not-exist.conf'));
    expect(cfg.diagnostics[0]!.message).toMatch(/^open\(\) ".*does-not-exist.conf" failed \(2: No such file or directory\)$/);
  });
});

describe('nginx -T dumps', () => {
  const dump = [
    'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok',
    'nginx: configuration file /etc/nginx/nginx.conf test is successful',
    '# configuration file /etc/nginx/nginx.conf:',
    'events {}',
    'http {',
    '    include /etc/nginx/conf.d/*.conf;',
    '}',
    '',
    '# configuration file /etc/nginx/conf.d/site.conf:',
    'server {',
    '    listen 80;',
    '}',
    '',
    '',
  ].join('\n');

  it('splits a dump into its files at the markers, dropping the newline nginx adds after each', () => {
    const files = splitNginxDump(dump)!;
    expect([...files.keys()]).toEqual(['/etc/nginx/nginx.conf', '/etc/nginx/conf.d/site.conf']);
    expect(files.get('/etc/nginx/nginx.conf')).toBe('events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n');
    expect(files.get('/etc/nginx/conf.d/site.conf')).toBe('server {\n    listen 80;\n}\n');
  });

  it('keeps a CRLF file intact inside a dump', () => {
    const files = splitNginxDump('# configuration file /a.conf:\nx;\r\ny;\r\n\n')!;
    expect(files.get('/a.conf')).toBe('x;\r\ny;\r\n');
  });

  it('returns null for an ordinary config', () => {
    expect(splitNginxDump('events {}\n# configuration file /x: is only a comment here\n')).toBeNull();
  });

  it('loads a dump read from stdin, with findings pointing at the original paths and lines', () => {
    const cfg = loadConfigFromText('-', dump);
    expect(cfg.main.path).toBe('/etc/nginx/nginx.conf');
    expect(cfg.diagnostics).toEqual([]);
    const listen = cfg.root[1]!.block![1]!.block![0]!;
    expect(listen).toMatchObject({ name: 'listen', line: 2 });
    expect(listen.file.path).toBe('/etc/nginx/conf.d/site.conf');
  });

  it('loads a dump saved to a file the same way', () => {
    const dir = tree({ 'dump.txt': dump });
    const cfg = loadConfig(path.join(dir, 'dump.txt'));
    expect([...cfg.files.keys()]).toEqual(['/etc/nginx/nginx.conf', '/etc/nginx/conf.d/site.conf']);
  });
});

describe('fragments', () => {
  it('recognises a bare server block as an http-level fragment', () => {
    expect(loadConfigFromText('site.conf', 'server { listen 80; location / { } }').rootContext).toBe('http');
  });

  it('recognises a bare location block as a server-level fragment', () => {
    expect(loadConfigFromText('loc.conf', 'location /api { proxy_pass http://b; }').rootContext).toBe('server');
  });

  it('recognises location-level directives as a location fragment', () => {
    expect(loadConfigFromText('p.conf', 'proxy_pass http://b;\nproxy_set_header Host $host;').rootContext).toBe('location');
  });

  it('recognises a full nginx.conf as main', () => {
    expect(loadConfigFromText('nginx.conf', 'events {}\nhttp {}').rootContext).toBe('main');
    expect(detectRootContext([])).toBe('main');
  });

  it('parses a fragment without errors and honours an explicit root context', () => {
    const cfg = loadConfigFromText('x.conf', 'location / { }', { rootContext: 'server' });
    expect(cfg.diagnostics).toEqual([]);
    expect(cfg.rootContext).toBe('server');
  });
});
