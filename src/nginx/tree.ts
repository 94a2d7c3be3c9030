// Syntax tree of an nginx configuration. Every node points into the original bytes of its file:
// the source is never re-printed, so edits are applied to `SourceFile.text` by offset.
//
// Text is held as a latin1 ("binary") string: one character per byte, so offsets are byte offsets
// and a round trip is byte-identical even for invalid UTF-8. Values shown to users are decoded
// as UTF-8 (`Arg.value`).

export interface SourceFile {
  /** Path as given or resolved (absolute for files read from disk). */
  path: string;
  /** File content, one char per byte (latin1). */
  text: string;
  /** Offsets where each line starts (line 1 at index 0). */
  readonly lineStarts: number[];
  /** Newline style used by the file, for inserted lines. */
  newline: '\n' | '\r\n';
  /** Set on nginx's own stock files (mime.types, fastcgi_params…) conftune supplies when a deployment includes them. */
  stock?: boolean;
}

export interface Comment {
  /** Text after `#`, decoded. */
  text: string;
  start: number;
  end: number;
  line: number;
  column: number;
}

export interface Arg {
  /** Value as nginx sees it: quotes removed, escapes resolved, UTF-8 decoded. */
  value: string;
  /** `"` or `'` when the argument was quoted. */
  quote: '"' | "'" | null;
  start: number;
  end: number;
  line: number;
  column: number;
}

const QUOTE_NONE = 0;
const QUOTE_DOUBLE = 1;
const QUOTE_SINGLE = 2;
const QUOTES = [null, '"', "'"] as const;

const NO_ARGS: Arg[] = Object.freeze([]) as unknown as Arg[];
/** Shared by every directive without leading comments (most of them): frozen, never mutate a tree. */
const NO_COMMENTS: Comment[] = Object.freeze([]) as unknown as Comment[];

function grownInt32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

// Field offsets of one directive's record in `NodeTable.dir` (D_SIZE slots each)…
const D_START = 0;
const D_END = 1;
const D_LINE = 2;
const D_BLOCK_START = 3;
const D_BLOCK_END = 4;
const D_ARG_FIRST = 5;
const D_ARG_COUNT = 6;
/** Index + 1 of the trailing comment in its unit's comments (0: none). */
const D_TRAILING = 7;
/** The parse (`NodeTable.units`) the directive came from. */
const D_UNIT = 8;
const D_SIZE = 9;
// …and of one argument's record in `NodeTable.arg`. Columns are not stored: they follow from the
// offset and the line (`columnAt`), and only findings and built `Arg`s need them.
const A_START = 0;
const A_END = 1;
const A_LINE = 2;
const A_QUOTE = 3;
const A_SIZE = 4;

/** One parse of one file within a NodeTable: what its directives share. */
export interface ParseUnit {
  file: SourceFile;
  /** The `include` directive this parse was read through (null for the main file). */
  includedBy: Directive | null;
  /** Every comment of the parse, in order (trailing comments are indexes into it). */
  comments: Comment[];
  /** Whether the file has bytes ≥ 0x80 (columns then need converting). */
  highBytes: boolean;
}

/**
 * The positions of every directive and argument of one load (all its files and parses), kept in
 * two flat integer arrays. A 5,000-server file has 385,000 directives and 1.3 million arguments;
 * holding their numbers in objects made up most of the tree's memory and most of the parse's
 * time (the GC copies every surviving object), so a `Directive` keeps only what rules walk (name,
 * parent, block) and reads the rest from here, and builds its `Arg` objects the first time its
 * `args` are read. An argument's value is its bytes (without quotes) unless it needed unescaping or
 * UTF-8 decoding; those few values are kept as strings. One table for the whole load, not one per
 * parse: a tree of 5,000 small included files (parsed once per include) would otherwise allocate
 * tens of thousands of small buffers.
 */
