import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { makeSourceFile } from '../../src/nginx/tree.js';
import { evaluateConfPy, type ConfEvaluation } from '../../src/gunicorn/pyconf.js';
import type { PyValue } from '../../src/gunicorn/pyvalue.js';

function run(src: string, opts: { env?: Record<string, string>; cpus?: number; version?: string } = {}): ConfEvaluation {
  return evaluateConfPy(makeSourceFile('gunicorn.conf.py', Buffer.from(src, 'utf8').toString('latin1')), { cpus: 4, ...opts });
}

/** A binding's value in plain JS (dynamic values become `{ dynamic: reason }`). */
function value(ev: ConfEvaluation, name: string): unknown {
  const b = ev.bindings.get(name);
  if (!b) return undefined;
  return plain(b.value);
}

function plain(v: PyValue): unknown {
  switch (v.t) {
    case 'int':
    case 'float':
    case 'str':
    case 'bool':
    case 'bytes':
      return v.v;
    case 'none':
      return null;
    case 'list':
    case 'tuple':
      return v.items.map(plain);
    case 'dict':
      return Object.fromEntries(v.entries.map(([k, x]) => [String(plain(k)), plain(x)]));
    case 'dyn':
      return { dynamic: v.reason };
    case 'func':
      return `<function ${v.name}>`;
    default:
      return `<${v.t}>`;
  }
}

describe('literals', () => {
  test('reads ints, floats, underscores, hex/octal/binary and negative numbers', () => {
    const ev = run('a = 8\nb = 1_000\nc = 0x10\nd = 0o17\ne = 0b101\nf = 2.5\ng = -3\nh = 1e3\n');
    expect([value(ev, 'a'), value(ev, 'b'), value(ev, 'c'), value(ev, 'd'), value(ev, 'e'), value(ev, 'f'), value(ev, 'g'), value(ev, 'h')]).toEqual([8, 1000, 16, 15, 5, 2.5, -3, 1000]);
  });

  test('keeps the int/float distinction gunicorn validators care about', () => {
    const ev = run('timeout = 30.0\nworkers = 3\n');
    expect(ev.bindings.get('timeout')!.value.t).toBe('float');
    expect(ev.bindings.get('workers')!.value.t).toBe('int');
  });

  test('reads every quote form, triple quotes and implicit concatenation', () => {
    const ev = run(`a = 'x'\nb = "y"\nc = '''multi\nline'''\nd = """q"""\ne = 'a' "b" 'c'\n`);
    expect([value(ev, 'a'), value(ev, 'b'), value(ev, 'c'), value(ev, 'd'), value(ev, 'e')]).toEqual(['x', 'y', 'multi\nline', 'q', 'abc']);
  });

  test('resolves escapes, but not in raw strings', () => {
    const ev = run(`a = 'tab\\there\\x41\\u00e9\\n'\nb = r'C:\\new\\x'\nc = rb'\\d'\nd = b'\\x41'\n`);
    expect(value(ev, 'a')).toBe('tab\thereAé\n');
    expect(value(ev, 'b')).toBe('C:\\new\\x');
    expect(value(ev, 'c')).toBe('\\d');
    expect(value(ev, 'd')).toBe('A');
  });

  test('decodes UTF-8 text in string literals', () => {
    expect(value(run("proc_name = 'café'\n"), 'proc_name')).toBe('café');
  });

  test('reads True/False/None, lists, tuples and dicts', () => {
    const ev = run(`a = True\nb = None\nc = [1, 'x', (2, 3)]\nd = {'X-Proto': 'https', 'n': [1]}\ne = ()\nf = (1,)\n`);
    expect([value(ev, 'a'), value(ev, 'b'), value(ev, 'c'), value(ev, 'd'), value(ev, 'e'), value(ev, 'f')]).toEqual([true, null, [1, 'x', [2, 3]], { 'X-Proto': 'https', n: [1] }, [], [1]]);
  });
});

