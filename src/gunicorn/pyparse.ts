// A recursive-descent parser for Python 3 statements and expressions, producing a small AST for
// the static evaluator. It accepts the whole language a gunicorn.conf.py is likely to use (defs,
// classes, control flow, comprehensions, lambdas, f-strings) so that valid files parse; only
// module-level assignments are evaluated later.

import { PySyntaxError, tokenize, type StringToken, type Token } from './pylex.js';

export { PySyntaxError } from './pylex.js';

interface Span {
  start: number;
  end: number;
}

export type FStringPart = string | { expr: Expr; conversion: string | null; spec: FStringPart[] | null };

export type Expr = Span &
  (
    | { kind: 'name'; id: string }
    | { kind: 'num'; numType: 'int' | 'float' | 'complex'; value: number; text: string }
    | { kind: 'str'; value: string; bytes: boolean; fstring: FStringPart[] | null; pieces: Span[] }
    | { kind: 'const'; value: true | false | null | 'ellipsis' }
    | { kind: 'attr'; value: Expr; attr: string }
    | { kind: 'subscript'; value: Expr; index: Expr }
    | { kind: 'slice'; lower: Expr | null; upper: Expr | null; step: Expr | null }
    | { kind: 'call'; func: Expr; args: Expr[]; keywords: Array<{ name: string | null; value: Expr }> }
    | { kind: 'binop'; op: string; left: Expr; right: Expr }
    | { kind: 'unary'; op: string; operand: Expr }
    | { kind: 'boolop'; op: 'and' | 'or'; values: Expr[] }
    | { kind: 'compare'; left: Expr; ops: string[]; comparators: Expr[] }
    | { kind: 'ifexp'; test: Expr; body: Expr; orelse: Expr }
    | { kind: 'lambda'; body: Expr; params: string[] }
    | { kind: 'list' | 'tuple' | 'set'; elts: Expr[] }
    | { kind: 'dict'; keys: Array<Expr | null>; values: Expr[] }
    | { kind: 'comp'; what: 'list' | 'set' | 'dict' | 'gen'; inner: Expr[] }
    | { kind: 'starred'; value: Expr; double: boolean }
    | { kind: 'yield' | 'await'; value: Expr | null }
    | { kind: 'walrus'; target: string; value: Expr }
  );

export type Stmt = Span &
  (
    | { kind: 'assign'; targets: Expr[]; value: Expr }
    | { kind: 'augassign'; target: Expr; op: string; value: Expr }
    | { kind: 'annassign'; target: Expr; value: Expr | null }
    | { kind: 'expr'; value: Expr }
    | { kind: 'import'; names: Array<{ name: string; asname: string | null; start: number; end: number }> }
    | { kind: 'importfrom'; module: string; names: Array<{ name: string; asname: string | null; start: number; end: number }> }
    | { kind: 'def'; name: string; nameStart: number; nameEnd: number; params: string[]; body: Stmt[]; decorators: Expr[]; isAsync: boolean }
    | { kind: 'class'; name: string; nameStart: number; nameEnd: number; body: Stmt[]; decorators: Expr[] }
    | { kind: 'if'; test: Expr; body: Stmt[]; orelse: Stmt[] }
    | { kind: 'loop'; keyword: 'for' | 'while'; targets: Expr[]; body: Stmt[]; orelse: Stmt[]; head: Expr[] }
    | { kind: 'try'; body: Stmt[]; handlers: Stmt[][]; orelse: Stmt[]; finalbody: Stmt[]; heads: Expr[] }
    | { kind: 'with'; items: Expr[]; targets: Expr[]; body: Stmt[] }
    | { kind: 'del'; targets: Expr[] }
    | { kind: 'global'; names: string[] }
    | { kind: 'other'; keyword: string; exprs: Expr[] }
    | { kind: 'opaque'; keyword: string; names: string[] }
  );

export interface Module {
  body: Stmt[];
}

const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif',
  'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or',
  'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);

const AUG_OPS = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '**=', '>>=', '<<=', '&=', '^=', '|=', '@=']);
const COMPARE_OPS = new Set(['<', '>', '==', '>=', '<=', '!=']);

/** Parses a whole module. Throws PySyntaxError (callers turn it into a diagnostic). */
export function parseModule(text: string): Module {
  const p = new Parser(text, tokenize(text));
  return { body: p.parseStatements(true) };
}

