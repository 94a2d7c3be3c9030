// A tokenizer for Python source, enough to parse a gunicorn.conf.py without running it.
// Works on latin1 text (one char per byte) so token offsets are byte offsets.

export type TokenType = 'name' | 'number' | 'string' | 'op' | 'newline' | 'indent' | 'dedent' | 'end';

export interface Token {
  type: TokenType;
  /** Source text of the token (for strings: prefix and quotes included). */
  text: string;
  start: number;
  end: number;
}

export interface StringToken extends Token {
  type: 'string';
  prefix: string;
  quote: string;
  /** Offsets of the content between the quotes. */
  bodyStart: number;
  bodyEnd: number;
}

export class PySyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const OPERATORS = [
  '**=', '//=', '>>=', '<<=', '...', '!=', '%=', '&=', '**', '*=', '+=', '-=', '->', '//', '/=', ':=',
  '<<', '<=', '==', '>=', '>>', '@=', '^=', '|=',
  '!', '%', '&', '(', ')', '*', '+', ',', '-', '.', '/', ':', ';', '<', '=', '>', '@', '[', ']', '^', '{', '|', '}', '~',
];
const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSE: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c >= 128;
}
function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

const STRING_PREFIX = /^(?:[rRuUbBfF]|[rR][bBfF]|[bBfF][rR])$/;

/**
 * Tokenizes `text[start, end)`. In `expression` mode (f-string fields) newlines are plain
 * whitespace and no indentation tokens are produced. Throws PySyntaxError at the first error.
 */
export function tokenize(text: string, start = 0, end = text.length, expression = false): Token[] {
  const tokens: Token[] = [];
  const indents = [0];
  const brackets: Array<{ ch: string; at: number }> = [];
  let i = start;
  let atLineStart = !expression;
  const push = (type: TokenType, s: number, e: number) => tokens.push({ type, text: text.slice(s, e), start: s, end: e });
  const lastType = () => (tokens.length ? tokens[tokens.length - 1]!.type : 'newline');

  while (i < end) {
    if (atLineStart) {
      atLineStart = false;
      let col = 0;
      let j = i;
      for (; j < end; j++) {
        const c = text[j];
        if (c === ' ') col++;
        else if (c === '\t') col = (Math.floor(col / 8) + 1) * 8;
        else if (c === '\f') col = 0;
        else break;
      }
      const c = text[j];
      // Blank and comment-only lines don't affect indentation.
      if (j >= end || c === '#' || c === '\n' || c === '\r' || (c === '\\' && /^\\\r?\n/.test(text.slice(j, j + 3)))) {
        i = j;
      } else {
        const top = indents[indents.length - 1]!;
        if (col > top) {
          // Whether an indent is expected here is the parser's call ("unexpected indent").
          indents.push(col);
          push('indent', j, j);
        } else if (col < top) {
          while (indents.length > 1 && col < indents[indents.length - 1]!) {
            indents.pop();
            push('dedent', j, j);
          }
          if (col !== indents[indents.length - 1]) throw new PySyntaxError('unindent does not match any outer indentation level', j);
        }
        i = j;
        continue;
      }
    }
    const ch = text.charCodeAt(i);
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < end && text[i] !== '\n' && text[i] !== '\r') i++;
      continue;
    }
    if (c === '\\') {
      const m = /^\\(\r\n|\n|\r)/.exec(text.slice(i, i + 3));
      if (!m) throw new PySyntaxError('unexpected character after line continuation character', i);
      i += m[0].length;
      if (i >= end) throw new PySyntaxError('unexpected EOF while parsing', i);
      continue;
    }
    if (c === '\n' || c === '\r') {
      const len = c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      if (!expression && brackets.length === 0) {
        if (tokens.length && lastType() !== 'newline' && lastType() !== 'indent' && lastType() !== 'dedent') push('newline', i, i + len);
        atLineStart = true;
      }
      i += len;
      continue;
    }
    if (isIdentStart(ch)) {
      let j = i + 1;
      while (j < end && isIdentChar(text.charCodeAt(j))) j++;
      const word = text.slice(i, j);
      if ((text[j] === '"' || text[j] === "'") && STRING_PREFIX.test(word)) {
        i = readString(text, i, j, end, tokens);
        continue;
      }
      push('name', i, j);
      i = j;
      continue;
    }
    if (c === '"' || c === "'") {
      i = readString(text, i, i, end, tokens);
      continue;
    }
    if (isDigit(ch) || (c === '.' && isDigit(text.charCodeAt(i + 1)))) {
      i = readNumber(text, i, end, tokens);
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i) && i + o.length <= end);
    if (!op) throw new PySyntaxError(`invalid character '${c}' (U+${ch.toString(16).toUpperCase().padStart(4, '0')})`, i);
    if (op === '!' ) throw new PySyntaxError('invalid syntax', i);
    if (OPEN[op]) brackets.push({ ch: op, at: i });
    else if (CLOSE[op]) {
      const open = brackets.pop();
      if (!open) throw new PySyntaxError(`unmatched '${op}'`, i);
      if (open.ch !== CLOSE[op]) throw new PySyntaxError(`closing parenthesis '${op}' does not match opening parenthesis '${open.ch}'`, i);
    }
    push('op', i, i + op.length);
    i += op.length;
  }
  if (brackets.length) {
    const open = brackets[brackets.length - 1]!;
    throw new PySyntaxError(`'${open.ch}' was never closed`, open.at);
  }
  if (!expression) {
    if (tokens.length && lastType() !== 'newline' && lastType() !== 'dedent') push('newline', end, end);
    while (indents.length > 1) {
      indents.pop();
      push('dedent', end, end);
    }
  }
  push('end', end, end);
  return tokens;
}

function readString(text: string, start: number, quoteAt: number, end: number, tokens: Token[]): number {
  const prefix = text.slice(start, quoteAt);
  const q = text[quoteAt]!;
  const triple = text.startsWith(q + q + q, quoteAt);
  const quote = triple ? q + q + q : q;
  let j = quoteAt + quote.length;
  const bodyStart = j;
  for (;;) {
    if (j >= end) {
      throw new PySyntaxError(triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal', start);
    }
    const c = text[j];
    if (c === '\\') {
      // In raw strings a backslash still keeps the next quote from closing the string.
      j += text[j + 1] === '\r' && text[j + 2] === '\n' ? 3 : 2;
      continue;
    }
    if (!triple && (c === '\n' || c === '\r')) throw new PySyntaxError('unterminated string literal', start);
    if (text.startsWith(quote, j)) break;
    j++;
  }
  const tok: StringToken = {
    type: 'string',
    text: text.slice(start, j + quote.length),
    start,
    end: j + quote.length,
    prefix,
    quote,
    bodyStart,
    bodyEnd: j,
  };
  tokens.push(tok);
  return j + quote.length;
}

const NUMBER = /^(?:0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?[jJ]?)/;

function readNumber(text: string, i: number, end: number, tokens: Token[]): number {
  const m = NUMBER.exec(text.slice(i, Math.min(end, i + 200)));
  if (!m) throw new PySyntaxError('invalid decimal literal', i);
  const lit = m[0];
  const after = text.charCodeAt(i + lit.length);
  if (i + lit.length < end && isIdentChar(after)) throw new PySyntaxError('invalid decimal literal', i);
  if (/^0\d/.test(lit) && /^[\d_]+$/.test(lit) && /[1-9]/.test(lit)) {
    throw new PySyntaxError('leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers', i);
  }
  tokens.push({ type: 'number', text: lit, start: i, end: i + lit.length });
  return i + lit.length;
}