describe('expressions', () => {
  test('uses names assigned earlier, chained and tuple assignments', () => {
    const ev = run('base = 4\na = b = base * 2\nx, y = 1, 2\nfirst, *rest = [1, 2, 3]\n');
    expect([value(ev, 'a'), value(ev, 'b'), value(ev, 'x'), value(ev, 'y'), value(ev, 'rest')]).toEqual([8, 8, 1, 2, [2, 3]]);
  });

  test('applies augmented assignments to numbers, strings and lists', () => {
    const ev = run('workers = 2\nworkers += 3\nworkers *= 2\nname = "app"\nname += "-1"\nbind = ["a:1"]\nbind += ["b:2"]\n');
    expect([value(ev, 'workers'), value(ev, 'name'), value(ev, 'bind')]).toEqual([10, 'app-1', ['a:1', 'b:2']]);
  });

  test('follows Python arithmetic: floor division and modulo round toward minus infinity', () => {
    const ev = run('a = 7 // 2\nb = -7 // 2\nc = -7 % 3\nd = 7 / 2\ne = 2 ** 10\nf = 17 % 5 + 1\n');
    expect([value(ev, 'a'), value(ev, 'b'), value(ev, 'c'), value(ev, 'd'), value(ev, 'e'), value(ev, 'f')]).toEqual([3, -4, 2, 3.5, 1024, 3]);
  });

  test('builds strings with f-strings, % formatting, + and str.format', () => {
    const ev = run([
      'host = "0.0.0.0"', 'port = 8000',
      'a = f"{host}:{port}"', 'b = "%s:%d" % (host, port)', 'c = host + ":" + str(port)',
      'd = "{}:{}".format(host, port)', 'e = "{h}:{p:05d}".format(h=host, p=port)', "f = f'{port!r:>6}'",
      "g = '%(h)s' % {'h': host}", "h = f'{{literal}} {port + 1}'", '',
    ].join('\n'));
    expect([value(ev, 'a'), value(ev, 'b'), value(ev, 'c'), value(ev, 'd'), value(ev, 'e'), value(ev, 'f'), value(ev, 'g'), value(ev, 'h')]).toEqual([
      '0.0.0.0:8000', '0.0.0.0:8000', '0.0.0.0:8000', '0.0.0.0:8000', '0.0.0.0:08000', '  8000', '0.0.0.0', '{literal} 8001',
    ]);
  });

  test('converts with int(), str(), bool() and float()', () => {
    const ev = run('a = int("12")\nb = str(3)\nc = bool("")\nd = bool(2)\ne = int(7.9)\nf = float("1.5")\ng = int("ff", 16)\n');
    expect([value(ev, 'a'), value(ev, 'b'), value(ev, 'c'), value(ev, 'd'), value(ev, 'e'), value(ev, 'f'), value(ev, 'g')]).toEqual([12, '3', false, true, 7, 1.5, 255]);
  });

  test('evaluates min(), max() and conditional expressions on static values', () => {
    const ev = run('import multiprocessing\nworkers = max(2, multiprocessing.cpu_count() * 2 + 1)\nthreads = min(8, 100)\nk = 5 if workers > 4 else 1\n', { cpus: 3 });
    expect([value(ev, 'workers'), value(ev, 'threads'), value(ev, 'k')]).toEqual([7, 8, 5]);
  });

  test('treats multiprocessing.cpu_count() and os.cpu_count() as the cpus option', () => {
    const ev = run('import multiprocessing as mp\nimport os\nfrom multiprocessing import cpu_count\na = mp.cpu_count()\nb = os.cpu_count()\nc = cpu_count() * 2\n', { cpus: 6 });
    expect([value(ev, 'a'), value(ev, 'b'), value(ev, 'c')]).toEqual([6, 6, 12]);
  });

  test('reads os.environ.get, os.getenv and os.environ[...] from the env map, with defaults', () => {
    const ev = run([
      'import os', 'from os import environ, getenv',
      'a = os.environ.get("SET", "d")', 'b = os.environ.get("UNSET", "d")', 'c = os.getenv("UNSET")',
      'd = os.environ["SET"]', 'e = getenv("SET")', 'f = environ.get("UNSET", 3)', 'g = "SET" in os.environ',
      'h = int(os.environ.get("N", "4"))', 'i = os.environ.get("UNSET") or "fallback"', '',
    ].join('\n'), { env: { SET: 'yes', N: '9' } });
    expect(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((n) => value(ev, n))).toEqual(['yes', 'd', null, 'yes', 'yes', 3, true, 9, 'fallback']);
  });

  test('runs the branch of an if whose condition is static', () => {
    const ev = run('import os\nif os.environ.get("DEBUG"):\n    reload = True\n    loglevel = "debug"\nelif 1 > 2:\n    reload = None\nelse:\n    reload = False\n', { env: {} });
    expect(value(ev, 'reload')).toBe(false);
    expect(ev.bindings.has('loglevel')).toBe(false);
  });

  test('mutates lists and dicts with append, extend and item assignment', () => {
    const ev = run("bind = ['a:1']\nbind.append('b:2')\nbind.extend(['c:3'])\nh = {'A': '1'}\nh['B'] = '2'\nh.update({'A': 'x'})\n");
    expect(value(ev, 'bind')).toEqual(['a:1', 'b:2', 'c:3']);
    expect(value(ev, 'h')).toEqual({ A: 'x', B: '2' });
  });

  test('skips imports and records defs as function values', () => {
    const ev = run('import os\nimport logging.config\nfrom myapp import settings\ndef on_starting(server):\n    pass\npost_fork = lambda server, worker: None\n');
    expect(value(ev, 'on_starting')).toBe('<function on_starting>');
    expect(value(ev, 'post_fork')).toBe('<function <lambda>>');
    expect(ev.diagnostics).toEqual([]);
  });

  test('records where each binding was set', () => {
    const ev = run('# comment\nworkers = 4\n\ndef when_ready(server):\n    pass\n');
    const w = ev.bindings.get('workers')!;
    expect(ev.file.text.slice(w.start, w.end)).toBe('workers = 4');
    const hook = ev.bindings.get('when_ready')!;
    expect(ev.file.text.slice(hook.start, hook.end)).toBe('def when_ready');
  });
});

