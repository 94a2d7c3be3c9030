// Static evaluation of a gunicorn.conf.py: module-level assignments are computed from literals,
// names set earlier, arithmetic, string building, `os.environ`/`os.getenv` (from the env map
// passed in) and `cpu_count()` (the `cpus` option). Anything else (calls into the app, imports,
// conditions that depend on them, loops) yields a Dynamic value with a reason. Never executes
// the file, never throws on user input.

import { lineOf, positionOf, type SourceFile } from '../nginx/tree.js';
import type { GunicornDiagnostic } from './types.js';
import { parseModule, PySyntaxError, type Expr, type FStringPart, type Stmt } from './pyparse.js';
import {
  NONE, dyn, dynFlags, dynFrom, floatRepr, formatWithSpec, isNumeric, numOf, pyEquals, pyInt, pyRepr, pyStr, truthy, typeName,
  type PyValue,
} from './pyvalue.js';
import { settingsFor, type SettingsTable } from './settings.js';
import { suggestSetting } from './suggest.js';

export interface ConfBinding {
  name: string;
  value: PyValue;
  /** Offsets of what set it: the target name through the end of the statement, or the `def` line. */
  start: number;
  end: number;
  via: 'assign' | 'augassign' | 'def' | 'class' | 'import' | 'control-flow';
}

export interface ConfEvaluation {
  file: SourceFile;
  /** Module-level names after the whole file ran (settings and helpers alike). */
  bindings: Map<string, ConfBinding>;
  /** Names read somewhere in the file (helpers are the assigned names that are also read). */
  usedNames: Set<string>;
  /** Names bound by `import`/`from … import`. */
  importedNames: Set<string>;
  diagnostics: GunicornDiagnostic[];
  /** True when the file could not be parsed (bindings are then empty). */
  syntaxError: boolean;
}

export interface EvalOptions {
  env?: Record<string, string>;
  /** Host cores for `cpu_count()`; null or absent: unknown, `cpu_count()` is then Dynamic (`cores`). */
  cpus?: number | null;
  version?: string;
  /** Environment variables set to values not known statically (compose `X: ${X}`…), name → why. */
  unknownEnv?: Map<string, { reason: string; cores?: boolean; env?: string[] }>;
  /**
   * Set when the environment may hold variables the deployment does not show (an unreadable
   * env_file…): `os.environ.get('X', d)` with X unset is then Dynamic (`env: ['X']`), with `d`
   * as its fallback, instead of `d`.
   */
  openEnv?: string;
}

type Scope = Map<string, ConfBinding>;

/** Largest string or sequence `*` builds statically (characters or items). */
const MAX_BUILT_SIZE = 1 << 20;

interface Ctx {
  env: Record<string, string>;
  cpus: number | null;
  file: SourceFile;
  unknownEnv: Map<string, { reason: string; cores?: boolean; env?: string[] }>;
  openEnv: string | undefined;
  /** The run that computes fallbacks: variables known to be dynamic read as unset. */
  fallbackRun?: boolean;
}

