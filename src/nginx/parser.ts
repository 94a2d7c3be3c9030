// Builds the syntax tree of one file. Mirrors ngx_conf_parse's acceptance and wording, but where
// nginx stops at the first error this parser records a diagnostic and keeps going, so one run
// reports every problem and rules still see the rest of the file. It never throws on input, and
// it is iterative (an explicit stack of open blocks), so nesting depth is bounded only by memory.

import { Lexer, Tok, isLuaBlockName } from './lexer.js';
import type { Comment, Diagnostic, SourceFile } from './tree.js';
import { Directive, NodeTable, columnOf, decodeLatin1 } from './tree.js';

export interface ParseResult {
  root: Directive[];
  diagnostics: Diagnostic[];
  comments: Comment[];
  /** Whether any directive is named `include` (lets the loader skip a walk). */
  hasInclude: boolean;
}

const WORD = Tok.Word;
const SEMICOLON = Tok.Semicolon;
const BLOCK_START = Tok.BlockStart;
const BLOCK_END = Tok.BlockEnd;
const COMMENT = Tok.Comment;
const EOF = Tok.EOF;


/** Names up to this length are interned: they repeat a lot and would otherwise each survive as a copy. */
const INTERN_MAX = 24;

export interface ParseOptions {
  /** Cache of interned strings (see `newInternCache`), shared across the files of one load. */
  intern?: string[];
  /** Where positions go, shared across the parses of one load (a new one when absent). */
  table?: NodeTable;
}

const INTERN_SLOTS = 4096;

/**
 * A direct-mapped cache of recent short strings, slot chosen from length and end bytes: cheaper
 * than a Map (no hashing), and enough to keep one copy of each repeated directive name.
 */
export function newInternCache(): string[] {
  return new Array<string>(INTERN_SLOTS).fill('');
}

interface Frame {
  /** The block directive owning this frame; null for the file's top level or a dropped block. */
  owner: Directive | null;
  children: Directive[];
  /** Last directive finished in this block (or the owner, right after its `{`) and the line its `;`/`{`/`}` is on. */
  last: Directive | null;
  lastEndLine: number;
  /** Whether `last` already has its trailing comment (saves a lookup per comment). */
  lastTrailed: boolean;
  /** Comments seen since the last directive, waiting to lead the next one. */
  pending: Comment[] | null;
}

/**
 * Parses one file. `parent` becomes the parent of the top-level directives (for included files),
 * `includedBy` is recorded on every node.
 */