class Parser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly toks: Token[],
  ) {}

  // ---- token helpers ------------------------------------------------------------------------
  private get tok(): Token {
    return this.toks[this.pos]!;
  }
  /** Current token type, re-read (TypeScript would otherwise keep an earlier narrowing). */
  private typeNow(): Token['type'] {
    return this.toks[this.pos]!.type;
  }
  private peek(n = 1): Token {
    return this.toks[Math.min(this.pos + n, this.toks.length - 1)]!;
  }
  private isOp(op: string, t = this.tok): boolean {
    return t.type === 'op' && t.text === op;
  }
  private isKw(kw: string, t = this.tok): boolean {
    return t.type === 'name' && t.text === kw;
  }
  private next(): Token {
    const t = this.tok;
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  private fail(message = 'invalid syntax', t = this.tok): never {
    if (t.type === 'indent') throw new PySyntaxError('unexpected indent', t.start);
    if (t.type === 'end' && message === 'invalid syntax') throw new PySyntaxError('unexpected EOF while parsing', t.start);
    throw new PySyntaxError(message, t.start);
  }
  private expectOp(op: string, message = `expected '${op}'`): Token {
    if (!this.isOp(op)) this.fail(this.tok.type === 'newline' || this.tok.type === 'end' ? message : message === `expected '${op}'` ? 'invalid syntax' : message);
    return this.next();
  }
  private expectKw(kw: string): Token {
    if (!this.isKw(kw)) this.fail();
    return this.next();
  }
  private expectName(): Token {
    const t = this.tok;
    if (t.type !== 'name' || KEYWORDS.has(t.text)) this.fail();
    return this.next();
  }
  private prevEnd(): number {
    return this.toks[Math.max(0, this.pos - 1)]!.end;
  }

  // ---- statements ---------------------------------------------------------------------------
  parseStatements(topLevel: boolean): Stmt[] {
    const out: Stmt[] = [];
    while (this.tok.type !== 'end' && this.tok.type !== 'dedent') {
      if (this.tok.type === 'newline') {
        this.next();
        continue;
      }
      out.push(...this.parseStatement());
    }
    if (topLevel && this.tok.type === 'dedent') this.fail();
    return out;
  }

  private parseStatement(): Stmt[] {
    const t = this.tok;
    if (t.type === 'indent') this.fail('unexpected indent');
    if (t.type === 'name') {
      switch (t.text) {
        case 'if':
          return [this.parseIf()];
        case 'while':
        case 'for':
          return [this.parseLoop()];
        case 'try':
          return [this.parseTry()];
        case 'with':
          return [this.parseWith()];
        case 'def':
          return [this.parseDef([], false)];
        case 'class':
          return [this.parseClass([])];
        case 'async': {
          const n = this.peek();
          if (this.isKw('def', n)) {
            this.next();
            return [this.parseDef([], true)];
          }
          if (this.isKw('for', n) || this.isKw('with', n)) {
            this.next();
            return [this.isKw('for') ? this.parseLoop() : this.parseWith()];
          }
          break;
        }
        case 'match':
          if (this.looksLikeMatch()) return [this.parseOpaqueCompound('match')];
          break;
        case 'elif':
        case 'else':
        case 'except':
        case 'finally':
          this.fail();
      }
    }
    if (this.isOp('@')) return [this.parseDecorated()];
    return this.parseSimpleLine();
  }

  /** `match x:` followed by an indented block (a soft keyword; otherwise `match` is a name). */
  private looksLikeMatch(): boolean {
    const n = this.peek();
    if (n.type === 'newline' || (n.type === 'op' && ['=', '.', '(', '[', ',', ')', ':'].includes(n.text) && n.text !== '(' && n.text !== '[')) return false;
    for (let i = this.pos + 1; i < this.toks.length; i++) {
      const t = this.toks[i]!;
      if (t.type === 'newline') {
        const prev = this.toks[i - 1]!;
        return this.isOp(':', prev) && this.toks[i + 1]?.type === 'indent';
      }
      if (t.type === 'end') return false;
    }
    return false;
  }

  /** Skips a compound statement the evaluator doesn't model, remembering the names it assigns. */
  private parseOpaqueCompound(keyword: string): Stmt {
    const start = this.tok.start;
    const names: string[] = [];
    while (this.tok.type !== 'newline' && this.tok.type !== 'end') this.next();
    this.next();
    if (this.typeNow() !== 'indent') this.fail(`expected an indented block`);
    let depth = 0;
    do {
      const t = this.next();
      if (t.type === 'indent') depth++;
      else if (t.type === 'dedent') depth--;
      else if (t.type === 'name' && (this.isOp('=') || AUG_OPS.has(this.tok.text))) names.push(t.text);
    } while (depth > 0 && this.tok.type !== 'end');
    return { kind: 'opaque', keyword, names, start, end: this.prevEnd() };
  }

  private parseSimpleLine(): Stmt[] {
    const out: Stmt[] = [this.parseSmallStatement()];
    while (this.isOp(';')) {
      this.next();
      if (this.tok.type === 'newline' || this.tok.type === 'end') break;
      out.push(this.parseSmallStatement());
    }
    if (this.tok.type !== 'newline' && this.tok.type !== 'end') this.fail();
    this.next();
    return out;
  }

  private parseSmallStatement(): Stmt {
    const t = this.tok;
    const start = t.start;
    if (t.type === 'name') {
      switch (t.text) {
        case 'pass':
        case 'break':
        case 'continue':
          this.next();
          return { kind: 'other', keyword: t.text, exprs: [], start, end: t.end };
        case 'return': {
          this.next();
          const exprs = this.atStatementEnd() ? [] : [this.parseTestListStar()];
          return { kind: 'other', keyword: 'return', exprs, start, end: this.prevEnd() };
        }
        case 'raise': {
          this.next();
          const exprs: Expr[] = [];
          if (!this.atStatementEnd()) {
            exprs.push(this.parseTest());
            if (this.isKw('from')) {
              this.next();
              exprs.push(this.parseTest());
            }
          }
          return { kind: 'other', keyword: 'raise', exprs, start, end: this.prevEnd() };
        }
        case 'global':
        case 'nonlocal': {
          this.next();
          const names = [this.expectName().text];
          while (this.isOp(',')) {
            this.next();
            names.push(this.expectName().text);
          }
          return t.text === 'global' ? { kind: 'global', names, start, end: this.prevEnd() } : { kind: 'other', keyword: 'nonlocal', exprs: [], start, end: this.prevEnd() };
        }
        case 'del': {
          this.next();
          const targets = this.parseExprList();
          return { kind: 'del', targets, start, end: this.prevEnd() };
        }
        case 'assert': {
          this.next();
          const exprs = [this.parseTest()];
          if (this.isOp(',')) {
            this.next();
            exprs.push(this.parseTest());
          }
          return { kind: 'other', keyword: 'assert', exprs, start, end: this.prevEnd() };
        }
        case 'import':
          return this.parseImport();
        case 'from':
          return this.parseFromImport();
      }
    }
    return this.parseExprStatement();
  }

  private atStatementEnd(): boolean {
    return this.tok.type === 'newline' || this.tok.type === 'end' || this.isOp(';');
  }

  private parseDottedName(): string {
    let name = this.expectName().text;
    while (this.isOp('.')) {
      this.next();
      name += '.' + this.expectName().text;
    }
    return name;
  }

  private parseImport(): Stmt {
    const start = this.next().start;
    const names: Array<{ name: string; asname: string | null; start: number; end: number }> = [];
    do {
      if (names.length) this.next();
      const s = this.tok.start;
      const name = this.parseDottedName();
      let asname: string | null = null;
      if (this.isKw('as')) {
        this.next();
        asname = this.expectName().text;
      }
      names.push({ name, asname, start: s, end: this.prevEnd() });
    } while (this.isOp(','));
    return { kind: 'import', names, start, end: this.prevEnd() };
  }

  private parseFromImport(): Stmt {
    const start = this.next().start;
    let module = '';
    while (this.isOp('.') || this.isOp('...')) module += this.next().text;
    if (!this.isKw('import')) module += this.parseDottedName();
    this.expectKw('import');
    const names: Array<{ name: string; asname: string | null; start: number; end: number }> = [];
    if (this.isOp('*')) {
      const t = this.next();
      names.push({ name: '*', asname: null, start: t.start, end: t.end });
      return { kind: 'importfrom', module, names, start, end: this.prevEnd() };
    }
    const paren = this.isOp('(');
    if (paren) this.next();
    for (;;) {
      const s = this.tok.start;
      const name = this.expectName().text;
      let asname: string | null = null;
      if (this.isKw('as')) {
        this.next();
        asname = this.expectName().text;
      }
      names.push({ name, asname, start: s, end: this.prevEnd() });
      if (!this.isOp(',')) break;
      this.next();
      if (paren && this.isOp(')')) break;
    }
    if (paren) this.expectOp(')');
    return { kind: 'importfrom', module, names, start, end: this.prevEnd() };
  }

  private parseExprStatement(): Stmt {
    const start = this.tok.start;
    const first = this.isKw('yield') ? this.parseYield() : this.parseTestListStar();
    if (this.isOp(':') ) {
      this.checkTarget(first, true);
      this.next();
      this.parseTest();
      let value: Expr | null = null;
      if (this.isOp('=')) {
        this.next();
        value = this.isKw('yield') ? this.parseYield() : this.parseTestListStar();
      }
      return { kind: 'annassign', target: first, value, start, end: this.prevEnd() };
    }
    if (this.tok.type === 'op' && AUG_OPS.has(this.tok.text)) {
      this.checkTarget(first, true);
      const op = this.next().text.slice(0, -1);
      const value = this.isKw('yield') ? this.parseYield() : this.parseTestList();
      return { kind: 'augassign', target: first, op, value, start, end: this.prevEnd() };
    }
    if (this.isOp('=')) {
      const targets = [first];
      let value = first;
      while (this.isOp('=')) {
        this.next();
        value = this.isKw('yield') ? this.parseYield() : this.parseTestListStar();
        targets.push(value);
      }
      targets.pop();
      for (const t of targets) this.checkTarget(t, false);
      return { kind: 'assign', targets, value, start, end: this.prevEnd() };
    }
    return { kind: 'expr', value: first, start, end: this.prevEnd() };
  }

  private checkTarget(e: Expr, single: boolean): void {
    switch (e.kind) {
      case 'name':
      case 'attr':
      case 'subscript':
        return;
      case 'tuple':
      case 'list':
        if (single) throw new PySyntaxError(`'${e.kind}' is an illegal expression for augmented assignment`, e.start);
        for (const x of e.elts) this.checkTarget(x.kind === 'starred' ? x.value : x, false);
        return;
      case 'call':
        throw new PySyntaxError(`cannot assign to function call here. Maybe you meant '==' instead of '='?`, e.start);
      case 'num':
      case 'str':
      case 'const':
        throw new PySyntaxError(`cannot assign to literal here. Maybe you meant '==' instead of '='?`, e.start);
      default:
        throw new PySyntaxError(`cannot assign to expression here. Maybe you meant '==' instead of '='?`, e.start);
    }
  }

  private parseBlock(keyword: string, headerStart: number): Stmt[] {
    this.expectOp(':');
    if (this.tok.type !== 'newline') return this.parseSimpleLine();
    this.next();
    if (this.typeNow() !== 'indent') {
      const line = this.text.slice(0, headerStart).split('\n').length;
      this.fail(`expected an indented block after '${keyword}' statement on line ${line}`);
    }
    this.next();
    const body = this.parseStatements(false);
    if (this.typeNow() === 'dedent') this.next();
    return body;
  }

  private parseIf(): Stmt {
    const start = this.next().start;
    const test = this.parseNamedExpr();
    const body = this.parseBlock('if', start);
    let orelse: Stmt[] = [];
    if (this.isKw('elif')) {
      const inner = this.parseIf();
      orelse = [inner];
    } else if (this.isKw('else')) {
      const s = this.next().start;
      orelse = this.parseBlock('else', s);
    }
    return { kind: 'if', test, body, orelse, start, end: this.prevEnd() };
  }

  private parseLoop(): Stmt {
    const kw = this.next();
    const start = kw.start;
    let targets: Expr[] = [];
    let head: Expr[];
    if (kw.text === 'for') {
      targets = this.parseExprList();
      for (const t of targets) this.checkTarget(t, false);
      this.expectKw('in');
      head = [this.parseTestListStar()];
    } else head = [this.parseNamedExpr()];
    const body = this.parseBlock(kw.text, start);
    let orelse: Stmt[] = [];
    if (this.isKw('else')) {
      const s = this.next().start;
      orelse = this.parseBlock('else', s);
    }
    return { kind: 'loop', keyword: kw.text as 'for' | 'while', targets, head, body, orelse, start, end: this.prevEnd() };
  }

  private parseTry(): Stmt {
    const start = this.next().start;
    const body = this.parseBlock('try', start);
    const handlers: Stmt[][] = [];
    const heads: Expr[] = [];
    let orelse: Stmt[] = [];
    let finalbody: Stmt[] = [];
    while (this.isKw('except')) {
      const s = this.next().start;
      if (this.isOp('*')) this.next();
      if (!this.isOp(':')) {
        heads.push(this.parseTest());
        if (this.isOp(',')) {
          while (this.isOp(',')) {
            this.next();
            this.parseTest();
          }
        }
        if (this.isKw('as')) {
          this.next();
          this.expectName();
        }
      }
      handlers.push(this.parseBlock('except', s));
    }
    if (this.isKw('else') && handlers.length) {
      const s = this.next().start;
      orelse = this.parseBlock('else', s);
    }
    if (this.isKw('finally')) {
      const s = this.next().start;
      finalbody = this.parseBlock('finally', s);
    }
    if (!handlers.length && !finalbody.length) this.fail("expected 'except' or 'finally' block");
    return { kind: 'try', body, handlers, orelse, finalbody, heads, start, end: this.prevEnd() };
  }

  private parseWith(): Stmt {
    const start = this.next().start;
    const items: Expr[] = [];
    const targets: Expr[] = [];
    // `with (a as b, c as d):` is allowed from 3.10; handle both forms.
    const parenthesised = this.isOp('(') && this.withItemsParenthesised();
    if (parenthesised) this.next();
    for (;;) {
      items.push(this.parseTest());
      if (this.isKw('as')) {
        this.next();
        const target = this.parseOrTest();
        this.checkTarget(target, false);
        targets.push(target);
      }
      if (!this.isOp(',')) break;
      this.next();
      if (parenthesised && this.isOp(')')) break;
    }
    if (parenthesised) this.expectOp(')');
    const body = this.parseBlock('with', start);
    return { kind: 'with', items, targets, body, start, end: this.prevEnd() };
  }

  private withItemsParenthesised(): boolean {
    let depth = 0;
    for (let i = this.pos; i < this.toks.length; i++) {
      const t = this.toks[i]!;
      if (t.type === 'op' && (t.text === '(' || t.text === '[' || t.text === '{')) depth++;
      else if (t.type === 'op' && (t.text === ')' || t.text === ']' || t.text === '}')) {
        depth--;
        if (depth === 0) return this.isOp(':', this.toks[i + 1]!);
      } else if (t.type === 'name' && t.text === 'as' && depth === 1) return true;
      else if (t.type === 'newline' || t.type === 'end') return false;
    }
    return false;
  }

  private parseDecorated(): Stmt {
    const decorators: Expr[] = [];
    while (this.isOp('@')) {
      this.next();
      decorators.push(this.parseNamedExpr());
      if (this.tok.type !== 'newline') this.fail();
      this.next();
    }
    if (this.isKw('def')) return this.parseDef(decorators, false);
    if (this.isKw('async') && this.isKw('def', this.peek())) {
      this.next();
      return this.parseDef(decorators, true);
    }
    if (this.isKw('class')) return this.parseClass(decorators);
    return this.fail();
  }

  private parseDef(decorators: Expr[], isAsync: boolean): Stmt {
    const start = this.next().start;
    const nameTok = this.expectName();
    this.expectOp('(', "expected '('");
    const params = this.parseParams(')');
    this.expectOp(')');
    if (this.isOp('->')) {
      this.next();
      this.parseTest();
    }
    const body = this.parseBlock('function definition', start);
    return { kind: 'def', name: nameTok.text, nameStart: nameTok.start, nameEnd: nameTok.end, params, body, decorators, isAsync, start, end: this.prevEnd() };
  }

  /** Parameter list of a def (annotations allowed) or a lambda (closing `:`). */
  private parseParams(close: string): string[] {
    const names: string[] = [];
    const annotations = close === ')';
    while (!this.isOp(close)) {
      if (this.isOp('/')) {
        this.next();
      } else if (this.isOp('*') || this.isOp('**')) {
        this.next();
        if (this.tok.type === 'name') names.push(this.expectName().text);
      } else {
        names.push(this.expectName().text);
      }
      if (annotations && this.isOp(':')) {
        this.next();
        this.parseTest();
      }
      if (this.isOp('=')) {
        this.next();
        this.parseTest();
      }
      if (!this.isOp(',')) break;
      this.next();
    }
    return names;
  }

  private parseClass(decorators: Expr[]): Stmt {
    const start = this.next().start;
    const nameTok = this.expectName();
    if (this.isOp('(')) {
      this.next();
      this.parseCallArgs();
      this.expectOp(')');
    }
    const body = this.parseBlock('class definition', start);
    return { kind: 'class', name: nameTok.text, nameStart: nameTok.start, nameEnd: nameTok.end, body, decorators, start, end: this.prevEnd() };
  }

  // ---- expressions --------------------------------------------------------------------------
  private parseYield(): Expr {
    const start = this.next().start;
    if (this.isKw('from')) {
      this.next();
      const value = this.parseTest();
      return { kind: 'yield', value, start, end: this.prevEnd() };
    }
    if (this.atStatementEnd() || this.isOp(')') || this.isOp('=')) return { kind: 'yield', value: null, start, end: this.prevEnd() };
    const value = this.parseTestListStar();
    return { kind: 'yield', value, start, end: this.prevEnd() };
  }

  /** `a, *b, c` (tuple when there is a comma). */
  private parseTestListStar(): Expr {
    return this.parseSequence(() => (this.isOp('*') ? this.parseStarred() : this.parseNamedExprOrTest()));
  }
  private parseTestList(): Expr {
    return this.parseSequence(() => this.parseTest());
  }
  private parseSequence(item: () => Expr): Expr {
    const start = this.tok.start;
    const first = item();
    if (!this.isOp(',')) return first;
    const elts = [first];
    while (this.isOp(',')) {
      this.next();
      if (this.endsSequence()) break;
      elts.push(item());
    }
    return { kind: 'tuple', elts, start, end: this.prevEnd() };
  }
  private endsSequence(): boolean {
    const t = this.tok;
    if (t.type === 'newline' || t.type === 'end') return true;
    return t.type === 'op' && ['=', ')', ']', '}', ';', ':'].includes(t.text) || (t.type === 'op' && AUG_OPS.has(t.text)) || this.isKw('in');
  }
  private parseExprList(): Expr[] {
    const out = [this.isOp('*') ? this.parseStarred() : this.parseBitOr()];
    while (this.isOp(',')) {
      this.next();
      if (this.endsSequence()) break;
      out.push(this.isOp('*') ? this.parseStarred() : this.parseBitOr());
    }
    return out;
  }
  private parseStarred(): Expr {
    const t = this.next();
    const value = this.parseBitOr();
    return { kind: 'starred', value, double: t.text === '**', start: t.start, end: this.prevEnd() };
  }

  private parseNamedExprOrTest(): Expr {
    return this.parseNamedExpr();
  }
  private parseNamedExpr(): Expr {
    if (this.tok.type === 'name' && this.isOp(':=', this.peek())) {
      const nameTok = this.expectName();
      this.next();
      const value = this.parseTest();
      return { kind: 'walrus', target: nameTok.text, value, start: nameTok.start, end: this.prevEnd() };
    }
    return this.parseTest();
  }

  parseTest(): Expr {
    if (this.isKw('lambda')) return this.parseLambda();
    const start = this.tok.start;
    const body = this.parseOrTest();
    if (this.isKw('if')) {
      this.next();
      const test = this.parseOrTest();
      if (!this.isKw('else')) this.fail("expected 'else' after 'if' expression");
      this.next();
      const orelse = this.parseTest();
      return { kind: 'ifexp', test, body, orelse, start, end: this.prevEnd() };
    }
    return body;
  }
  private parseTestNoCond(): Expr {
    return this.isKw('lambda') ? this.parseLambda() : this.parseOrTest();
  }

  private parseLambda(): Expr {
    const start = this.next().start;
    const params = this.parseParams(':');
    this.expectOp(':');
    const body = this.parseTest();
    return { kind: 'lambda', body, params, start, end: this.prevEnd() };
  }

  private parseOrTest(): Expr {
    return this.parseBool('or', () => this.parseAndTest());
  }
  private parseAndTest(): Expr {
    return this.parseBool('and', () => this.parseNotTest());
  }
  private parseBool(op: 'and' | 'or', inner: () => Expr): Expr {
    const start = this.tok.start;
    const first = inner();
    if (!this.isKw(op)) return first;
    const values = [first];
    while (this.isKw(op)) {
      this.next();
      values.push(inner());
    }
    return { kind: 'boolop', op, values, start, end: this.prevEnd() };
  }
  private parseNotTest(): Expr {
    if (this.isKw('not')) {
      const start = this.next().start;
      const operand = this.parseNotTest();
      return { kind: 'unary', op: 'not', operand, start, end: this.prevEnd() };
    }
    return this.parseComparison();
  }
  private parseComparison(): Expr {
    const start = this.tok.start;
    const left = this.parseBitOr();
    const ops: string[] = [];
    const comparators: Expr[] = [];
    for (;;) {
      let op: string | null = null;
      if (this.tok.type === 'op' && COMPARE_OPS.has(this.tok.text)) op = this.next().text;
      else if (this.isKw('in')) op = this.next().text;
      else if (this.isKw('not') && this.isKw('in', this.peek())) {
        this.next();
        this.next();
        op = 'not in';
      } else if (this.isKw('is')) {
        this.next();
        op = 'is';
        if (this.isKw('not')) {
          this.next();
          op = 'is not';
        }
      }
      if (!op) break;
      ops.push(op);
      comparators.push(this.parseBitOr());
    }
    if (!ops.length) return left;
    return { kind: 'compare', left, ops, comparators, start, end: this.prevEnd() };
  }
  private parseBinary(ops: string[], inner: () => Expr): Expr {
    const start = this.tok.start;
    let left = inner();
    while (this.tok.type === 'op' && ops.includes(this.tok.text)) {
      const op = this.next().text;
      const right = inner();
      left = { kind: 'binop', op, left, right, start, end: this.prevEnd() };
    }
    return left;
  }
  private parseBitOr(): Expr {
    return this.parseBinary(['|'], () => this.parseBinary(['^'], () => this.parseBinary(['&'], () => this.parseBinary(['<<', '>>'], () => this.parseArith()))));
  }
  private parseArith(): Expr {
    return this.parseBinary(['+', '-'], () => this.parseBinary(['*', '/', '//', '%', '@'], () => this.parseFactor()));
  }
  private parseFactor(): Expr {
    if (this.tok.type === 'op' && ['+', '-', '~'].includes(this.tok.text)) {
      const t = this.next();
      const operand = this.parseFactor();
      return { kind: 'unary', op: t.text, operand, start: t.start, end: this.prevEnd() };
    }
    return this.parsePower();
  }
  private parsePower(): Expr {
    const start = this.tok.start;
    let base: Expr;
    if (this.isKw('await')) {
      this.next();
      const value = this.parsePrimary();
      base = { kind: 'await', value, start, end: this.prevEnd() };
    } else base = this.parsePrimary();
    if (this.isOp('**')) {
      this.next();
      const right = this.parseFactor();
      return { kind: 'binop', op: '**', left: base, right, start, end: this.prevEnd() };
    }
    return base;
  }

  private parsePrimary(): Expr {
    const start = this.tok.start;
    let e = this.parseAtom();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const name = this.expectName();
        e = { kind: 'attr', value: e, attr: name.text, start, end: name.end };
      } else if (this.isOp('(')) {
        this.next();
        const { args, keywords } = this.parseCallArgs();
        this.expectOp(')');
        e = { kind: 'call', func: e, args, keywords, start, end: this.prevEnd() };
      } else if (this.isOp('[')) {
        this.next();
        const index = this.parseSubscriptList();
        this.expectOp(']');
        e = { kind: 'subscript', value: e, index, start, end: this.prevEnd() };
      } else return e;
    }
  }

  private parseCallArgs(): { args: Expr[]; keywords: Array<{ name: string | null; value: Expr }> } {
    const args: Expr[] = [];
    const keywords: Array<{ name: string | null; value: Expr }> = [];
    while (!this.isOp(')')) {
      if (this.isOp('**')) {
        this.next();
        keywords.push({ name: null, value: this.parseTest() });
      } else if (this.isOp('*')) {
        args.push(this.parseStarredTest());
      } else if (this.tok.type === 'name' && this.isOp('=', this.peek())) {
        const name = this.expectName().text;
        this.next();
        keywords.push({ name, value: this.parseTest() });
      } else {
        const start = this.tok.start;
        const value = this.parseNamedExpr();
        if (this.isKw('for') || (this.isKw('async') && this.isKw('for', this.peek()))) {
          const inner = this.parseCompFor([value]);
          args.push({ kind: 'comp', what: 'gen', inner, start, end: this.prevEnd() });
        } else args.push(value);
      }
      if (!this.isOp(',')) break;
      this.next();
    }
    return { args, keywords };
  }
  private parseStarredTest(): Expr {
    const t = this.next();
    const value = this.parseTest();
    return { kind: 'starred', value, double: false, start: t.start, end: this.prevEnd() };
  }

  private parseSubscriptList(): Expr {
    const start = this.tok.start;
    const first = this.parseSubscript();
    if (!this.isOp(',')) return first;
    const elts = [first];
    while (this.isOp(',')) {
      this.next();
      if (this.isOp(']')) break;
      elts.push(this.parseSubscript());
    }
    return { kind: 'tuple', elts, start, end: this.prevEnd() };
  }
  private parseSubscript(): Expr {
    const start = this.tok.start;
    if (this.isOp('*')) return this.parseStarredTest();
    let lower: Expr | null = null;
    if (!this.isOp(':')) {
      lower = this.parseNamedExpr();
      if (!this.isOp(':')) return lower;
    }
    this.next();
    let upper: Expr | null = null;
    let step: Expr | null = null;
    if (!this.isOp(']') && !this.isOp(',') && !this.isOp(':')) upper = this.parseTest();
    if (this.isOp(':')) {
      this.next();
      if (!this.isOp(']') && !this.isOp(',')) step = this.parseTest();
    }
    return { kind: 'slice', lower, upper, step, start, end: this.prevEnd() };
  }

  private parseCompFor(inner: Expr[]): Expr[] {
    while (this.isKw('for') || this.isKw('async') || this.isKw('if')) {
      if (this.isKw('if')) {
        this.next();
        inner.push(this.parseTestNoCond());
        continue;
      }
      if (this.isKw('async')) this.next();
      this.expectKw('for');
      const targets = this.parseExprList();
      for (const t of targets) this.checkTarget(t, false);
      this.expectKw('in');
      inner.push(this.parseOrTest());
    }
    return inner;
  }

  private parseAtom(): Expr {
    const t = this.tok;
    const start = t.start;
    if (t.type === 'number') {
      this.next();
      const text = t.text.replace(/_/g, '');
      if (/[jJ]$/.test(text)) return { kind: 'num', numType: 'complex', value: Number(text.slice(0, -1)), text: t.text, start, end: t.end };
      if (/^0[xob]/i.test(text)) return { kind: 'num', numType: 'int', value: Number(text.toLowerCase()), text: t.text, start, end: t.end };
      const isFloat = /[.eE]/.test(text);
      return { kind: 'num', numType: isFloat ? 'float' : 'int', value: Number(text), text: t.text, start, end: t.end };
    }
    if (t.type === 'string') return this.parseStrings();
    if (t.type === 'name') {
      if (t.text === 'True' || t.text === 'False' || t.text === 'None') {
        this.next();
        return { kind: 'const', value: t.text === 'True' ? true : t.text === 'False' ? false : null, start, end: t.end };
      }
      if (KEYWORDS.has(t.text)) this.fail();
      this.next();
      return { kind: 'name', id: t.text, start, end: t.end };
    }
    if (this.isOp('...')) {
      this.next();
      return { kind: 'const', value: 'ellipsis', start, end: t.end };
    }
    if (this.isOp('(')) {
      this.next();
      if (this.isOp(')')) {
        this.next();
        return { kind: 'tuple', elts: [], start, end: this.prevEnd() };
      }
      if (this.isKw('yield')) {
        const y = this.parseYield();
        this.expectOp(')');
        return y;
      }
      const first = this.isOp('*') ? this.parseStarred() : this.parseNamedExpr();
      if (this.isKw('for') || (this.isKw('async') && this.isKw('for', this.peek()))) {
        const inner = this.parseCompFor([first]);
        this.expectOp(')');
        return { kind: 'comp', what: 'gen', inner, start, end: this.prevEnd() };
      }
      if (!this.isOp(',')) {
        this.expectOp(')');
        return { ...first, start: first.start, end: first.end };
      }
      const elts = [first];
      while (this.isOp(',')) {
        this.next();
        if (this.isOp(')')) break;
        elts.push(this.isOp('*') ? this.parseStarred() : this.parseNamedExpr());
      }
      this.expectOp(')');
      return { kind: 'tuple', elts, start, end: this.prevEnd() };
    }
    if (this.isOp('[')) {
      this.next();
      const elts: Expr[] = [];
      if (!this.isOp(']')) {
        const first = this.isOp('*') ? this.parseStarred() : this.parseNamedExpr();
        if (this.isKw('for') || (this.isKw('async') && this.isKw('for', this.peek()))) {
          const inner = this.parseCompFor([first]);
          this.expectOp(']');
          return { kind: 'comp', what: 'list', inner, start, end: this.prevEnd() };
        }
        elts.push(first);
        while (this.isOp(',')) {
          this.next();
          if (this.isOp(']')) break;
          elts.push(this.isOp('*') ? this.parseStarred() : this.parseNamedExpr());
        }
      }
      this.expectOp(']');
      return { kind: 'list', elts, start, end: this.prevEnd() };
    }
    if (this.isOp('{')) return this.parseBrace();
    return this.fail();
  }

  private parseBrace(): Expr {
    const start = this.next().start;
    if (this.isOp('}')) {
      this.next();
      return { kind: 'dict', keys: [], values: [], start, end: this.prevEnd() };
    }
    const keys: Array<Expr | null> = [];
    const values: Expr[] = [];
    const elts: Expr[] = [];
    let isDict: boolean | null = null;
    for (;;) {
      if (this.isOp('**')) {
        if (isDict === false) this.fail();
        isDict = true;
        this.next();
        keys.push(null);
        values.push(this.parseBitOr());
      } else if (this.isOp('*')) {
        if (isDict === true) this.fail();
        isDict = false;
        elts.push(this.parseStarred());
      } else {
        const k = this.parseNamedExpr();
        if (isDict === null) isDict = this.isOp(':');
        if (isDict) {
          this.expectOp(':');
          const v = this.parseTest();
          if (this.isKw('for') || this.isKw('async')) {
            const inner = this.parseCompFor([k, v]);
            this.expectOp('}');
            return { kind: 'comp', what: 'dict', inner, start, end: this.prevEnd() };
          }
          keys.push(k);
          values.push(v);
        } else {
          if (this.isKw('for') || this.isKw('async')) {
            const inner = this.parseCompFor([k]);
            this.expectOp('}');
            return { kind: 'comp', what: 'set', inner, start, end: this.prevEnd() };
          }
          elts.push(k);
        }
      }
      if (!this.isOp(',')) break;
      this.next();
      if (this.isOp('}')) break;
    }
    this.expectOp('}');
    return isDict ? { kind: 'dict', keys, values, start, end: this.prevEnd() } : { kind: 'set', elts, start, end: this.prevEnd() };
  }

  /** Adjacent string literals concatenate (`'a' "b"`); bytes and str don't mix. */
  private parseStrings(): Expr {
    const start = this.tok.start;
    let value = '';
    let bytes: boolean | null = null;
    let fstring: FStringPart[] | null = null;
    const pieces: Span[] = [];
    while (this.tok.type === 'string') {
      const t = this.next() as StringToken;
      const isBytes = /[bB]/.test(t.prefix);
      if (bytes !== null && bytes !== isBytes) throw new PySyntaxError('cannot mix bytes and nonbytes literals', t.start);
      bytes = isBytes;
      pieces.push({ start: t.bodyStart, end: t.bodyEnd });
      const raw = /[rR]/.test(t.prefix);
      if (/[fF]/.test(t.prefix)) {
        const parts = parseFStringBody(this.text, t.bodyStart, t.bodyEnd, raw);
        fstring = [...(fstring ?? (value ? [value] : [])), ...parts];
        value = '';
      } else {
        const s = decodeStringBody(this.text.slice(t.bodyStart, t.bodyEnd), raw, isBytes, t.bodyStart);
        if (fstring) fstring.push(s);
        else value += s;
      }
    }
    return { kind: 'str', value, bytes: bytes ?? false, fstring, pieces, start, end: this.prevEnd() };
  }
}

