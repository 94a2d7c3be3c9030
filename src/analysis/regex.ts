// A small PCRE parser for the regexes nginx compiles (location ~, if ~, map ~, rewrite, server_name ~,
// valid_referers ~ …). It never throws and never backtracks: one left-to-right pass that builds an
// AST and collects the errors PCRE2 would report. On top of it: capture-group facts (count, names,
// which characters a group may hold), anchoring, a ReDoS heuristic and a sample generator that the
// origins rule uses to find strings a "trusted origin" regex accepts.
//
// Character sets are 256-bit bitmaps (Latin-1) plus one flag for "some character above U+00FF",
// so intersections are a handful of integer ANDs.

// ---- character sets ---------------------------------------------------------------------------

export interface CharSet {
  bits: Uint32Array;
  /** Whether characters above U+00FF are included. */
  high: boolean;
}

export function emptySet(): CharSet {
  return { bits: new Uint32Array(8), high: false };
}

export function fullSet(): CharSet {
  return { bits: new Uint32Array(8).fill(0xffffffff), high: true };
}

function addCode(s: CharSet, c: number): void {
  if (c > 255) s.high = true;
  else s.bits[c >> 5]! |= 1 << (c & 31);
}

function addRange(s: CharSet, from: number, to: number): void {
  for (let c = from; c <= Math.min(to, 255); c++) addCode(s, c);
  if (to > 255) s.high = true;
}

export function hasChar(s: CharSet, ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c > 255) return s.high;
  return (s.bits[c >> 5]! & (1 << (c & 31))) !== 0;
}

function hasCode(s: CharSet, c: number): boolean {
  if (c > 255) return s.high;
  return (s.bits[c >> 5]! & (1 << (c & 31))) !== 0;
}

export function unionSets(a: CharSet, b: CharSet): CharSet {
  const out = emptySet();
  for (let i = 0; i < 8; i++) out.bits[i] = a.bits[i]! | b.bits[i]!;
  out.high = a.high || b.high;
  return out;
}

function unionInto(a: CharSet, b: CharSet): void {
  for (let i = 0; i < 8; i++) a.bits[i]! |= b.bits[i]!;
  a.high ||= b.high;
}

function negateSet(a: CharSet): CharSet {
  const out = emptySet();
  for (let i = 0; i < 8; i++) out.bits[i] = ~a.bits[i]! >>> 0;
  out.high = !a.high;
  return out;
}

export function intersects(a: CharSet, b: CharSet): boolean {
  for (let i = 0; i < 8; i++) if ((a.bits[i]! & b.bits[i]!) !== 0) return true;
  return a.high && b.high;
}

function setOf(chars: string): CharSet {
  const s = emptySet();
  for (const ch of chars) addCode(s, ch.charCodeAt(0));
  return s;
}

function rangeSet(ranges: Array<[number, number]>): CharSet {
  const s = emptySet();
  for (const [a, b] of ranges) addRange(s, a, b);
  return s;
}

const DIGIT = rangeSet([[48, 57]]);
const WORD = rangeSet([[48, 57], [65, 90], [97, 122], [95, 95]]);
const SPACE = setOf(' \t\n\v\f\r');
const HSPACE = setOf(' \t\xa0');
const VSPACE = setOf('\n\v\f\r\x85');

const POSIX: Record<string, CharSet> = {
  alnum: rangeSet([[48, 57], [65, 90], [97, 122]]),
  alpha: rangeSet([[65, 90], [97, 122]]),
  ascii: rangeSet([[0, 127]]),
  blank: setOf(' \t'),
  cntrl: rangeSet([[0, 31], [127, 127]]),
  digit: DIGIT,
  graph: rangeSet([[33, 126]]),
  lower: rangeSet([[97, 122]]),
  print: rangeSet([[32, 126]]),
  punct: rangeSet([[33, 47], [58, 64], [91, 96], [123, 126]]),
  space: SPACE,
  upper: rangeSet([[65, 90]]),
  word: WORD,
  xdigit: rangeSet([[48, 57], [65, 70], [97, 102]]),
};

/** Adds the other case of every ASCII letter in the set. */
function caseFold(s: CharSet): CharSet {
  const out = unionSets(s, emptySet());
  for (let c = 65; c <= 90; c++) {
    if (hasCode(s, c)) addCode(out, c + 32);
    if (hasCode(s, c + 32)) addCode(out, c);
  }
  return out;
}

// ---- AST -----------------------------------------------------------------------------------

export type RegexNode =
  | { t: 'seq'; items: RegexNode[]; start: number; end: number }
  | { t: 'alt'; alts: RegexNode[]; start: number; end: number }
  | { t: 'chars'; set: CharSet; start: number; end: number }
  | { t: 'group'; kind: GroupKind; index?: number; name?: string; body: RegexNode; start: number; end: number }
  | { t: 'repeat'; min: number; max: number; mode: 'greedy' | 'lazy' | 'possessive'; body: RegexNode; start: number; end: number }
  | { t: 'assert'; kind: string; start: number; end: number }
  | { t: 'backref'; start: number; end: number };

export type GroupKind = 'capture' | 'plain' | 'atomic' | 'lookahead' | 'lookbehind' | 'conditional' | 'recurse';

export interface RegexError {
  message: string;
  /** Offset in the pattern. */
  offset: number;
}

export interface CaptureGroup {
  index: number;
  name?: string;
  node: RegexNode;
}

export interface ParsedRegex {
  source: string;
  ast: RegexNode;
  errors: RegexError[];
  groups: CaptureGroup[];
  /** Named groups: name → index. */
  names: Map<string, number>;
}

interface Flags {
  i: boolean;
  s: boolean;
  x: boolean;
  m: boolean;
  J: boolean;
}

