// cross/upstream-bind-mismatch: nginx's target vs gunicorn's binds, with gunicorn's own address
// semantics (a non-IPv6 host is an IPv4 socket, `::` is dual-stack) and nginx's (`localhost` is
// both loopbacks, tried in turn).
import { afterAll, describe, expect, it } from 'vitest';
import { at, checkDir, deployment, nginxTo, of, removeAll } from './helpers.js';

const RULE = 'cross/upstream-bind-mismatch';
const dirs: string[] = [];
afterAll(() => removeAll(dirs));

function run(files: Record<string, string>, env: Record<string, string> = {}) {
  const dir = deployment(files);
  dirs.push(dir);
  return checkDir(dir, { select: [RULE], env });
}

/** nginx upstream `target` in front of `gunicorn.conf.py` binding `bind` (none: gunicorn's default). */
function pair(target: string, bind: string | null, env: Record<string, string> = {}) {
  return run({ 'nginx.conf': nginxTo(target), 'gunicorn.conf.py': `${bind === null ? '' : `bind = ${JSON.stringify(bind)}\n`}workers = 3\n` }, env);
}

describe('cross/upstream-bind-mismatch', () => {
  it('reports a unix-socket gunicorn behind an nginx that points at 127.0.0.1:8000', () => {
    const r = pair('127.0.0.1:8000', 'unix:/run/app.sock');
    expect(at(r, RULE)).toEqual(['nginx.conf:4']);
    expect(of(r, RULE)[0]!.message).toContain('gunicorn binds unix:/run/app.sock (gunicorn (gunicorn.conf.py), gunicorn.conf.py:1)');
    expect(of(r, RULE)[0]!.severity).toBe('error');
  });

  it('reports it when the unix socket comes from a systemd .socket unit (ListenStream)', () => {
    const r = run({
      'nginx.conf': nginxTo('127.0.0.1:8000'),
      'app.service': '[Service]\nExecStart=/srv/venv/bin/gunicorn --workers 3 --bind 127.0.0.1:9999 app.wsgi\n',
      'app.socket': '[Socket]\nListenStream=/run/app.sock\n',
    });
    expect(at(r, RULE)).toEqual(['nginx.conf:4']);
    expect(of(r, RULE)[0]!.message).toContain('unix:/run/app.sock');
    expect(of(r, RULE)[0]!.message).toContain('app.socket:2');
  });

  it('suggests pointing the upstream server at the socket', () => {
    const [f] = of(pair('127.0.0.1:8000', 'unix:/run/app.sock'), RULE);
    expect(f!.fix?.kind).toBe('suggest');
    expect(f!.fix!.edits.map((e) => e.text)).toEqual(['unix:/run/app.sock']);
  });

  it('suggests a literal proxy_pass URL that keeps its URI part', () => {
    const r = run({
      'nginx.conf': 'events {}\nhttp { server { listen 80; location /app/ { proxy_pass http://127.0.0.1:8000/inner/; } } }\n',
      'gunicorn.conf.py': 'bind = "unix:/run/app.sock"\n',
    });
    expect(of(r, RULE)[0]!.fix!.edits.map((e) => e.text)).toEqual(['http://unix:/run/app.sock:/inner/']);
  });

  describe('matching binds never report', () => {
    const matches: Array<[string, string | null, string]> = [
      ['127.0.0.1:8000', '127.0.0.1:8000', 'the same address'],
      ['localhost:8000', '127.0.0.1:8000', 'nginx localhost reaches 127.0.0.1'],
      ['localhost:8000', '[::1]:8000', 'nginx localhost reaches ::1 too'],
      ['127.0.0.1:8000', 'localhost:8000', "gunicorn's localhost is 127.0.0.1"],
      ['[::1]:8000', '[::1]:8000', 'the IPv6 loopback'],
      ['127.0.0.1:8000', '0.0.0.0:8000', '0.0.0.0 accepts every IPv4 address'],
      ['127.0.0.2:8000', '0.0.0.0:8000', '0.0.0.0 accepts all of 127/8'],
      ['127.0.0.1:8000', ':8000', 'an empty host is 0.0.0.0'],
      ['127.0.0.1:8000', '[::]:8000', ':: is dual-stack'],
      ['[::1]:8000', '[::]:8000', ':: accepts IPv6'],
      ['unix:/run/app.sock', 'unix:/run/app.sock', 'the same socket'],
      ['unix:/run//app.sock', 'unix:///run/app.sock', 'the same socket, spelled differently'],
      ['127.0.0.1:8000', null, "gunicorn's default bind 127.0.0.1:8000"],
      ['localhost:8000', null, "localhost and gunicorn's default bind"],
      ['127.0.0.1', '127.0.0.1:80', "nginx's default port 80"],
    ];
    for (const [target, bind, why] of matches) {
      it(`nginx ${target} ↔ gunicorn ${bind ?? '(default)'}: ${why}`, () => {
        expect(at(pair(target, bind), RULE)).toEqual([]);
      });
    }

    it('PORT in the environment makes the default bind 0.0.0.0:$PORT, reached over 127.0.0.1', () => {
      expect(at(pair('127.0.0.1:5000', null, { PORT: '5000' }), RULE)).toEqual([]);
    });

    it('a Dockerfile ENV PORT does the same', () => {
      const r = run({ 'nginx.conf': nginxTo('127.0.0.1:5000'), Dockerfile: 'FROM python:3.12\nENV PORT=5000\nCMD ["gunicorn", "app.wsgi"]\n' });
      expect(at(r, RULE)).toEqual([]);
    });
  });

  describe('mismatches', () => {
    const mismatches: Array<[string, string, string]> = [
      ['unix:/run/a.sock', 'unix:/run/b.sock', 'another socket'],
      ['unix:/run/app.sock', '127.0.0.1:8000', 'a socket for a TCP bind'],
      ['127.0.0.1:8001', '127.0.0.1:8000', 'another port'],
      ['[::1]:8000', '127.0.0.1:8000', 'IPv6 loopback for an IPv4 bind'],
      ['127.0.0.1:8000', '[::1]:8000', 'IPv4 loopback for an IPv6 bind'],
      ['[::1]:8000', '0.0.0.0:8000', '0.0.0.0 is IPv4 only'],
      ['[::1]:8000', 'localhost:8000', "gunicorn's localhost binds IPv4 only"],
      ['127.0.0.2:8000', '127.0.0.1:8000', 'another loopback address'],
    ];
    for (const [target, bind, why] of mismatches) {
      it(`nginx ${target} ↔ gunicorn ${bind}: ${why}`, () => {
        expect(at(pair(target, bind), RULE)).toEqual(['nginx.conf:4']);
      });
    }

    it('PORT=5000 moves the default bind away from the 127.0.0.1:8000 nginx uses', () => {
      expect(at(pair('127.0.0.1:8000', null, { PORT: '5000' }), RULE)).toEqual(['nginx.conf:4']);
    });
  });

  it('does not report a non-loopback target (another host or container may serve it)', () => {
    expect(at(pair('10.0.0.5:8000', 'unix:/run/app.sock'), RULE)).toEqual([]);
    expect(at(pair('web:8000', '127.0.0.1:8000'), RULE)).toEqual([]);
  });

  it('does not report other local services once some target reaches gunicorn', () => {
    const r = run({
      'nginx.conf': 'events {}\nhttp { server { listen 80;\n location / { proxy_pass http://unix:/run/app.sock; }\n location /ws/ { proxy_pass http://127.0.0.1:9000; } } }\n',
      'gunicorn.conf.py': 'bind = "unix:/run/app.sock"\n',
    });
    expect(at(r, RULE)).toEqual([]);
  });

  it('stays silent when the bind is computed in gunicorn.conf.py', () => {
    const r = run({ 'nginx.conf': nginxTo('127.0.0.1:8000'), 'gunicorn.conf.py': 'import socket\nbind = "unix:/run/%s.sock" % socket.gethostname()\n' });
    expect(r.models[0]!.gunicorn[0]!.binds).toEqual([]);
    expect(at(r, RULE)).toEqual([]);
  });

  it('stays silent without nginx targets or gunicorn binds to compare', () => {
    expect(at(run({ 'nginx.conf': 'events {}\nhttp { server { listen 80; root /srv; } }\n', 'gunicorn.conf.py': 'bind = "unix:/run/app.sock"\n' }), RULE)).toEqual([]);
  });
});