export function parseFile(file: SourceFile, parent: Directive | null = null, includedBy: Directive | null = null, options: ParseOptions = {}): ParseResult {
  const text = file.text;
  const intern = options.intern ?? newInternCache();
  const interned = (s: string): string => {
    const n = s.length;
    if (n > INTERN_MAX || n === 0) return s;
    const slot = (n * 31 + s.charCodeAt(0) * 7 + s.charCodeAt(n - 1) * 131 + s.charCodeAt(n >> 1)) & (INTERN_SLOTS - 1);
    const known = intern[slot]!;
    if (known === s) return known;
    intern[slot] = s;
    return s;
  };
  /** `interned(text.slice(from, to))`. */
  const internedRange = (from: number, to: number): string => interned(text.slice(from, Math.max(from, to)));
  const len = text.length;
  const lx = new Lexer(text);
  // Values are read from the text where needed (names are interned from their bytes, arguments kept as offsets).
  lx.wantValue = false;
  const diagnostics: Diagnostic[] = [];
  const comments: Comment[] = [];
  const root: Directive[] = [];
  // Columns are counted in bytes while reading and converted to UTF-16 units at the end, only
  // when the file has non-ASCII bytes (every non-blank byte belongs to some token).
  let anyHigh = false;
  let hasInclude = false;

  const stack: Frame[] = [{ owner: parent, children: root, last: null, lastEndLine: 0, lastTrailed: false, pending: null }];
  let frame = stack[0]!;

  // The directive being read: its name (null before the first word), position and arguments.
  let name: string | null = null;
  let nameStart = 0;
  let nameLine = 0;
  // Positions go to the load's table (or this parse's own); a directive's arguments are a
  // contiguous run of it. (Real configs have about one directive per 45 bytes and one argument per
  // 13: first guesses that save most regrowth.)
  const table = options.table ?? new NodeTable(Math.ceil(len / 40) + 8, Math.ceil(len / 12) + 16);
  const unitNumber = table.addUnit(file, includedBy, comments);
  const unit = table.units[unitNumber]!;
  let argFirst = 0;
  let leading: Comment[] | null = null;
  // An unterminated Lua block already reported the end of the file.
  let eofReported = false;

  const error = (message: string, start: number, line: number, byteColumn: number): void => {
    const prev = diagnostics[diagnostics.length - 1];
    // The lexer and the parser may both see one bad byte (`"a"}`): report it once.
    if (prev && prev.start === start && prev.message === message) return;
    diagnostics.push({ file: file.path, line, column: byteColumn, start, end: Math.min(start + 1, len), message, kind: 'syntax' });
  };

  const drainLexErrors = (): void => {
    for (const e of lx.errors) error(e.message, e.start, e.line, e.column);
    lx.errors.length = 0;
  };

  /** Records the current word as an argument; its value is kept only when it is not its bytes as they stand. */
  const pushArg = (): void => {
    let value: string | undefined;
    if (lx.high) {
      anyHigh = true;
      value = decodeLatin1(lx.value);
    } else if (lx.escaped || lx.unterminated) value = lx.value;
    table.addArg(lx.start, lx.end, lx.tokLine, lx.quote, value);
  };

  const makeDirective = (end: number): Directive => {
    const d = new Directive(name!, frame.owner, table, table.addDirective(nameStart, nameLine, argFirst, unitNumber));
    d.end = end;
    if (leading) d.leadingComments = leading;
    return d;
  };

  const finish = (d: Directive, endLine: number): void => {
    frame.children.push(d);
    frame.last = d;
    frame.lastEndLine = endLine;
    frame.lastTrailed = false;
    name = null;
    leading = null;
  };

  for (let guard = 0; guard <= len + 2; guard++) {
    const kind = lx.next();
    if (lx.errors.length > 0) drainLexErrors();
    if (kind === EOF) break;
    switch (kind) {
      case WORD: {
        if (name === null) {
          leading = frame.pending;
          frame.pending = null;
          let value: string;
          if (lx.high) {
            anyHigh = true;
            value = decodeLatin1(lx.value);
          } else if (lx.escaped || lx.unterminated) value = interned(lx.value);
          else {
            const q = lx.quote === null ? 0 : 1;
            value = internedRange(lx.start + q, lx.end - q);
          }
          name = value;
          nameStart = lx.start;
          nameLine = lx.tokLine;
          argFirst = table.args;
          lx.scanPlainArgs(table);
          if (value === 'include') hasInclude = true;
        } else {
          pushArg();
        }
        break;
      }
      case SEMICOLON: {
        if (name === null) {
          error('unexpected ";"', lx.start, lx.tokLine, lx.tokColumn);
          break;
        }
        finish(makeDirective(lx.end), lx.tokLine);
        break;
      }
      case BLOCK_START: {
        if (name === null) {
          // nginx stops here; we read the block but keep none of it.
          error('unexpected "{"', lx.start, lx.tokLine, lx.tokColumn);
          frame = { owner: null, children: [], last: null, lastEndLine: 0, lastTrailed: false, pending: null };
          stack.push(frame);
          break;
        }
        const braceLine = lx.tokLine;
        const braceAt = lx.start;
        if (isLuaBlockName(name)) {
          // lua-nginx-module reads the body itself: it becomes the last argument, not a block.
          const closed = lx.readLuaBlock();
          pushArg();
          const d = makeDirective(-1);
          d.blockStart = braceAt;
          if (lx.errors.length > 0) drainLexErrors();
          if (closed) {
            d.blockEnd = lx.pos - 1;
            d.end = lx.pos;
          } else {
            d.end = len;
            eofReported = true;
          }
          finish(d, lx.line);
          break;
        }
        const d = makeDirective(-1);
        d.blockStart = lx.start;
        d.block = [];
        finish(d, braceLine);
        // The owner stays `last` of its own frame so a comment after `{` on its line trails it.
        frame = { owner: d, children: d.block, last: d, lastEndLine: braceLine, lastTrailed: false, pending: null };
        stack.push(frame);
        break;
      }
      case BLOCK_END: {
        if (name !== null) {
          // nginx: a `}` while a directive is still open. Drop the unfinished directive.
          error('unexpected "}"', lx.start, lx.tokLine, lx.tokColumn);
          name = null;
          leading = null;
        }
        if (stack.length === 1) {
          error('unexpected "}"', lx.start, lx.tokLine, lx.tokColumn);
          break;
        }
        const closing = stack.pop()!;
        if (closing.owner) {
          closing.owner.blockEnd = lx.start;
          closing.owner.end = lx.end;
        }
        frame = stack[stack.length - 1]!;
        if (closing.owner) {
          frame.last = closing.owner;
          frame.lastTrailed = closing.owner.trailingComment !== null;
        }
        frame.lastEndLine = lx.tokLine;
        break;
      }
      case COMMENT: {
        if (lx.high) anyHigh = true;
        const c: Comment = {
          text: lx.high ? decodeLatin1(lx.value) : lx.value,
          start: lx.start,
          end: lx.end,
          line: lx.tokLine,
          column: lx.tokColumn,
        };
        comments.push(c);
        if (name !== null) break; // between arguments: kept in `comments` only
        const last = frame.last;
        if (last && !frame.lastTrailed && frame.lastEndLine === c.line) {
          last.setTrailingComment(comments.length - 1);
          frame.lastTrailed = true;
        } else (frame.pending ??= []).push(c);
        break;
      }
    }
  }

  const eofLine = lx.line;
  const eofCol = len - lx.lineStart + 1;
  if (eofReported) {
    // nothing more to say about the end of the file
  } else if (name !== null) {
    error('unexpected end of file, expecting ";" or "}"', len, eofLine, eofCol);
  } else if (stack.length > 1) {
    error('unexpected end of file, expecting "}"', len, eofLine, eofCol);
  }
  // Blocks left open keep blockEnd = -1 and end at EOF.
  for (let i = stack.length - 1; i > 0; i--) {
    const owner = stack[i]!.owner;
    if (owner && owner.end === -1) owner.end = len;
  }
  unit.highBytes = anyHigh;
  if (anyHigh) toUtf16Columns(file, comments, diagnostics);
  return { root, diagnostics, comments, hasInclude };
}

/** Rewrites byte columns as UTF-16 columns (what editors and SARIF count) for lines with non-ASCII bytes. */
function toUtf16Columns(file: SourceFile, comments: Comment[], diagnostics: Diagnostic[]): void {
  const fix = (p: { start: number; line: number; column: number }): void => {
    p.column = columnOf(file, p.start, p.line);
  };
  // Directives and arguments convert their own columns when read (NodeTable.highBytes).
  for (const c of comments) fix(c);
  for (const e of diagnostics) fix(e);
}