const MAX_REPEAT = 65535;
/** Deeper nesting than this is reported (PCRE2's default parens limit is 250). */
const MAX_DEPTH = 250;

/**
 * Parses a PCRE pattern. `caseInsensitive` is nginx's `~*`. Never throws; errors are collected.
 * Runs in time linear in the pattern length.
 */
export function parseRegex(source: string, caseInsensitive = false): ParsedRegex {
  const p = new Parser(source, { i: caseInsensitive, s: false, x: false, m: false, J: false });
  const ast = p.parseAlternation(0);
  if (p.pos < source.length && source[p.pos] === ')') {
    p.error('unmatched closing parenthesis', p.pos);
  }
  for (const ref of p.backrefs) {
    if (typeof ref.ref === 'number' ? ref.ref > p.groups.length || ref.ref === 0 : !p.names.has(ref.ref)) {
      p.error(typeof ref.ref === 'number' ? 'reference to non-existent subpattern' : `reference to non-existent subpattern "${ref.ref}"`, ref.offset);
    }
  }
  return { source, ast, errors: p.errors, groups: p.groups, names: p.names };
}

class Parser {
  pos = 0;
  errors: RegexError[] = [];
  groups: CaptureGroup[] = [];
  names = new Map<string, number>();
  backrefs: Array<{ ref: number | string; offset: number }> = [];

  constructor(readonly src: string, public flags: Flags) {}

  error(message: string, offset: number): void {
    // One error is enough to say PCRE rejects the pattern; keep the first few for messages.
    if (this.errors.length < 5) this.errors.push({ message, offset });
  }

  parseAlternation(depth: number): RegexNode {
    const start = this.pos;
    const alts: RegexNode[] = [this.parseSequence(depth)];
    while (this.pos < this.src.length && this.src[this.pos] === '|') {
      this.pos++;
      alts.push(this.parseSequence(depth));
    }
    return alts.length === 1 ? alts[0]! : { t: 'alt', alts, start, end: this.pos };
  }