/** Evaluates a conf.py statically. */
export function evaluateConfPy(file: SourceFile, opts: EvalOptions = {}): ConfEvaluation {
  const ctx: Ctx = { env: opts.env ?? {}, cpus: opts.cpus ?? null, file, unknownEnv: opts.unknownEnv ?? new Map(), openEnv: opts.openEnv };
  const table = settingsFor(opts.version);
  const result: ConfEvaluation = {
    file,
    bindings: new Map(),
    usedNames: new Set(),
    importedNames: new Set(),
    diagnostics: [],
    syntaxError: false,
  };
  let body: Stmt[];
  try {
    body = parseModule(file.text).body;
  } catch (e) {
    // The parser recurses per bracket: thousands of nested brackets (Python refuses 200) overflow it.
    if (e instanceof RangeError) e = new PySyntaxError('too many nested parentheses', 0);
    if (!(e instanceof PySyntaxError)) throw e;
    result.syntaxError = true;
    const offset = Math.min(e.offset, file.text.length);
    const pos = positionOf(file, offset);
    result.diagnostics.push({ file: file.path, ...pos, start: offset, end: Math.min(offset + 1, file.text.length), message: e.message, kind: 'syntax' });
    return result;
  }
  const scope: Scope = new Map();
  execBlock(body, scope, ctx);
  if ([...scope.values()].some((b) => b.value.t === 'dyn' && b.value.env?.length)) {
    // Values that depend on the environment: what they are when the unseen environment sets
    // nothing is their fallback (the file run again with only the variables the deployment shows).
    const closed: Scope = new Map();
    try {
      execBlock(body, closed, { ...ctx, openEnv: undefined, unknownEnv: new Map(), fallbackRun: true });
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
    for (const b of scope.values()) {
      if (b.value.t !== 'dyn' || !b.value.env?.length) continue;
      const fb = closed.get(b.name)?.value;
      if (fb && fb.t !== 'dyn') b.value = { ...b.value, fallback: fb };
    }
  }
  result.bindings = scope;
  try {
    collectUsedNames(body, result.usedNames, true);
    collectImports(body, result.importedNames);
    result.diagnostics.push(...unknownNameDiagnostics(body, result, table));
  } catch (e) {
    // These walks recurse too: an expression thousands of levels deep leaves them incomplete.
    if (!(e instanceof RangeError)) throw e;
  }
  return result;
}

// ---- statements -------------------------------------------------------------------------------

function execBlock(body: Stmt[], scope: Scope, ctx: Ctx): void {
  for (const s of body) {
    try {
      execStmt(s, scope, ctx);
    } catch (e) {
      // A statement too deep for the evaluator's recursion (`1+1+…` thousands of terms) or a
      // value too big to build: what it assigns is unknown, the rest of the file still counts.
      if (!(e instanceof RangeError)) throw e;
      let names: Set<string>;
      try {
        names = assignedNames([s]);
      } catch {
        names = new Set(); // nested too deep to list as well
      }
      for (const name of names) bind(scope, name, dyn('too complex to evaluate statically'), s.start, s.end, 'assign');
    }
  }
}

function bind(scope: Scope, name: string, value: PyValue, start: number, end: number, via: ConfBinding['via']): void {
  scope.set(name, { name, value, start, end, via });
}

function execStmt(s: Stmt, scope: Scope, ctx: Ctx): void {
  switch (s.kind) {
    case 'assign': {
      const value = evalExpr(s.value, scope, ctx);
      for (const target of s.targets) assignTarget(target, value, scope, ctx, s.end, 'assign');
      return;
    }
    case 'annassign':
      if (s.value) assignTarget(s.target, evalExpr(s.value, scope, ctx), scope, ctx, s.end, 'assign');
      return;
    case 'augassign': {
      if (s.target.kind !== 'name') {
        if (s.target.kind === 'subscript' || s.target.kind === 'attr') markRootDynamic(s.target, scope, `changed by an augmented assignment (line ${lineAt(ctx, s.start)})`);
        return;
      }
      const current = lookup(s.target.id, scope);
      const value = binaryOp(s.op, current, evalExpr(s.value, scope, ctx), true);
      bind(scope, s.target.id, value, s.target.start, s.end, 'augassign');
      return;
    }
    case 'expr':
      execExpressionStatement(s.value, scope, ctx);
      return;
    case 'import':
      for (const n of s.names) {
        if (n.asname) bind(scope, n.asname, { t: 'ref', path: n.name }, n.start, n.end, 'import');
        else {
          const top = n.name.split('.')[0]!;
          bind(scope, top, { t: 'ref', path: top }, n.start, n.end, 'import');
        }
      }
      return;
    case 'importfrom':
      for (const n of s.names) {
        if (n.name === '*') continue;
        const local = n.asname ?? n.name;
        const path = `${s.module}.${n.name}`;
        const value: PyValue = knownModule(s.module) ? { t: 'ref', path } : dyn(`imported from ${s.module}`);
        bind(scope, local, value, n.start, n.end, 'import');
      }
      return;
    case 'def':
      bind(scope, s.name, { t: 'func', name: s.name }, s.start, s.nameEnd, 'def');
      return;
    case 'class':
      bind(scope, s.name, { t: 'class', name: s.name }, s.start, s.nameEnd, 'class');
      return;
    case 'if': {
      const test = evalExpr(s.test, scope, ctx);
      const t = truthy(test);
      if (t === true) execBlock(s.body, scope, ctx);
      else if (t === false) execBlock(s.orelse, scope, ctx);
      else {
        const reason = `set under an \`if\` (line ${lineAt(ctx, s.start)}) whose condition is not static: ${(test as { reason?: string }).reason ?? 'unknown'}`;
        mergeBranches(scope, [s.body, s.orelse], ctx, reason, dynFlags([test]));
      }
      return;
    }
    case 'try': {
      // Either the body ran to the end, or a handler ran: names that differ become dynamic.
      // A body of plain assignments whose values are all known raises nothing: no handler runs.
      const reason = `set in a try/except (line ${lineAt(ctx, s.start)}) whose outcome is not static`;
      const trial: Scope = new Map(scope);
      if (s.body.every((b) => b.kind === 'assign' || b.kind === 'annassign' || b.kind === 'augassign')) {
        const before = new Map(trial);
        execBlock(s.body, trial, ctx);
        const assigned = [...trial.entries()].filter(([k, v]) => before.get(k) !== v);
        if (assigned.every(([, v]) => v.value.t !== 'dyn')) {
          for (const [k, v] of assigned) scope.set(k, v);
          execBlock(s.orelse, scope, ctx);
          execBlock(s.finalbody, scope, ctx);
          return;
        }
      }
      mergeBranches(scope, [[...s.body, ...s.orelse], ...s.handlers], ctx, reason, dynFlags([...trial.values()].map((b) => b.value)));
      execBlock(s.finalbody, scope, ctx);
      return;
    }
    case 'loop': {
      const reason = `set inside a \`${s.keyword}\` loop (line ${lineAt(ctx, s.start)})`;
      for (const name of assignedNames([s])) bind(scope, name, dyn(reason), s.start, s.end, 'control-flow');
      return;
    }
    case 'with': {
      for (const t of s.targets) for (const n of targetNames(t)) bind(scope, n, dyn(`bound by \`with … as\` (line ${lineAt(ctx, s.start)})`), t.start, t.end, 'control-flow');
      execBlock(s.body, scope, ctx);
      return;
    }
    case 'del':
      for (const t of s.targets) if (t.kind === 'name') scope.delete(t.id);
      return;
    case 'opaque':
      for (const n of s.names) bind(scope, n, dyn(`set inside a \`${s.keyword}\` statement (line ${lineAt(ctx, s.start)})`), s.start, s.end, 'control-flow');
      return;
    case 'global':
    case 'other':
      return;
  }
}

/** Runs each branch on a copy of the scope; names on which the branches disagree become Dynamic. */
function mergeBranches(scope: Scope, branches: Stmt[][], ctx: Ctx, reason: string, flags: { cores?: boolean; env?: string[] } = {}): void {
  const results = branches.map((b) => {
    const copy: Scope = new Map(scope);
    execBlock(b, copy, ctx);
    return copy;
  });
  const names = new Set<string>();
  for (const r of results) for (const k of r.keys()) names.add(k);
  for (const k of scope.keys()) names.add(k);
  for (const name of names) {
    const values = results.map((r) => r.get(name));
    const first = values[0];
    const agree = values.every((v) => v !== undefined && first !== undefined && pyEquals(v.value, first.value) && v.value.t !== 'dyn');
    if (agree) {
      scope.set(name, first!);
      continue;
    }
    if (values.every((v) => v === scope.get(name))) continue;
    const changed = values.find((v) => v !== undefined && v !== scope.get(name)) ?? first!;
    const branchFlags = dynFlags([...values.map((v) => v?.value), dyn('', flags)]);
    bind(scope, name, dyn(reason, branchFlags), changed.start, changed.end, 'control-flow');
  }
}

function assignTarget(target: Expr, value: PyValue, scope: Scope, ctx: Ctx, stmtEnd: number, via: ConfBinding['via']): void {
  switch (target.kind) {
    case 'name':
      bind(scope, target.id, value, target.start, stmtEnd, via);
      return;
    case 'tuple':
    case 'list': {
      const elts = target.elts;
      const items = value.t === 'list' || value.t === 'tuple' ? value.items : value.t === 'str' ? [...value.v].map((c): PyValue => ({ t: 'str', v: c })) : null;
      const starred = elts.findIndex((e) => e.kind === 'starred');
      for (let i = 0; i < elts.length; i++) {
        const e = elts[i]!;
        let item: PyValue;
        if (!items) item = value.t === 'dyn' ? value : dyn(`cannot unpack ${typeName(value)}`);
        else if (starred === -1) item = items.length === elts.length ? items[i]! : dyn(`unpacks ${items.length} values into ${elts.length} names`);
        else if (i < starred) item = items[i] ?? dyn('not enough values to unpack');
        else if (i === starred) item = { t: 'list', items: items.slice(starred, items.length - (elts.length - starred - 1)) };
        else item = items[items.length - (elts.length - i)] ?? dyn('not enough values to unpack');
        assignTarget(e.kind === 'starred' ? e.value : e, item, scope, ctx, stmtEnd, via);
      }
      return;
    }
    case 'subscript': {
      const base = target.value;
      if (base.kind === 'name') {
        const cur = scope.get(base.id);
        const key = evalExpr(target.index, scope, ctx);
        if (cur && cur.value.t === 'dict' && key.t !== 'dyn') {
          const entries = cur.value.entries.filter(([k]) => !pyEquals(k, key));
          entries.push([key, value]);
          scope.set(base.id, { ...cur, value: { t: 'dict', entries } });
          return;
        }
        if (cur && cur.value.t === 'list' && key.t === 'int') {
          const items = [...cur.value.items];
          const i = key.v < 0 ? items.length + key.v : key.v;
          if (i >= 0 && i < items.length) {
            items[i] = value;
            scope.set(base.id, { ...cur, value: { t: 'list', items } });
            return;
          }
        }
      }
      markRootDynamic(target, scope, `changed by an item assignment (line ${lineAt(ctx, target.start)})`);
      return;
    }
    case 'attr':
      markRootDynamic(target, scope, `changed by an attribute assignment (line ${lineAt(ctx, target.start)})`);
      return;
    case 'starred':
      assignTarget(target.value, value, scope, ctx, stmtEnd, via);
      return;
    default:
      return;
  }
}

function markRootDynamic(e: Expr, scope: Scope, reason: string): void {
  let root = e;
  while (root.kind === 'attr' || root.kind === 'subscript') root = root.value;
  if (root.kind !== 'name') return;
  const cur = scope.get(root.id);
  if (!cur || cur.value.t === 'ref' || cur.value.t === 'func' || cur.value.t === 'class') return;
  scope.set(root.id, { ...cur, value: dyn(reason) });
}

/** `bind.append(x)`, `raw_env.extend([...])`, `headers.update({...})` change a list/dict in place. */
function execExpressionStatement(e: Expr, scope: Scope, ctx: Ctx): void {
  if (e.kind !== 'call' || e.func.kind !== 'attr' || e.func.value.kind !== 'name') {
    if (e.kind === 'call') evalExpr(e, scope, ctx);
    return;
  }
  const name = e.func.value.id;
  const method = e.func.attr;
  const cur = scope.get(name);
  if (!cur) return;
  const v = cur.value;
  const args = e.args.map((a) => evalExpr(a, scope, ctx));
  const line = lineAt(ctx, e.start);
  let next: PyValue | null = null;
  if (v.t === 'list') {
    if (method === 'append' && args.length === 1) next = { t: 'list', items: [...v.items, args[0]!] };
    else if (method === 'extend' && args.length === 1) {
      const a = args[0]!;
      next = a.t === 'list' || a.t === 'tuple' ? { t: 'list', items: [...v.items, ...a.items] } : dyn(`extended with a non-static value (line ${line})`);
    } else if (method === 'insert' && args.length === 2 && args[0]!.t === 'int') {
      const items = [...v.items];
      items.splice(args[0]!.v, 0, args[1]!);
      next = { t: 'list', items };
    } else if (!['index', 'count', 'copy'].includes(method)) next = dyn(`changed by ${name}.${method}() (line ${line})`);
  } else if (v.t === 'dict') {
    if (method === 'update' && args.length === 1 && args[0]!.t === 'dict' && e.keywords.length === 0) {
      const add = args[0]!.entries;
      next = { t: 'dict', entries: [...v.entries.filter(([k]) => !add.some(([k2]) => pyEquals(k, k2))), ...add] };
    } else if (!['get', 'keys', 'values', 'items', 'copy'].includes(method)) next = dyn(`changed by ${name}.${method}() (line ${line})`);
  }
  if (next) scope.set(name, { ...cur, value: next, start: e.start, end: e.end });
}

// ---- expressions ------------------------------------------------------------------------------

const BUILTINS = new Set(['int', 'float', 'str', 'bool', 'min', 'max', 'abs', 'len', 'round', 'list', 'tuple', 'dict', 'print', 'range', 'sorted', 'sum', 'any', 'all', 'repr', 'isinstance', 'open', 'getattr', 'hasattr', 'set', 'zip', 'enumerate', 'map', 'filter', 'type', 'object', 'Exception', 'ValueError', 'KeyError', 'ImportError', 'OSError', 'TypeError', 'NotImplementedError', 'RuntimeError', 'ModuleNotFoundError', 'AttributeError']);

function knownModule(mod: string): boolean {
  return mod === 'os' || mod === 'multiprocessing' || mod === 'os.path';
}

function lookup(name: string, scope: Scope): PyValue {
  const b = scope.get(name);
  if (b) return b.value;
  if (BUILTINS.has(name)) return { t: 'ref', path: `builtins.${name}` };
  return dyn(`name '${name}' is not defined`);
}

function lineAt(ctx: Ctx, offset: number): number {
  return lineOf(ctx.file, offset);
}

export function evalExpr(e: Expr, scope: Scope, ctx: Ctx): PyValue {
  switch (e.kind) {
    case 'num':
      if (e.numType === 'int') return { t: 'int', v: e.value };
      if (e.numType === 'float') return { t: 'float', v: e.value };
      return dyn('complex number');
    case 'str':
      if (e.bytes) return { t: 'bytes', v: e.value };
      if (e.fstring) return evalFString(e.fstring, scope, ctx);
      return e.pieces.length === 1 ? { t: 'str', v: e.value, span: { start: e.start, end: e.end } } : { t: 'str', v: e.value, span: { start: e.start, end: e.end } };
    case 'const':
      if (e.value === null) return NONE;
      if (e.value === 'ellipsis') return dyn('Ellipsis');
      return { t: 'bool', v: e.value };
    case 'name':
      return lookup(e.id, scope);
    case 'list':
    case 'tuple':
    case 'set': {
      const items: PyValue[] = [];
      for (const x of e.elts) {
        if (x.kind === 'starred') {
          const v = evalExpr(x.value, scope, ctx);
          if (v.t === 'list' || v.t === 'tuple') items.push(...v.items);
          else return v.t === 'dyn' ? v : dyn(`unpacks ${typeName(v)}`);
        } else items.push(evalExpr(x, scope, ctx));
      }
      if (e.kind === 'set') return dyn('a set');
      return { t: e.kind, items };
    }
    case 'dict': {
      const entries: Array<[PyValue, PyValue]> = [];
      for (let i = 0; i < e.keys.length; i++) {
        const k = e.keys[i];
        const v = evalExpr(e.values[i]!, scope, ctx);
        if (k === null) {
          if (v.t !== 'dict') return v.t === 'dyn' ? v : dyn(`unpacks ${typeName(v)} as a dict`);
          for (const [kk, vv] of v.entries) setEntry(entries, kk, vv);
        } else setEntry(entries, evalExpr(k, scope, ctx), v);
      }
      return { t: 'dict', entries };
    }
    case 'attr': {
      const base = evalExpr(e.value, scope, ctx);
      if (base.t === 'ref') {
        const path = `${base.path}.${e.attr}`;
        // Attributes of modules we don't model (the app, settings modules) are unknown values.
        return knownModule(path.split('.')[0]!) || base.path.startsWith('builtins.') ? { t: 'ref', path } : dyn(`uses ${path}`);
      }
      if (base.t === 'dyn') return base;
      return { t: 'method', self: base, name: e.attr };
    }
    case 'subscript':
      return evalSubscript(evalExpr(e.value, scope, ctx), e.index, scope, ctx);
    case 'call':
      return evalCall(e, scope, ctx);
    case 'binop':
      return binaryOp(e.op, evalExpr(e.left, scope, ctx), evalExpr(e.right, scope, ctx), false);
    case 'unary': {
      const v = evalExpr(e.operand, scope, ctx);
      if (v.t === 'dyn') return v;
      if (e.op === 'not') {
        const t = truthy(v);
        return t === null ? dyn('truth value unknown') : { t: 'bool', v: !t };
      }
      if (!isNumeric(v)) return dyn(`bad operand type for unary ${e.op}: '${typeName(v)}'`);
      const n = numOf(v);
      const kind = v.t === 'float' ? 'float' : 'int';
      if (e.op === '-') return { t: kind, v: -n };
      if (e.op === '+') return { t: kind, v: n };
      return kind === 'int' ? { t: 'int', v: ~n } : dyn("bad operand type for unary ~: 'float'");
    }
    case 'boolop': {
      let last: PyValue = NONE;
      for (const x of e.values) {
        last = evalExpr(x, scope, ctx);
        const t = truthy(last);
        if (t === null) return last.t === 'dyn' ? last : dyn('truth value unknown');
        if (e.op === 'or' && t) return last;
        if (e.op === 'and' && !t) return last;
      }
      return last;
    }
    case 'compare': {
      let left = evalExpr(e.left, scope, ctx);
      for (let i = 0; i < e.ops.length; i++) {
        const right = evalExpr(e.comparators[i]!, scope, ctx);
        const r = compare(e.ops[i]!, left, right, ctx);
        if (r.t !== 'bool') return r;
        if (!r.v) return r;
        left = right;
      }
      return { t: 'bool', v: true };
    }
    case 'ifexp': {
      const test = evalExpr(e.test, scope, ctx);
      const t = truthy(test);
      if (t === null) return test.t === 'dyn' ? dynFrom(test, `conditional expression: ${test.reason}`) : dyn('conditional expression');
      return evalExpr(t ? e.body : e.orelse, scope, ctx);
    }
    case 'lambda':
      return { t: 'func', name: '<lambda>' };
    case 'walrus': {
      const v = evalExpr(e.value, scope, ctx);
      bind(scope, e.target, v, e.start, e.end, 'assign');
      return v;
    }
    case 'comp':
      return dyn('a comprehension');
    case 'starred':
      return dyn('a starred expression');
    case 'slice':
      return dyn('a slice');
    case 'yield':
    case 'await':
      return dyn(`\`${e.kind}\` expression`);
  }
}

function setEntry(entries: Array<[PyValue, PyValue]>, k: PyValue, v: PyValue): void {
  const i = entries.findIndex(([kk]) => pyEquals(kk, k));
  if (i >= 0) entries[i] = [entries[i]![0], v];
  else entries.push([k, v]);
}

function evalFString(parts: FStringPart[], scope: Scope, ctx: Ctx): PyValue {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    let v = evalExpr(p.expr, scope, ctx);
    if (v.t === 'dyn') return dynFrom(v, `f-string: ${v.reason}`);
    if (p.conversion === 'r' || p.conversion === 'a') {
      const r = pyRepr(v);
      if (r === null) return dyn('f-string: repr of a non-static value');
      v = { t: 'str', v: r };
    } else if (p.conversion === 's') {
      const s = pyStr(v);
      if (s === null) return dyn('f-string: str of a non-static value');
      v = { t: 'str', v: s };
    }
    let spec = '';
    if (p.spec) {
      const s = evalFString(p.spec, scope, ctx);
      if (s.t !== 'str') return s;
      spec = s.v;
    }
    const text = formatWithSpec(v, spec);
    if (text === null) return dyn(`f-string: format spec '${spec}' not evaluated`);
    out += text;
  }
  return { t: 'str', v: out };
}

