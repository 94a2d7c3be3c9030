// The gunicorn side on hostile input: the conf.py evaluator, argv and shell splitting, and every
// launcher reader (systemd, Dockerfile, compose, supervisord, Procfile, shell). None may throw, and
// their work must grow linearly with the input.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluateConfPy, readGunicornSources } from '../../src/gunicorn/index.js';
import { detectSourceKind } from '../../src/gunicorn/detect.js';
import { parseArgv } from '../../src/gunicorn/argv.js';
import { lexShell, mapped, shlexSplit, expandWord, splitCommands } from '../../src/gunicorn/shell.js';
import { settingsFor } from '../../src/gunicorn/settings.js';
import { makeSourceFile } from '../../src/nginx/tree.js';
import { SUBQUADRATIC, fuzzParams, growth, latin1Bytes } from './helpers.js';

const REPO = path.resolve(__dirname, '..', '..');
const TABLE = settingsFor('23.0.0');

/** gunicorn sources from the fixtures (conf.py, units, Dockerfiles…), by the name that decides their kind. */
function sourceSamples(): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  const visit = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) visit(p);
      else if (detectSourceKind(p, '') !== null || /\.(py|sh)$|Procfile|Dockerfile|compose|supervisor/.test(e.name)) out.push({ name: e.name, text: fs.readFileSync(p).toString('latin1') });
    }
  };
  for (const d of ['fixtures/gunicorn', 'fixtures/cross', 'fixtures/seed']) if (fs.existsSync(path.join(REPO, d))) visit(path.join(REPO, d));
  return out;
}

const SAMPLES = sourceSamples();
const NAMES = ['gunicorn.conf.py', 'app.service', 'app.socket', 'Procfile', 'Dockerfile', 'docker-compose.yml', 'supervisord.conf', 'start.sh', 'run.txt'];
const PY_PIECES = ['(', ')', '[', ']', '{', '}', '"', "'", '"""', 'f"{', '\\', '\n', '    ', ':', '=', '+', '*', '**', '%', 'workers', 'bind', 'os.environ', 'cpu_count()', 'if', 'else', 'def', 'lambda', ',', '1', '2.5', '0x', 'import os', '#', '\0', '\xff', 'for x in y:', 'not ', '-'];

/** A fixture source, mutated: bytes flipped, cut, spliced with Python/shell/YAML pieces. */
const mutatedSource = fc
  .record({
    sample: fc.nat(),
    name: fc.constantFrom(...NAMES),
    cuts: fc.array(fc.record({ at: fc.nat(), piece: fc.constantFrom(...PY_PIECES), repeat: fc.integer({ min: 1, max: 60 }), drop: fc.nat({ max: 8 }) }), { maxLength: 5 }),
  })
  .map(({ sample, name, cuts }) => {
    let text = SAMPLES.length ? SAMPLES[sample % SAMPLES.length]!.text : '';
    for (const c of cuts) {
      const at = c.at % (text.length + 1);
      text = text.slice(0, at) + c.piece.repeat(c.repeat) + text.slice(at + c.drop);
    }
    return { name, text };
  });

const pyLike = fc.array(fc.constantFrom(...PY_PIECES, 'x', ' ', '=', '\n'), { maxLength: 200 }).map((p) => p.join(''));

function evaluate(text: string): void {
  const r = evaluateConfPy(makeSourceFile('/app/gunicorn.conf.py', text), { env: { PORT: '8000' }, cpus: 4, version: '23.0.0' });
  expect(r.bindings).toBeInstanceOf(Map);
}

function readAll(name: string, text: string): void {
  const dir = '/app';
  // A small conf.py beside it: each launch loads it, so a big one would measure k launches × its size.
  const files = new Map([[`${dir}/${name}`, text], [`${dir}/gunicorn.conf.py`, 'workers = 2\nbind = "0.0.0.0:8000"\n']]);
  const apps = readGunicornSources([{ path: `${dir}/${name}`, text }], { version: '23.0.0', cpus: 4, env: { PORT: '8000' }, readFile: (p) => files.get(p) });
  expect(Array.isArray(apps)).toBe(true);
}