  private skipExtended(): void {
    if (!this.flags.x) return;
    const s = this.src;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') this.pos++;
      else if (c === '#') {
        while (this.pos < s.length && s[this.pos] !== '\n') this.pos++;
      } else break;
    }
  }

  parseSequence(depth: number): RegexNode {
    const start = this.pos;
    const items: RegexNode[] = [];
    const s = this.src;
    for (;;) {
      this.skipExtended();
      if (this.pos >= s.length) break;
      const c = s[this.pos]!;
      if (c === '|' || c === ')') break;
      const atomStart = this.pos;
      if (c === '*' || c === '+' || c === '?' || (c === '{' && this.quantifierAt(this.pos))) {
        const prev = items[items.length - 1];
        this.error(prev && prev.t === 'repeat' ? 'quantifier does not follow a repeatable item (nested quantifier)' : 'quantifier does not follow a repeatable item', this.pos);
        this.pos++;
        if (c === '{') while (this.pos < s.length && s[this.pos - 1] !== '}') this.pos++;
        continue;
      }
      const atom = this.parseAtom(depth);
      if (!atom) continue;
      this.skipExtended();
      const q = this.parseQuantifier();
      if (q) {
        if (atom.t === 'assert' && atom.kind !== 'K') this.error('quantifier does not follow a repeatable item', q.offset);
        items.push({ t: 'repeat', min: q.min, max: q.max, mode: q.mode, body: atom, start: atomStart, end: this.pos });
      } else items.push(atom);
    }
    return { t: 'seq', items, start, end: this.pos };
  }

  /** `{n}`, `{n,}`, `{n,m}` at `at` (anything else is a literal `{` in PCRE). */
  quantifierAt(at: number): { min: number; max: number; len: number } | null {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(at, at + 24));
    if (!m) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    return { min, max, len: m[0].length };
  }

  private parseQuantifier(): { min: number; max: number; mode: 'greedy' | 'lazy' | 'possessive'; offset: number } | null {
    const s = this.src;
    const offset = this.pos;
    let min: number;
    let max: number;
    const c = s[this.pos];
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const q = this.quantifierAt(this.pos);
      if (!q) return null;
      [min, max] = [q.min, q.max];
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT)) this.error('number too big in {} quantifier', this.pos);
      else if (max < min) this.error('numbers out of order in {} quantifier', this.pos);
      this.pos += q.len - 1;
    } else return null;
    this.pos++;
    let mode: 'greedy' | 'lazy' | 'possessive' = 'greedy';
    if (s[this.pos] === '?') {
      mode = 'lazy';
      this.pos++;
    } else if (s[this.pos] === '+') {
      mode = 'possessive';
      this.pos++;
    }
    return { min, max, mode, offset };
  }

  private parseAtom(depth: number): RegexNode | null {
    const s = this.src;
    const start = this.pos;
    const c = s[this.pos]!;
    if (c === '(') return this.parseGroup(depth);
    if (c === '[') return this.parseClass();
    if (c === '.') {
      this.pos++;
      return { t: 'chars', set: this.flags.s ? fullSet() : negateSet(setOf('\n')), start, end: this.pos };
    }
    if (c === '^' || c === '$') {
      this.pos++;
      return { t: 'assert', kind: c, start, end: this.pos };
    }
    if (c === '\\') return this.parseEscape();
    this.pos++;
    return this.literal(c.charCodeAt(0), start);
  }

  private literal(code: number, start: number): RegexNode {
    const set = emptySet();
    addCode(set, code);
    return { t: 'chars', set: this.flags.i ? caseFold(set) : set, start, end: this.pos };
  }

  private parseGroup(depth: number): RegexNode | null {
    const s = this.src;
    const start = this.pos;
    this.pos++; // (
    if (depth + 1 > MAX_DEPTH) {
      this.error('parentheses are too deeply nested', start);
      // Skip to the end: deeper analysis would only repeat the error.
      this.pos = s.length;
      return null;
    }
    let kind: GroupKind = 'capture';
    let name: string | undefined;
    const saved = { ...this.flags };
    if (s[this.pos] === '*') {
      // Verbs and start-of-pattern options: (*UTF8), (*UCP), (*FAIL), (*SKIP) …
      const close = s.indexOf(')', this.pos);
      if (close === -1) {
        this.error('missing closing parenthesis', start);
        this.pos = s.length;
        return null;
      }
      this.pos = close + 1;
      return { t: 'assert', kind: 'verb', start, end: this.pos };
    }
    if (s[this.pos] === '?') {
      this.pos++;
      const c = s[this.pos];
      const rest = s.slice(this.pos, this.pos + 3);
      if (c === ':') {
        kind = 'plain';
        this.pos++;
      } else if (c === '>') {
        kind = 'atomic';
        this.pos++;
      } else if (c === '|') {
        kind = 'plain';
        this.pos++;
      } else if (c === '=' || c === '!') {
        kind = 'lookahead';
        this.pos++;
      } else if (rest.startsWith('<=') || rest.startsWith('<!')) {
        kind = 'lookbehind';
        this.pos += 2;
      } else if (c === '#') {
        const close = s.indexOf(')', this.pos);
        if (close === -1) {
          this.error('missing ) after (?# comment', start);
          this.pos = s.length;
        } else this.pos = close + 1;
        return null;
      } else if (c === '<' || c === "'" || (c === 'P' && s[this.pos + 1] === '<')) {
        if (c === 'P') this.pos++;
        const close = s[this.pos] === "'" ? "'" : '>';
        this.pos++;
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(this.pos, this.pos + 64));
        if (!m) {
          this.error('subpattern name expected', this.pos);
        } else {
          name = m[0];
          this.pos += name.length;
        }
        if (s[this.pos] !== close) this.error(`syntax error in subpattern name (missing terminator?)`, this.pos);
        else this.pos++;
      } else if (c === 'P' && (s[this.pos + 1] === '=' || s[this.pos + 1] === '>')) {
        // (?P=name) back reference, (?P>name) recursion.
        const isRef = s[this.pos + 1] === '=';
        this.pos += 2;
        const m = /^([A-Za-z_][A-Za-z0-9_]*)\)/.exec(s.slice(this.pos, this.pos + 64));
        if (!m) {
          this.error('syntax error in subpattern name (missing terminator?)', this.pos);
          return null;
        }
        if (isRef) this.backrefs.push({ ref: m[1]!, offset: start });
        this.pos += m[0].length;
        return { t: 'backref', start, end: this.pos };
      } else if (c === '&' || c === 'R' || (c !== undefined && /[0-9+-]/.test(c) && /^[+-]?\d+\)/.test(s.slice(this.pos, this.pos + 8)))) {
        // Recursion / subroutine calls: (?R) (?1) (?-1) (?&name)
        const close = s.indexOf(')', this.pos);
        if (close === -1) {
          this.error('missing closing parenthesis', start);
          this.pos = s.length;
          return null;
        }
        this.pos = close + 1;
        return { t: 'backref', start, end: this.pos };
      } else if (c === '(') {
        kind = 'conditional';
        const close = s.indexOf(')', this.pos);
        if (close === -1) {
          this.error('missing closing parenthesis for condition', this.pos);
          this.pos = s.length;
          return null;
        }
        this.pos = close + 1;
      } else if (c === 'C') {
        const close = s.indexOf(')', this.pos);
        this.pos = close === -1 ? s.length : close + 1;
        return null;
      } else {
        // Option settings: (?i) (?-i) (?i:…) (?imsx-imsx)
        const m = /^\^?[a-zA-Z]*(?:-[a-zA-Z]*)?/.exec(s.slice(this.pos, this.pos + 32))!;
        const letters = m[0];
        const after = s[this.pos + letters.length];
        if (!/^\^?[imsxnJUB]*(?:-[imsxnJUB]*)?$/.test(letters) || (after !== ')' && after !== ':')) {
          this.error('unrecognized character after (? or (?-', this.pos);
          // Skip the group so the rest still parses.
        }
        let on = true;
        for (const ch of letters) {
          if (ch === '-') on = false;
          else if (ch === 'i' || ch === 's' || ch === 'x' || ch === 'm' || ch === 'J') this.flags[ch] = on;
        }
        this.pos += letters.length;
        if (after === ')') {
          // Applies to the rest of the enclosing group.
          this.pos++;
          return null;
        }
        if (after === ':') this.pos++;
        kind = 'plain';
      }
    }
    let index: number | undefined;
    let group: CaptureGroup | undefined;
    if (kind === 'capture') {
      index = this.groups.length + 1;
      group = { index, name, node: null as unknown as RegexNode };
      this.groups.push(group);
      if (name !== undefined) {
        if (this.names.has(name) && !this.flags.J) this.error(`two named subpatterns have the same name "${name}"`, start);
        else if (!this.names.has(name)) this.names.set(name, index);
      }
    }
    const body = this.parseAlternation(depth + 1);
    if (s[this.pos] !== ')') {
      this.error('missing closing parenthesis', start);
    } else this.pos++;
    this.flags = saved;
    const node: RegexNode = { t: 'group', kind, index, name, body, start, end: this.pos };
    if (group) group.node = node;
    return node;
  }

  private parseClass(): RegexNode {
    const s = this.src;
    const start = this.pos;
    this.pos++; // [
    let negate = false;
    if (s[this.pos] === '^') {
      negate = true;
      this.pos++;
    }
    const set = emptySet();
    let first = true;
    let closed = false;
    while (this.pos < s.length) {
      const c = s[this.pos]!;
      if (c === ']' && !first) {
        this.pos++;
        closed = true;
        break;
      }
      first = false;
      // POSIX class [:name:]
      if (c === '[' && (s[this.pos + 1] === ':' || s[this.pos + 1] === '.' || s[this.pos + 1] === '=')) {
        const m = /^\[([:.=])(\^?)([a-z]*)\1\]/.exec(s.slice(this.pos, this.pos + 24));
        if (m) {
          if (m[1] !== ':') this.error(`POSIX collating elements are not supported`, this.pos);
          const cls = POSIX[m[3]!];
          if (!cls) this.error('unknown POSIX class name', this.pos);
          else unionInto(set, m[2] ? negateSet(cls) : cls);
          this.pos += m[0].length;
          continue;
        }
      }
      const lo = this.classAtom();
      if (lo === null) continue;
      if (typeof lo !== 'number') {
        unionInto(set, lo);
        if (s[this.pos] === '-' && s[this.pos + 1] !== ']' && this.pos + 1 < s.length) this.error('invalid range in character class', this.pos);
        continue;
      }
      if (s[this.pos] === '-' && s[this.pos + 1] !== ']' && this.pos + 1 < s.length) {
        const dash = this.pos;
        this.pos++;
        if (s[this.pos] === '[' && s[this.pos + 1] === ':') {
          this.error('invalid range in character class', dash);
          addCode(set, lo);
          addCode(set, 45);
          continue;
        }
        const hi = this.classAtom();
        if (hi === null) {
          addCode(set, lo);
          continue;
        }
        if (typeof hi !== 'number') {
          this.error('invalid range in character class', dash);
          unionInto(set, hi);
          addCode(set, lo);
          continue;
        }
        if (hi < lo) this.error('range out of order in character class', dash);
        else addRange(set, lo, hi);
        continue;
      }
      addCode(set, lo);
    }
    if (!closed) this.error('missing terminating ] for character class', start);
    let out = this.flags.i ? caseFold(set) : set;
    if (negate) out = negateSet(out);
    return { t: 'chars', set: out, start, end: this.pos };
  }

  /** One class member: a code point, a set (\d …), or null when nothing was consumed usefully. */
  private classAtom(): number | CharSet | null {
    const s = this.src;
    const c = s[this.pos]!;
    if (c !== '\\') {
      this.pos++;
      return c.charCodeAt(0);
    }
    const e = s[this.pos + 1];
    if (e === undefined) {
      this.error('\\ at end of pattern', this.pos);
      this.pos++;
      return null;
    }
    const set = classEscapeSet(e);
    if (set) {
      this.pos += 2;
      return set;
    }
    if (e === 'b') {
      this.pos += 2;
      return 8;
    }
    if (e === 'Q') {
      const end = s.indexOf('\\E', this.pos + 2);
      const text = s.slice(this.pos + 2, end === -1 ? s.length : end);
      this.pos = end === -1 ? s.length : end + 2;
      return text.length > 0 ? setOf(text) : null;
    }
    if (e === 'E') {
      this.pos += 2;
      return null;
    }
    if (e === 'p' || e === 'P') return this.unicodeProperty();
    if ('BRXN'.includes(e)) {
      this.error(`escape sequence is invalid in character class`, this.pos);
      this.pos += 2;
      return null;
    }
    return this.charEscape();
  }

  private unicodeProperty(): CharSet {
    const s = this.src;
    const neg = s[this.pos + 1] === 'P';
    this.pos += 2;
    if (s[this.pos] === '{') {
      const close = s.indexOf('}', this.pos);
      if (close === -1) {
        this.error('malformed \\P or \\p sequence', this.pos);
        this.pos = s.length;
      } else this.pos = close + 1;
    } else if (this.pos < s.length) this.pos++;
    else this.error('malformed \\P or \\p sequence', this.pos);
    // Approximation: letters and digits of any script.
    const approx = unionSets(POSIX.alnum!, { bits: new Uint32Array(8), high: true });
    return neg ? negateSet(approx) : approx;
  }

  /** Escapes that stand for one character: \n \t \xhh \x{h…} \ddd \o{…} \cX, and escaped punctuation. */
  private charEscape(): number | null {
    const s = this.src;
    const at = this.pos;
    const e = s[this.pos + 1]!;
    this.pos += 2;
    const simple: Record<string, number> = { n: 10, r: 13, t: 9, f: 12, e: 27, a: 7 };
    if (e in simple) return simple[e]!;
    if (e === 'x') {
      if (s[this.pos] === '{') {
        const m = /^\{([0-9a-fA-F]+)\}/.exec(s.slice(this.pos, this.pos + 12));
        if (!m) {
          this.error('\\x{ is not followed by hexadecimal digits and }', at);
          return null;
        }
        this.pos += m[0].length;
        return parseInt(m[1]!, 16);
      }
      const m = /^[0-9a-fA-F]{0,2}/.exec(s.slice(this.pos, this.pos + 2))!;
      this.pos += m[0].length;
      return m[0] ? parseInt(m[0], 16) : 0;
    }
    if (e === 'o') {
      const m = /^\{([0-7]+)\}/.exec(s.slice(this.pos, this.pos + 14));
      if (!m) {
        this.error('\\o{ is missing or is not followed by octal digits and }', at);
        return null;
      }
      this.pos += m[0].length;
      return parseInt(m[1]!, 8);
    }
    if (e === 'c') {
      const x = s[this.pos];
      if (x === undefined || x.charCodeAt(0) > 126) {
        this.error('\\c must be followed by a printable ASCII character', at);
        return null;
      }
      this.pos++;
      return x.toUpperCase().charCodeAt(0) ^ 0x40;
    }
    if (e >= '0' && e <= '7') {
      const m = /^[0-7]{0,2}/.exec(s.slice(this.pos, this.pos + 2))!;
      this.pos += m[0].length;
      return parseInt(e + m[0], 8);
    }
    if (/[A-Za-z0-9]/.test(e)) {
      // PCRE2 (nginx ≥ 1.21.5 links it) rejects unknown letter escapes.
      this.error(`unrecognized character follows \\ (\\${e})`, at);
      return e.charCodeAt(0);
    }
    return e.charCodeAt(0);
  }

  private parseEscape(): RegexNode | null {
    const s = this.src;
    const start = this.pos;
    const e = s[this.pos + 1];
    if (e === undefined) {
      this.error('\\ at end of pattern', this.pos);
      this.pos++;
      return null;
    }
    const set = classEscapeSet(e) ?? (e === 'N' ? negateSet(setOf('\n')) : e === 'X' || e === 'C' ? fullSet() : e === 'R' ? VSPACE : null);
    if (set) {
      this.pos += 2;
      return { t: 'chars', set, start, end: this.pos };
    }
    if ('bBAzZGK'.includes(e)) {
      this.pos += 2;
      return { t: 'assert', kind: e, start, end: this.pos };
    }
    if (e === 'Q') {
      const end = s.indexOf('\\E', this.pos + 2);
      const text = s.slice(this.pos + 2, end === -1 ? s.length : end);
      this.pos = end === -1 ? s.length : end + 2;
      const items: RegexNode[] = [];
      for (const ch of text) items.push(this.literal(ch.charCodeAt(0), start));
      return { t: 'seq', items, start, end: this.pos };
    }
    if (e === 'E') {
      this.pos += 2;
      return null;
    }
    if (e === 'p' || e === 'P') {
      const set2 = this.unicodeProperty();
      return { t: 'chars', set: set2, start, end: this.pos };
    }
    if (e >= '1' && e <= '9') {
      // \1–\9 are always back references; \10+ too when that many groups exist by the end (we
      // cannot know yet, so treat multi-digit numbers as references and let the check decide).
      const m = /^\d+/.exec(s.slice(this.pos + 1, this.pos + 6))!;
      const n = Number(m[0]);
      if (n >= 10 && /^[0-7]+$/.test(m[0]) && n > this.groups.length) {
        return this.literalEscape(start);
      }
      this.pos += 1 + m[0].length;
      this.backrefs.push({ ref: n, offset: start });
      return { t: 'backref', start, end: this.pos };
    }
    if (e === 'g' || e === 'k') {
      const m = /^(?:\{(-?\d+|[A-Za-z_]\w*)\}|<([A-Za-z_]\w*)>|'([A-Za-z_]\w*)'|(-?\d+))/.exec(s.slice(this.pos + 2, this.pos + 70));
      if (!m || (e === 'k' && m[4] !== undefined) || (e === 'k' && m[1] !== undefined && /^-?\d/.test(m[1]))) {
        // \g<…> is a subroutine call in PCRE; accept it.
        const sub = e === 'g' ? /^(?:<[^>]+>|'[^']+')/.exec(s.slice(this.pos + 2, this.pos + 70)) : null;
        if (sub) {
          this.pos += 2 + sub[0].length;
          return { t: 'backref', start, end: this.pos };
        }
        this.error(e === 'g' ? 'a numbered reference must not be zero' : '\\k is not followed by a braced, angle-bracketed, or quoted name', start);
        this.pos += 2;
        return null;
      }
      const ref = m[1] ?? m[2] ?? m[3] ?? m[4]!;
      this.pos += 2 + m[0].length;
      if (/^-\d+$/.test(ref)) {
        const abs = this.groups.length + 1 + Number(ref);
        if (abs < 1) this.error('reference to non-existent subpattern', start);
      } else this.backrefs.push({ ref: /^\d+$/.test(ref) ? Number(ref) : ref, offset: start });
      return { t: 'backref', start, end: this.pos };
    }
    return this.literalEscape(start);
  }

  private literalEscape(start: number): RegexNode | null {
    const code = this.charEscape();
    if (code === null) return null;
    return this.literal(code, start);
  }
}