export class NodeTable {
  /** Directive records, D_SIZE slots each. */
  dir: Int32Array;
  directives = 0;
  /** Argument records, A_SIZE slots each. */
  arg: Int32Array;
  args = 0;
  readonly units: ParseUnit[] = [];
  /** Argument values that are not the argument's bytes as they stand. */
  private values: Map<number, string> | null = null;
  /** Leading comments, by directive index (the rare directives that have them). */
  leading: Map<number, Comment[]> | null = null;
  included: Map<number, SourceFile[]> | null = null;

  constructor(directiveCapacity = 64, argCapacity = 256) {
    this.dir = new Int32Array(Math.max(8, directiveCapacity) * D_SIZE);
    this.arg = new Int32Array(Math.max(16, argCapacity) * A_SIZE);
  }

  /** Starts recording a parse of `file`; returns its unit number. */
  addUnit(file: SourceFile, includedBy: Directive | null, comments: Comment[]): number {
    this.units.push({ file, includedBy, comments, highBytes: false });
    return this.units.length - 1;
  }

  /** Records a directive whose arguments are `argFirst` up to the last one recorded; returns its index. */
  addDirective(start: number, line: number, argFirst: number, unit: number): number {
    const i = this.directives;
    let at = i * D_SIZE;
    if (at === this.dir.length) this.dir = grownInt32(this.dir, this.dir.length * 2);
    const d = this.dir;
    d[at++] = start;
    d[at++] = -1;
    d[at++] = line;
    d[at++] = -1;
    d[at++] = -1;
    d[at++] = argFirst;
    d[at++] = this.args - argFirst;
    d[at++] = 0;
    d[at] = unit;
    this.directives = i + 1;
    return i;
  }

  /** Records one argument; `value` only when it differs from the bytes between the quotes. */
  addArg(start: number, end: number, line: number, quote: '"' | "'" | null, value?: string): void {
    const i = this.args;
    let at = i * A_SIZE;
    if (at === this.arg.length) this.arg = grownInt32(this.arg, this.arg.length * 2);
    const a = this.arg;
    a[at++] = start;
    a[at++] = end;
    a[at++] = line;
    a[at] = quote === null ? QUOTE_NONE : quote === '"' ? QUOTE_DOUBLE : QUOTE_SINGLE;
    if (value !== undefined) (this.values ??= new Map()).set(i, value);
    this.args = i + 1;
  }

  /** The value of argument `i` of a directive from `unit` (no Arg object built). */
  argValue(i: number, unit: ParseUnit): string {
    const v = this.values?.get(i);
    if (v !== undefined) return v;
    const at = i * A_SIZE;
    const q = this.arg[at + A_QUOTE] === QUOTE_NONE ? 0 : 1;
    return unit.file.text.slice(this.arg[at + A_START]! + q, this.arg[at + A_END]! - q);
  }

  argAt(i: number, unit: ParseUnit): Arg {
    const at = i * A_SIZE;
    const a = this.arg;
    const start = a[at + A_START]!;
    const line = a[at + A_LINE]!;
    return {
      value: this.argValue(i, unit),
      quote: QUOTES[a[at + A_QUOTE]!]!,
      start,
      end: a[at + A_END]!,
      line,
      column: columnAt(unit, start, line),
    };
  }

  /** Field `field` (a D_* offset) of directive `i`. */
  d(i: number, field: number): number {
    return this.dir[i * D_SIZE + field]!;
  }

  setD(i: number, field: number, value: number): void {
    this.dir[i * D_SIZE + field] = value;
  }

  unitOf(i: number): ParseUnit {
    return this.units[this.dir[i * D_SIZE + D_UNIT]!]!;
  }
}

/** 1-based column (UTF-16 units) of an offset on a known line of a unit's file. */
function columnAt(unit: ParseUnit, offset: number, line: number): number {
  return unit.highBytes ? columnOf(unit.file, offset, line) : offset - unit.file.lineStarts[line - 1]! + 1;
}