/** A variable's value as a str, Dynamic when it is set to something not known; undefined when unset. */
function envLookup(ctx: Ctx, name: string): PyValue | undefined {
  const unknown = ctx.fallbackRun ? undefined : ctx.unknownEnv.get(name);
  if (unknown) return dyn(`${name}: ${unknown.reason}`, { ...unknown, env: [...new Set([name, ...(unknown.env ?? [])])] });
  const v = ctx.env[name];
  return v === undefined ? undefined : { t: 'str', v };
}

function envRef(ctx: Ctx): PyValue {
  return { t: 'dict', entries: Object.entries(ctx.env).map(([k, v]): [PyValue, PyValue] => [{ t: 'str', v: k }, { t: 'str', v }]) };
}

function evalSubscript(base: PyValue, indexExpr: Expr, scope: Scope, ctx: Ctx): PyValue {
  if (indexExpr.kind === 'slice') {
    if (base.t === 'dyn') return base;
    const part = (x: Expr | null): number | null | 'dyn' => {
      if (!x) return null;
      const v = evalExpr(x, scope, ctx);
      return v.t === 'int' ? v.v : 'dyn';
    };
    const lo = part(indexExpr.lower);
    const hi = part(indexExpr.upper);
    if (lo === 'dyn' || hi === 'dyn' || indexExpr.step) return dyn('a slice');
    if (base.t === 'str') return { t: 'str', v: base.v.slice(lo ?? 0, hi ?? undefined) };
    if (base.t === 'list' || base.t === 'tuple') return { t: base.t, items: base.items.slice(lo ?? 0, hi ?? undefined) };
    return dyn(`slice of ${typeName(base)}`);
  }
  const index = evalExpr(indexExpr, scope, ctx);
  if (base.t === 'ref' && base.path === 'os.environ') {
    if (index.t !== 'str') return index.t === 'dyn' ? index : dyn('os.environ with a non-string key');
    const r = envLookup(ctx, index.v);
    if (r) return r;
    return ctx.openEnv ? dyn(`os.environ['${index.v}'] may be set by ${ctx.openEnv}`, { env: [index.v] }) : dyn(`os.environ['${index.v}'] is not set (KeyError)`, { env: [index.v] });
  }
  if (base.t === 'dyn') return base;
  if (index.t === 'dyn') return index;
  if (base.t === 'dict') {
    const hit = base.entries.find(([k]) => pyEquals(k, index));
    return hit ? hit[1] : dyn(`KeyError: ${pyRepr(index) ?? '?'}`);
  }
  if ((base.t === 'list' || base.t === 'tuple' || base.t === 'str') && (index.t === 'int' || index.t === 'bool')) {
    const items: PyValue[] = base.t === 'str' ? [...base.v].map((c): PyValue => ({ t: 'str', v: c })) : base.items;
    const n = numOf(index);
    const i = n < 0 ? items.length + n : n;
    return items[i] ?? dyn('IndexError');
  }
  return dyn(`subscript of ${typeName(base)}`);
}

