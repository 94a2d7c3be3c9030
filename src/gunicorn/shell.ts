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
  | { kind: 'param'; name: string; op: string | null; arg: string; quoted: boolean; braced: boolean; start: number; end: number }
  | { kind: 'subst'; raw: string; start: number; end: number };

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
      else segs.push({ kind: 'param', name: m[1]!, op: m[2] ?? null, arg: m[3] ?? '', quoted, braced: true, start: at(k), end: at(close + 1) });
      return close + 1;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*|\d|[@*#?$!-])/.exec(rest);
    if (!m) {
      addChar('$', k, quoted);
      return k + 1;
    }
    flushLit();
    segs.push({ kind: 'param', name: m[1]!, op: null, arg: '', quoted, braced: false, start: at(k), end: at(k + 1 + m[1]!.length) });
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
    if (text[k] === o) depth++;
    else if (text[k] === c) {
      depth--;
      if (depth === 0) return k;
    }
  }
  return text.length - 1;
}

/** Expands parameters from `env`; an unquoted lone `$VAR` is split into several words. */
export function expandWord(raw: RawWord, env: Record<string, string>, mode: ShellMode): Word[] {
  let value = '';
  const offsets: number[] = [];
  let dynamic: string | undefined;
  const single = raw.segments.length === 1 ? raw.segments[0]! : null;
  for (const seg of raw.segments) {
    if (seg.kind === 'lit') {
      value += seg.text;
      offsets.push(...seg.offsets.slice(0, seg.text.length));
      continue;
    }
    if (seg.kind === 'subst') {
      dynamic ??= `command substitution ${seg.raw}`;
      value += seg.raw;
      for (let k = 0; k < seg.raw.length; k++) offsets.push(seg.start);
      continue;
    }
    let v = env[seg.name];
    if (seg.op) {
      const unsetOrEmpty = seg.op.startsWith(':') ? v === undefined || v === '' : v === undefined;
      const op = seg.op.replace(':', '');
      if ((op === '-' || op === '=') && unsetOrEmpty) v = seg.arg;
      else if (op === '+') v = unsetOrEmpty ? '' : seg.arg;
    }
    if (v === undefined) {
      dynamic ??= `$${seg.name} is not known`;
      const text = seg.braced ? `\${${seg.name}}` : `$${seg.name}`;
      value += text;
      for (let k = 0; k < text.length; k++) offsets.push(seg.start);
      continue;
    }
    // A lone unquoted `$VAR` (or `${VAR}` in sh) is split on whitespace into several words.
    if (single === seg && !seg.quoted && (mode === 'sh' || !seg.braced) && /\s/.test(v.trim()) ) {
      return v
        .trim()
        .split(/\s+/)
        .map((part) => ({ value: part, start: raw.start, end: raw.end, offsets: Array(part.length + 1).fill(seg.start) }));
    }
    value += v;
    for (let k = 0; k < v.length; k++) offsets.push(seg.start);
  }
  offsets.push(raw.end);
  return [{ value, start: raw.start, end: raw.end, offsets, ...(dynamic ? { dynamic } : {}) }];
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