/**
 * One directive (`name args…;` or `name args… { block }`). Built by the parser only; a tree is
 * not changed once loaded (includes are expanded before any rule runs). Positions live in the
 * parse's `NodeTable`, read through the accessors below.
 */
export class Directive {
  readonly name: string;
  /** Enclosing block directive after include expansion; null at the configuration's top level. */
  parent: Directive | null;
  /** Children of a block directive (`server { … }`), with includes expanded in place; null for `name …;`. */
  block: Directive[] | null = null;
  private readonly table: NodeTable;
  private readonly index: number;
  private argList: Arg[] | null = null;

  constructor(name: string, parent: Directive | null, table: NodeTable, index: number) {
    this.name = name;
    this.parent = parent;
    this.table = table;
    this.index = index;
  }

  get file(): SourceFile {
    return this.table.unitOf(this.index).file;
  }

  /** Offset of the name's first byte. */
  get start(): number {
    return this.table.d(this.index, D_START);
  }

  /** Offset just past the terminating `;` or the closing `}`. */
  get end(): number {
    return this.table.d(this.index, D_END);
  }

  set end(offset: number) {
    this.table.setD(this.index, D_END, offset);
  }

  get line(): number {
    return this.table.d(this.index, D_LINE);
  }

  /** 1-based column in UTF-16 units. */
  get column(): number {
    return columnAt(this.table.unitOf(this.index), this.start, this.line);
  }

  /** Offset of `{` for blocks, else -1. */
  get blockStart(): number {
    return this.table.d(this.index, D_BLOCK_START);
  }

  set blockStart(offset: number) {
    this.table.setD(this.index, D_BLOCK_START, offset);
  }

  /** Offset of `}` for blocks (-1 when the file ended first, or not a block). */
  get blockEnd(): number {
    return this.table.d(this.index, D_BLOCK_END);
  }

  set blockEnd(offset: number) {
    this.table.setD(this.index, D_BLOCK_END, offset);
  }

  /** Comments on lines of their own right above this directive. */
  get leadingComments(): Comment[] {
    return this.table.leading?.get(this.index) ?? NO_COMMENTS;
  }

  set leadingComments(comments: Comment[]) {
    if (comments.length > 0) (this.table.leading ??= new Map()).set(this.index, comments);
    else this.table.leading?.delete(this.index);
  }

  /** A comment on the same line after the directive. */
  get trailingComment(): Comment | null {
    const k = this.table.d(this.index, D_TRAILING);
    return k === 0 ? null : this.table.unitOf(this.index).comments[k - 1]!;
  }

  /** Makes comment `k` of the parse's comments this directive's trailing comment (the parser's). */
  setTrailingComment(k: number): void {
    this.table.setD(this.index, D_TRAILING, k + 1);
  }

  /** For `include`: the files it pulled in (already expanded into the parent's block). */
  get included(): SourceFile[] | undefined {
    return this.table.included?.get(this.index);
  }

  set included(files: SourceFile[] | undefined) {
    if (files) (this.table.included ??= new Map()).set(this.index, files);
    else this.table.included?.delete(this.index);
  }

  /** The `include` directive this node was read through, when it came from an included file. */
  get includedBy(): Directive | null {
    return this.table.unitOf(this.index).includedBy;
  }

  /** Arguments in order (values with quotes removed and escapes resolved). */
  get args(): Arg[] {
    let list = this.argList;
    if (list === null) {
      const t = this.table;
      const n = t.d(this.index, D_ARG_COUNT);
      if (n === 0) list = NO_ARGS;
      else {
        const first = t.d(this.index, D_ARG_FIRST);
        const unit = t.unitOf(this.index);
        list = new Array<Arg>(n);
        for (let i = 0; i < n; i++) list[i] = t.argAt(first + i, unit);
      }
      this.argList = list;
    }
    return list;
  }

  /** Number of arguments (without building them). */
  get argc(): number {
    return this.table.d(this.index, D_ARG_COUNT);
  }