function classEscapeSet(e: string): CharSet | null {
  switch (e) {
    case 'd': return DIGIT;
    case 'D': return negateSet(DIGIT);
    case 'w': return WORD;
    case 'W': return negateSet(WORD);
    case 's': return SPACE;
    case 'S': return negateSet(SPACE);
    case 'h': return HSPACE;
    case 'H': return negateSet(HSPACE);
    case 'v': return VSPACE;
    case 'V': return negateSet(VSPACE);
    default: return null;
  }
}

// ---- facts -----------------------------------------------------------------------------------

/** Whether the node can match the empty string. */
export function nullable(n: RegexNode): boolean {
  switch (n.t) {
    case 'seq': return n.items.every(nullable);
    case 'alt': return n.alts.some(nullable);
    case 'chars': return false;
    case 'group': return n.kind === 'lookahead' || n.kind === 'lookbehind' || n.kind === 'recurse' || nullable(n.body);
    case 'repeat': return n.min === 0 || nullable(n.body);
    case 'assert': return true;
    case 'backref': return true;
  }
}

/** Characters that can start a match of the node. */
export function firstSet(n: RegexNode): CharSet {
  switch (n.t) {
    case 'seq': {
      const out = emptySet();
      for (const it of n.items) {
        unionInto(out, firstSet(it));
        if (!nullable(it)) break;
      }
      return out;
    }
    case 'alt': {
      const out = emptySet();
      for (const a of n.alts) unionInto(out, firstSet(a));
      return out;
    }
    case 'chars': return n.set;
    case 'group': return n.kind === 'lookahead' || n.kind === 'lookbehind' ? emptySet() : firstSet(n.body);
    case 'repeat': return n.max === 0 ? emptySet() : firstSet(n.body);
    case 'assert': return emptySet();
    case 'backref': return fullSet();
  }
}