function compare(op: string, a: PyValue, b: PyValue, ctx: Ctx): PyValue {
  if (op === 'in' || op === 'not in') {
    let r: boolean | null = null;
    if (b.t === 'ref' && b.path === 'os.environ') {
      if (a.t === 'str' && !ctx.fallbackRun && (ctx.unknownEnv.has(a.v) || (ctx.openEnv && ctx.env[a.v] === undefined))) return dyn(`whether ${a.v} is set depends on the environment`, { env: [a.v] });
      r = a.t === 'str' ? ctx.env[a.v] !== undefined : null;
    }
    else if (a.t === 'dyn' || b.t === 'dyn') r = null;
    else if (b.t === 'str' && a.t === 'str') r = b.v.includes(a.v);
    else if (b.t === 'list' || b.t === 'tuple') r = b.items.some((x) => pyEquals(x, a));
    else if (b.t === 'dict') r = b.entries.some(([k]) => pyEquals(k, a));
    if (r === null) return a.t === 'dyn' ? a : b.t === 'dyn' ? b : dyn(`\`${op}\` test`);
    return { t: 'bool', v: op === 'in' ? r : !r };
  }
  if (a.t === 'dyn') return a;
  if (b.t === 'dyn') return b;
  if (op === 'is' || op === 'is not') {
    if (a.t !== 'none' && b.t !== 'none' && a.t !== 'bool' && b.t !== 'bool') return dyn('identity test');
    const same = a.t === b.t && pyEquals(a, b);
    return { t: 'bool', v: op === 'is' ? same : !same };
  }
  if (op === '==') return { t: 'bool', v: pyEquals(a, b) };
  if (op === '!=') return { t: 'bool', v: !pyEquals(a, b) };
  let x: number | string;
  let y: number | string;
  if (isNumeric(a) && isNumeric(b)) {
    x = numOf(a);
    y = numOf(b);
  } else if (a.t === 'str' && b.t === 'str') {
    x = a.v;
    y = b.v;
  } else return dyn(`'${op}' between ${typeName(a)} and ${typeName(b)}`);
  const r = op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
  return { t: 'bool', v: r };
}