  /** Value of argument `i`, or undefined (without building the Arg objects). */
  argValue(i: number): string | undefined {
    if (this.argList !== null) return this.argList[i]?.value;
    const t = this.table;
    if (i < 0 || i >= t.d(this.index, D_ARG_COUNT)) return undefined;
    return t.argValue(t.d(this.index, D_ARG_FIRST) + i, t.unitOf(this.index));
  }
}

export type Severity = 'error' | 'warning' | 'info';

/** A problem found while reading (syntax, include resolution). */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  start: number;
  end: number;
  message: string;
  /**
   * `syntax` for lexer/parser errors, `include` for include resolution problems, `note` for what
   * conftune chose not to read or read from elsewhere (shown, never a finding).
   */
  kind: 'syntax' | 'include' | 'note';
}

/** Where a configuration's top level sits in nginx's context tree. */
export type RootContext = 'main' | 'http' | 'server' | 'location' | 'stream' | 'upstream' | 'events';

export interface NginxConfig {
  /** Main file (first file given). */
  main: SourceFile;
  /** Every file read (main + includes), by path. */
  files: Map<string, SourceFile>;
  /** Top-level directives of the main file, includes expanded. */
  root: Directive[];
  /** Context of the top level: `main` for a full nginx.conf, `http`/`server`/… for a fragment. */
  rootContext: RootContext;
  diagnostics: Diagnostic[];
  /** Comments of every file, in order, for suppression handling. */
  comments: Map<string, Comment[]>;
}

// ---- position helpers ------------------------------------------------------------------------

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  let i = text.indexOf('\n');
  while (i !== -1) {
    starts.push(i + 1);
    i = text.indexOf('\n', i + 1);
  }
  // A CR-only file still has lines as far as users are concerned.
  if (starts.length === 1 && text.includes('\r')) {
    let j = text.indexOf('\r');
    while (j !== -1) {
      starts.push(j + 1);
      j = text.indexOf('\r', j + 1);
    }
  }
  return starts;
}

export function makeSourceFile(path: string, text: string): SourceFile {
  const crlf = text.indexOf('\r\n');
  const lf = text.indexOf('\n');
  // The line table is built on first use: parsing counts lines itself, and most files of a big
  // tree never need a position turned into a line.
  let lineStarts: number[] | null = null;
  return {
    path,
    text,
    get lineStarts(): number[] {
      return (lineStarts ??= lineStartsOf(text));
    },
    newline: crlf !== -1 && crlf + 1 === lf ? '\r\n' : '\n',
  };
}

/** 1-based line for an offset. */
export function lineOf(file: SourceFile, offset: number): number {
  const starts = file.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/** 1-based column in UTF-16 units (what editors and SARIF count), for an offset. */
export function columnOf(file: SourceFile, offset: number, line = lineOf(file, offset)): number {
  const lineStart = file.lineStarts[line - 1] ?? 0;
  // ASCII lines (nearly all) cost O(1): many positions on one long line must not each rescan it.
  if (!nonAsciiLines(file)[line - 1]) return offset - lineStart + 1;
  return decodeLatin1(file.text.slice(lineStart, offset)).length + 1;
}

const nonAsciiCache = new WeakMap<SourceFile, Uint8Array>();

/** Per line: 1 when it holds a byte ≥ 0x80 (computed once per file, in one pass). */
function nonAsciiLines(file: SourceFile): Uint8Array {
  let flags = nonAsciiCache.get(file);
  if (flags) return flags;
  flags = new Uint8Array(file.lineStarts.length);
  const text = file.text;
  const re = /[\x80-\xff]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const line = lineOf(file, m.index);
    flags[line - 1] = 1;
    // Skip to the next line: one hit per line is enough.
    const next = file.lineStarts[line];
    if (next === undefined) break;
    re.lastIndex = next;
  }
  nonAsciiCache.set(file, flags);
  return flags;
}

