// Python values as the static evaluator models them, with Python's formatting rules.

export type PyValue =
  | { t: 'int'; v: number; cpu?: boolean }
  | { t: 'float'; v: number; cpu?: boolean }
  | { t: 'str'; v: string; span?: { start: number; end: number } }
  | { t: 'bytes'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'none' }
  | { t: 'list' | 'tuple'; items: PyValue[] }
  | { t: 'dict'; entries: Array<[PyValue, PyValue]> }
  /** A value that depends on something not known statically. */
  | { t: 'dyn'; reason: string; cores?: boolean; env?: string[]; fallback?: PyValue }
  /** A function (a `def` or a lambda): hooks. */
  | { t: 'func'; name: string }
  /** A class defined in the file. */
  | { t: 'class'; name: string }
  /** An imported module or one of its attributes, by dotted path (`os.environ`, `multiprocessing.cpu_count`). */
  | { t: 'ref'; path: string }
  /** A bound method of a value (`'a,b'.split`). */
  | { t: 'method'; self: PyValue; name: string };

export const NONE: PyValue = { t: 'none' };

export function dyn(reason: string, flags?: { cores?: boolean; env?: string[] }): PyValue {
  if (!flags || (!flags.cores && !flags.env?.length)) return { t: 'dyn', reason };
  return { t: 'dyn', reason, ...(flags.cores ? { cores: true } : {}), ...(flags.env?.length ? { env: flags.env } : {}) };
}

/** A new Dynamic reason for a value computed from `from`, keeping what it depends on (cores, environment). */
export function dynFrom(from: PyValue | undefined, reason: string): PyValue {
  if (!from || from.t !== 'dyn') return dyn(reason);
  return dyn(reason, from);
}

/** Flags of several values merged (for a value computed from all of them). */
export function dynFlags(values: Array<PyValue | undefined>): { cores?: boolean; env?: string[] } {
  let cores = false;
  const env = new Set<string>();
  for (const v of values) {
    if (!v || v.t !== 'dyn') continue;
    if (v.cores) cores = true;
    for (const e of v.env ?? []) env.add(e);
  }
  return { ...(cores ? { cores } : {}), ...(env.size ? { env: [...env] } : {}) };
}

export function pyInt(v: number, cpu = false): PyValue {
  return cpu ? { t: 'int', v, cpu: true } : { t: 'int', v };
}

export function typeName(v: PyValue): string {
  switch (v.t) {
    case 'none':
      return 'NoneType';
    case 'func':
      return 'function';
    case 'class':
      return 'type';
    case 'ref':
      return 'module';
    case 'method':
      return 'builtin_function_or_method';
    case 'dyn':
      return 'unknown';
    default:
      return v.t;
  }
}

export function truthy(v: PyValue): boolean | null {
  switch (v.t) {
    case 'int':
    case 'float':
      return v.v !== 0;
    case 'bool':
      return v.v;
    case 'str':
    case 'bytes':
      return v.v.length > 0;
    case 'none':
      return false;
    case 'list':
    case 'tuple':
      return v.items.length > 0;
    case 'dict':
      return v.entries.length > 0;
    case 'dyn':
      return null;
    default:
      return true;
  }
}

export function isNumeric(v: PyValue): v is { t: 'int' | 'float'; v: number; cpu?: boolean } | { t: 'bool'; v: boolean } {
  return v.t === 'int' || v.t === 'float' || v.t === 'bool';
}

export function numOf(v: PyValue): number {
  if (v.t === 'bool') return v.v ? 1 : 0;
  return (v as { v: number }).v;
}

export function pyEquals(a: PyValue, b: PyValue): boolean {
  if (isNumeric(a) && isNumeric(b)) return numOf(a) === numOf(b);
  if (a.t !== b.t) return false;
  switch (a.t) {
    case 'str':
    case 'bytes':
      return a.v === (b as typeof a).v;
    case 'none':
      return true;
    case 'list':
    case 'tuple': {
      const bi = (b as typeof a).items;
      return a.items.length === bi.length && a.items.every((x, i) => pyEquals(x, bi[i]!));
    }
    case 'dict': {
      const be = (b as typeof a).entries;
      return a.entries.length === be.length && a.entries.every(([k, v]) => be.some(([k2, v2]) => pyEquals(k, k2) && pyEquals(v, v2)));
    }
    case 'func':
    case 'class':
      return a.name === (b as typeof a).name;
    case 'ref':
      return a.path === (b as typeof a).path;
    default:
      return false;
  }
}

