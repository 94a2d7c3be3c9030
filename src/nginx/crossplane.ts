// crossplane's JSON parse payload (`crossplane parse`), built from conftune's parser, so tools
// written against crossplane can switch to `conftune parse --format crossplane`.
//
// Same shape and the same choices as crossplane: files are numbered in the order their includes
// are first met (main file 0), includes resolve against the main file's directory, a statement
// failing crossplane's argument or context check is dropped with an error, and `combine` replaces
// every include with the statements it pulls in. Where nginx and crossplane disagree on lexing
// (escapes, `${var}`, Unicode spaces…) the values are nginx's: see ../shared/corpus/README.md.

import * as path from 'node:path';
import { parseFile } from './parser.js';
import { diskFileSystem, globFiles, hasGlob, type FileSystem } from './load.js';
import { makeSourceFile, type Comment, type Directive } from './tree.js';
import { allowedIn, checkArity, childContext, countedArgs, lookupDirective, type ContextName } from './directives.js';

export interface CrossplaneOptions {
  /** Keep comments as `{"directive": "#", "comment": …}` statements (`--include-comments`). */
  comments?: boolean;
  /** One config with includes replaced by what they include (`--combine`). */
  combine?: boolean;
  /** Do not follow includes (`--single-file`). */
  single?: boolean;
  /** Unknown directives are errors and dropped (`--strict`). */
  strict?: boolean;
  /** Skip crossplane's argument-count and context checks (crossplane's `check_args`/`check_ctx` off). */
  noChecks?: boolean;
  /** Directory relative paths are resolved against; default: the process's. */
  cwd?: string;
  fs?: FileSystem;
}

export interface CrossplaneStatement {
  file?: string;
  directive: string;
  line: number;
  args: string[];
  includes?: number[];
  block?: CrossplaneStatement[];
  comment?: string;
}

export interface CrossplaneFileError {
  error: string;
  line: number | null;
}

export interface CrossplaneConfig {
  file: string;
  status: 'ok' | 'failed';
  errors: CrossplaneFileError[];
  parsed: CrossplaneStatement[];
}

export interface CrossplanePayload {
  status: 'ok' | 'failed';
  errors: Array<{ file: string; error: string; line: number | null }>;
  config: CrossplaneConfig[];
}

interface Pending {
  /** Name as crossplane prints it (the main path as given, includes joined to its directory). */
  display: string;
  abs: string;
  context: ContextName;
}