export function positionOf(file: SourceFile, offset: number): { line: number; column: number } {
  const line = lineOf(file, offset);
  return { line, column: columnOf(file, offset, line) };
}

/** Text of one line without its newline. */
export function lineText(file: SourceFile, line: number): string {
  const start = file.lineStarts[line - 1] ?? 0;
  const next = file.lineStarts[line];
  let end = next === undefined ? file.text.length : next - 1;
  if (end > start && file.text.charCodeAt(end - 1) === 13) end--;
  return file.text.slice(start, Math.max(start, end));
}

/** Latin1 byte string → UTF-8 decoded text (invalid sequences become U+FFFD). */
export function decodeLatin1(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\x80-\xff]/.test(s)) return s;
  return Buffer.from(s, 'latin1').toString('utf8');
}

/** UTF-8 text → latin1 byte string, for inserting user-visible text into a SourceFile. */
export function encodeLatin1(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return Buffer.from(s, 'utf8').toString('latin1');
}

// ---- tree helpers ------------------------------------------------------------------------------
//
// A configuration is immutable once loaded (includes are expanded before any rule runs), and ~95
// rules each ask the same questions of it: "every directive", "every `proxy_pass`", "the
// `resolver` in this block". On a 5,000-server file the naive answers (a fresh stack walk per
// rule, a linear scan of the http block's 5,000 children per lookup) dominate `check`, so the
// helpers below keep small caches keyed by array identity (WeakMaps: they go with the tree).

/** Blocks at least this long get a by-name index; shorter ones are scanned (cheaper than a Map). */
const INDEXED_BLOCK_MIN = 24;

const blockIndexes = new WeakMap<Directive[], { length: number; byName: Map<string, Directive[]> }>();

/** Children of a long block grouped by name, in order; undefined for short blocks. */
function blockIndex(block: Directive[]): Map<string, Directive[]> | undefined {
  if (block.length < INDEXED_BLOCK_MIN) return undefined;
  const cached = blockIndexes.get(block);
  // The length check guards against a caller that grew an array after asking (trees built by hand).
  if (cached && cached.length === block.length) return cached.byName;
  const byName = new Map<string, Directive[]>();
  for (const d of block) {
    const list = byName.get(d.name);
    if (list) list.push(d);
    else byName.set(d.name, [d]);
  }
  blockIndexes.set(block, { length: block.length, byName });
  return byName;
}

/** Children named `name` (includes already expanded). */
export function childrenNamed(block: Directive[] | null | undefined, name: string): Directive[] {
  if (!block) return [];
  const index = blockIndex(block);
  if (index) return index.get(name)?.slice() ?? [];
  const out: Directive[] = [];
  for (const d of block) if (d.name === name) out.push(d);
  return out;
}

export function firstChild(block: Directive[] | null | undefined, name: string): Directive | undefined {
  if (!block) return undefined;
  const index = blockIndex(block);
  if (index) return index.get(name)?.[0];
  for (const d of block) if (d.name === name) return d;
  return undefined;
}

/**
 * Pre-order list of every directive under a top-level array, with `end[i]`: the index just past
 * directive i's subtree (so "skip this subtree" is a jump). Built on the second walk of the same
 * array: a throwaway array (`walk([server], …)`) is walked once and never pays for it.
 */
interface FlatTree {
  nodes: Directive[];
  end: Int32Array;
  /** Every directive by name, in pre-order; built on first use. */
  byName: Map<string, Directive[]> | null;
  /** Length of the top-level array when built (guards against later growth of hand-built trees). */
  length: number;
}

const flatTrees = new WeakMap<Directive[], FlatTree>();
const walkedOnce = new WeakSet<Directive[]>();

function isTopLevel(nodes: Directive[]): boolean {
  return nodes.length > 0 && nodes[0]!.parent === null && nodes[nodes.length - 1]!.parent === null;
}