/** Resolves escapes of a string literal body (latin1 source; str literals are decoded as UTF-8). */
export function decodeStringBody(body: string, raw: boolean, bytes: boolean, offset = 0): string {
  const text = bytes ? body : Buffer.from(body, 'latin1').toString('utf8');
  if (raw) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = text[i + 1];
    i++;
    switch (n) {
      case '\n':
        break;
      case '\r':
        if (text[i + 1] === '\n') i++;
        break;
      case '\\': out += '\\'; break;
      case "'": out += "'"; break;
      case '"': out += '"'; break;
      case 'a': out += '\x07'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': {
        const hex = text.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new PySyntaxError('(unicode error) truncated \\xXX escape', offset);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 2;
        break;
      }
      case 'u':
      case 'U': {
        if (bytes) {
          out += '\\' + n;
          break;
        }
        const len = n === 'u' ? 4 : 8;
        const hex = text.slice(i + 1, i + 1 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new PySyntaxError(`(unicode error) truncated \\${n}${'X'.repeat(len)} escape`, offset);
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) throw new PySyntaxError('(unicode error) illegal Unicode character', offset);
        out += String.fromCodePoint(cp);
        i += len;
        break;
      }
      case 'N': {
        // Named characters need Unicode's name table; keep the escape as written.
        const m = /^\{[^}]*\}/.exec(text.slice(i + 1));
        out += '\\N' + (m ? m[0] : '');
        if (m) i += m[0].length;
        break;
      }
      default:
        if (n !== undefined && /[0-7]/.test(n)) {
          const m = /^[0-7]{1,3}/.exec(text.slice(i))!;
          out += String.fromCharCode(parseInt(m[0], 8));
          i += m[0].length - 1;
        } else out += '\\' + (n ?? '');
    }
  }
  return out;
}