export function binaryOp(op: string, a: PyValue, b: PyValue, inPlace: boolean): PyValue {
  if (a.t === 'dyn') return a;
  if (b.t === 'dyn') return b;
  const cpu = Boolean((a as { cpu?: boolean }).cpu || (b as { cpu?: boolean }).cpu);
  if (isNumeric(a) && isNumeric(b)) {
    const x = numOf(a);
    const y = numOf(b);
    const float = a.t === 'float' || b.t === 'float';
    const num = (v: number, f = float): PyValue => (f ? { t: 'float', v, ...(cpu ? { cpu } : {}) } : pyInt(v, cpu));
    switch (op) {
      case '+':
        return num(x + y);
      case '-':
        return num(x - y);
      case '*':
        return num(x * y);
      case '/':
        return y === 0 ? dyn('division by zero') : num(x / y, true);
      case '//':
        return y === 0 ? dyn('division by zero') : num(Math.floor(x / y));
      case '%':
        return y === 0 ? dyn('modulo by zero') : num(x - Math.floor(x / y) * y);
      case '**':
        if (!float && y < 0) return num(x ** y, true);
        return num(x ** y);
      default:
        if (float) return dyn(`unsupported operand '${op}' for float`);
        switch (op) {
          case '&': return num(x & y);
          case '|': return num(x | y);
          case '^': return num(x ^ y);
          case '<<': return num(x * 2 ** y);
          case '>>': return num(Math.floor(x / 2 ** y));
        }
        return dyn(`operator '${op}'`);
    }
  }
  if (op === '+') {
    if (a.t === 'str' && b.t === 'str') return { t: 'str', v: a.v + b.v };
    if (a.t === 'bytes' && b.t === 'bytes') return { t: 'bytes', v: a.v + b.v };
    if (a.t === 'list' && b.t === 'list') return { t: 'list', items: [...a.items, ...b.items] };
    if (a.t === 'list' && inPlace && b.t === 'tuple') return { t: 'list', items: [...a.items, ...b.items] };
    if (a.t === 'tuple' && b.t === 'tuple') return { t: 'tuple', items: [...a.items, ...b.items] };
  }
  if (op === '*') {
    const rep = (seq: PyValue, n: PyValue): PyValue | null => {
      if (n.t !== 'int' && n.t !== 'bool') return null;
      const k = Math.max(0, numOf(n));
      // `'x' * 10**9` is legal Python; building it here would exhaust memory.
      const size = k * (seq.t === 'str' ? seq.v.length : seq.t === 'list' || seq.t === 'tuple' ? seq.items.length : 0);
      if (size > MAX_BUILT_SIZE) return dyn('sequence too large to compute statically');
      if (seq.t === 'str') return { t: 'str', v: seq.v.repeat(k) };
      if (seq.t === 'list' || seq.t === 'tuple') return { t: seq.t, items: Array.from({ length: k }, () => seq.items).flat() };
      return null;
    };
    const r = rep(a, b) ?? rep(b, a);
    if (r) return r;
  }
  if (op === '%' && a.t === 'str') return percentFormat(a.v, b);
  if (op === '|' && a.t === 'dict' && b.t === 'dict') {
    const entries = [...a.entries];
    for (const [k, v] of b.entries) setEntry(entries, k, v);
    return { t: 'dict', entries };
  }
  return dyn(`unsupported operand types for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

/** `'%s:%d' % (host, port)` and `'%(name)s' % {...}`. */
function percentFormat(fmt: string, arg: PyValue): PyValue {
  const positional = arg.t === 'tuple' ? arg.items : [arg];
  let index = 0;
  let failed: string | null = null;
  const out = fmt.replace(/%(?:\(([^)]*)\))?([#0 +-]*)(\d+)?(?:\.(\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g, (_m, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, conv: string) => {
    if (conv === '%') return '%';
    let v: PyValue | undefined;
    if (key !== undefined) {
      if (arg.t !== 'dict') {
        failed = 'format requires a mapping';
        return '';
      }
      v = arg.entries.find(([k]) => k.t === 'str' && k.v === key)?.[1];
    } else v = positional[index++];
    if (!v) {
      failed = 'not enough arguments for format string';
      return '';
    }
    if (v.t === 'dyn') {
      failed = v.reason;
      return '';
    }
    let spec = '';
    if (flags.includes('-')) spec += '<';
    else if (flags.includes('0')) spec += '0';
    if (flags.includes('+')) spec = (spec.startsWith('<') ? '<' : '') + '+' + (spec.startsWith('0') ? '0' : '');
    spec += width ?? '';
    if (precision !== undefined) spec += '.' + precision;
    let text: string | null;
    if (conv === 's' || conv === 'r' || conv === 'a') {
      const s = conv === 's' ? pyStr(v) : pyRepr(v);
      text = s === null ? null : formatWithSpec({ t: 'str', v: s }, spec.replace(/^0/, ''));
    } else if ('diu'.includes(conv)) {
      text = isNumeric(v) ? formatWithSpec(pyInt(Math.trunc(numOf(v))), spec + 'd') : null;
    } else if ('xXo'.includes(conv)) {
      text = v.t === 'int' ? formatWithSpec(v, spec + conv) : null;
    } else if ('fF'.includes(conv)) {
      text = isNumeric(v) ? formatWithSpec({ t: 'float', v: numOf(v) }, spec + (precision === undefined ? '.6' : '') + 'f') : null;
    } else text = null;
    if (text === null) {
      failed = `%${conv} with ${typeName(v)}`;
      return '';
    }
    return text;
  });
  if (failed) return dyn(`%-formatting: ${failed}`);
  if (arg.t === 'tuple' && index < positional.length && !/%\(/.test(fmt)) return dyn('%-formatting: not all arguments converted');
  return { t: 'str', v: out };
}

function evalCall(e: Extract<Expr, { kind: 'call' }>, scope: Scope, ctx: Ctx): PyValue {
  const func = evalExpr(e.func, scope, ctx);
  const args = e.args.map((a) => (a.kind === 'starred' ? dyn('a starred argument') : evalExpr(a, scope, ctx)));
  const kwargs = new Map<string, PyValue>();
  for (const k of e.keywords) {
    if (k.name === null) return dyn('a ** argument');
    kwargs.set(k.name, evalExpr(k.value, scope, ctx));
  }
  const callText = (): string => {
    const t = ctx.file.text.slice(e.func.start, e.func.end);
    return `calls ${t.length > 40 ? t.slice(0, 40) + '…' : t}()`;
  };
  if (func.t === 'dyn') return func.reason.startsWith('uses ') ? dyn(callText()) : func;
  if (func.t === 'func') return dyn(`calls ${func.name}()`);
  if (func.t === 'class') return dyn(`instantiates ${func.name}`);
  if (func.t === 'method') return callMethod(func.self, func.name, args, kwargs) ?? dyn(callText());
  if (func.t !== 'ref') return dyn(`${typeName(func)} is not callable`);
  if ((func.path === 'os.getenv' || func.path === 'os.environ.get') && args[0]?.t === 'str') {
    // A variable that is set wins, whatever its default would have been.
    const known = envLookup(ctx, args[0].v);
    if (known && known.t !== 'dyn') return known;
  }
  for (const a of args) if (a.t === 'dyn') return a;
  for (const a of kwargs.values()) if (a.t === 'dyn') return a;
  switch (func.path) {
    case 'multiprocessing.cpu_count':
    case 'os.cpu_count':
      if (ctx.cpus === null) return dyn(`${func.path}() is the host's core count, not known here (--cpus)`, { cores: true });
      return pyInt(ctx.cpus, true);
    case 'os.sched_getaffinity':
      if (ctx.cpus === null) return dyn(`${func.path}() depends on the host's cores, not known here (--cpus)`, { cores: true });
      return { t: 'list', items: Array.from({ length: ctx.cpus }, (_, i) => pyInt(i)) };
    case 'os.getenv':
    case 'os.environ.get': {
      const key = args[0] ?? kwargs.get('key');
      if (!key || key.t !== 'str') return dyn(`${func.path} with a non-string key`);
      const known = envLookup(ctx, key.v);
      if (known) return known;
      if (ctx.openEnv) return dyn(`${key.v} may be set by ${ctx.openEnv}`, { env: [key.v] });
      return args[1] ?? kwargs.get('default') ?? NONE;
    }
    case 'os.path.join': {
      const parts = args.map((a) => (a.t === 'str' ? a.v : null));
      if (parts.some((p) => p === null) || !parts.length) return dyn(callText());
      let out = '';
      for (const p of parts as string[]) out = p.startsWith('/') || !out ? p : out.endsWith('/') ? out + p : `${out}/${p}`;
      return { t: 'str', v: out };
    }
    case 'builtins.int':
      return toInt(args[0] ?? pyInt(0), args[1] ?? kwargs.get('base'));
    case 'builtins.float':
      return toFloat(args[0] ?? { t: 'float', v: 0 });
    case 'builtins.str': {
      if (!args.length) return { t: 'str', v: '' };
      const s = pyStr(args[0]!);
      return s === null ? dyn(callText()) : { t: 'str', v: s };
    }
    case 'builtins.repr': {
      const s = args[0] ? pyRepr(args[0]) : null;
      return s === null ? dyn(callText()) : { t: 'str', v: s };
    }
    case 'builtins.bool': {
      const t = args[0] ? truthy(args[0]) : false;
      return t === null ? dyn(callText()) : { t: 'bool', v: t };
    }
    case 'builtins.abs': {
      const a = args[0];
      if (!a || !isNumeric(a)) return dyn(callText());
      return { t: a.t === 'float' ? 'float' : 'int', v: Math.abs(numOf(a)) } as PyValue;
    }
    case 'builtins.round': {
      const a = args[0];
      if (!a || !isNumeric(a) || args.length > 1) return dyn(callText());
      return pyInt(roundHalfEven(numOf(a)));
    }
    case 'builtins.len': {
      const a = args[0];
      if (!a) return dyn(callText());
      if (a.t === 'str' || a.t === 'bytes') return pyInt([...a.v].length);
      if (a.t === 'list' || a.t === 'tuple') return pyInt(a.items.length);
      if (a.t === 'dict') return pyInt(a.entries.length);
      return dyn(callText());
    }
    case 'builtins.min':
    case 'builtins.max': {
      const items = args.length === 1 && (args[0]!.t === 'list' || args[0]!.t === 'tuple') ? (args[0] as { items: PyValue[] }).items : args;
      if (!items.length || kwargs.size) return dyn(callText());
      let best = items[0]!;
      for (const x of items.slice(1)) {
        const c = compare(func.path === 'builtins.min' ? '<' : '>', x, best, ctx);
        if (c.t !== 'bool') return c;
        if (c.v) best = x;
      }
      const cpu = items.some((x) => (x as { cpu?: boolean }).cpu);
      return cpu && best.t === 'int' ? pyInt(best.v, true) : best;
    }
    case 'builtins.list':
    case 'builtins.tuple': {
      const a = args[0];
      const kind = func.path === 'builtins.list' ? 'list' : 'tuple';
      if (!a) return { t: kind, items: [] };
      if (a.t === 'list' || a.t === 'tuple') return { t: kind, items: [...a.items] };
      if (a.t === 'str') return { t: kind, items: [...a.v].map((c): PyValue => ({ t: 'str', v: c })) };
      return dyn(callText());
    }
    case 'builtins.dict': {
      if (args.length > 1 || (args[0] && args[0].t !== 'dict')) return dyn(callText());
      const entries: Array<[PyValue, PyValue]> = args[0] && args[0].t === 'dict' ? [...args[0].entries] : [];
      for (const [k, v] of kwargs) setEntry(entries, { t: 'str', v: k }, v);
      return { t: 'dict', entries };
    }
    case 'os.environ.copy':
      return envRef(ctx);
  }
  return dyn(callText());
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function toInt(v: PyValue, base?: PyValue): PyValue {
  const cpu = Boolean((v as { cpu?: boolean }).cpu);
  if (base && base.t !== 'int') return dyn('int() with a non-int base');
  if (v.t === 'int') return base ? dyn("int() can't convert non-string with explicit base") : v;
  if (v.t === 'bool') return pyInt(v.v ? 1 : 0);
  if (v.t === 'float') {
    if (!Number.isFinite(v.v)) return dyn('cannot convert float infinity or NaN to integer');
    return pyInt(Math.trunc(v.v), cpu);
  }
  if (v.t === 'str') {
    const b = base ? base.v : 10;
    const t = v.v.trim().replace(/_/g, '');
    let n: number | null = null;
    if (b === 10 && /^[+-]?\d+$/.test(t)) n = Number(t);
    else if (b === 0) n = /^[+-]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0+|[1-9]\d*)$/.test(t) ? Number(t.replace(/^([+-]?)0([oObBxX])/, (_m, s: string, p: string) => `${s}0${p.toLowerCase()}`)) : null;
    else if (b >= 2 && b <= 36) n = parseIntInBase(t, b);
    if (n === null || Number.isNaN(n)) return dyn(`int(${pyRepr(v)}) raises ValueError`);
    return pyInt(n);
  }
  return dyn(`int() of ${typeName(v)}`);
}

