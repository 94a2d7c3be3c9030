import { describe, expect, test } from 'vitest';
import { parseArgv } from '../../src/gunicorn/argv.js';
import { settingsFor } from '../../src/gunicorn/settings.js';
import { expandWord, lexShell, mapped, shlexSplit, splitCommands, type Word } from '../../src/gunicorn/shell.js';
import { findGunicorn } from '../../src/gunicorn/launch.js';

const table = settingsFor('23.0.0');

function words(cmd: string, env: Record<string, string> = {}): Word[] {
  return lexShell(mapped(cmd, 0), 'sh').flatMap((t) => (t.kind === 'word' ? expandWord(t.word, env, 'sh') : []));
}

function settings(cmd: string): Record<string, unknown> {
  const parsed = parseArgv(words(cmd), table);
  const out: Record<string, unknown> = {};
  for (const a of parsed.assignments) {
    if (a.spec.action === 'append') out[a.spec.name] = [...((out[a.spec.name] as string[]) ?? []), a.value];
    else out[a.spec.name] = a.value;
  }
  return out;
}

describe('gunicorn flags', () => {
  test('reads --opt=value and --opt value', () => {
    expect(settings('--workers=4 --timeout 60')).toEqual({ workers: '4', timeout: '60' });
  });
  test('reads short flags attached, separate and with =', () => {
    expect(settings('-w8 -k gevent -t=30')).toEqual({ workers: '8', worker_class: 'gevent', timeout: '30' });
  });
  test('reads grouped short flags (-Dw4)', () => {
    expect(settings('-Dw4')).toEqual({ daemon: true, workers: '4' });
  });
  test('collects repeated -b and --bind', () => {
    expect(settings('-b 127.0.0.1:8000 --bind unix:/run/a.sock -b=[::1]:9000')).toEqual({ bind: ['127.0.0.1:8000', 'unix:/run/a.sock', '[::1]:9000'] });
  });
  test('lets a later flag override an earlier one', () => {
    expect(settings('-w 2 --workers 5')).toEqual({ workers: '5' });
  });
  test('accepts unique prefixes of long options, as argparse does', () => {
    expect(settings('--keep 9 --max-requests-j 5')).toEqual({ keepalive: '9', max_requests_jitter: '5' });
  });
  test('reads flags without values (store_true / store_const)', () => {
    expect(settings('--preload --no-sendfile --reload')).toEqual({ preload_app: true, sendfile: true, reload: true });
  });
  test('takes the positionals as the WSGI app, wherever they are', () => {
    const parsed = parseArgv(words('myapp.wsgi:application -w 2'), table);
    expect(parsed.positionals.map((w) => w.value)).toEqual(['myapp.wsgi:application']);
  });
  test('treats everything after -- as positional', () => {
    const parsed = parseArgv(words('-w 2 -- -w'), table);
    expect(parsed.positionals.map((w) => w.value)).toEqual(['-w']);
  });
  test('reports an unknown flag with a did-you-mean and its position', () => {
    const parsed = parseArgv(words('app:app --worker-klass gevent'), table);
    expect(parsed.problems).toMatchObject([{ kind: 'unknown-setting', suggestion: '--worker-class' }]);
    expect(parsed.problems[0]!.word.start).toBe(8);
  });
  test('reports a flag missing its value', () => {
    expect(parseArgv(words('--workers --preload'), table).problems).toMatchObject([{ kind: 'invalid-value', setting: 'workers' }]);
  });
  test('reports an ambiguous prefix', () => {
    expect(parseArgv(words('--work 3'), table).problems[0]!.message).toBe('ambiguous option: --work could match --workers, --worker-class, --worker-connections, --worker-tmp-dir');
  });
  test('reports an explicit value on a flag that takes none', () => {
    expect(parseArgv(words('--preload=yes'), table).problems).toMatchObject([{ kind: 'invalid-value', setting: 'preload_app' }]);
  });
  test('accepts a negative number as a value (the validator rejects it later)', () => {
    expect(settings('-w -1')).toEqual({ workers: '-1' });
  });
  test('knows the flags of the target version', () => {
    expect(parseArgv(words('--header-map drop'), settingsFor('20.1.0')).problems).toHaveLength(1);
    expect(parseArgv(words('--header-map drop'), settingsFor('23.0.0')).problems).toHaveLength(0);
  });
});