/** Splits an f-string body into literal text and `{expr!conv:spec}` fields (offsets absolute). */
function parseFStringBody(text: string, start: number, end: number, raw: boolean): FStringPart[] {
  const parts: FStringPart[] = [];
  let lit = '';
  let i = start;
  let litStart = start;
  const flush = () => {
    if (i > litStart || lit) {
      lit += text.slice(litStart, i);
    }
  };
  while (i < end) {
    const c = text[i];
    if (c === '{' && text[i + 1] === '{') {
      flush();
      lit += '{';
      i += 2;
      litStart = i;
      continue;
    }
    if (c === '}' && text[i + 1] === '}') {
      flush();
      lit += '}';
      i += 2;
      litStart = i;
      continue;
    }
    if (c === '}') throw new PySyntaxError("f-string: single '}' is not allowed", i);
    if (c === '{') {
      flush();
      if (lit) parts.push(decodeStringBody(lit, raw, false));
      lit = '';
      const field = parseFStringField(text, i + 1, end, raw);
      parts.push(field.part);
      i = field.next;
      litStart = i;
      continue;
    }
    if (c === '\\' && !raw) i += 2;
    else i++;
  }
  flush();
  if (lit) parts.push(decodeStringBody(lit, raw, false));
  return parts;
}

function parseFStringField(text: string, start: number, end: number, raw: boolean): { part: FStringPart; next: number } {
  // Find where the expression ends: `!`, `:` or `}` at bracket depth 0, outside nested strings.
  let depth = 0;
  let i = start;
  let exprEnd = -1;
  while (i < end) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      if (close === -1 || close >= end) throw new PySyntaxError('f-string: unterminated string', i);
      i = close + 1;
      continue;
    }
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) {
      if (depth === 0) {
        if (c !== '}') throw new PySyntaxError(`f-string: unmatched '${c}'`, i);
        exprEnd = i;
        break;
      }
      depth--;
    } else if (depth === 0 && (c === ':' || (c === '!' && text[i + 1] !== '='))) {
      exprEnd = i;
      break;
    }
    i++;
  }
  if (exprEnd === -1) throw new PySyntaxError("f-string: expecting '}'", start - 1);
  let exprText = text.slice(start, exprEnd);
  // `{x=}` self-documenting form: the `=` belongs to the output, not the expression.
  let selfDoc = false;
  if (/=\s*$/.test(exprText) && !/[=!<>]=\s*$/.test(exprText)) {
    selfDoc = true;
    exprText = exprText.replace(/=\s*$/, '');
  }
  if (!exprText.trim()) throw new PySyntaxError('f-string: empty expression not allowed', start);
  const tokens = tokenize(text, start, start + exprText.length, true);
  const p = new Parser(text, tokens);
  const expr = p.parseTest();
  if ((p as unknown as { pos: number }).pos < tokens.length - 1) {
    // A tuple or trailing garbage: Python allows `{a, b}` (tuple); treat other leftovers as errors.
    const rest = tokens[(p as unknown as { pos: number }).pos]!;
    if (!(rest.type === 'op' && rest.text === ',')) throw new PySyntaxError('f-string: invalid syntax', rest.start);
  }
  let j = exprEnd;
  let conversion: string | null = null;
  if (text[j] === '!') {
    conversion = text[j + 1] ?? '';
    if (!'rsa'.includes(conversion) || !conversion) throw new PySyntaxError("f-string: invalid conversion character: expected 's', 'r', or 'a'", j);
    j += 2;
  }
  let spec: FStringPart[] | null = null;
  if (text[j] === ':') {
    // The spec may itself contain `{fields}`; find the closing brace at depth 0.
    let d = 0;
    let k = j + 1;
    for (; k < end; k++) {
      if (text[k] === '{') d++;
      else if (text[k] === '}') {
        if (d === 0) break;
        d--;
      }
    }
    spec = parseFStringBody(text, j + 1, k, raw);
    j = k;
  }
  if (text[j] !== '}') throw new PySyntaxError("f-string: expecting '}'", j);
  if (selfDoc && conversion === null && spec === null) conversion = 'r';
  const part: FStringPart = { expr, conversion, spec };
  return { part: selfDoc ? part : part, next: j + 1 };
}
