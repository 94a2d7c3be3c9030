// nginx's tokenizer, reproducing the behaviour of ngx_conf_read_token (nginx 1.22 is the oracle):
// - only space, tab, CR and LF separate words;
// - `;` and `{` end a word; `}` and `#` are special only at the start of a token
//   (`foo}bar` and `a#b` are single words);
// - a quote is special only at the start of a token; after the closing quote the next byte must be
//   space, `;`, `{` or `)` (`"a"b` is `unexpected "b"`; `)` starts a new word);
// - inside a word, `{` right after `$` (or after `${`) does not end the word (`${var}`, `${{`);
// - `\x` never ends a word; `\"` `\'` `\\` `\t` `\r` `\n` are unescaped (in and out of quotes),
//   any other `\x` is kept as is;
// - a token that does not fit nginx's 4096-byte read buffer is "too long parameter".
// `*_by_lua_block` bodies are read the way lua-nginx-module does (ngx_http_lua_conf_read_lua_token):
// Lua strings (one line), `--` comments and long brackets hide braces.
// The lexer works on latin1 strings (one char per byte), never throws and reports problems in
// `errors`, which the caller drains; errors never stop it.

import type { NodeTable } from './tree.js';

export const Tok = {
  Word: 1,
  Semicolon: 2,
  BlockStart: 3,
  BlockEnd: 4,
  Comment: 5,
  EOF: 6,
} as const;
export type Tok = (typeof Tok)[keyof typeof Tok];

// Module constants (inlined by the JIT) for the hot paths.
const WORD = 1;
const SEMICOLON = 2;
const BLOCK_START = 3;
const BLOCK_END = 4;
const COMMENT = 5;
const EOF = 6;

const SPACE = 32;
const TAB = 9;
const CR = 13;
const LF = 10;
const SEMI = 59;
const LBRACE = 123;
const RBRACE = 125;
const HASH = 35;
const BACKSLASH = 92;
const DQUOTE = 34;
const SQUOTE = 39;
const DOLLAR = 36;
const RPAREN = 41;
const LBRACKET = 91;
const RBRACKET = 93;
const EQUALS = 61;
const DASH = 45;

/** nginx's NGX_CONF_BUFFER: a token must fit in it. */
export const NGINX_CONF_BUFFER = 4096;

// Byte classes for bare words: 0 = part of the word, 1 = whitespace, 2 = `;`, 3 = `{`, 4 = `\`, 5 = `$`.
const WORD_CLASS = new Uint8Array(256);
WORD_CLASS[SPACE] = 1;
WORD_CLASS[TAB] = 1;
WORD_CLASS[CR] = 1;
WORD_CLASS[LF] = 1;
WORD_CLASS[SEMI] = 2;
WORD_CLASS[LBRACE] = 3;
WORD_CLASS[BACKSLASH] = 4;
WORD_CLASS[DOLLAR] = 5;

// Bytes a plain bare word is made of (the parser's fast path): printable ASCII except the ones
// with a meaning inside a word (`;` `{` end it, `\` escapes); `$` is plain unless `{` follows it.
const PLAIN_WORD = new Uint8Array(128);
for (let c = 33; c < 127; c++) PLAIN_WORD[c] = 1;
PLAIN_WORD[SEMI] = 0;
PLAIN_WORD[LBRACE] = 0;
PLAIN_WORD[BACKSLASH] = 0;

function isSpace(c: number): boolean {
  return c === SPACE || c === TAB || c === LF || c === CR;
}

/** A problem found while reading; `start` is a byte offset, `column` a 1-based byte column. */
export interface LexError {
  message: string;
  start: number;
  line: number;
  column: number;
}

export class Lexer {
  readonly text: string;
  pos = 0;
  /** Line of `pos` (nginx counts LF only). */
  line = 1;
  /** Offset where the line of `pos` starts. */
  lineStart = 0;