describe('gunicorn readers on hostile input', () => {
  it('evaluates random Python-like text without throwing', () => {
    fc.assert(fc.property(pyLike, (text) => evaluate(text)), fuzzParams());
  });

  it('evaluates random bytes as conf.py without throwing', () => {
    fc.assert(fc.property(latin1Bytes(), (text) => evaluate(text)), fuzzParams(0.5));
  });

  it('reads mutated launcher files of every kind without throwing', () => {
    fc.assert(fc.property(mutatedSource, ({ name, text }) => {
      detectSourceKind(`/app/${name}`, text);
      readAll(name, text);
    }), fuzzParams());
  });

  it('splits random bytes as sh, systemd and shlex words and parses them as argv without throwing', () => {
    fc.assert(fc.property(latin1Bytes(200), (text) => {
      for (const mode of ['sh', 'systemd', 'shlex'] as const) {
        const tokens = lexShell(mapped(text, 0), mode);
        for (const cmd of splitCommands(tokens)) {
          const words = cmd.flatMap((w) => expandWord(w, { PORT: '80', ARGS: '-w 4 --bind :80' }, mode));
          parseArgv(words, TABLE);
        }
      }
      parseArgv(shlexSplit(mapped(text, 0)), TABLE);
    }), fuzzParams());
  });

  it('refuses to build huge values (`"x" * 10**9`) and marks them unknown', () => {
    const r = evaluateConfPy(makeSourceFile('/g.py', 'big = "x" * 10**9\nbigger = [0] * 10**9\nhuge = "ab" * 10**400\nworkers = 3\n'));
    expect(r.bindings.get('big')?.value.t).toBe('dyn');
    expect(r.bindings.get('bigger')?.value.t).toBe('dyn');
    expect(r.bindings.get('huge')?.value.t).toBe('dyn');
    expect(r.bindings.get('workers')?.value).toMatchObject({ t: 'int', v: 3 });
  });

  it('reports brackets nested thousands deep as a syntax error instead of overflowing the stack', () => {
    const r = evaluateConfPy(makeSourceFile('/g.py', 'x = ' + '('.repeat(5000) + '1' + ')'.repeat(5000) + '\n'));
    expect(r.syntaxError).toBe(true);
    expect(r.diagnostics[0]?.message).toContain('nested');
  });

  it('marks an expression too deep to evaluate as unknown (or a syntax error) instead of overflowing the stack', () => {
    for (const expr of ['1' + '+1'.repeat(20_000), '-'.repeat(20_000) + '1', 'a' + '.b'.repeat(20_000), 'f' + '()'.repeat(20_000), 'a' + '[0]'.repeat(20_000), 'not '.repeat(20_000) + '1']) {
      const r = evaluateConfPy(makeSourceFile('/g.py', `workers = 2\nx = ${expr}\nthreads = 4\n`));
      if (r.syntaxError) {
        // Too deep for the parser: reported, like Python's own "too many nested parentheses".
        expect(r.diagnostics.length).toBeGreaterThan(0);
        continue;
      }
      expect(r.bindings.get('workers')?.value).toMatchObject({ t: 'int', v: 2 });
      expect(r.bindings.get('threads')?.value).toMatchObject({ t: 'int', v: 4 });
    }
  });

  const shapes: Record<string, [(t: string) => unknown, (n: number) => string]> = {
    'conf.py: many assignments': [evaluate, (n) => 'workers = 2\n'.repeat(n / 12)],
    'conf.py: a long string': [evaluate, (n) => 'x = "' + 'a'.repeat(n) + '"\n'],
    'conf.py: an unterminated string': [evaluate, (n) => 'x = "' + 'a'.repeat(n)],
    'conf.py: a long list': [evaluate, (n) => 'x = [' + '1, '.repeat(n / 3) + ']\n'],
    'conf.py: blank lines': [evaluate, (n) => '\n'.repeat(n) + 'workers = 2\n'],
    'conf.py: comment lines': [evaluate, (n) => '# c\n'.repeat(n / 4)],
    'conf.py: backslashes in a string': [evaluate, (n) => 'x = "' + '\\'.repeat(n) + '"\n'],
    'shell: one long quoted word': [(t) => lexShell(mapped(t, 0), 'sh'), (n) => 'gunicorn "' + 'a'.repeat(n) + '"'],
    'shell: many words': [(t) => lexShell(mapped(t, 0), 'sh'), (n) => 'gunicorn ' + 'a '.repeat(n / 2)],
    'shell: unterminated $(': [(t) => lexShell(mapped(t, 0), 'sh'), (n) => 'gunicorn ' + '$('.repeat(n / 2)],
    'shell: unterminated ${': [(t) => lexShell(mapped(t, 0), 'sh'), (n) => 'gunicorn ' + '${'.repeat(n / 2)],
    'shell: backticks': [(t) => lexShell(mapped(t, 0), 'sh'), (n) => 'gunicorn ' + '`'.repeat(n)],
    'argv: many flags': [(t) => parseArgv(shlexSplit(mapped(t, 0)), TABLE), (n) => '-w 4 '.repeat(n / 5)],
    'argv: unknown long options': [(t) => parseArgv(shlexSplit(mapped(t, 0)), TABLE), (n) => '--wor '.repeat(n / 6)],
    'kind: blank lines': [(t) => detectSourceKind('/app/run', t), (n) => '\n'.repeat(n) + 'x'],
    'kind: CR-only lines': [(t) => detectSourceKind('/app/run', t), (n) => '\r'.repeat(n) + 'x'],
    'kind: spaces and newlines in a .conf': [(t) => detectSourceKind('/app/x.conf', t), (n) => ' \n'.repeat(n / 2)],
    'kind: spaces and newlines in a .py': [(t) => detectSourceKind('/app/x.py', t), (n) => ' \n'.repeat(n / 2)],
    'systemd: many lines': [(t) => readAll('app.service', t), (n) => '[Service]\n' + 'Environment=A=1\n'.repeat(n / 16) + 'ExecStart=gunicorn app:app\n'],
    'systemd: continuation lines': [(t) => readAll('app.service', t), (n) => '[Service]\nExecStart=gunicorn app:app ' + '\\\n -w 4 '.repeat(n / 8)],
    'Dockerfile: continuation lines': [(t) => readAll('Dockerfile', t), (n) => 'FROM python\nCMD gunicorn app:app ' + '\\\n -w 4 '.repeat(n / 8)],
    // Wrapped over lines: on one line, each flag's column costs a scan of the line so far (see docs/reliability.md).
    'Dockerfile: a long JSON array': [(t) => readAll('Dockerfile', t), (n) => 'FROM python\nCMD ["gunicorn", ' + '"-w", \\\n'.repeat(n / 8) + '"app:app"]\n'],
    'Procfile: many lines': [(t) => readAll('Procfile', t), (n) => 'web: gunicorn app:app -w 4\n'.repeat(n / 27)],
    'supervisord: many sections': [(t) => readAll('supervisord.conf', t), (n) => '[program:a]\ncommand=gunicorn app:app\n'.repeat(n / 36)],
    'compose: many services': [(t) => readAll('docker-compose.yml', t), (n) => 'services:\n' + Array.from({ length: n / 40 }, (_, i) => `  s${i}:\n    command: gunicorn app:app\n`).join('')],
  };
  for (const [shape, [run, make]] of Object.entries(shapes)) {
    it(`reads ${shape} in linear time`, () => {
      const g = growth(run, make, 8_000);
      console.log(`linearity: ${shape}: ${g.small.toFixed(1)} ms → ${g.large.toFixed(1)} ms (×${g.ratio.toFixed(1)})`);
      expect(g.ratio, `${shape}: ${g.small.toFixed(2)} ms at N, ${g.large.toFixed(2)} ms at 16N`).toBeLessThan(SUBQUADRATIC);
    });
  }
});