describe('shell quoting', () => {
  test('splits with POSIX quotes and backslashes', () => {
    expect(words(`gunicorn --access-logformat '%(h)s "%(r)s"' -n "my app" a\\ b`).map((w) => w.value)).toEqual(['gunicorn', '--access-logformat', '%(h)s "%(r)s"', '-n', 'my app', 'a b']);
  });
  test('keeps an empty quoted word', () => {
    expect(words(`a '' ""`).map((w) => w.value)).toEqual(['a', '', '']);
  });
  test('joins backslash-newline continuations', () => {
    expect(words('gunicorn \\\n  -w 4 \\\n  app:app').map((w) => w.value)).toEqual(['gunicorn', '-w', '4', 'app:app']);
  });
  test('maps every character back to its source offset', () => {
    const [, flag] = words('gunicorn "--bind=0.0.0.0:80"');
    expect(flag!.start).toBe(9);
    expect(flag!.offsets[2]).toBe(12); // the `b` of bind, after the opening quote
  });
  test('expands $VAR, ${VAR} and ${VAR:-default} from the environment', () => {
    expect(words('a $P ${P}x ${Q:-d} "$P"', { P: '80' }).map((w) => w.value)).toEqual(['a', '80', '80x', 'd', '80']);
  });
  test('marks words with unknown variables or command substitution as dynamic', () => {
    const w = words('-b 0.0.0.0:$PORT -w $(nproc) -k $(cat /etc/kind)');
    expect(w[1]!.dynamic).toBe('$PORT is not known');
    expect(w[3]!.dynamic).toMatch(/core count/);
    expect(w[3]!.cores).toBe(true);
    expect(w[5]!.dynamic).toMatch(/command substitution/);
  });
  test('splits an unquoted lone $VAR into several words', () => {
    expect(words('gunicorn $OPTS app', { OPTS: '-w 4  --preload' }).map((w) => w.value)).toEqual(['gunicorn', '-w', '4', '--preload', 'app']);
  });
  test('separates commands at ; && || | and newlines, dropping redirections', () => {
    const cmds = splitCommands(lexShell(mapped('cd /app && exec gunicorn app 2>&1 >> /var/log/x; echo done\n', 0), 'sh'));
    expect(cmds.map((c) => c.flatMap((w) => expandWord(w, {}, 'sh')).map((w) => w.value))).toEqual([['cd', '/app'], ['exec', 'gunicorn', 'app'], ['echo', 'done']]);
  });
  test('drops comments', () => {
    expect(words('gunicorn app # -w 4').map((w) => w.value)).toEqual(['gunicorn', 'app']);
  });
  test('shlex mode splits like Python shlex.split (GUNICORN_CMD_ARGS)', () => {
    expect(shlexSplit(mapped(`--workers 3 --name "a b" --x='$HOME'`, 0)).map((w) => w.value)).toEqual(['--workers', '3', '--name', 'a b', '--x=$HOME']);
  });
});

describe('finding gunicorn in a command', () => {
  const find = (cmd: string) => findGunicorn(words(cmd), {})?.args.map((w) => w.value) ?? null;
  test.each([
    ['gunicorn -w 2 app:app'],
    ['exec gunicorn -w 2 app:app'],
    ['/srv/venv/bin/gunicorn -w 2 app:app'],
    ['python -m gunicorn -w 2 app:app'],
    ['python3.12 -u -m gunicorn -w 2 app:app'],
    ['uv run gunicorn -w 2 app:app'],
    ['uv run --no-sync --with gevent gunicorn -w 2 app:app'],
    ['poetry run gunicorn -w 2 app:app'],
    ['pipenv run gunicorn -w 2 app:app'],
    ['env PYTHONUNBUFFERED=1 gunicorn -w 2 app:app'],
    ['gosu app gunicorn -w 2 app:app'],
    ['newrelic-admin run-program gunicorn -w 2 app:app'],
    ['sh -c "exec gunicorn -w 2 app:app"'],
    ['nohup gunicorn -w 2 app:app'],
  ])('finds gunicorn in: %s', (cmd) => {
    expect(find(cmd)).toEqual(['-w', '2', 'app:app']);
  });
  test('ignores commands that only mention gunicorn', () => {
    expect(find('echo gunicorn -w 2')).toBeNull();
    expect(find('pip install gunicorn')).toBeNull();
    expect(find('python manage.py migrate')).toBeNull();
  });
  test('collects NAME=value prefixes as environment', () => {
    expect(findGunicorn(words('WEB_CONCURRENCY=3 gunicorn app'), {})!.env.map((e) => [e.name, e.value])).toEqual([['WEB_CONCURRENCY', '3']]);
  });
});