  // Current token.
  kind: Tok = EOF;
  start = 0;
  end = 0;
  tokLine = 1;
  /** 1-based column in bytes. */
  tokColumn = 1;
  /** For words: the unescaped value (latin1); for comments: the text after `#`. */
  value = '';
  quote: '"' | "'" | null = null;
  /** True when the current token has bytes >= 0x80 (needs UTF-8 decoding for display). */
  high = false;
  /** True when the current word had a backslash escape (its value differs from its bytes). */
  escaped = false;
  /**
   * When false, a word's `value` is left empty unless it needs unescaping or decoding: the parser
   * reads plain arguments straight from the text, and a million slices would be wasted.
   */
  wantValue = true;
  /** A quoted word that reached the end of the file before its closing quote. */
  unterminated = false;
  /** Problems found so far, in order; the caller may drain it (set length to 0). */
  readonly errors: LexError[] = [];
  /** Model of nginx's read buffer, for lua-nginx-module's limits: where its content ends… */
  private bufLast: number;
  /** …as of this offset (a point where nginx starts reading a token). */
  private coreFrom = 0;

  constructor(text: string, start = 0) {
    this.text = text;
    this.pos = start;
    this.coreFrom = start;
    this.bufLast = Math.min(text.length, start + NGINX_CONF_BUFFER);
  }

  /**
   * The parser's fast path for what follows a directive name: records plain bare arguments
   * (printable ASCII, no escape, no quote, no `${`) straight into `table` and stops in front of the
   * first token it does not handle (`;`, `{`, `}`, a comment, a quoted or unusual word), which the
   * caller then reads with `next()`. Behaves exactly as `next()` would on the words it takes.
   */
  scanPlainArgs(table: NodeTable): void {
    const text = this.text;
    const len = text.length;
    let pos = this.pos;
    let line = this.line;
    let lineStart = this.lineStart;
    for (;;) {
      let c = 0;
      while (pos < len) {
        c = text.charCodeAt(pos);
        if (c === LF) {
          line++;
          lineStart = pos + 1;
        } else if (c !== SPACE && c !== TAB && c !== CR) break;
        pos++;
      }
      if (pos >= len || c > 127 || PLAIN_WORD[c] === 0 || c === RBRACE || c === HASH || c === DQUOTE || c === SQUOTE) break;
      const begin = pos;
      pos++;
      while (pos < len) {
        c = text.charCodeAt(pos);
        if (c > 127 || PLAIN_WORD[c] === 0) break;
        pos++;
      }
      // Left to next(): escapes, high bytes, `${`, and words near nginx's buffer limit.
      if (pos < len && (c === BACKSLASH || c > 127 || (c === LBRACE && text.charCodeAt(pos - 1) === DOLLAR)) || pos - begin >= NGINX_CONF_BUFFER - 1) {
        pos = begin;
        break;
      }
      table.addArg(begin, pos, line, null);
    }
    this.pos = pos;
    this.line = line;
    this.lineStart = lineStart;
  }

  /** Reads the next token into the lexer's fields. */
  next(): Tok {
    const text = this.text;
    const len = text.length;
    let pos = this.pos;
    // Skip whitespace, counting lines.
    while (pos < len) {
      const c = text.charCodeAt(pos);
      if (c === LF) {
        this.line++;
        this.lineStart = pos + 1;
      } else if (c !== SPACE && c !== TAB && c !== CR) break;
      pos++;
    }
    this.start = pos;
    this.tokLine = this.line;
    this.tokColumn = pos - this.lineStart + 1;
    if (pos >= len) {
      this.pos = pos;
      this.end = pos;
      return (this.kind = EOF);
    }
    const c = text.charCodeAt(pos);
    switch (c) {
      case SEMI:
        this.pos = this.end = pos + 1;
        return (this.kind = SEMICOLON);
      case LBRACE:
        this.pos = this.end = pos + 1;
        return (this.kind = BLOCK_START);
      case RBRACE:
        this.pos = this.end = pos + 1;
        return (this.kind = BLOCK_END);
      case HASH:
        return this.readComment(pos);
      case DQUOTE:
      case SQUOTE:
        return this.readQuoted(pos, c);
      default:
        return this.readBare(pos);
    }
  }