/** Python's `int(text, base)` for 2 ≤ base ≤ 36 (a matching 0x/0o/0b prefix is allowed). */
function parseIntInBase(text: string, base: number): number | null {
  const m = /^([+-]?)(.*)$/.exec(text)!;
  let digits = m[2]!.toLowerCase();
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : null;
  if (prefix && digits.startsWith(prefix)) digits = digits.slice(2);
  if (!digits) return null;
  let n = 0;
  for (const ch of digits) {
    const d = parseInt(ch, 36);
    if (Number.isNaN(d) || d >= base) return null;
    n = n * base + d;
  }
  return m[1] === '-' ? -n : n;
}

function toFloat(v: PyValue): PyValue {
  if (isNumeric(v)) return { t: 'float', v: numOf(v) };
  if (v.t === 'str') {
    const t = v.v.trim().replace(/_/g, '');
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return { t: 'float', v: Number(t) };
    if (/^[+-]?(inf|infinity)$/i.test(t)) return { t: 'float', v: t.startsWith('-') ? -Infinity : Infinity };
    return dyn(`float(${pyRepr(v)}) raises ValueError`);
  }
  return dyn(`float() of ${typeName(v)}`);
}

function callMethod(self: PyValue, name: string, args: PyValue[], kwargs: Map<string, PyValue>): PyValue | null {
  for (const a of args) if (a.t === 'dyn') return a;
  if (self.t === 'str') {
    const s = self.v;
    const a0 = args[0];
    switch (name) {
      case 'strip':
      case 'lstrip':
      case 'rstrip': {
        if (a0 && a0.t !== 'str' && a0.t !== 'none') return null;
        const chars = a0 && a0.t === 'str' ? a0.v : null;
        const isStrip = (c: string) => (chars === null ? /\s/.test(c) : chars.includes(c));
        let i = 0;
        let j = s.length;
        if (name !== 'rstrip') while (i < j && isStrip(s[i]!)) i++;
        if (name !== 'lstrip') while (j > i && isStrip(s[j - 1]!)) j--;
        return { t: 'str', v: s.slice(i, j) };
      }
      case 'lower':
        return { t: 'str', v: s.toLowerCase() };
      case 'upper':
        return { t: 'str', v: s.toUpperCase() };
      case 'split': {
        const sep = a0 ?? kwargs.get('sep');
        if (args.length > 1 || (sep && sep.t !== 'str' && sep.t !== 'none')) return null;
        const parts = sep && sep.t === 'str' ? s.split(sep.v) : s.split(/\s+/).filter((x) => x !== '');
        return { t: 'list', items: parts.map((p): PyValue => ({ t: 'str', v: p })) };
      }
      case 'join': {
        if (!a0 || (a0.t !== 'list' && a0.t !== 'tuple')) return null;
        if (!a0.items.every((x) => x.t === 'str')) return a0.items.find((x) => x.t === 'dyn') ?? dyn('str.join of non-strings');
        return { t: 'str', v: a0.items.map((x) => (x as { v: string }).v).join(s) };
      }
      case 'replace':
        if (a0?.t === 'str' && args[1]?.t === 'str' && args.length === 2) return { t: 'str', v: s.split(a0.v).join(args[1].v) };
        return null;
      case 'startswith':
      case 'endswith':
        if (a0?.t !== 'str') return null;
        return { t: 'bool', v: name === 'startswith' ? s.startsWith(a0.v) : s.endsWith(a0.v) };
      case 'format':
        return strFormat(s, args, kwargs);
      case 'isdigit':
        return { t: 'bool', v: s.length > 0 && /^\d+$/.test(s) };
    }
    return null;
  }
  if (self.t === 'dict' && name === 'get') {
    const k = args[0];
    if (!k) return null;
    return self.entries.find(([kk]) => pyEquals(kk, k))?.[1] ?? args[1] ?? NONE;
  }
  return null;
}

