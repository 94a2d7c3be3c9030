// Word splitting for command lines: POSIX sh (scripts, Procfile, Dockerfile shell form), systemd's
// ExecStart rules, and Python's shlex (GUNICORN_CMD_ARGS, supervisord, compose strings). Each
// word keeps the source offset of every character so values can be traced to file:line:col.

export type ShellMode = 'sh' | 'systemd' | 'shlex';

/** Text with the source offset of each character (`offsets.length === text.length + 1`). */
export interface MappedText {
  text: string;
  offsets: number[];
}

export function mapped(text: string, base: number): MappedText {
  const offsets = new Array<number>(text.length + 1);
  for (let i = 0; i <= text.length; i++) offsets[i] = base + i;
  return { text, offsets };
}

type Segment =
  | { kind: 'lit'; text: string; offsets: number[]; quoted: boolean }
  | { kind: 'param'; name: string; op: string | null; arg: MappedText; quoted: boolean; braced: boolean; start: number; end: number }
  | { kind: 'subst'; raw: string; start: number; end: number }
  /** `$(( expr ))`: shell arithmetic. */
  | { kind: 'arith'; expr: MappedText; raw: string; start: number; end: number };

export interface RawWord {
  segments: Segment[];
  start: number;
  end: number;
}

export type ShellToken = { kind: 'word'; word: RawWord } | { kind: 'op'; op: string; start: number; end: number };

/** A word after expansion. */
export interface Word {
  value: string;
  /** Source offsets of the word. */
  start: number;
  end: number;
  /** Source offset of each character of `value` (and one past the end). */
  offsets: number[];
  /** Set when the value depends on something unknown (`$VAR` not set, `$(cmd)`). */
  dynamic?: string;
  /** With `dynamic`: it depends on the host's core count (`$(nproc)` with no core count given). */
  cores?: boolean;
  /** With `dynamic`: the environment variables it depends on. */
  envVars?: string[];
  /** With `dynamic`: the value when those variables are unset (`${X:-4}` → `4`). */
  fallback?: string;
}

/** Why a value is not known statically, and what it depends on. */
export interface DynInfo {
  reason: string;
  cores?: boolean;
  env?: string[];
  fallback?: string;
}

/** What expansion knows besides the variables' values. */
export interface ExpandContext {
  /** Host cores for `$(nproc)`; null or absent: unknown (the word is then dynamic). */
  cpus?: number | null;
  /** Variables set to values not known statically (`N=$(nproc)`, a Dockerfile ARG), name → why. */
  unknown?: Map<string, DynInfo>;
  /**
   * Set when any variable may have a value the deployment does not show (an unreadable
   * env_file…): `${X:-d}` with X unset is then dynamic with fallback `d`, not `d`.
   */
  open?: string;
}

const SH_OPERATORS = ['&&', '||', ';;', '>>', '<<', '>&', '&>', '<&', '>|', ';', '&', '|', '(', ')', '<', '>', '\n'];