  private readComment(pos: number): Tok {
    const text = this.text;
    const len = text.length;
    let e = text.indexOf('\n', pos);
    if (e === -1) e = len;
    let stop = e;
    if (stop > pos && text.charCodeAt(stop - 1) === CR) stop--;
    this.value = text.slice(pos + 1, stop);
    this.quote = null;
    this.unterminated = false;
    this.high = hasHighByte(text, pos + 1, stop);
    this.pos = e;
    this.end = stop;
    // nginx keeps the whole comment (up to and including its LF) in its read buffer.
    const needed = e < len ? e - pos + 1 : len - pos;
    if (needed > NGINX_CONF_BUFFER && (e < len || len - pos > NGINX_CONF_BUFFER)) this.tooLong(pos, false);
    return (this.kind = COMMENT);
  }

  private readBare(pos: number): Tok {
    const text = this.text;
    const len = text.length;
    const begin = pos;
    let escaped = false;
    // Offset right after a `$` (or after a `{` that followed one): a `{` there does not end the word.
    let varEnd = -1;
    let bits = 0;
    while (pos < len) {
      const c = text.charCodeAt(pos);
      bits |= c;
      if (c > 127) {
        pos++;
        continue;
      }
      const cls = WORD_CLASS[c]!;
      if (cls === 0) {
        pos++;
        continue;
      }
      if (cls === 4) {
        // `\x`: x never ends the word; an escaped LF still counts as a line.
        escaped = true;
        if (pos + 1 < len) {
          const n = text.charCodeAt(pos + 1);
          bits |= n;
          if (n === LF) {
            this.line++;
            this.lineStart = pos + 2;
          }
        }
        pos += 2;
        continue;
      }
      if (cls === 5) {
        pos++;
        varEnd = pos;
        continue;
      }
      if (cls === 3 && varEnd === pos) {
        pos++;
        varEnd = pos;
        continue;
      }
      break;
    }
    if (pos > len) pos = len;
    this.pos = pos;
    this.end = pos;
    this.quote = null;
    this.unterminated = false;
    this.high = bits > 127;
    this.escaped = escaped;
    this.value = escaped ? unescape(text, begin, pos) : this.wantValue || bits > 127 ? text.slice(begin, pos) : '';
    if (pos - begin >= NGINX_CONF_BUFFER - 1) this.checkBareLength(begin, pos);
    return (this.kind = WORD);
  }

  /** nginx needs the word and its terminator (and, after a space, one more byte) in its buffer. */
  private checkBareLength(begin: number, end: number): void {
    const len = this.text.length;
    if (end >= len) {
      if (len - begin > NGINX_CONF_BUFFER) this.tooLong(begin, false);
      return;
    }
    const t = this.text.charCodeAt(end);
    const needed = end - begin + 1 + (t === SEMI || t === LBRACE || end + 1 >= len ? 0 : 1);
    if (needed > NGINX_CONF_BUFFER) this.tooLong(begin, false);
  }

  private readQuoted(pos: number, q: number): Tok {
    const text = this.text;
    const len = text.length;
    const begin = pos;
    pos++;
    let escaped = false;
    let bits = 0;
    let closed = false;
    while (pos < len) {
      const c = text.charCodeAt(pos);
      bits |= c;
      if (c === q) {
        closed = true;
        break;
      }
      if (c === LF) {
        this.line++;
        this.lineStart = pos + 1;
      } else if (c === BACKSLASH) {
        escaped = true;
        if (pos + 1 < len) {
          const n = text.charCodeAt(pos + 1);
          bits |= n;
          if (n === LF) {
            this.line++;
            this.lineStart = pos + 2;
          }
        }
        pos += 2;
        continue;
      }
      pos++;
    }
    if (pos > len) pos = len;
    const closeAt = pos;
    this.quote = q === DQUOTE ? '"' : "'";
    this.high = bits > 127;
    this.unterminated = !closed;
    this.escaped = escaped;
    this.value = escaped ? unescape(text, begin + 1, closeAt) : this.wantValue || bits > 127 || !closed ? text.slice(begin + 1, closeAt) : '';
    if (!closed) {
      // nginx: end of file inside quotes is "unexpected end of file" (reported by the parser),
      // unless the buffer filled up first.
      this.pos = this.end = len;
      if (len - (begin + 1) > NGINX_CONF_BUFFER) this.tooLong(begin + 1, true);
      return (this.kind = WORD);
    }
    pos++;
    this.pos = pos;
    this.end = pos;
    const contentLen = closeAt - (begin + 1);
    if (contentLen >= NGINX_CONF_BUFFER - 3) this.checkQuotedLength(begin + 1, closeAt);
    // After a closing quote nginx requires a separator.
    if (pos < len) {
      const n = text.charCodeAt(pos);
      if (!isSpace(n) && n !== SEMI && n !== LBRACE && n !== RPAREN) {
        this.report(`unexpected "${charAt(text, pos)}"`, pos, this.line, pos - this.lineStart + 1);
      }
    }
    return (this.kind = WORD);
  }