/** `'{}:{port}'.format(host, port=8000)`. */
function strFormat(fmt: string, args: PyValue[], kwargs: Map<string, PyValue>): PyValue {
  let auto = 0;
  let failed: string | null = null;
  const out = fmt.replace(/\{\{|\}\}|\{([^{}!:]*)(?:!([rsa]))?(?::([^{}]*))?\}/g, (m, field: string | undefined, conv: string | undefined, spec: string | undefined) => {
    if (m === '{{') return '{';
    if (m === '}}') return '}';
    const key = field ?? '';
    let v: PyValue | undefined;
    if (key === '') v = args[auto++];
    else if (/^\d+$/.test(key)) v = args[Number(key)];
    else if (/^\w+$/.test(key)) v = kwargs.get(key);
    else {
      failed = `field {${key}}`;
      return '';
    }
    if (!v) {
      failed = `missing argument for {${key}}`;
      return '';
    }
    if (v.t === 'dyn') {
      failed = v.reason;
      return '';
    }
    if (conv) {
      const s = conv === 's' ? pyStr(v) : pyRepr(v);
      if (s === null) {
        failed = 'conversion';
        return '';
      }
      v = { t: 'str', v: s };
    }
    const text = formatWithSpec(v, spec ?? '');
    if (text === null) {
      failed = `format spec '${spec}'`;
      return '';
    }
    return text;
  });
  return failed ? dyn(`str.format: ${failed}`) : { t: 'str', v: out };
}

// ---- names: used, assigned, imported ----------------------------------------------------------

function targetNames(t: Expr): string[] {
  if (t.kind === 'name') return [t.id];
  if (t.kind === 'tuple' || t.kind === 'list') return t.elts.flatMap(targetNames);
  if (t.kind === 'starred') return targetNames(t.value);
  return [];
}

/** Names a block may bind when it runs (for loops/opaque statements). */
function assignedNames(body: Stmt[]): Set<string> {
  const out = new Set<string>();
  const visit = (stmts: Stmt[]) => {
    for (const s of stmts) {
      switch (s.kind) {
        case 'assign':
          s.targets.flatMap(targetNames).forEach((n) => out.add(n));
          break;
        case 'augassign':
        case 'annassign':
          targetNames(s.target).forEach((n) => out.add(n));
          break;
        case 'def':
        case 'class':
          out.add(s.name);
          break;
        case 'import':
          s.names.forEach((n) => out.add(n.asname ?? n.name.split('.')[0]!));
          break;
        case 'importfrom':
          s.names.forEach((n) => n.name !== '*' && out.add(n.asname ?? n.name));
          break;
        case 'if':
          visit(s.body);
          visit(s.orelse);
          break;
        case 'loop':
          s.targets.flatMap(targetNames).forEach((n) => out.add(n));
          visit(s.body);
          visit(s.orelse);
          break;
        case 'try':
          visit(s.body);
          s.handlers.forEach(visit);
          visit(s.orelse);
          visit(s.finalbody);
          break;
        case 'with':
          s.targets.flatMap(targetNames).forEach((n) => out.add(n));
          visit(s.body);
          break;
        case 'opaque':
          s.names.forEach((n) => out.add(n));
          break;
      }
    }
  };
  visit(body);
  return out;
}

