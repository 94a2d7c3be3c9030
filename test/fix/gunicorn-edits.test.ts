// Edits on gunicorn sources, driven by the origins the gunicorn reader records.
import { describe, expect, it } from 'vitest';
import { readGunicornSources } from '../../src/gunicorn/index.js';
import type { Origin } from '../../src/gunicorn/types.js';
import { makeSourceFile } from '../../src/nginx/tree.js';
import {
  insertConfAssignment, insertFlag, pyLiteral, removeConfAssignment, removeFlag, replaceConfValue, replaceFlagValue, shellQuote,
} from '../../src/edit/edits.js';
import { applyEditsToText } from '../../src/edit/apply-text.js';
import type { Edit } from '../../src/lint/rule.js';

/** Origin of `setting` when gunicorn reads `text` from a file named `name`. */
function originOf(name: string, text: string, setting: string): Origin {
  const apps = readGunicornSources([{ path: `/app/${name}`, text }], { version: '23.0.0', cpus: 4, env: {} });
  const s = apps[0]?.settings.get(setting);
  if (!s || s.isDefault) throw new Error(`${setting} not set in ${name}`);
  return s.origin;
}

function fixed(origin: Origin, edit: Edit | null): string {
  if (!edit) throw new Error('no edit');
  return applyEditsToText(origin.file!.text, [edit]);
}

const CONF = 'import multiprocessing\n\nworkers = 4  # per core\ntimeout: int = 30\nreload = True; daemon = False\nbind = ["127.0.0.1:8000",\n        "unix:/run/app.sock"]\n';

describe('conf.py assignments', () => {
  it('replaces a value and keeps the comment after it', () => {
    const o = originOf('gunicorn.conf.py', CONF, 'workers');
    expect(fixed(o, replaceConfValue(o, '9'))).toContain('workers = 9  # per core\n');
  });

  it('replaces the value of an annotated assignment', () => {
    const o = originOf('gunicorn.conf.py', CONF, 'timeout');
    expect(fixed(o, replaceConfValue(o, '60'))).toContain('timeout: int = 60\n');
  });

  it('replaces a value that spans lines', () => {
    const o = originOf('gunicorn.conf.py', CONF, 'bind');
    expect(fixed(o, replaceConfValue(o, pyLiteral(['127.0.0.1:8000'])))).toMatch(/bind = \['127\.0\.0\.1:8000'\]\n$/);
  });

  it('removes an assignment alone on its line, line and comment included', () => {
    const o = originOf('gunicorn.conf.py', CONF, 'workers');
    expect(fixed(o, removeConfAssignment(o))).toBe(CONF.replace('workers = 4  # per core\n', ''));
  });

  it('removes one of two statements on a line with its separator', () => {
    const o = originOf('gunicorn.conf.py', CONF, 'reload');
    expect(fixed(o, removeConfAssignment(o))).toContain('\ndaemon = False\n');
    const d = originOf('gunicorn.conf.py', CONF, 'daemon');
    expect(fixed(d, removeConfAssignment(d))).toContain('\nreload = True\n');
  });

  it('adds an assignment after another one', () => {
    const o = originOf('gunicorn.conf.py', CONF, 'workers');
    expect(fixed(o, insertConfAssignment(o.file!, 'max_requests_jitter', '50', o))).toContain('workers = 4  # per core\nmax_requests_jitter = 50\ntimeout');
  });

  it('appends an assignment at the end, adding the missing final newline and keeping CRLF', () => {
    const f = makeSourceFile('/app/gunicorn.conf.py', 'workers = 4\r\nreload = True');
    expect(applyEditsToText(f.text, [insertConfAssignment(f, 'worker_tmp_dir', pyLiteral('/dev/shm'))])).toBe("workers = 4\r\nreload = True\r\nworker_tmp_dir = '/dev/shm'\r\n");
  });

  it.each([
    ['gthread', "'gthread'"],
    ["it's", '"it\'s"'],
    [true, 'True'],
    [null, 'None'],
    [2.5, '2.5'],
    [3, '3'],
  ] as const)('writes %j as the Python literal %s', (v, lit) => {
    expect(pyLiteral(v)).toBe(lit);
  });
});

const PROCFILE = 'web: gunicorn -w8 -k gevent --keep-alive 60 --bind=127.0.0.1:8000 --reload application:application\n';

describe('command-line flags', () => {
  it('replaces the value of a `--flag value` pair', () => {
    const o = originOf('Procfile', PROCFILE, 'keepalive');
    expect(fixed(o, replaceFlagValue(o, '5'))).toContain('--keep-alive 5 ');
  });

  it('replaces the value of a `--flag=value` word', () => {
    const o = originOf('Procfile', PROCFILE, 'bind');
    expect(fixed(o, replaceFlagValue(o, 'unix:/run/app.sock'))).toContain('--bind=unix:/run/app.sock ');
  });

  it('replaces the value attached to a short flag', () => {
    const o = originOf('Procfile', PROCFILE, 'workers');
    expect(fixed(o, replaceFlagValue(o, '9'))).toContain('gunicorn -w9 -k');
  });

  it('quotes a value the shell would split', () => {
    const o = originOf('Procfile', PROCFILE, 'keepalive');
    expect(fixed(o, replaceFlagValue(o, 'a b'))).toContain("--keep-alive 'a b' ");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
  });

  it('removes a flag with the blank before it', () => {
    const o = originOf('Procfile', PROCFILE, 'reload');
    expect(fixed(o, removeFlag(o))).toBe(PROCFILE.replace(' --reload', ''));
  });

  it('adds a flag after another', () => {
    const o = originOf('Procfile', PROCFILE, 'worker_class');
    expect(fixed(o, insertFlag(o, '--threads', '4'))).toContain('-k gevent --threads 4 --keep-alive');
  });

  it('returns null when asked for the value of a flag that has none', () => {
    const o = originOf('Procfile', PROCFILE, 'reload');
    expect(replaceFlagValue(o, 'x')).toBeNull();
  });

  it('returns null for an origin that points into no file (a default)', () => {
    expect(replaceFlagValue({ kind: 'default' }, '1')).toBeNull();
    expect(removeConfAssignment({ kind: 'default' })).toBeNull();
  });
});

const DOCKERFILE = 'FROM python:3.12\nCMD ["gunicorn", "-w", "4", "--reload", "app:app"]\n';

describe('JSON-form command lines (Dockerfile CMD)', () => {
  it('replaces a value inside its JSON string', () => {
    const o = originOf('Dockerfile', DOCKERFILE, 'workers');
    expect(fixed(o, replaceFlagValue(o, '9'))).toContain('["gunicorn", "-w", "9", "--reload"');
  });

  it('removes a flag with its comma', () => {
    const o = originOf('Dockerfile', DOCKERFILE, 'reload');
    expect(fixed(o, removeFlag(o))).toContain('CMD ["gunicorn", "-w", "4", "app:app"]');
  });

  it('adds a flag as JSON strings', () => {
    const o = originOf('Dockerfile', DOCKERFILE, 'workers');
    expect(fixed(o, insertFlag(o, '--threads', '2'))).toContain('"-w", "4", "--threads", "2", "--reload"');
  });
});

describe('systemd units', () => {
  it('doubles % in a value written into ExecStart', () => {
    const unit = '[Unit]\nDescription=app\n\n[Service]\nExecStart=/usr/bin/gunicorn --workers 4 --access-logformat x app:app\n';
    const o = originOf('app.service', unit, 'access_log_format');
    expect(fixed(o, replaceFlagValue(o, '%(h)s'))).toContain("--access-logformat '%%(h)s' app:app");
  });
});
