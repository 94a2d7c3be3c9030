// gunicorn's command line, parsed the way its argparse parser does: `--opt=v`, `--opt v`, unique
// prefixes of long options, `-w8`, `-w 8`, `-w=8`, grouped short flags (`-Dw 4`), `--` and
// positionals (the WSGI app). Problems come back as diagnostics, never exceptions.

import type { SettingsTable } from './settings.js';
import type { SettingSpec } from './settings-data.js';
import { suggestFlag } from './suggest.js';
import type { Word } from './shell.js';

export interface CliAssignment {
  spec: SettingSpec;
  /** The flag as written (`-w`, `--workers`). */
  flag: string;
  /** The value, or true for a flag given without one. */
  value: string | true;
  /** The flag word, and the value word when separate. */
  flagWord: Word;
  valueWord?: Word;
  /** Why the value isn't known statically (from the shell: `$PORT` unset…). */
  dynamic?: string;
  /** The word that made it dynamic (its `cores`, `envVars`, `fallback`). */
  dynamicWord?: Word;
}

export interface CliProblem {
  kind: 'unknown-setting' | 'invalid-value';
  message: string;
  word: Word;
  suggestion?: string;
  setting?: string;
}

export interface ParsedArgv {
  assignments: CliAssignment[];
  positionals: Word[];
  problems: CliProblem[];
}

/** argparse's built-in flags: they print and exit, they set nothing. */
const BUILTIN_FLAGS = new Set(['-h', '--help', '-v', '--version']);

function looksLikeNegativeNumber(s: string): boolean {
  return /^-\d+$|^-\d*\.\d+$/.test(s);
}

function looksLikeOption(s: string): boolean {
  return s.startsWith('-') && s !== '-' && !looksLikeNegativeNumber(s);
}

function takesValue(spec: SettingSpec): boolean {
  return spec.action !== 'store_true' && spec.action !== 'store_const';
}

/** Resolves a long option, allowing unique prefixes as argparse does. */
function resolveLong(name: string, table: SettingsTable): { spec?: SettingSpec; flag?: string; ambiguous?: string[]; builtin?: boolean } {
  if (BUILTIN_FLAGS.has(name)) return { builtin: true };
  const exact = table.byFlag.get(name);
  if (exact) return { spec: exact, flag: name };
  const candidates = [...table.longFlags, '--help', '--version'].filter((f) => f.startsWith(name));
  if (candidates.length === 1) {
    const f = candidates[0]!;
    return BUILTIN_FLAGS.has(f) ? { builtin: true } : { spec: table.byFlag.get(f)!, flag: f };
  }
  if (candidates.length > 1) return { ambiguous: candidates };
  return {};
}

export function parseArgv(words: Word[], table: SettingsTable): ParsedArgv {
  const out: ParsedArgv = { assignments: [], positionals: [], problems: [] };
  let i = 0;
  let onlyPositionals = false;
  const push = (spec: SettingSpec, flag: string, flagWord: Word, explicit: string | undefined) => {
    if (!takesValue(spec)) {
      if (explicit !== undefined) {
        out.problems.push({ kind: 'invalid-value', message: `argument ${spec.cli.join('/')}: ignored explicit argument '${explicit}'`, word: flagWord, setting: spec.name });
        return;
      }
      out.assignments.push({ spec, flag, value: true, flagWord, ...(flagWord.dynamic ? { dynamic: flagWord.dynamic, dynamicWord: flagWord } : {}) });
      return;
    }
    if (explicit !== undefined) {
      out.assignments.push({ spec, flag, value: explicit, flagWord, ...(flagWord.dynamic ? { dynamic: flagWord.dynamic, dynamicWord: flagWord } : {}) });
      return;
    }
    const next = words[i + 1];
    if (spec.optionalValue) {
      if (next && !looksLikeOption(next.value)) {
        i++;
        out.assignments.push({ spec, flag, value: next.value, flagWord, valueWord: next, ...(next.dynamic ? { dynamic: next.dynamic, dynamicWord: next } : {}) });
      } else out.assignments.push({ spec, flag, value: true, flagWord });
      return;
    }
    if (!next || (looksLikeOption(next.value) && !next.dynamic)) {
      out.problems.push({ kind: 'invalid-value', message: `argument ${spec.cli.join('/')}: expected one argument`, word: flagWord, setting: spec.name });
      return;
    }
    i++;
    out.assignments.push({ spec, flag, value: next.value, flagWord, valueWord: next, ...(next.dynamic ? { dynamic: next.dynamic, dynamicWord: next } : {}) });
  };

  for (; i < words.length; i++) {
    const w = words[i]!;
    const s = w.value;
    if (onlyPositionals || !looksLikeOption(s)) {
      out.positionals.push(w);
      continue;
    }
    if (s === '--') {
      onlyPositionals = true;
      continue;
    }
    if (s.startsWith('--')) {
      const eq = s.indexOf('=');
      const name = eq === -1 ? s : s.slice(0, eq);
      const explicit = eq === -1 ? undefined : s.slice(eq + 1);
      const r = resolveLong(name, table);
      if (r.builtin) continue;
      if (r.ambiguous) {
        out.problems.push({ kind: 'unknown-setting', message: `ambiguous option: ${name} could match ${r.ambiguous.join(', ')}`, word: w });
        continue;
      }
      if (!r.spec) {
        const suggestion = suggestFlag(name, table);
        out.problems.push({
          kind: 'unknown-setting',
          message: `unrecognized argument: ${name}${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
          word: w,
          ...(suggestion ? { suggestion } : {}),
        });
        continue;
      }
      push(r.spec, r.flag!, w, explicit);
      continue;
    }
    // Single dash: `-w`, `-w8`, `-w=8`, `-Dw8`.
    const eq = s.indexOf('=');
    if (eq > 1 && table.byFlag.has(s.slice(0, eq))) {
      push(table.byFlag.get(s.slice(0, eq))!, s.slice(0, eq), w, s.slice(eq + 1));
      continue;
    }
    if (table.byFlag.has(s) || BUILTIN_FLAGS.has(s)) {
      if (!BUILTIN_FLAGS.has(s)) push(table.byFlag.get(s)!, s, w, undefined);
      continue;
    }
    let k = 1;
    while (k < s.length) {
      const flag = '-' + s[k];
      const spec = table.byFlag.get(flag);
      if (!spec) {
        if (BUILTIN_FLAGS.has(flag)) break;
        const suggestion = suggestFlag(s, table);
        out.problems.push({ kind: 'unknown-setting', message: `unrecognized argument: ${s}${suggestion ? `; did you mean "${suggestion}"?` : ''}`, word: w, ...(suggestion ? { suggestion } : {}) });
        break;
      }
      const rest = s.slice(k + 1);
      if (takesValue(spec)) {
        push(spec, flag, w, rest === '' ? undefined : rest);
        break;
      }
      push(spec, flag, w, undefined);
      k++;
    }
  }
  return out;
}