/** Every character the node can consume anywhere in its match. */
export function charsOf(n: RegexNode): CharSet {
  switch (n.t) {
    case 'seq': {
      const out = emptySet();
      for (const it of n.items) unionInto(out, charsOf(it));
      return out;
    }
    case 'alt': {
      const out = emptySet();
      for (const a of n.alts) unionInto(out, charsOf(a));
      return out;
    }
    case 'chars': return n.set;
    case 'group': return n.kind === 'lookahead' || n.kind === 'lookbehind' ? emptySet() : charsOf(n.body);
    case 'repeat': return n.max === 0 ? emptySet() : charsOf(n.body);
    case 'assert': return emptySet();
    case 'backref': return fullSet();
  }
}

/** Characters a capture group can hold (by number). */
export function groupChars(r: ParsedRegex, index: number): CharSet | null {
  const g = r.groups[index - 1];
  return g ? charsOf(g.node) : null;
}

function edgeAnchored(n: RegexNode, side: 'start' | 'end'): boolean {
  const kinds = side === 'start' ? ['^', 'A'] : ['$', 'z', 'Z'];
  switch (n.t) {
    case 'assert': return kinds.includes(n.kind);
    case 'alt': return n.alts.length > 0 && n.alts.every((a) => edgeAnchored(a, side));
    case 'group': return (n.kind === 'capture' || n.kind === 'plain' || n.kind === 'atomic') && edgeAnchored(n.body, side);
    case 'seq': {
      const items = side === 'start' ? n.items : [...n.items].reverse();
      for (const it of items) {
        if (edgeAnchored(it, side)) return true;
        // Zero-width lookarounds and verbs don't move the edge.
        if (it.t === 'assert' || (it.t === 'group' && (it.kind === 'lookahead' || it.kind === 'lookbehind'))) continue;
        return false;
      }
      return false;
    }
    default: return false;
  }
}

