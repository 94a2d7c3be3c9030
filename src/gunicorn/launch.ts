// Finding the gunicorn invocation inside a command: wrappers (`exec`, `env A=b`, `gosu user`,
// `uv run`, `poetry run`, `python -m gunicorn`, `sh -c "…"`) are looked through.

import { expandWord, lexShell, splitCommands, wordAsText, type Word } from './shell.js';

export interface FoundCommand {
  /** The word that names gunicorn (or `-m gunicorn`'s `gunicorn`). */
  program: Word;
  /** Its arguments. */
  args: Word[];
  /** `NAME=value` prefixes and `env NAME=value` assignments before the program. */
  env: Array<{ name: string; value: string; word: Word }>;
  /**
   * Set when an application's own command starts gunicorn (`lemur start`): `args` then holds only
   * what is clearly a gunicorn setting there (the `-b`/`--bind` flag and its value).
   */
  wrapped?: string;
}

/**
 * Application commands known to run gunicorn in-process with their own settings, by program and
 * subcommand, with the options that are gunicorn's bind. Lemur's `lemur start` (Flask-Script
 * `LemurServer`, a gunicorn Application) takes gunicorn's `-b`.
 */
const WRAPPERS: Array<{ program: string; sub: string; bind: string[] }> = [
  { program: 'lemur', sub: 'start', bind: ['-b', '--bind'] },
];

/** An application command that starts gunicorn itself (`lemur start -b 0.0.0.0:8000`). */
export function findWrapper(words: Word[]): FoundCommand | null {
  let i = 0;
  while (i < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!.value) || PASS_THROUGH.has(basename(words[i]!.value)))) i++;
  const prog = words[i];
  const sub = words[i + 1];
  if (!prog || !sub) return null;
  const w = WRAPPERS.find((x) => basename(prog.value) === x.program && sub.value === x.sub);
  if (!w) return null;
  const rest = words.slice(i + 2);
  const args: Word[] = [];
  for (let k = 0; k < rest.length; k++) {
    const v = rest[k]!.value;
    const flag = w.bind.find((f) => v === f || v.startsWith(f + '=') || (f.length === 2 && v.startsWith(f) && v.length > 2));
    if (!flag) continue;
    if (v === flag) {
      if (rest[k + 1]) args.push(rest[k]!, rest[k + 1]!);
      k++;
    } else args.push(rest[k]!);
  }
  return { program: prog, args, env: [], wrapped: `${w.program} ${w.sub}` };
}

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? p : p.slice(i + 1);
}

const PASS_THROUGH = new Set(['exec', 'nohup', 'setsid', 'time', 'command', 'builtin', 'tini', 'dumb-init', 'catatonit', 'sudo', 'runuser', 'nice', 'ionice', 'stdbuf', 'chpst', 'authbind', 'chrt', 'xargs']);
/** Options of pass-through commands that take a separate value. */
const VALUE_OPTIONS: Record<string, string[]> = {
  sudo: ['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U'],
  runuser: ['-u', '-g', '-G', '-l', '-s', '-c'],
  nice: ['-n'],
  ionice: ['-c', '-n', '-p'],
  chpst: ['-u', '-U', '-e', '-/', '-n', '-l', '-L', '-m', '-d', '-o', '-p', '-f', '-c'],
  tini: ['-s', '-e', '-p'],
  env: ['-u', '-C', '-S'],
};
/** Commands followed by one operand (a user, a mask, a duration) before the program. */
const ONE_OPERAND = new Set(['gosu', 'su-exec', 'setuidgid', 's6-setuidgid', 'taskset', 'timeout']);
const RUNNERS = new Set(['uv', 'poetry', 'pipenv', 'pdm', 'hatch', 'rye', 'conda', 'micromamba', 'mamba', 'pixi']);
const RUNNER_VALUE_OPTIONS = new Set(['--with', '--env-file', '--python', '-p', '--project', '--directory', '-n', '--name', '--prefix', '-e', '--environment', '--extra', '--group', '--package', '--from', '--manifest-path']);
const INSTRUMENTERS = new Set(['newrelic-admin', 'ddtrace-run', 'opentelemetry-instrument', 'doppler', 'dotenv', 'aws-vault', 'op', 'infisical', 'scout-apm', 'sentry-cli']);

export function isGunicornProgram(word: string): boolean {
  return /^gunicorn[0-9.]*$/.test(basename(word));
}

