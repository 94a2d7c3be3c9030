// Shared helpers for the corpus tests: where the corpus lives, walking it, and the two checks every
// parsed file must pass (byte-identical reconstruction from node offsets, crossplane comparison).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { Lexer, tokenize } from '../../src/nginx/lexer.js';
import type { CrossplaneDirective } from '../../src/nginx/load.js';
import type { Directive } from '../../src/nginx/tree.js';
import { decodeLatin1 } from '../../src/nginx/tree.js';
import { CORPUS, sharedAvailable } from '../helpers/shared.js';

/** The shared corpus (outside the repository): `../shared/corpus` next to the checkout, or $CONFTUNE_CORPUS. */
export { CORPUS };

export function corpusAvailable(): boolean {
  return sharedAvailable();
}

/** Every file under `dir` whose name passes `keep`, sorted. */
export function walkFiles(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  const stack = [dir];
  while (stack.length > 0) {
    const d = stack.pop()!;
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.isFile() && keep(e.name)) out.push(p);
    }
  }
  return out.sort();
}

/**
 * Rebuilds `text` from a file's own nodes: the gaps between nodes are copied, each node is copied
 * from its offsets (a block as head + children + tail). Returns the problems found (empty when the
 * offsets are ordered, nested and cover the text exactly), so a failing test names the node.
 */
export function reconstruct(text: string, nodes: Directive[]): { text: string; problems: string[] } {
  const problems: string[] = [];
  const render = (list: Directive[], from: number, to: number): string => {
    let out = '';
    let cursor = from;
    for (const d of list) {
      if (d.start < cursor || d.end > to || d.end < d.start) {
        problems.push(`${d.name} at line ${d.line}: offsets ${d.start}-${d.end} outside ${cursor}-${to}`);
        continue;
      }
      out += text.slice(cursor, d.start);
      let argCursor = d.start;
      for (const a of d.args) {
        if (a.start < argCursor || a.end > d.end) problems.push(`${d.name} at line ${d.line}: argument "${a.value}" out of order`);
        argCursor = a.end;
      }
      if (d.block) {
        const close = d.blockEnd === -1 ? d.end : d.blockEnd;
        out += text.slice(d.start, d.blockStart + 1) + render(d.block, d.blockStart + 1, close) + text.slice(close, d.end);
      } else {
        out += text.slice(d.start, d.end);
      }
      cursor = d.end;
    }
    return out + text.slice(cursor, to);
  };
  return { text: render(nodes, 0, text.length), problems };
}

/** Every argument's bytes, read again by the lexer, give back its value (offsets point at the right token). */
export function argumentsRelex(text: string, nodes: Directive[]): string[] {
  const problems: string[] = [];
  const stack = [...nodes];
  while (stack.length > 0) {
    const d = stack.pop()!;
    const lua = d.name.endsWith('_by_lua_block');
    d.args.forEach((a, i) => {
      if (lua && i === d.args.length - 1) return; // a Lua body is raw text, not a token
      const lx = new Lexer(text.slice(0, a.end), a.start);
      lx.next();
      const value = lx.high ? decodeLatin1(lx.value) : lx.value;
      if (value !== a.value) problems.push(`${d.file.path}:${a.line}: argument ${JSON.stringify(a.value)} relexes as ${JSON.stringify(value)}`);
    });
    if (d.block) stack.push(...d.block);
  }
  return problems;
}

/**
 * The parser's names and arguments, in tree order, against the words of `tokenize` (which reads
 * with `next()` only): same values, offsets, lines and quotes. This holds the parser's fast path
 * for plain arguments to the general tokenizer. Only for files without syntax errors (where the
 * parser drops an unfinished directive, the sequences legitimately differ).
 */
export function wordsMatchTokenizer(text: string, nodes: Directive[], file: string): string[] {
  const words = tokenize(text).filter((t) => t.kind === 'word');
  const seen: Array<{ value: string; start: number; end: number; line: number; quote: string | null }> = [];
  const visit = (list: Directive[]): void => {
    for (const d of list) {
      const nameWord = words[seen.length];
      // A quoted name keeps its quotes in the tree's offsets (start is the quote).
      seen.push({ value: d.name, start: d.start, end: nameWord && nameWord.start === d.start ? nameWord.end : -1, line: d.line, quote: nameWord?.quote ?? null });
      for (const a of d.args) seen.push({ value: a.value, start: a.start, end: a.end, line: a.line, quote: a.quote });
      if (d.block) visit(d.block);
    }
  };
  visit(nodes);
  if (seen.length !== words.length) return [`${file}: ${seen.length} names/arguments in the tree, ${words.length} words from the tokenizer`];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const t = seen[i]!;
    if (w.value !== t.value || w.start !== t.start || w.end !== t.end || w.line !== t.line || w.quote !== t.quote) {
      return [`${file}: word ${i} differs: tokenizer ${JSON.stringify({ value: w.value, start: w.start, end: w.end, line: w.line, quote: w.quote })}, tree ${JSON.stringify(t)}`];
    }
  }
  return [];
}

/** crossplane strips the parentheses of `if` (its `_prepare_if_args`); nginx passes them as words. */
function crossplaneIfArgs(args: string[]): string[] {
  const a = [...args];
  if (a.length > 0 && a[0]!.startsWith('(') && a[a.length - 1]!.endsWith(')')) {
    a[0] = a[0]!.slice(1).trimStart();
    a[a.length - 1] = a[a.length - 1]!.slice(0, -1).trimEnd();
    const start = a[0] === '' ? 1 : 0;
    const end = a.length - (a[a.length - 1] === '' ? 1 : 0);
    return a.slice(start, end);
  }
  return a;
}

export interface Shape {
  directive: string;
  line: number;
  args: string[];
  includes?: string[];
  block?: Shape[];
}

/** What the comparison looks at: names, args, lines, block structure, included file names. */
export function shapeOf(list: CrossplaneDirective[], files: string[], normalizeIf: boolean, dropEmptyBlocks = false): Shape[] {
  return list
    .filter((d) => d.directive !== '#')
    .map((d) => {
      const s: Shape = { directive: d.directive, line: d.line, args: normalizeIf && d.directive === 'if' ? crossplaneIfArgs(d.args) : d.args };
      if (d.includes) s.includes = d.includes.map((i) => files[i] ?? `#${i}`);
      if (d.block && !(dropEmptyBlocks && d.block.length === 0)) s.block = shapeOf(d.block, files, normalizeIf, dropEmptyBlocks);
      return s;
    });
}

/** The first place two shapes differ, as a short readable path (for failure messages). */
export function firstDifference(want: Shape[], got: Shape[], at = ''): string | null {
  for (let i = 0; i < Math.max(want.length, got.length); i++) {
    const w = want[i];
    const g = got[i];
    const here = `${at}/${w?.directive ?? g?.directive}@${w?.line ?? g?.line}`;
    if (!w || !g) return `${here}: ${w ? 'missing' : 'extra'} directive`;
    for (const k of ['directive', 'line', 'args', 'includes'] as const) {
      if (JSON.stringify(w[k]) !== JSON.stringify(g[k])) return `${here}: ${k} ${JSON.stringify(w[k])?.slice(0, 200)} vs ${JSON.stringify(g[k])?.slice(0, 200)}`;
    }
    if (!!w.block !== !!g.block) return `${here}: block ${w.block ? 'expected' : 'unexpected'}`;
    const inner = firstDifference(w.block ?? [], g.block ?? [], here);
    if (inner) return inner;
  }
  return null;
}