export function isStartAnchored(r: ParsedRegex): boolean {
  return edgeAnchored(r.ast, 'start');
}

export function isEndAnchored(r: ParsedRegex): boolean {
  return edgeAnchored(r.ast, 'end');
}

/** The literal string a regex matches when it is only `^literal$` (for regex-exact-match). */
export function exactLiteral(r: ParsedRegex): string | null {
  if (r.errors.length > 0 || r.ast.t !== 'seq') return null;
  const items = r.ast.items;
  if (items.length < 2) return null;
  const first = items[0]!;
  const last = items[items.length - 1]!;
  if (first.t !== 'assert' || first.kind !== '^' || last.t !== 'assert' || last.kind !== '$') return null;
  let out = '';
  for (const it of items.slice(1, -1)) {
    if (it.t !== 'chars') return null;
    const ch = singleChar(it.set);
    if (ch === null) return null;
    out += ch;
  }
  return out;
}

function singleChar(s: CharSet): string | null {
  if (s.high) return null;
  let found = -1;
  for (let c = 0; c < 256; c++) {
    if (hasCode(s, c)) {
      if (found !== -1) return null;
      found = c;
    }
  }
  return found === -1 ? null : String.fromCharCode(found);
}

// ---- ReDoS -----------------------------------------------------------------------------------

export interface RedosFinding {
  kind: 'nested' | 'nested-separated' | 'alternation' | 'adjacent';
  /** Offsets of the offending construct in the pattern. */
  start: number;
  end: number;
  detail: string;
}

/** Repeats above this bound behave like `*` for backtracking purposes. */
const UNBOUNDED = 32;

function isUnbounded(n: RegexNode): boolean {
  return n.t === 'repeat' && n.max > UNBOUNDED && n.mode !== 'possessive';
}

/**
 * Finds constructs prone to catastrophic backtracking:
 *  - nested quantifiers `(a+)+` where an inner iteration can also be read as the next outer one
 *    (the inner repeat's first characters overlap what may follow it inside the outer body);
 *  - alternatives under a quantifier that can start with the same character `(a|ab)+`, `(.|x)*`;
 *  - adjacent quantified terms over overlapping characters `.*.*`, `\d+\d*`.
 * Possessive quantifiers and atomic groups never backtrack and are skipped.
 * Linear-ish: each repeat looks at its own body and its right siblings once.
 */