describe('dynamic values', () => {
  const reason = (src: string, name: string, opts = {}) => (value(run(src, opts), name) as { dynamic?: string }).dynamic;

  test('a call to a function of the file is dynamic', () => {
    expect(reason('def n():\n    return 3\nworkers = n()\n', 'workers')).toBe('calls n()');
  });
  test('a value imported from the app is dynamic', () => {
    expect(reason('from myapp.conf import WORKERS\nworkers = WORKERS\n', 'workers')).toBe('imported from myapp.conf');
  });
  test('an undefined name is dynamic', () => {
    expect(reason('workers = get_workers()\n', 'workers')).toContain("name 'get_workers' is not defined");
  });
  test('an unknown method or module function is dynamic', () => {
    expect(reason('import socket\nbind = socket.gethostname() + ":80"\n', 'bind')).toContain('calls socket.gethostname()');
    expect(reason('import app\nworkers = app.WORKERS\n', 'workers')).toBe('uses app.WORKERS');
  });
  test('an if whose condition is not static makes the names its branches disagree on dynamic', () => {
    const ev = run('import app\nif app.DEBUG:\n    reload = True\n    timeout = 30\nelse:\n    reload = False\n    timeout = 30\n');
    expect((value(ev, 'reload') as { dynamic: string }).dynamic).toMatch(/under an `if` \(line 2\)/);
    expect(value(ev, 'timeout')).toBe(30);
  });
  test('an assignment inside a loop is dynamic', () => {
    expect(reason('for i in range(3):\n    workers = i\n', 'workers')).toBe('set inside a `for` loop (line 1)');
  });
  test('try/except with different outcomes is dynamic', () => {
    expect(reason('try:\n    import uvloop\n    worker_class = "uvicorn.workers.UvicornWorker"\nexcept ImportError:\n    worker_class = "sync"\n', 'worker_class')).toMatch(/try\/except/);
  });
  test('os.environ[...] of an unset variable is dynamic (gunicorn would fail with KeyError)', () => {
    expect(reason('import os\nbind = os.environ["BIND"]\n', 'bind', { env: {} })).toContain('KeyError');
  });
  test('int() of text that is not a number is dynamic', () => {
    expect(reason('import os\nworkers = int(os.getenv("W", "auto"))\n', 'workers')).toContain('ValueError');
  });
  test('a comprehension is dynamic', () => {
    expect(reason('bind = [f"127.0.0.1:{p}" for p in range(2)]\n', 'bind')).toBe('a comprehension');
  });
});