  private checkQuotedLength(contentStart: number, closeAt: number): void {
    const len = this.text.length;
    const n = closeAt - contentStart;
    if (n >= NGINX_CONF_BUFFER) {
      this.tooLong(contentStart, true);
      return;
    }
    // Content, closing quote, the byte after it, and one more read after a space.
    const after = closeAt + 1;
    if (after >= len) return;
    const t = this.text.charCodeAt(after);
    const needed = n + 2 + (isSpace(t) && after + 1 < len ? 1 : 0);
    if (needed > NGINX_CONF_BUFFER) this.tooLong(contentStart, false);
  }

  private tooLong(from: number, inQuotes: boolean): void {
    const { line, column } = this.positionOf(from);
    const message = inQuotes
      ? `too long parameter, probably missing terminating "${String.fromCharCode(this.text.charCodeAt(from - 1))}" character`
      : `too long parameter "${decodeBytes(this.text.slice(from, from + 10))}..." started`;
    this.report(message, from, line, column);
  }

  /** Line and byte column of an offset at or before `pos` (scans back; used on error paths only). */
  private positionOf(offset: number): { line: number; column: number } {
    let line = this.line;
    let lineStart = this.lineStart;
    while (lineStart > offset) {
      const prev = this.text.lastIndexOf('\n', lineStart - 2);
      line--;
      lineStart = prev + 1;
    }
    return { line, column: offset - lineStart + 1 };
  }

  private report(message: string, start: number, line: number, column: number): void {
    this.errors.push({ message, start, line, column });
  }