function collectImports(body: Stmt[], out: Set<string>): void {
  for (const s of body) {
    if (s.kind === 'import') s.names.forEach((n) => out.add(n.asname ?? n.name.split('.')[0]!));
    else if (s.kind === 'importfrom') s.names.forEach((n) => out.add(n.asname ?? n.name));
    else if (s.kind === 'if') {
      collectImports(s.body, out);
      collectImports(s.orelse, out);
    } else if (s.kind === 'try') {
      collectImports(s.body, out);
      s.handlers.forEach((h) => collectImports(h, out));
    }
  }
}

/** Every name read anywhere (including inside functions, lambdas and f-strings). */
function collectUsedNames(body: Stmt[], out: Set<string>, _top: boolean): void {
  const expr = (e: Expr | null | undefined): void => {
    if (!e) return;
    switch (e.kind) {
      case 'name':
        out.add(e.id);
        return;
      case 'str':
        if (e.fstring) for (const p of e.fstring) if (typeof p !== 'string') fpart(p);
        return;
      case 'attr':
        expr(e.value);
        return;
      case 'subscript':
        expr(e.value);
        expr(e.index);
        return;
      case 'slice':
        expr(e.lower);
        expr(e.upper);
        expr(e.step);
        return;
      case 'call':
        expr(e.func);
        e.args.forEach(expr);
        e.keywords.forEach((k) => expr(k.value));
        return;
      case 'binop':
        expr(e.left);
        expr(e.right);
        return;
      case 'unary':
        expr(e.operand);
        return;
      case 'boolop':
        e.values.forEach(expr);
        return;
      case 'compare':
        expr(e.left);
        e.comparators.forEach(expr);
        return;
      case 'ifexp':
        expr(e.test);
        expr(e.body);
        expr(e.orelse);
        return;
      case 'lambda':
        expr(e.body);
        return;
      case 'list':
      case 'tuple':
      case 'set':
        e.elts.forEach(expr);
        return;
      case 'dict':
        e.keys.forEach((k) => expr(k));
        e.values.forEach(expr);
        return;
      case 'comp':
        e.inner.forEach(expr);
        return;
      case 'starred':
        expr(e.value);
        return;
      case 'yield':
      case 'await':
        expr(e.value);
        return;
      case 'walrus':
        expr(e.value);
        return;
      default:
        return;
    }
  };
  const fpart = (p: Exclude<FStringPart, string>) => {
    expr(p.expr);
    if (p.spec) for (const q of p.spec) if (typeof q !== 'string') fpart(q);
  };
  // Targets that are not plain names read their base (`headers['x'] = …` reads `headers`).
  const target = (t: Expr) => {
    if (t.kind === 'attr' || t.kind === 'subscript') expr(t);
    else if (t.kind === 'tuple' || t.kind === 'list') t.elts.forEach(target);
    else if (t.kind === 'starred') target(t.value);
  };
  const stmts = (list: Stmt[]) => {
    for (const s of list) {
      switch (s.kind) {
        case 'assign':
          expr(s.value);
          s.targets.forEach(target);
          break;
        case 'augassign':
          // `x += 1` reads x, but that alone doesn't make x a helper.
          expr(s.value);
          target(s.target);
          break;
        case 'annassign':
          expr(s.value);
          target(s.target);
          break;
        case 'expr':
          expr(s.value);
          break;
        case 'def':
        case 'class':
          s.decorators.forEach(expr);
          stmts(s.body);
          break;
        case 'if':
          expr(s.test);
          stmts(s.body);
          stmts(s.orelse);
          break;
        case 'loop':
          s.head.forEach(expr);
          stmts(s.body);
          stmts(s.orelse);
          break;
        case 'try':
          s.heads.forEach(expr);
          stmts(s.body);
          s.handlers.forEach(stmts);
          stmts(s.orelse);
          stmts(s.finalbody);
          break;
        case 'with':
          s.items.forEach(expr);
          stmts(s.body);
          break;
        case 'del':
          s.targets.forEach(target);
          break;
        case 'other':
          s.exprs.forEach(expr);
          break;
        default:
          break;
      }
    }
  };
  stmts(body);
}

/** Module-level assignments to names that are not settings (gunicorn ignores them silently). */
function unknownNameDiagnostics(body: Stmt[], ev: ConfEvaluation, table: SettingsTable): GunicornDiagnostic[] {
  const out: GunicornDiagnostic[] = [];
  const seen = new Set<string>();
  const report = (name: string, start: number, end: number, requireSuggestion: boolean) => {
    if (seen.has(name) || table.byName.has(name)) return;
    if (name.startsWith('_') || ev.usedNames.has(name) || ev.importedNames.has(name)) return;
    const lower = name.toLowerCase();
    // UPPERCASE and CamelCase names are helpers by convention, unless they spell a setting.
    if (name !== lower && !table.byName.has(lower)) return;
    const suggestion = table.byName.has(lower) ? lower : suggestSetting(name, table);
    if (requireSuggestion && !suggestion) return;
    seen.add(name);
    const pos = positionOf(ev.file, start);
    const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
    out.push({
      file: ev.file.path,
      ...pos,
      start,
      end,
      message: `"${name}" is not a gunicorn setting (gunicorn ignores it)${hint}`,
      kind: 'unknown-setting',
      ...(suggestion ? { suggestion } : {}),
      setting: name,
    });
  };
  const visit = (stmts: Stmt[]) => {
    for (const s of stmts) {
      if (s.kind === 'assign') for (const t of s.targets) for (const n of directNames(t)) report(n.id, n.start, n.end, false);
      else if ((s.kind === 'augassign' || s.kind === 'annassign') && s.target.kind === 'name') report(s.target.id, s.target.start, s.target.end, false);
      else if (s.kind === 'def') report(s.name, s.nameStart, s.nameEnd, true);
      else if (s.kind === 'if') {
        visit(s.body);
        visit(s.orelse);
      } else if (s.kind === 'try') {
        visit(s.body);
        s.handlers.forEach(visit);
        visit(s.orelse);
        visit(s.finalbody);
      } else if (s.kind === 'with') visit(s.body);
    }
  };
  visit(body);
  return out;
}

function directNames(t: Expr): Array<{ id: string; start: number; end: number }> {
  if (t.kind === 'name') return [{ id: t.id, start: t.start, end: t.end }];
  if (t.kind === 'tuple' || t.kind === 'list') return t.elts.flatMap(directNames);
  if (t.kind === 'starred') return directNames(t.value);
  return [];
}

export { floatRepr };