describe('unknown settings', () => {
  test('reports a lowercase name that is not a setting, with a did-you-mean', () => {
    const ev = run('wokers = 4\n');
    expect(ev.diagnostics).toMatchObject([{ kind: 'unknown-setting', line: 1, column: 1, suggestion: 'workers', setting: 'wokers' }]);
  });
  test('suggests the setting behind a flag spelling (keep_alive → keepalive)', () => {
    expect(run('keep_alive = 5\n').diagnostics[0]).toMatchObject({ suggestion: 'keepalive' });
  });
  test('treats names used later as helpers, not settings', () => {
    expect(run('per_core = 2\nworkers = 4 * per_core\n').diagnostics).toEqual([]);
  });
  test('treats names used inside hooks as helpers', () => {
    expect(run('log_dir = "/var/log"\ndef on_starting(server):\n    print(log_dir)\n').diagnostics).toEqual([]);
  });
  test('treats _private and UPPERCASE names as helpers', () => {
    expect(run('_x = 1\nMAX = 2\nCamelCase = 3\n').diagnostics).toEqual([]);
  });
  test('reports a mixed-case spelling of a setting (gunicorn ignores it)', () => {
    expect(run('Workers = 4\n').diagnostics[0]).toMatchObject({ kind: 'unknown-setting', suggestion: 'workers' });
  });
  test('reports a misspelt hook def, but not unrelated helper functions', () => {
    const ev = run('def post_forks(server, worker):\n    pass\ndef compute_things():\n    pass\n');
    expect(ev.diagnostics).toMatchObject([{ kind: 'unknown-setting', suggestion: 'post_fork', line: 1, column: 5 }]);
  });
  test('knows settings of the target version only (header_map exists from 22)', () => {
    expect(run("header_map = 'drop'\n", { version: '20.1.0' }).diagnostics).toHaveLength(1);
    expect(run("header_map = 'drop'\n", { version: '23.0.0' }).diagnostics).toHaveLength(0);
  });
});