/** Looks for gunicorn in one simple command (already expanded words). */
export function findGunicorn(words: Word[], env: Record<string, string>, depth = 0): FoundCommand | null {
  const prefixEnv: FoundCommand['env'] = [];
  let i = 0;
  const skipOptions = (cmd: string) => {
    const valueOpts = VALUE_OPTIONS[cmd] ?? [];
    while (i < words.length && words[i]!.value.startsWith('-')) {
      const o = words[i]!.value;
      i++;
      if (o === '--') break;
      if (valueOpts.includes(o)) i++;
    }
  };
  while (i < words.length) {
    const w = words[i]!;
    const v = w.value;
    const base = basename(v);
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)=([\s\S]*)$/.exec(v);
    if (assign && !v.startsWith('-')) {
      prefixEnv.push({ name: assign[1]!, value: assign[2]!, word: w });
      i++;
      continue;
    }
    if (isGunicornProgram(v)) return { program: w, args: words.slice(i + 1), env: prefixEnv };
    if (base === 'env') {
      i++;
      skipOptions('env');
      continue;
    }
    if (PASS_THROUGH.has(base)) {
      i++;
      skipOptions(base);
      continue;
    }
    if (ONE_OPERAND.has(base)) {
      i++;
      skipOptions(base);
      i++;
      continue;
    }
    if (/^(python|pypy)[0-9.]*$/.test(base)) {
      i++;
      while (i < words.length && words[i]!.value.startsWith('-')) {
        const o = words[i]!.value;
        if (o === '-m') {
          const mod = words[i + 1];
          if (mod && mod.value === 'gunicorn') return { program: mod, args: words.slice(i + 2), env: prefixEnv };
          return null;
        }
        if (o.startsWith('-m') && o.length > 2) {
          return o.slice(2) === 'gunicorn' ? { program: w, args: words.slice(i + 1), env: prefixEnv } : null;
        }
        if (o === '-c') return null;
        i += o === '-X' || o === '-W' ? 2 : 1;
      }
      const script = words[i];
      if (script && isGunicornProgram(script.value)) return { program: script, args: words.slice(i + 1), env: prefixEnv };
      return null;
    }
    if (RUNNERS.has(base)) {
      i++;
      // Global options may come before `run`.
      while (i < words.length && words[i]!.value !== 'run' && words[i]!.value.startsWith('-')) i += RUNNER_VALUE_OPTIONS.has(words[i]!.value) ? 2 : 1;
      if (words[i]?.value !== 'run') return null;
      i++;
      while (i < words.length && words[i]!.value.startsWith('-')) {
        const o = words[i]!.value;
        i++;
        if (o === '--') break;
        if (RUNNER_VALUE_OPTIONS.has(o)) i++;
      }
      continue;
    }
    if (base === 'uvx' || base === 'pipx') {
      i++;
      if (base === 'pipx' && words[i]?.value === 'run') i++;
      while (i < words.length && words[i]!.value.startsWith('-')) i += RUNNER_VALUE_OPTIONS.has(words[i]!.value) ? 2 : 1;
      continue;
    }
    if (/^(ba|da|z|k)?sh$|^ash$/.test(base) && depth < 3) {
      const cIndex = words.findIndex((x, k) => k > i && /^-[a-z]*c[a-z]*$/.test(x.value));
      const script = cIndex === -1 ? undefined : words[cIndex + 1];
      if (!script) return null;
      return findInScriptText(script, env, depth + 1);
    }
    if (INSTRUMENTERS.has(base)) {
      // Their own options vary; the wrapped command starts at the next python/gunicorn word.
      const k = words.findIndex((x, idx) => idx > i && (isGunicornProgram(x.value) || /^(python|pypy)[0-9.]*$/.test(basename(x.value)) || RUNNERS.has(basename(x.value))));
      if (k === -1) return null;
      i = k;
      continue;
    }
    return null;
  }
  return null;
}

/** `sh -c "…"`: the string is a script of its own; its offsets still point into the file. */
function findInScriptText(script: Word, env: Record<string, string>, depth: number): FoundCommand | null {
  const tokens = lexShell(wordAsText(script), 'sh');
  for (const cmd of splitCommands(tokens)) {
    const words = cmd.flatMap((w) => expandWord(w, env, 'sh'));
    const found = findGunicorn(stripShellKeywords(words), env, depth);
    if (found) return found;
  }
  return null;
}

/** Drops leading shell keywords so `then exec gunicorn …` is seen as a command. */
export function stripShellKeywords(words: Word[]): Word[] {
  let i = 0;
  while (i < words.length && ['then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', '{', 'time'].includes(words[i]!.value)) i++;
  return i ? words.slice(i) : words;
}