/** Python's `repr(float)`. */
export function floatRepr(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return v.toFixed(1);
  let s = String(v);
  // JS writes 1e-7 / 1e+21; Python pads the exponent to two digits.
  s = s.replace(/e([+-])(\d)$/, 'e$10$2');
  if (/e/.test(s) && !/\./.test(s.split('e')[0]!)) return s;
  return s;
}

export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\x7f') out += '\\x' + ch.charCodeAt(0).toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

/** `str(v)`; null when it can't be known. */
export function pyStr(v: PyValue): string | null {
  switch (v.t) {
    case 'str':
      return v.v;
    case 'int':
      return String(v.v);
    case 'float':
      return floatRepr(v.v);
    case 'bool':
      return v.v ? 'True' : 'False';
    case 'none':
      return 'None';
    default:
      return pyRepr(v);
  }
}

export function pyRepr(v: PyValue): string | null {
  switch (v.t) {
    case 'str':
      return strRepr(v.v);
    case 'bytes':
      return 'b' + strRepr(v.v);
    case 'list':
    case 'tuple': {
      const parts = v.items.map(pyRepr);
      if (parts.some((p) => p === null)) return null;
      if (v.t === 'list') return `[${parts.join(', ')}]`;
      return parts.length === 1 ? `(${parts[0]},)` : `(${parts.join(', ')})`;
    }
    case 'dict': {
      const parts = v.entries.map(([k, x]) => {
        const a = pyRepr(k);
        const b = pyRepr(x);
        return a === null || b === null ? null : `${a}: ${b}`;
      });
      if (parts.some((p) => p === null)) return null;
      return `{${parts.join(', ')}}`;
    }
    case 'dyn':
    case 'ref':
    case 'method':
      return null;
    case 'func':
      return `<function ${v.name}>`;
    case 'class':
      return `<class '${v.name}'>`;
    default:
      return pyStr(v);
  }
}

/** Applies a format spec (`>8`, `05d`, `.2f`, `x`, `,`) the way `format()` does; null if unsupported. */
export function formatWithSpec(v: PyValue, spec: string): string | null {
  if (spec === '') return pyStr(v);
  const m = /^(?:(.)?([<>^=]))?([+\- ])?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/.exec(spec);
  if (!m) return null;
  const [, fillRaw, alignRaw, sign, , zero, widthText, grouping, precisionText, type] = m;
  const width = widthText ? Number(widthText) : 0;
  const precision = precisionText !== undefined ? Number(precisionText) : undefined;
  let body: string;
  let numeric = false;
  if (v.t === 'str') {
    if (type && type !== 's') return null;
    body = precision !== undefined ? v.v.slice(0, precision) : v.v;
  } else if (isNumeric(v)) {
    numeric = true;
    const n = numOf(v);
    const isInt = v.t !== 'float';
    const t = type ?? (isInt ? 'd' : '');
    const abs = Math.abs(n);
    switch (t) {
      case 'd':
      case 'n':
        if (!isInt) return null;
        body = String(abs);
        break;
      case 'x':
      case 'X':
      case 'o':
      case 'b':
        if (!isInt) return null;
        body = abs.toString(t === 'o' ? 8 : t === 'b' ? 2 : 16);
        if (t === 'X') body = body.toUpperCase();
        break;
      case 'f':
      case 'F':
        body = abs.toFixed(precision ?? 6);
        break;
      case '%':
        body = (abs * 100).toFixed(precision ?? 6) + '%';
        break;
      case '':
        body = precision !== undefined ? null! : floatRepr(abs);
        if (body === null) return null;
        break;
      default:
        return null;
    }
    if (grouping) {
      const [intPart, frac] = body.split('.');
      body = intPart!.replace(/\B(?=(\d{3})+(?!\d))/g, grouping) + (frac !== undefined ? '.' + frac : '');
    }
    const signText = n < 0 || Object.is(n, -0) ? '-' : sign === '+' ? '+' : sign === ' ' ? ' ' : '';
    if (zero && !alignRaw && body.length + signText.length < width) body = '0'.repeat(width - body.length - signText.length) + body;
    body = signText + body;
  } else {
    if (spec) return null;
    const s = pyStr(v);
    if (s === null) return null;
    body = s;
  }
  const align = alignRaw ?? (numeric ? '>' : '<');
  const fill = fillRaw ?? ' ';
  if (body.length >= width) return body;
  const pad = width - body.length;
  if (align === '<') return body + fill.repeat(pad);
  if (align === '>' || align === '=') return fill.repeat(pad) + body;
  const left = Math.floor(pad / 2);
  return fill.repeat(left) + body + fill.repeat(pad - left);
}