  /**
   * Reads a `*_by_lua_block { … }` body as one word after the lexer returned its `{`, as
   * lua-nginx-module does: braces count, except inside Lua strings (closed on the same line),
   * `--` comments and long brackets (`[[ ]]`, `[=[ ]=]`, `--[[ ]]`). On return the current token
   * is the body (a word from after `{` to before the matching `}`), and `pos` is past the `}`.
   * Returns false when the file ended first (the body then runs to the end of the file).
   */
  readLuaBlock(): boolean {
    const text = this.text;
    const len = text.length;
    let pos = this.pos;
    const bodyStart = pos;
    this.tokLine = this.line;
    this.tokColumn = pos - this.lineStart + 1;
    // lua-nginx-module searches a long bracket's end only in its read buffer: model that buffer.
    this.syncCoreBuffer(pos);
    let bufLast = this.bufLast;
    // lua-nginx-module reports an unterminated block at the line of the last `{` it saw.
    let braceAt = pos - 1;
    // Where lua-nginx-module's current token read began.
    let tokenFrom = pos;
    bufLast = luaRefill(tokenFrom, bufLast, len);
    let depth = 1;
    let bits = 0;
    // Per quote kind: offset before which a string of that kind is known not to close on its line
    // (a later quote there was escaped in the earlier scan), so `"\"\"\…` is scanned once, not once per quote.
    let dqOpenUntil = -1;
    let sqOpenUntil = -1;
    // Per long-bracket level: offset up to which its closing bracket was searched for in vain.
    const searched = new Map<number, number>();
    while (pos < len) {
      if (pos >= bufLast) {
        // No token in the buffer: lua-nginx-module slides it and reads on.
        bufLast = Math.min(len, Math.max(tokenFrom, pos) + NGINX_CONF_BUFFER);
      }
      const c = text.charCodeAt(pos);
      bits |= c;
      let tokenEnd = -1;
      if (c === LF) {
        this.line++;
        this.lineStart = pos + 1;
        pos++;
        continue;
      } else if (c === LBRACE) {
        depth++;
        braceAt = pos;
        tokenEnd = pos + 1;
      } else if (c === RBRACE) {
        depth--;
        if (depth === 0) {
          this.finishLua(bodyStart, pos, bits);
          this.pos = pos + 1;
          this.bufLast = bufLast;
          this.coreFrom = pos + 1;
          return true;
        }
        tokenEnd = pos + 1;
      } else if (c === DQUOTE || c === SQUOTE) {
        // An unclosed string is no token: its quote is an ordinary byte.
        if (pos < (c === DQUOTE ? dqOpenUntil : sqOpenUntil)) tokenEnd = -1;
        else {
          tokenEnd = luaStringEnd(text, pos, c);
          if (tokenEnd < 0) {
            if (c === DQUOTE) dqOpenUntil = -tokenEnd - 1;
            else sqOpenUntil = -tokenEnd - 1;
            tokenEnd = -1;
          }
        }
        if (tokenEnd !== -1) for (let i = pos + 1; i < tokenEnd; i++) bits |= text.charCodeAt(i);
      } else if (c === LBRACKET) {
        const level = longBracketLevel(text, pos);
        if (level >= 0) tokenEnd = this.skipLuaLongBracket(pos, pos, level, bufLast, searched);
      } else if (c === RBRACKET) {
        let i = pos + 1;
        while (i < len && text.charCodeAt(i) === EQUALS) i++;
        if (i < len && text.charCodeAt(i) === RBRACKET) tokenEnd = i + 1;
      } else if (c === DASH && pos + 1 < len && text.charCodeAt(pos + 1) === DASH) {
        const level = pos + 2 < len && text.charCodeAt(pos + 2) === LBRACKET ? longBracketLevel(text, pos + 2) : -1;
        if (level >= 0) {
          tokenEnd = this.skipLuaLongBracket(pos, pos + 2, level, bufLast, searched);
        } else {
          tokenEnd = text.indexOf('\n', pos);
          if (tokenEnd === -1) tokenEnd = len;
          for (let i = pos + 2; i < tokenEnd; i++) bits |= text.charCodeAt(i);
        }
      }
      if (tokenEnd === -1) {
        pos++;
        continue;
      }
      pos = tokenFrom = tokenEnd;
      bufLast = luaRefill(tokenFrom, bufLast, len);
    }
    this.finishLua(bodyStart, len, bits);
    this.pos = len;
    this.bufLast = len;
    this.coreFrom = len;
    const at = this.positionOf(Math.max(0, braceAt));
    this.report('unexpected end of file, expecting terminating characters for lua code block', Math.max(0, braceAt), at.line, at.column);
    return false;
  }

  private finishLua(bodyStart: number, bodyEnd: number, bits: number): void {
    this.kind = WORD;
    this.start = bodyStart;
    this.end = bodyEnd;
    this.value = this.text.slice(bodyStart, bodyEnd);
    this.high = bits > 127;
    this.quote = null;
    this.unterminated = false;
    this.escaped = false;
  }

  /**
   * Skips a long string/comment opened at `from` (`[` of the bracket at `bracketAt`); returns the
   * offset past its closing bracket. When the closing bracket is missing, or lies beyond the read
   * buffer lua-nginx-module searches, reports it and skips only the opening bracket, so braces
   * after it still count (best recovery).
   */
  private skipLuaLongBracket(from: number, bracketAt: number, level: number, bufLast: number, searched: Map<number, number>): number {
    const text = this.text;
    const close = ']' + '='.repeat(level) + ']';
    const bodyFrom = bracketAt + level + 2;
    // Search only the read buffer (all lua-nginx-module sees), and not again where an earlier
    // bracket of this level searched in vain: a run of unclosed brackets stays linear.
    const from2 = Math.max(bodyFrom, (searched.get(level) ?? 0) - close.length + 1);
    const found = bufLast - from2 >= close.length ? text.slice(from2, bufLast).indexOf(close) : -1;
    if (found === -1) searched.set(level, Math.max(bufLast, searched.get(level) ?? 0));
    const stop = found === -1 ? -1 : from2 + found + close.length;
    if (stop === -1 || stop > bufLast) {
      this.report(
        `Lua code block missing the closing long bracket "${close}", the inlined Lua code may be too long`,
        from,
        this.line,
        from - this.lineStart + 1,
      );
      return bodyFrom;
    }
    for (let i = text.indexOf('\n', from); i !== -1 && i < stop; i = text.indexOf('\n', i + 1)) {
      this.line++;
      this.lineStart = i + 1;
    }
    return stop;
  }