export function findRedos(r: ParsedRegex): RedosFinding[] {
  const out: RedosFinding[] = [];
  const text = (n: RegexNode): string => r.source.slice(n.start, n.end);
  let budget = 20_000; // caps the work on adversarial inputs
  type Outer = { node: Extract<RegexNode, { t: 'repeat' }>; after: Tail };

  // `after`: whether what follows the node (to the end of the pattern) can make the match fail once
  // the node has matched. Backtracking only costs something when a later part fails: a construct
  // followed by nothing that can fail (`…(.*)$`, or nothing at all) succeeds on its first try.
  const visit = (n: RegexNode, outer: Outer[], after: Tail): void => {
    if (--budget < 0) return;
    switch (n.t) {
      case 'seq': {
        // Right to left: what follows each item, within this sequence and beyond it.
        const follow: Tail[] = new Array(n.items.length);
        let t = after;
        for (let i = n.items.length - 1; i >= 0; i--) {
          follow[i] = t;
          t = tailAfter(n.items[i]!, t);
        }
        for (let i = 0; i < n.items.length; i++) {
          const a = n.items[i]!;
          visit(a, outer, follow[i]!);
          const b = n.items[i + 1];
          if (b) {
            const tail = tailRepeatChars(a);
            const head = headRepeatChars(b);
            // The pair backtracks over its split only when something after both can still fail.
            if (tail && head && intersects(tail, head) && tailAfter(b, follow[i + 1]!) !== 'free') {
              out.push({ kind: 'adjacent', start: a.start, end: b.end, detail: `"${text(a)}" and "${text(b)}" can match the same characters and a later part can fail` });
            }
          }
        }
        return;
      }
      case 'alt':
        for (const a of n.alts) visit(a, outer, after);
        if (outer.length > 0 && outer[0]!.after !== 'free') {
          for (let i = 0; i < n.alts.length; i++) {
            for (let j = i + 1; j < n.alts.length; j++) {
              if (intersects(firstSet(n.alts[i]!), firstSet(n.alts[j]!))) {
                out.push({ kind: 'alternation', start: n.start, end: n.end, detail: `alternatives "${text(n.alts[i]!)}" and "${text(n.alts[j]!)}" overlap under a repeat` });
                return;
              }
            }
          }
        }
        return;
      case 'group':
        if (n.kind === 'atomic') return;
        // Inside a lookaround the rest of the pattern is not what follows.
        visit(n.body, outer, n.kind === 'capture' || n.kind === 'plain' ? after : 'fail');
        return;
      case 'repeat': {
        if (n.mode === 'possessive') return;
        // Inside a repeat another iteration may follow: conservatively, something that can fail.
        const inner: Tail = n.max <= 1 ? after : 'fail';
        if (isUnbounded(n)) {
          for (const o of outer) {
            if (o.after === 'free') break;
            const body = o.node.body;
            const innerFirst = firstSet(n.body);
            const follow = followWithin(n, body);
            if (intersects(innerFirst, follow)) {
              out.push({ kind: 'nested', start: o.node.start, end: o.node.end, detail: `"${text(n)}" is repeated inside "${text(o.node)}" and its iterations can be split between the two quantifiers` });
            } else if (intersects(innerFirst, firstSet(body))) {
              out.push({ kind: 'nested-separated', start: o.node.start, end: o.node.end, detail: `"${text(n)}" is repeated inside "${text(o.node)}"` });
            }
            break;
          }
          visit(n.body, [{ node: n, after }, ...outer], inner);
        } else visit(n.body, outer, inner);
        return;
      }
      default:
        return;
    }
  };
  visit(r.ast, [], 'free');
  // One finding per construct.
  const seen = new Set<string>();
  return out.filter((f) => {
    const k = `${f.start}:${f.end}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * What follows a point of the pattern, for the ReDoS proof: `free` matches wherever it is tried
 * (only optional parts, no anchor); `needs-dot-star` is optional parts and an end anchor, which
 * succeed right after a `.*` that swallowed the rest of the subject (`(?<rest>.*)$`); `fail` can
 * fail (a mandatory literal, class, assertion or back-reference).
 */
type Tail = 'free' | 'needs-dot-star' | 'fail';

function worst(a: Tail, b: Tail): Tail {
  if (a === 'fail' || b === 'fail') return 'fail';
  return a === 'needs-dot-star' || b === 'needs-dot-star' ? 'needs-dot-star' : 'free';
}

/** An unbounded `.*` / `.+` (or a class with nearly every character): it can swallow the rest of the subject. */
function isDotStar(n: RegexNode): boolean {
  if (n.t !== 'repeat' || n.min > 1 || !isUnbounded(n)) return false;
  let b: RegexNode = n.body;
  while (b.t === 'group' && (b.kind === 'capture' || b.kind === 'plain')) b = b.body;
  if (b.t !== 'chars') return false;
  // `.` without (?s) leaves out only "\n", which nginx's subjects (URIs, headers) do not carry raw.
  for (let c = 0; c < 256; c++) if (c !== 10 && !hasCode(b.set, c)) return false;
  return true;
}

/** What follows `n` and then `rest`, seen from just before `n`. */
function tailAfter(n: RegexNode, rest: Tail, depth = 0): Tail {
  if (depth > 200) return 'fail';
  switch (n.t) {
    case 'seq': {
      let t = rest;
      for (let i = n.items.length - 1; i >= 0; i--) t = tailAfter(n.items[i]!, t, depth + 1);
      return t;
    }
    case 'alt': {
      let t: Tail = 'free';
      for (const a of n.alts) t = worst(t, tailAfter(a, rest, depth + 1));
      return n.alts.length === 0 ? rest : t;
    }
    case 'group':
      return n.kind === 'capture' || n.kind === 'plain' || n.kind === 'atomic' ? tailAfter(n.body, rest, depth + 1) : 'fail';
    case 'repeat':
      if (isDotStar(n)) return rest === 'fail' ? 'fail' : 'free';
      if (n.min === 0) return rest;
      return 'fail';
    case 'assert':
      if (n.kind === '$' || n.kind === 'z' || n.kind === 'Z') return rest === 'fail' ? 'fail' : 'needs-dot-star';
      return 'fail';
    default:
      return 'fail';
  }
}

/** Characters that may follow `inner` within one iteration of `body`, wrapping to the next iteration. */
function followWithin(inner: RegexNode, body: RegexNode): CharSet {
  const path: RegexNode[] = [];
  const find = (n: RegexNode): boolean => {
    if (n === inner) return true;
    const kids = n.t === 'seq' ? n.items : n.t === 'alt' ? n.alts : n.t === 'group' || n.t === 'repeat' ? [n.body] : [];
    for (const k of kids) {
      path.push(n);
      if (find(k)) return true;
      path.pop();
    }
    return false;
  };
  if (!find(body)) return emptySet();
  const out = emptySet();
  let child: RegexNode = inner;
  for (let i = path.length - 1; i >= 0; i--) {
    const p = path[i]!;
    if (p.t === 'seq') {
      const idx = p.items.indexOf(child);
      for (let j = idx + 1; j < p.items.length; j++) {
        unionInto(out, firstSet(p.items[j]!));
        if (!nullable(p.items[j]!)) return out;
      }
    } else if (p.t === 'repeat' && p.max > 1) {
      unionInto(out, firstSet(p.body));
    }
    child = p;
  }
  // Everything after `inner` in the body can be empty: the next outer iteration follows.
  unionInto(out, firstSet(body));
  return out;
}

/** Characters that can end a match of the node (mirror of firstSet). */
export function lastSet(n: RegexNode): CharSet {
  switch (n.t) {
    case 'seq': {
      const out = emptySet();
      for (let i = n.items.length - 1; i >= 0; i--) {
        unionInto(out, lastSet(n.items[i]!));
        if (!nullable(n.items[i]!)) break;
      }
      return out;
    }
    case 'alt': {
      const out = emptySet();
      for (const a of n.alts) unionInto(out, lastSet(a));
      return out;
    }
    case 'group': return n.kind === 'lookahead' || n.kind === 'lookbehind' ? emptySet() : lastSet(n.body);
    case 'repeat': return n.max === 0 ? emptySet() : lastSet(n.body);
    default: return firstSet(n);
  }
}

/** An unbounded repeat ending `n`: the characters its iterations can end with. */
function tailRepeatChars(n: RegexNode): CharSet | null {
  if (n.t === 'repeat' && isUnbounded(n)) return lastSet(n.body);
  if (n.t === 'group' && (n.kind === 'capture' || n.kind === 'plain')) return tailRepeatChars(n.body);
  if (n.t === 'seq') {
    for (let i = n.items.length - 1; i >= 0; i--) {
      const it = n.items[i]!;
      const t = tailRepeatChars(it);
      if (t) return t;
      if (it.t !== 'assert') return null;
    }
  }
  return null;
}

/** An unbounded repeat starting `n`: the characters its iterations can start with. */
function headRepeatChars(n: RegexNode): CharSet | null {
  if (n.t === 'repeat' && isUnbounded(n)) return firstSet(n.body);
  if (n.t === 'group' && (n.kind === 'capture' || n.kind === 'plain')) return headRepeatChars(n.body);
  if (n.t === 'seq') {
    for (const it of n.items) {
      const h = headRepeatChars(it);
      if (h) return h;
      if (it.t !== 'assert') return null;
    }
  }
  return null;
}

// ---- sample generation (origins) -------------------------------------------------------------

/** Marks for `^` and `$` inside generated samples. */
export const START_MARK = '\u0001';
export const END_MARK = '\u0002';

const ATTACK_CHARS = 'ba.-0_:/';
const CANONICAL_CHARS = '.ab-0_:/';
const MAX_SAMPLES = 64;

/**
 * Strings the regex matches, one per combination of choices (capped): every alternative, optional
 * parts present and absent, repeats at their minimum and at a longer count. `attack` picks a letter
 * for each character class where one fits (so `.` in `example.com` becomes `examplebcom`);
 * canonical mode picks `.` first (the string the author probably meant).
 */
export function generateSamples(r: ParsedRegex, mode: 'attack' | 'canonical'): string[] {
  const prefer = mode === 'attack' ? ATTACK_CHARS : CANONICAL_CHARS;
  const pick = (s: CharSet): string | null => {
    for (const ch of prefer) if (hasChar(s, ch)) return ch;
    for (let c = 33; c < 127; c++) if (hasCode(s, c)) return String.fromCharCode(c);
    for (let c = 0; c < 256; c++) if (hasCode(s, c)) return String.fromCharCode(c);
    return null;
  };
  const cap = (xs: string[]): string[] => [...new Set(xs)].slice(0, MAX_SAMPLES);
  const gen = (n: RegexNode): string[] => {
    switch (n.t) {
      case 'chars': {
        const ch = pick(n.set);
        return ch === null ? [] : [ch];
      }
      case 'assert':
        return [n.kind === '^' || n.kind === 'A' ? START_MARK : n.kind === '$' || n.kind === 'z' || n.kind === 'Z' ? END_MARK : ''];
      case 'backref':
        return [''];
      case 'group':
        return n.kind === 'lookahead' || n.kind === 'lookbehind' ? [''] : gen(n.body);
      case 'alt':
        return cap(n.alts.flatMap(gen));
      case 'seq': {
        let acc = [''];
        for (const it of n.items) {
          const part = gen(it);
          const next: string[] = [];
          for (const a of acc) for (const b of part) if (next.length < MAX_SAMPLES) next.push(a + b);
          acc = cap(next);
        }
        return acc;
      }
      case 'repeat': {
        const body = gen(n.body);
        const counts = mode === 'attack' ? [n.min, Math.min(n.max, Math.max(n.min, 5))] : [n.min];
        const out: string[] = [];
        for (const k of new Set(counts)) for (const b of body) out.push(b.repeat(Math.min(k, 64)));
        return cap(out);
      }
    }
  };
  return gen(r.ast);
}

/** Converts the regex's errors into one human message. */
export function describeErrors(r: ParsedRegex): string {
  return r.errors.map((e) => `${e.message} at offset ${e.offset}`).join('; ');
}