/** Builds crossplane's payload for `file` (as the user wrote it). Never throws on input. */
export function crossplaneParse(file: string, opts: CrossplaneOptions = {}): CrossplanePayload {
  const fsys = opts.fs ?? diskFileSystem;
  const cwd = opts.cwd ?? process.cwd();
  const mainAbs = path.resolve(cwd, file);
  const prefix = path.dirname(mainAbs);
  const queue: Pending[] = [{ display: file, abs: mainAbs, context: 'main' }];
  const indexOf = new Map<string, number>([[mainAbs, 0]]);
  const configs: CrossplaneConfig[] = [];

  const displayFor = (pattern: string, abs: string): string =>
    path.isAbsolute(pattern) ? abs : path.join(path.dirname(file), path.relative(prefix, abs));

  for (let i = 0; i < queue.length; i++) {
    const current = queue[i]!;
    const errors: CrossplaneFileError[] = [];
    const fail = (message: string, line: number | null): void => {
      errors.push({ error: line === null ? `${message} in ${current.display}` : `${message} in ${current.display}:${line}`, line });
    };
    const read = fsys.read(current.abs);
    if ('error' in read) {
      fail(read.error, null);
      configs.push({ file: current.display, status: 'failed', errors, parsed: [] });
      continue;
    }
    const source = makeSourceFile(current.abs, read.text);
    const parsed = parseFile(source);
    for (const d of parsed.diagnostics) fail(d.message, d.line);

    const resolveInclude = (d: Directive, context: ContextName): number[] => {
      const pattern = d.args[0]?.value;
      if (pattern === undefined || d.args.length !== 1) return [];
      const resolved = path.resolve(prefix, pattern);
      let targets: string[];
      if (hasGlob(pattern)) targets = globFiles(fsys, resolved);
      else {
        const probe = fsys.read(resolved);
        if ('error' in probe) {
          fail(probe.error, d.line);
          return [];
        }
        targets = [resolved];
      }
      return targets.map((abs) => {
        let index = indexOf.get(abs);
        if (index === undefined) {
          index = queue.length;
          indexOf.set(abs, index);
          queue.push({ display: displayFor(pattern, abs), abs, context });
        }
        return index;
      });
    };

    const convert = (nodes: Directive[], context: ContextName | null, range: [number, number]): CrossplaneStatement[] => {
      const out: CrossplaneStatement[] = [];
      const comments = opts.comments ? commentsIn(parsed.comments, range) : [];
      let next = 0;
      const flushCommentsBefore = (offset: number): void => {
        while (next < comments.length && comments[next]!.start < offset) out.push(commentStatement(comments[next++]!, current.display, opts.combine));
      };
      for (const d of nodes) {
        flushCommentsBefore(d.start);
        // Comments between a directive's name and its `;`/`{` follow it, as crossplane lists them.
        const headerEnd = d.blockStart >= 0 ? d.blockStart : d.end;
        const inHeader: Comment[] = [];
        while (next < comments.length && comments[next]!.start < headerEnd) inHeader.push(comments[next++]!);
        const problem = context && !opts.noChecks ? checkStatement(d, context, Boolean(opts.strict)) : null;
        if (problem) fail(problem, d.line);
        else {
          const stmt: CrossplaneStatement = {
            ...(opts.combine ? { file: current.display } : {}),
            directive: d.name,
            line: d.line,
            args: d.args.map((a) => a.value),
          };
          if (d.name === 'include' && !opts.single) stmt.includes = context ? resolveInclude(d, context) : resolveInclude(d, 'main');
          if (d.block) stmt.block = convert(d.block, context ? childContext(d, context) : null, [d.blockStart, d.blockEnd < 0 ? Infinity : d.blockEnd]);
          out.push(stmt);
        }
        for (const c of inHeader) out.push(commentStatement({ ...c, line: d.line }, current.display, opts.combine));
        // Skip comments inside the block: the nested call listed them.
        while (next < comments.length && comments[next]!.start < d.end) next++;
      }
      flushCommentsBefore(Infinity);
      return out;
    };

    const tree = convert(parsed.root, current.context, [0, Infinity]);
    configs.push({ file: current.display, status: errors.length ? 'failed' : 'ok', errors, parsed: tree });
  }

  const payload: CrossplanePayload = {
    status: configs.some((c) => c.status === 'failed') ? 'failed' : 'ok',
    errors: configs.flatMap((c) => c.errors.map((e) => ({ file: c.file, error: e.error, line: e.line }))),
    config: configs,
  };
  return opts.combine ? combine(payload) : payload;
}

function commentsIn(all: Comment[], [from, to]: [number, number]): Comment[] {
  return all.filter((c) => c.start > from && c.start < to);
}

function commentStatement(c: Comment, file: string, withFile: boolean | undefined): CrossplaneStatement {
  return { ...(withFile ? { file } : {}), directive: '#', line: c.line, args: [], comment: c.text };
}

/** crossplane's analyzer: context and argument count/flag checks; null when the statement passes. */
function checkStatement(d: Directive, context: ContextName, strict: boolean): string | null {
  const spec = lookupDirective(d.name);
  if (!spec) return strict ? `unknown directive "${d.name}"` : null;
  // crossplane's analyzer knows only nginx's own modules; third-party ones pass unchecked.
  if (spec.thirdParty) return null;
  if (!allowedIn(spec, context)) return `"${d.name}" directive is not allowed here`;
  const values = countedArgs(d);
  const problem = checkArity(spec, values.length, values, context);
  if (problem && problem.kind !== 'value') return problem.message;
  return null;
}

/** `--combine`: one config whose includes are replaced by the included statements. */
function combine(payload: CrossplanePayload): CrossplanePayload {
  const configs = payload.config;
  const inline = (block: CrossplaneStatement[], chain: number[]): CrossplaneStatement[] => {
    const out: CrossplaneStatement[] = [];
    for (const stmt of block) {
      if (stmt.includes) {
        // An include cycle would never end: crossplane recurses forever, we stop at the repeat.
        for (const index of stmt.includes) if (!chain.includes(index)) out.push(...inline(configs[index]?.parsed ?? [], [...chain, index]));
        continue;
      }
      out.push(stmt.block ? { ...stmt, block: inline(stmt.block, chain) } : stmt);
    }
    return out;
  };
  const first = configs[0]!;
  return {
    status: payload.status,
    errors: payload.errors,
    config: [
      {
        file: first.file,
        status: configs.some((c) => c.status === 'failed') ? 'failed' : 'ok',
        errors: configs.flatMap((c) => c.errors),
        parsed: inline(first.parsed, [0]),
      },
    ],
  };
}