  /**
   * Advances the model of nginx's read buffer (`bufLast`: file offset where its content ends)
   * over `[coreFrom, to)` the way ngx_conf_read_token reads it: when it runs out of bytes it keeps
   * the current token (from `start`) and refills up to 4096 bytes from there. `coreFrom` is
   * always where a token read begins (file start, or right after a Lua block).
   */
  private syncCoreBuffer(to: number): void {
    const text = this.text;
    const size = text.length;
    let bufLast = this.bufLast;
    let x = this.coreFrom;
    this.coreFrom = to;
    if (bufLast >= size) return;
    let start = x;
    let lastSpace = true;
    let needSpace = false;
    let escaped = false;
    let inComment = false;
    let quote = 0;
    let variable = false;
    for (; x < to; x++) {
      if (x >= bufLast) bufLast = Math.min(size, Math.max(start, x - NGINX_CONF_BUFFER + 1) + NGINX_CONF_BUFFER);
      const ch = text.charCodeAt(x);
      if (inComment) {
        if (ch !== LF) continue;
        inComment = false;
      }
      if (escaped) {
        escaped = false;
        continue;
      }
      if (needSpace) {
        needSpace = false;
        lastSpace = true;
        if (isSpace(ch)) continue;
        if (ch === SEMI || ch === LBRACE) {
          start = x + 1; // read_token returned
          continue;
        }
        // `)` starts the next word; anything else is an error nginx stops at (resync here).
      }
      if (lastSpace) {
        start = x;
        if (isSpace(ch)) continue;
        lastSpace = false;
        if (ch === SEMI || ch === LBRACE || ch === RBRACE) {
          lastSpace = true;
          start = x + 1;
        } else if (ch === HASH) {
          inComment = true;
          lastSpace = true;
        } else if (ch === BACKSLASH) escaped = true;
        else if (ch === DQUOTE || ch === SQUOTE) {
          quote = ch;
          start = x + 1;
        } else if (ch === DOLLAR) variable = true;
        continue;
      }
      if (ch === LBRACE && variable) continue;
      variable = false;
      if (ch === BACKSLASH) escaped = true;
      else if (ch === DOLLAR) variable = true;
      else if (quote !== 0) {
        if (ch === quote) {
          quote = 0;
          needSpace = true;
        }
      } else if (isSpace(ch)) lastSpace = true;
      else if (ch === SEMI || ch === LBRACE) {
        lastSpace = true;
        start = x + 1;
      }
    }
    this.bufLast = bufLast;
  }
}

/** lua-nginx-module's refill before each token read: slide when less than half a buffer is left. */
function luaRefill(tokenFrom: number, bufLast: number, size: number): number {
  if (bufLast >= size) return bufLast;
  if (tokenFrom >= bufLast || bufLast - tokenFrom < NGINX_CONF_BUFFER / 2) return Math.min(size, tokenFrom + NGINX_CONF_BUFFER);
  return bufLast;
}

/**
 * End (past the closing quote) of a Lua string opened at `pos`; when it does not close on its
 * line, `-1 - s` where `s` is the offset the scan stopped at.
 */
function luaStringEnd(text: string, pos: number, q: number): number {
  const len = text.length;
  let i = pos + 1;
  while (i < len) {
    const d = text.charCodeAt(i);
    if (d === q) return i + 1;
    if (d === LF) return -1 - i;
    if (d === BACKSLASH) {
      if (i + 1 >= len || text.charCodeAt(i + 1) === LF) return -1 - i;
      i += 2;
      continue;
    }
    i++;
  }
  return -1 - len;
}

/** `[[` → 0, `[==[` → 2, otherwise -1. */
function longBracketLevel(text: string, pos: number): number {
  let i = pos + 1;
  let level = 0;
  while (text.charCodeAt(i) === EQUALS) {
    level++;
    i++;
  }
  return text.charCodeAt(i) === LBRACKET ? level : -1;
}