/** Splits into words and (sh mode) operators. Unterminated quotes end at the end of the text. */
export function lexShell(input: MappedText, mode: ShellMode): ShellToken[] {
  const { text, offsets } = input;
  const tokens: ShellToken[] = [];
  let i = 0;
  let segs: Segment[] = [];
  let lit = '';
  let litOffsets: number[] = [];
  let litQuoted = false;
  let wordStart = -1;
  const at = (k: number) => offsets[Math.min(k, offsets.length - 1)]!;
  const flushLit = () => {
    if (lit || litOffsets.length) segs.push({ kind: 'lit', text: lit, offsets: [...litOffsets, litOffsets.length ? litOffsets[litOffsets.length - 1]! + 1 : 0], quoted: litQuoted });
    lit = '';
    litOffsets = [];
    litQuoted = false;
  };
  const addChar = (c: string, k: number, quoted: boolean) => {
    if (wordStart === -1) wordStart = k;
    if (quoted !== litQuoted && (lit || litOffsets.length)) flushLit();
    litQuoted = quoted;
    lit += c;
    litOffsets.push(at(k));
  };
  const startWord = (k: number) => {
    if (wordStart === -1) wordStart = k;
  };
  const endWord = (k: number) => {
    if (wordStart === -1) return;
    flushLit();
    // End just past the word's last character (for re-split text, the next char may be far away).
    tokens.push({ kind: 'word', word: { segments: segs, start: at(wordStart), end: k > wordStart ? at(k - 1) + 1 : at(k) } });
    segs = [];
    wordStart = -1;
  };
  const readParam = (k: number, quoted: boolean): number => {
    // At `$`: ${NAME…}, $NAME, $(…), $1, $@ …
    const rest = text.slice(k + 1);
    if (rest.startsWith('((')) {
      const close = matchClose(text, k + 1, '(', ')');
      flushLit();
      // `$(( … ))`: the expression sits between the inner parentheses.
      const exprEnd = text[close - 1] === ')' ? close - 1 : close;
      segs.push({ kind: 'arith', expr: { text: text.slice(k + 3, exprEnd), offsets: offsets.slice(k + 3, exprEnd + 1) }, raw: text.slice(k, close + 1), start: at(k), end: at(close + 1) });
      return close + 1;
    }
    if (rest.startsWith('(')) {
      const close = matchClose(text, k + 1, '(', ')');
      flushLit();
      segs.push({ kind: 'subst', raw: text.slice(k, close + 1), start: at(k), end: at(close + 1) });
      return close + 1;
    }
    if (rest.startsWith('{')) {
      const close = matchClose(text, k + 1, '{', '}');
      const inner = text.slice(k + 2, close);
      const m = /^([A-Za-z_][A-Za-z0-9_]*|\d+|[@*#?$!-])(:?[-=+?])?([\s\S]*)$/.exec(inner);
      flushLit();
      if (!m) segs.push({ kind: 'subst', raw: text.slice(k, close + 1), start: at(k), end: at(close + 1) });
      else {
        const argStart = k + 2 + m[1]!.length + (m[2]?.length ?? 0);
        segs.push({ kind: 'param', name: m[1]!, op: m[2] ?? null, arg: { text: m[3] ?? '', offsets: offsets.slice(argStart, close + 1) }, quoted, braced: true, start: at(k), end: at(close + 1) });
      }
      return close + 1;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|\d|[@*#?$!-])/.exec(rest);
    if (!m) {
      addChar('$', k, quoted);
      return k + 1;
    }
    flushLit();
    segs.push({ kind: 'param', name: m[1]!, op: null, arg: { text: '', offsets: [at(k + 1 + m[1]!.length)] }, quoted, braced: false, start: at(k), end: at(k + 1 + m[1]!.length) });
    return k + 1 + m[1]!.length;
  };

  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || (c === '\n' && mode !== 'sh') || c === '\r') {
      endWord(i);
      i++;
      continue;
    }
    if (mode === 'sh') {
      if (c === '#' && wordStart === -1) {
        while (i < text.length && text[i] !== '\n') i++;
        continue;
      }
      const op = SH_OPERATORS.find((o) => text.startsWith(o, i));
      if (op) {
        // `2>` and `2>&1`: a number right before a redirection belongs to it.
        if ((op[0] === '>' || op[0] === '<') && wordStart !== -1 && segs.length === 0 && /^\d+$/.test(lit)) {
          lit = '';
          litOffsets = [];
          wordStart = -1;
        }
        endWord(i);
        tokens.push({ kind: 'op', op, start: at(i), end: at(i + op.length) });
        i += op.length;
        continue;
      }
    }
    if (c === '\\') {
      const n = text[i + 1];
      if (n === undefined) {
        addChar('\\', i, false);
        i++;
        continue;
      }
      if (n === '\n') {
        i += 2; // line continuation
        continue;
      }
      if (n === '\r' && text[i + 2] === '\n') {
        i += 3;
        continue;
      }
      addChar(n, i + 1, true);
      i += 2;
      continue;
    }
    if (c === "'") {
      startWord(i);
      let j = i + 1;
      let any = false;
      while (j < text.length && text[j] !== "'") {
        addChar(text[j]!, j, true);
        any = true;
        j++;
      }
      if (!any) {
        flushLit();
        segs.push({ kind: 'lit', text: '', offsets: [at(i + 1)], quoted: true });
      }
      i = j + 1;
      continue;
    }
    if (c === '"') {
      startWord(i);
      let j = i + 1;
      let any = false;
      while (j < text.length && text[j] !== '"') {
        const d = text[j]!;
        if (d === '\\') {
          const n = text[j + 1];
          const escapable = mode === 'shlex' ? n === '"' || n === '\\' : mode === 'systemd' ? n !== undefined : n === '"' || n === '\\' || n === '$' || n === '`' || n === '\n';
          if (escapable) {
            if (n !== '\n') addChar(n!, j + 1, true);
            j += 2;
            any = true;
            continue;
          }
        }
        if (d === '$' && mode !== 'shlex') {
          j = readParam(j, true);
          any = true;
          continue;
        }
        if (d === '`' && mode === 'sh') {
          const close = text.indexOf('`', j + 1);
          const end = close === -1 ? text.length : close + 1;
          flushLit();
          segs.push({ kind: 'subst', raw: text.slice(j, end), start: at(j), end: at(end) });
          j = end;
          any = true;
          continue;
        }
        addChar(d, j, true);
        any = true;
        j++;
      }
      if (!any) {
        flushLit();
        segs.push({ kind: 'lit', text: '', offsets: [at(i + 1)], quoted: true });
      }
      i = j + 1;
      continue;
    }
    if (c === '$' && mode !== 'shlex') {
      startWord(i);
      i = readParam(i, false);
      continue;
    }
    if (c === '`' && mode === 'sh') {
      startWord(i);
      const close = text.indexOf('`', i + 1);
      const end = close === -1 ? text.length : close + 1;
      flushLit();
      segs.push({ kind: 'subst', raw: text.slice(i, end), start: at(i), end: at(end) });
      i = end;
      continue;
    }
    if (c === '%' && mode === 'systemd' && text[i + 1] === '%') {
      addChar('%', i, false);
      i += 2;
      continue;
    }
    addChar(c, i, false);
    i++;
  }
  endWord(text.length);
  return tokens;
}

function matchClose(text: string, open: number, o: string, c: string): number {
  let depth = 0;
  for (let k = open; k < text.length; k++) {
    if (text[k] === '\\') {
      k++;
      continue;
    }
    if ((text[k] === '"' || text[k] === "'") && depth > 0) {
      const q = text.indexOf(text[k]!, k + 1);
      if (q !== -1) {
        k = q;
        continue;
      }
    }
    if (text[k] === o) depth++;
    else if (text[k] === c) {
      depth--;
      if (depth === 0) return k;
    }
  }
  return text.length - 1;
}

/** `$(nproc)`, `$(nproc --all)`, `$(getconf _NPROCESSORS_ONLN)`: the host's core count. */
const CORE_COUNT = /^\$\(\s*(?:nproc(?:\s+--all)?|getconf\s+_?NPROCESSORS_ONLN|grep\s+-c\s+\^?processor\s+\/proc\/cpuinfo)\s*\)$|^`\s*nproc(?:\s+--all)?\s*`$/;

function mergeDyn(a: DynInfo | undefined, b: DynInfo): DynInfo {
  if (!a) return { ...b };
  const env = [...new Set([...(a.env ?? []), ...(b.env ?? [])])];
  return { reason: a.reason, ...(a.cores || b.cores ? { cores: true } : {}), ...(env.length ? { env } : {}) };
}

function dynFields(d: DynInfo | undefined, fallback?: string): Partial<Word> {
  if (!d) return {};
  return { dynamic: d.reason, ...(d.cores ? { cores: true } : {}), ...(d.env?.length ? { envVars: d.env } : {}), ...(fallback !== undefined ? { fallback } : {}) };
}

/** The dynamic part of a word as a DynInfo (for storing a variable set from it). */
export function wordDyn(w: Word): DynInfo | undefined {
  if (!w.dynamic) return undefined;
  return { reason: w.dynamic, ...(w.cores ? { cores: true } : {}), ...(w.envVars?.length ? { env: w.envVars } : {}), ...(w.fallback !== undefined ? { fallback: w.fallback } : {}) };
}

/** A variable's value, or why it is unknown. */
function lookupVar(name: string, env: Record<string, string>, ctx: ExpandContext): { value?: string; dyn?: DynInfo } {
  const unknown = ctx.unknown?.get(name);
  if (unknown) return { dyn: unknown };
  const v = env[name];
  return v === undefined ? {} : { value: v };
}

/** The default word of `${X:-word}`: itself expanded (quotes removed, nested `${…}` expanded). */
function expandDefault(arg: MappedText, env: Record<string, string>, mode: ShellMode, ctx: ExpandContext, depth: number): { value: string; offsets: number[]; dyn?: DynInfo; fallback?: string } {
  if (!arg.text) return { value: '', offsets: [] };
  if (depth > 8) return { value: arg.text, offsets: arg.offsets.slice(0, arg.text.length), dyn: { reason: 'parameter expansion nested too deep' } };
  const words = lexShell(arg, mode === 'shlex' ? 'shlex' : 'sh')
    .flatMap((t) => (t.kind === 'word' ? [expandOne(t.word, env, mode, ctx, depth + 1)] : []));
  let value = '';
  let fallback = '';
  const offsets: number[] = [];
  let dyn: DynInfo | undefined;
  words.forEach((w, i) => {
    if (i > 0) {
      value += ' ';
      fallback += ' ';
      offsets.push(w.start);
    }
    value += w.value;
    fallback += w.fallback ?? w.value;
    offsets.push(...w.offsets.slice(0, w.value.length));
    const d = wordDyn(w);
    if (d) dyn = mergeDyn(dyn, d);
  });
  return { value, offsets, ...(dyn ? { dyn } : {}), ...(dyn && fallback !== value ? { fallback } : {}) };
}

/**
 * Shell arithmetic (`$(( 2 * $(nproc) + 1 ))`): integers, variables, + - * / % and parentheses.
 * Returns the value, or why it is not known.
 */
function evalArith(expr: MappedText, env: Record<string, string>, ctx: ExpandContext): { value?: number; dyn?: DynInfo } {
  let dyn: DynInfo | undefined;
  // Command substitutions and `${…}` inside first: replace them by their values.
  let text = '';
  const t = expr.text;
  for (let i = 0; i < t.length; ) {
    if (t[i] === '$' && t[i + 1] === '(') {
      const close = matchClose(t, i + 1, '(', ')');
      const raw = t.slice(i, close + 1);
      if (raw.startsWith('$((')) {
        const inner = evalArith({ text: raw.slice(3, -2), offsets: expr.offsets.slice(i + 3, close) }, env, ctx);
        if (inner.dyn) dyn = mergeDyn(dyn, inner.dyn);
        text += inner.value ?? 1;
      } else if (CORE_COUNT.test(raw) && typeof ctx.cpus === 'number') text += String(ctx.cpus);
      else {
        dyn = mergeDyn(dyn, CORE_COUNT.test(raw) ? { reason: `${raw} is the host's core count`, cores: true } : { reason: `command substitution ${raw}` });
        text += '1';
      }
      i = close + 1;
      continue;
    }
    const m = /^\$?\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(t.slice(i));
    if (m && (t[i] === '$' || !/[A-Za-z0-9_]/.test(t[i - 1] ?? ''))) {
      const r = lookupVar(m[1]!, env, ctx);
      if (r.dyn) {
        dyn = mergeDyn(dyn, r.dyn);
        text += '1';
      } else if (r.value !== undefined && /^\s*-?\d+\s*$/.test(r.value)) text += `(${r.value.trim()})`;
      else if (r.value === undefined && !ctx.open) text += '0'; // unset variables are 0 in arithmetic
      else {
        dyn = mergeDyn(dyn, { reason: `$${m[1]} is not known`, env: [m[1]!] });
        text += '1';
      }
      i += m[0].length;
      continue;
    }
    text += t[i];
    i++;
  }
  const value = arithValue(text);
  if (dyn) return { dyn };
  return value === null ? { dyn: { reason: `arithmetic $((${t})) not evaluated` } } : { value };
}

/** Evaluates `+ - * / %` and parentheses over integers; null on anything else. */
function arithValue(src: string): number | null {
  const toks = src.match(/\d+|[-+*/%()]|\S/g) ?? [];
  let i = 0;
  const atom = (): number | null => {
    const tk = toks[i++];
    if (tk === undefined) return null;
    if (tk === '(') {
      const v = sum();
      if (toks[i++] !== ')') return null;
      return v;
    }
    if (tk === '-' || tk === '+') {
      const v = atom();
      return v === null ? null : tk === '-' ? -v : v;
    }
    return /^\d+$/.test(tk) ? Number(tk) : null;
  };
  const product = (): number | null => {
    let v = atom();
    while (v !== null && (toks[i] === '*' || toks[i] === '/' || toks[i] === '%')) {
      const op = toks[i++];
      const r = atom();
      if (r === null || (op !== '*' && r === 0)) return null;
      v = op === '*' ? v * r : op === '/' ? Math.trunc(v / r) : v % r;
    }
    return v;
  };
  const sum = (): number | null => {
    let v = product();
    while (v !== null && (toks[i] === '+' || toks[i] === '-')) {
      const op = toks[i++];
      const r = product();
      if (r === null) return null;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  return v !== null && i === toks.length && Number.isSafeInteger(v) ? v : null;
}

/** Expands one word without field splitting. */
function expandOne(raw: RawWord, env: Record<string, string>, mode: ShellMode, ctx: ExpandContext, depth = 0): Word {
  let value = '';
  let fallback = '';
  const offsets: number[] = [];
  let dyn: DynInfo | undefined;
  let hasFallback = false;
  const add = (text: string, at: number | number[], fb = text) => {
    value += text;
    fallback += fb;
    for (let k = 0; k < text.length; k++) offsets.push(Array.isArray(at) ? at[k] ?? at[at.length - 1] ?? 0 : at);
  };
  for (const seg of raw.segments) {
    if (seg.kind === 'lit') {
      add(seg.text, seg.offsets);
      continue;
    }
    if (seg.kind === 'subst') {
      if (CORE_COUNT.test(seg.raw) && typeof ctx.cpus === 'number') {
        add(String(ctx.cpus), seg.start);
        continue;
      }
      dyn = mergeDyn(dyn, CORE_COUNT.test(seg.raw) ? { reason: `${seg.raw} is the host's core count`, cores: true } : { reason: `command substitution ${seg.raw}` });
      add(seg.raw, seg.start);
      continue;
    }
    if (seg.kind === 'arith') {
      const r = evalArith(seg.expr, env, ctx);
      if (r.dyn) {
        dyn = mergeDyn(dyn, { ...r.dyn, reason: r.dyn.cores ? `${seg.raw} depends on the host's core count` : r.dyn.reason });
        add(seg.raw, seg.start);
      } else add(String(r.value), seg.start);
      continue;
    }
    const found = lookupVar(seg.name, env, ctx);
    if (found.dyn) {
      dyn = mergeDyn(dyn, { ...found.dyn, reason: found.dyn.reason.startsWith(`$${seg.name}`) ? found.dyn.reason : `$${seg.name} = ${found.dyn.reason}` });
      const text = seg.braced ? `\${${seg.name}}` : `$${seg.name}`;
      if (found.dyn.fallback !== undefined) hasFallback = true;
      add(text, seg.start, found.dyn.fallback ?? text);
      continue;
    }
    let v = found.value;
    if (seg.op) {
      const unsetOrEmpty = seg.op.startsWith(':') ? v === undefined || v === '' : v === undefined;
      const op = seg.op.replace(':', '');
      if ((op === '-' || op === '=') && unsetOrEmpty) {
        const d = expandDefault(seg.arg, env, mode, ctx, depth);
        if (d.dyn) dyn = mergeDyn(dyn, d.dyn);
        if (v === undefined && ctx.open && /^[A-Za-z_]/.test(seg.name)) {
          // The variable may be set where conftune cannot look: the default is only a fallback.
          dyn = mergeDyn(dyn, { reason: `$${seg.name} may be set by ${ctx.open}`, env: [seg.name] });
          hasFallback = true;
        }
        add(d.value, d.offsets.length ? d.offsets : seg.start, d.fallback ?? d.value);
        if (op === '=' && !d.dyn) env[seg.name] = d.value;
        continue;
      }
      if (op === '+') {
        if (unsetOrEmpty) v = '';
        else {
          const d = expandDefault(seg.arg, env, mode, ctx, depth);
          if (d.dyn) dyn = mergeDyn(dyn, d.dyn);
          add(d.value, d.offsets.length ? d.offsets : seg.start);
          continue;
        }
      }
    }
    if (v === undefined) {
      const positional = !/^[A-Za-z_]/.test(seg.name);
      dyn = mergeDyn(dyn, positional ? { reason: `$${seg.name} is not known` } : { reason: ctx.open ? `$${seg.name} comes from ${ctx.open}` : `$${seg.name} is not known`, env: [seg.name] });
      const text = seg.braced ? `\${${seg.name}}` : `$${seg.name}`;
      add(text, seg.start);
      continue;
    }
    add(v, seg.start);
  }
  offsets.push(raw.end);
  return { value, start: raw.start, end: raw.end, offsets, ...dynFields(dyn, hasFallback ? fallback : undefined) };
}

/** Expands parameters from `env`; an unquoted lone `$VAR` is split into several words. */
export function expandWord(raw: RawWord, env: Record<string, string>, mode: ShellMode, ctx: ExpandContext = {}): Word[] {
  const single = raw.segments.length === 1 ? raw.segments[0]! : null;
  const word = expandOne(raw, env, mode, ctx);
  // A lone unquoted `$VAR` (or `${VAR}` in sh) is split on whitespace into several words.
  if (single && single.kind === 'param' && !single.quoted && (mode === 'sh' || !single.braced) && !word.dynamic && /\s/.test(word.value.trim())) {
    return word.value
      .trim()
      .split(/\s+/)
      .map((part) => ({ value: part, start: raw.start, end: raw.end, offsets: Array(part.length + 1).fill(single.start) }));
  }
  return [word];
}

/** Named variables a script reads without a default (`$X`, `${X}`), in order; positional ones excluded. */
export function referencedVariables(tokens: ShellToken[]): Array<{ name: string; start: number }> {
  const out: Array<{ name: string; start: number }> = [];
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    for (const seg of t.word.segments) {
      if (seg.kind === 'param' && /^[A-Za-z_]/.test(seg.name) && (seg.op === null || seg.op.endsWith('+') || seg.op.endsWith('?'))) out.push({ name: seg.name, start: seg.start });
    }
  }
  return out;
}

/** Simple commands of a token stream: words between operators, redirections dropped. */
export function splitCommands(tokens: ShellToken[]): RawWord[][] {
  const out: RawWord[][] = [];
  let cur: RawWord[] = [];
  let skipNext = false;
  for (const t of tokens) {
    if (t.kind === 'op') {
      if (['<', '>', '>>', '>&', '&>', '<&', '>|', '<<'].includes(t.op)) {
        skipNext = true;
        continue;
      }
      if (cur.length) out.push(cur);
      cur = [];
      continue;
    }
    if (skipNext) {
      skipNext = false;
      continue;
    }
    cur.push(t.word);
  }
  if (cur.length) out.push(cur);
  return out;
}

/** Words of a text split like Python's `shlex.split` (no expansion). */
export function shlexSplit(input: MappedText): Word[] {
  return lexShell(input, 'shlex').flatMap((t) => (t.kind === 'word' ? expandWord(t.word, {}, 'shlex') : []));
}

/** The words of a Word's value, re-split (for `sh -c "…"`), keeping source offsets. */
export function wordAsText(w: Word): MappedText {
  return { text: w.value, offsets: w.offsets };
}