describe('syntax errors', () => {
  const BROKEN: Array<[string, string]> = [
    ['unterminated string', 'workers = 4\nbind = "127.0.0.1:8000\n'],
    ['unclosed bracket', 'bind = [\n  "a",\n  "b"\n\ntimeout = 3\n'],
    ['unexpected indent', 'workers = 4\n  timeout = 3\n'],
    ['missing block', 'if True:\nworkers = 3\n'],
    ['bad dedent', 'if True:\n    a = 1\n  b = 2\n'],
    ['incomplete expression', 'workers = 2 +\n'],
    ['assign to a call', 'f() = 3\n'],
    ['mismatched bracket', 'x = (1, 2]\n'],
    ['leading zero', 'umask = 022\n'],
    ['stray character', 'workers = 4 $\n'],
    ['unterminated triple quote', 'x = 1\ny = """abc\n\n'],
    ['missing colon', 'def f()\n    pass\n'],
  ];

  test.each(BROKEN)('reports %s as a syntax diagnostic, never an exception', (_name, src) => {
    const ev = run(src);
    expect(ev.syntaxError).toBe(true);
    expect(ev.diagnostics).toHaveLength(1);
    expect(ev.diagnostics[0]!.kind).toBe('syntax');
  });

  test('puts syntax errors on the line Python reports', () => {
    const script = 'import json,sys\nres=[]\nfor src in json.load(sys.stdin):\n    try:\n        compile(src, "c.py", "exec"); res.append(None)\n    except SyntaxError as e:\n        res.append(e.lineno)\nprint(json.dumps(res))\n';
    const pythonLines = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(BROKEN.map(([, s]) => s)), encoding: 'utf8' })) as Array<number | null>;
    const ours = BROKEN.map(([, s]) => run(s).diagnostics[0]?.line ?? null);
    expect(ours).toEqual(pythonLines);
  });

  test('points at the column of the offending token', () => {
    expect(run('workers = 4\nbind = "abc\n').diagnostics[0]).toMatchObject({ line: 2, column: 8 });
  });

  test('accepts the rest of the language without false syntax errors (checked against python3)', () => {
    const valid = [
      'import os, sys\nfrom os.path import join as j\n',
      'class W(object):\n    x = 1\n    def f(self, *a, **k) -> int:\n        return [i for i in a if i]\n',
      '@decorator(1)\ndef f(a, b=2, *, c, **kw):\n    global x\n    yield from g()\n',
      'async def f():\n    async with a as b:\n        await c\n    async for x in y:\n        pass\n',
      'with open("f") as fh, open("g") as gh:\n    data = fh.read()\n',
      'try:\n    pass\nexcept (A, B) as e:\n    raise C from e\nelse:\n    pass\nfinally:\n    pass\n',
      'while x:\n    break\nelse:\n    pass\n',
      'x = {**a, "b": 1}\ny = {1, 2, *z}\nz = [*a, *b]\nq = lambda x, y=1: x if y else -x\n',
      'x = a[1:2, ::3]\ndef g():\n    y = (yield)\nz = not a or b and c\nw = a is not None\nv = a not in b\n',
      'if (n := len(a)) > 10:\n    pass\nassert x, "msg"\ndel a, b\n',
      'x = f"{a!r:>{width}} {b=}" rf"\\d{c}"\n',
      'match command:\n    case "a":\n        workers = 1\n    case _:\n        pass\n',
      'print("a", end="")\nx = 1; y = 2;\n',
      'x = 1 if a else 2 if b else 3\ny: int = 5\nz: str\n',
      'def f(a, /, b):\n    nonlocal_ = 1\n    return a @ b\n',
    ];
    const script = 'import json,sys\nbad=[]\nfor i,src in enumerate(json.load(sys.stdin)):\n    try:\n        compile(src, "c.py", "exec")\n    except SyntaxError as e:\n        bad.append(i)\nprint(json.dumps(bad))\n';
    expect(JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(valid), encoding: 'utf8' }))).toEqual([]);
    const ours = valid.map((src, i) => ({ i, errors: run(src).diagnostics.filter((d) => d.kind === 'syntax').map((d) => d.message) })).filter((r) => r.errors.length);
    expect(ours).toEqual([]);
  });

  test('never throws on arbitrary input (property, fixed seed)', () => {
    const pythonish = fc.array(
      fc.constantFrom('workers', ' = ', '4', '\n', '    ', '(', ')', '[', ']', '{', '}', '"', "'", '"""', 'f"{', '}', ':', 'if ', 'def ', 'x', '+', '//', '%', ',', '#', '\\', 'os.environ.get(', 'import os', 'lambda', '**', '\t', 'é', '\r\n', '.', '=', 'r"', 'b"', '0x', '1_0', 'not ', 'in ', '...', '@', ';'),
      { maxLength: 40 },
    ).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(pythonish, fc.string({ maxLength: 80 })), (src) => {
        const ev = run(src);
        expect(Array.isArray(ev.diagnostics)).toBe(true);
      }),
      { seed: 20240601, numRuns: 2000 },
    );
  });
});