function hasHighByte(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) > 127) return true;
  return false;
}

function decodeBytes(s: string): string {
  return hasHighByte(s, 0, s.length) ? Buffer.from(s, 'latin1').toString('utf8') : s;
}

/** The character at a byte offset, decoded from UTF-8 when it starts a multi-byte sequence. */
function charAt(text: string, pos: number): string {
  const c = text.charCodeAt(pos);
  if (c < 128) return text[pos]!;
  const n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
  return decodeBytes(text.slice(pos, pos + n));
}

/** nginx's unescaping: `\"` `\'` `\\` → the char, `\t` `\r` `\n` → control chars, others kept. */
export function unescape(text: string, from: number, to: number): string {
  let out = '';
  let i = from;
  let chunk = from;
  while (i < to) {
    if (text.charCodeAt(i) !== BACKSLASH || i + 1 >= to) {
      i++;
      continue;
    }
    const n = text[i + 1];
    let repl: string | null = null;
    if (n === '"' || n === "'" || n === '\\') repl = n;
    else if (n === 't') repl = '\t';
    else if (n === 'r') repl = '\r';
    else if (n === 'n') repl = '\n';
    if (repl === null) {
      i += 2;
      continue;
    }
    out += text.slice(chunk, i) + repl;
    i += 2;
    chunk = i;
  }
  return out + text.slice(chunk, to);
}

/** A token list, for tools and tests (`conftune parse --format crossplane` lex mode). */
export interface Token {
  kind: 'word' | ';' | '{' | '}' | 'comment' | 'error';
  /** Word value (unescaped, UTF-8 decoded), comment text, or error message. */
  value: string;
  quote: '"' | "'" | null;
  start: number;
  end: number;
  line: number;
  /** 1-based column in bytes. */
  column: number;
}

/** Tokens of a whole text, with lexical errors as `error` tokens where nginx would stop. */
export function tokenize(text: string): Token[] {
  const lx = new Lexer(text);
  const out: Token[] = [];
  // Whether the tokens since the last `;`/`{`/`}` began with a `*_by_lua_block` name.
  let statementStart = true;
  let luaStatement = false;
  const flushErrors = (): void => {
    for (const e of lx.errors) {
      out.push({ kind: 'error', value: e.message, quote: null, start: e.start, end: e.start, line: e.line, column: e.column });
    }
    lx.errors.length = 0;
  };
  for (let guard = 0; guard <= text.length + 1; guard++) {
    const k = lx.next();
    if (k === EOF) break;
    const base = { start: lx.start, end: lx.end, line: lx.tokLine, column: lx.tokColumn, quote: lx.quote };
    switch (k) {
      case WORD:
        out.push({ kind: 'word', value: lx.high ? decodeBytes(lx.value) : lx.value, ...base });
        if (statementStart) luaStatement = isLuaBlockName(lx.value);
        statementStart = false;
        break;
      case SEMICOLON:
        out.push({ kind: ';', value: ';', ...base });
        statementStart = true;
        luaStatement = false;
        break;
      case BLOCK_START:
        out.push({ kind: '{', value: '{', ...base });
        statementStart = true;
        if (luaStatement) {
          luaStatement = false;
          const ok = lx.readLuaBlock();
          out.push({ kind: 'word', value: lx.high ? decodeBytes(lx.value) : lx.value, start: lx.start, end: lx.end, line: lx.tokLine, column: lx.tokColumn, quote: null });
          if (ok) out.push({ kind: '}', value: '}', start: lx.pos - 1, end: lx.pos, line: lx.line, column: lx.pos - lx.lineStart, quote: null });
        }
        break;
      case BLOCK_END:
        out.push({ kind: '}', value: '}', ...base });
        statementStart = true;
        luaStatement = false;
        break;
      case COMMENT:
        out.push({ kind: 'comment', value: lx.high ? decodeBytes(lx.value) : lx.value, ...base });
        break;
    }
    if (lx.errors.length > 0) flushErrors();
  }
  return out;
}

/** lua-nginx-module reads the body of every `*_by_lua_block` directive with its own Lua lexer. */
export function isLuaBlockName(name: string): boolean {
  return name.endsWith('_by_lua_block');
}