/** The cached flat tree of `nodes`, building it when `nodes` was seen before; undefined otherwise. */
function flatTreeOf(nodes: Directive[]): FlatTree | undefined {
  const cached = flatTrees.get(nodes);
  if (cached && cached.length === nodes.length) return cached;
  if (!isTopLevel(nodes)) return undefined;
  if (!walkedOnce.has(nodes)) {
    walkedOnce.add(nodes);
    return undefined;
  }
  const flat: Directive[] = [];
  const ends: number[] = [];
  // Iterative pre-order; a marker entry (negative) closes a subtree and records where it ends.
  const stack: Array<Directive | number> = [];
  for (let i = nodes.length - 1; i >= 0; i--) stack.push(nodes[i]!);
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (typeof top === 'number') {
      ends[top] = flat.length;
      continue;
    }
    const at = flat.length;
    flat.push(top);
    ends.push(at + 1);
    const block = top.block;
    if (block && block.length > 0) {
      stack.push(at);
      for (let i = block.length - 1; i >= 0; i--) stack.push(block[i]!);
    }
  }
  const tree: FlatTree = { nodes: flat, end: Int32Array.from(ends), byName: null, length: nodes.length };
  flatTrees.set(nodes, tree);
  return tree;
}

/** How many walks started at a config's top level (the engine's test counts the rules' own walks). */
export const walkStats = { fromTop: 0 };

/** Depth-first walk over every directive (includes expanded). Return false from `visit` to skip a subtree. */
export function walk(nodes: Directive[], visit: (d: Directive) => boolean | void): void {
  if (nodes.length > 0 && nodes[0]!.parent === null) walkStats.fromTop++;
  const flat = flatTreeOf(nodes);
  if (flat) {
    const list = flat.nodes;
    const end = flat.end;
    const n = list.length;
    let i = 0;
    while (i < n) i = visit(list[i]!) === false ? end[i]! : i + 1;
    return;
  }
  const stack: Directive[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) stack.push(nodes[i]!);
  while (stack.length > 0) {
    const d = stack.pop()!;
    if (visit(d) === false || !d.block) continue;
    for (let i = d.block.length - 1; i >= 0; i--) stack.push(d.block[i]!);
  }
}

/** All directives named `name`, anywhere. */
export function findAll(config: NginxConfig, name: string): Directive[] {
  const flat = flatTreeOf(config.root);
  if (flat) {
    if (!flat.byName) {
      const byName = new Map<string, Directive[]>();
      for (const d of flat.nodes) {
        const list = byName.get(d.name);
        if (list) list.push(d);
        else byName.set(d.name, [d]);
      }
      flat.byName = byName;
    }
    return flat.byName.get(name)?.slice() ?? [];
  }
  const out: Directive[] = [];
  walk(config.root, (d) => {
    if (d.name === name) out.push(d);
  });
  return out;
}

/** Enclosing block directives, innermost first. */
export function ancestors(d: Directive): Directive[] {
  const out: Directive[] = [];
  for (let p = d.parent; p; p = p.parent) out.push(p);
  return out;
}

/** Nearest ancestor with one of the given names. */
export function enclosing(d: Directive, a: string, b?: string, c?: string, e?: string): Directive | undefined {
  // Hot (once per proxy_pass in several rules): fixed parameters, so no array per call.
  for (let p = d.parent; p; p = p.parent) {
    const n = p.name;
    if (n === a || n === b || n === c || n === e) return p;
  }
  return undefined;
}

/** Name of the context a directive sits in (`http`, `server`, `location`, `if`, … or the root context). */
export function contextName(d: Directive, config: Pick<NginxConfig, 'rootContext'>): string {
  return d.parent ? d.parent.name : config.rootContext;
}

/** The block a directive's siblings live in. */
export function siblingsOf(d: Directive, config: Pick<NginxConfig, 'root'>): Directive[] {
  return d.parent?.block ?? config.root;
}

export function argValues(d: Directive): string[] {
  return d.args.map((a) => a.value);
}
