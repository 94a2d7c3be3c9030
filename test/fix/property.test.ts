// Property: for random valid configs and random applicable fixes, the applier changes only the
// edited ranges, the result parses, and each applied fix did what it says.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CheckResult } from '../../src/check.js';
import { planFixes } from '../../src/fix/apply.js';
import { insertAfter, insertBefore, insertIntoBlock, moveBefore, removeDirective, replaceArg } from '../../src/edit/edits.js';
import type { Edit, Finding } from '../../src/lint/rule.js';
import { loadConfigFromText } from '../../src/nginx/load.js';
import type { Directive, NginxConfig } from '../../src/nginx/tree.js';
import { walk } from '../../src/nginx/tree.js';

const FILE = '/conf/nginx.conf';

interface Node {
  args: string[];
  children: Node[] | null;
  comment: boolean;
  /** A block written on one line: `name { a; b { c; } }`. */
  inline: boolean;
}

interface Style {
  newline: '\n' | '\r\n';
  unit: string;
  blankLines: boolean;
}

const arg = fc.oneof(
  fc.stringMatching(/^[a-z0-9_.:\/$-]{1,10}$/),
  fc.stringMatching(/^"[a-z0-9 ;{}#]{0,8}"$/),
  fc.stringMatching(/^'[a-z0-9 ]{0,6}'$/),
);

const tree: fc.Arbitrary<Node[]> = fc.letrec<{ nodes: Node[]; node: Node }>((tie) => ({
  node: fc.record({
    args: fc.array(arg, { maxLength: 3 }),
    children: fc.oneof({ depthSize: 'small', withCrossShrink: true }, fc.constant(null), tie('nodes')),
    comment: fc.boolean(),
    inline: fc.boolean(),
  }),
  nodes: fc.array(tie('node'), { maxLength: 4 }),
})).nodes.filter((n) => n.length > 0);

const style: fc.Arbitrary<Style> = fc.record({
  newline: fc.constantFrom('\n' as const, '\r\n' as const),
  unit: fc.constantFrom('    ', '  ', '\t'),
  blankLines: fc.boolean(),
});

/** Renders nodes with unique names d0, d1, … so each can be found again after fixing. */
function render(nodes: Node[], s: Style): string {
  let n = 0;
  const out: string[] = [];
  const oneLine = (node: Node): string => {
    const head = [`d${n++}`, ...node.args].join(' ');
    return node.children ? `${head} { ${node.children.map(oneLine).join(' ')}${node.children.length ? ' ' : ''}}` : `${head};`;
  };
  const emit = (list: Node[], depth: number): void => {
    for (const node of list) {
      const ind = s.unit.repeat(depth);
      const comment = node.comment ? ' # note' : '';
      if (node.inline) {
        out.push(`${ind}${oneLine(node)}${comment}`);
      } else if (node.children) {
        out.push(`${ind}${[`d${n++}`, ...node.args].join(' ')} {${comment}`);
        emit(node.children, depth + 1);
        out.push(`${ind}}`);
      } else {
        out.push(`${ind}${[`d${n++}`, ...node.args].join(' ')};${comment}`);
      }
      if (s.blankLines) out.push('');
    }
  };
  emit(nodes, 0);
  return out.join(s.newline) + s.newline;
}

type Op =
  | { kind: 'insertAfter' | 'insertBefore' | 'remove' | 'replaceArg' | 'intoBlock'; at: number }
  | { kind: 'move'; at: number; to: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('insertAfter' as const, 'insertBefore' as const, 'remove' as const, 'replaceArg' as const, 'intoBlock' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('move' as const), at: fc.nat(), to: fc.nat() }),
);

interface Intent {
  check: (after: Map<string, Directive[]>) => boolean;
  edits: Edit[];
}

function directives(config: NginxConfig): Directive[] {
  const all: Directive[] = [];
  walk(config.root, (d) => {
    all.push(d);
  });
  return all;
}

function byName(config: NginxConfig): Map<string, Directive[]> {
  const m = new Map<string, Directive[]>();
  for (const d of directives(config)) m.set(d.name, [...(m.get(d.name) ?? []), d]);
  return m;
}

/** Turns an op into edits plus a check of what the fixed tree must show. */
function intent(o: Op, all: Directive[], i: number): Intent | null {
  const d = all[o.at % all.length]!;
  const ins = `ins${i}`;
  const present = (name: string) => (after: Map<string, Directive[]>) => (after.get(name)?.length ?? 0) === 1;
  switch (o.kind) {
    case 'insertAfter':
      return { edits: [insertAfter(d, `${ins} x;`)], check: (a) => present(ins)(a) && a.get(ins)![0]!.parent?.name === d.parent?.name };
    case 'insertBefore':
      return { edits: [insertBefore(d, `${ins} x;`)], check: (a) => present(ins)(a) && a.get(ins)![0]!.parent?.name === d.parent?.name };
    case 'intoBlock': {
      const e = insertIntoBlock(d, `${ins} "a b";`);
      return e ? { edits: [e], check: (a) => present(ins)(a) && a.get(ins)![0]!.parent?.name === d.name } : null;
    }
    case 'remove':
      return { edits: [removeDirective(d)], check: (a) => !a.has(d.name) };
    case 'replaceArg': {
      const first = d.args[0];
      return first ? { edits: [replaceArg(d.file, first, `v ${i};`)], check: (a) => a.get(d.name)?.[0]?.args[0]?.value === `v ${i};` } : null;
    }
    case 'move': {
      const siblings = all.filter((s) => s.parent === d.parent && s !== d);
      if (siblings.length === 0) return null;
      const target = siblings[o.to % siblings.length]!;
      return {
        edits: moveBefore(d, target),
        check: (a) => {
          const moved = a.get(d.name)?.[0];
          const t = a.get(target.name)?.[0];
          if (!moved || !t) return false;
          const list = moved.parent?.block ?? null;
          return moved.parent?.name === t.parent?.name && (list === null || list.indexOf(moved) < list.indexOf(t)) && moved.start < t.start;
        },
      };
    }
  }
}

function fakeFinding(i: number, edits: Edit[]): Finding {
  return {
    ruleId: `prop/op${i}`, severity: 'warning', category: 'correctness', message: `op ${i}`, file: FILE,
    line: 1, column: 1, endLine: 1, endColumn: 1, start: 0, end: 0, fixable: true, fix: { description: `op ${i}`, edits },
  };
}

function resultFor(config: NginxConfig, findings: Finding[]): CheckResult {
  return {
    findings, suppressed: [], errors: [], files: config.files, rules: [], internalErrors: [],
    models: [{ nginx: config, gunicorn: [], links: [], unlinkedTargets: [] }],
    versions: { nginx: '1.24.0', gunicorn: '23.0.0' },
  };
}

/** Asserts that every byte of `before` outside the edits sits, unchanged, where it must in `after`. */
function unchangedOutside(before: string, after: string, edits: Edit[]): void {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  let shift = 0;
  let pos = 0;
  for (const e of sorted) {
    expect(after.slice(pos + shift, e.start + shift)).toBe(before.slice(pos, e.start));
    shift += e.text.length - (e.end - e.start);
    pos = e.end;
  }
  expect(after.slice(pos + shift)).toBe(before.slice(pos));
  expect(after.length).toBe(before.length + shift);
}

describe('fix applier properties', () => {
  it('changes only the edited ranges, keeps the result parseable, and applies what each fix says', () => {
    fc.assert(
      fc.property(tree, style, fc.array(op, { minLength: 1, maxLength: 5 }), (nodes, s, ops) => {
        const text = render(nodes, s);
        const config = loadConfigFromText(FILE, text, { singleFile: true, rootContext: 'main' });
        expect(config.diagnostics.filter((d) => d.kind === 'syntax')).toEqual([]);
        const all = directives(config);
        const intents = ops.map((o, i) => intent(o, all, i));
        const findings = intents.flatMap((it, i) => (it ? [fakeFinding(i, it.edits)] : []));
        const initial = resultFor(config, findings);
        // One pass: what it does not apply it must report as a conflict.
        const plan = planFixes(initial, () => resultFor(config, []), { unsafe: false, maxPasses: 1 });
        const after = plan.files.get(FILE) ?? text;

        const applied = plan.steps.map((st) => st.finding);
        unchangedOutside(text, after, applied.flatMap((f) => f.fix!.edits).filter((e, i, list) => list.findIndex((x) => x.start === e.start && x.end === e.end && x.text === e.text) === i));

        const fixed = loadConfigFromText(FILE, after, { singleFile: true, rootContext: 'main' });
        expect(fixed.diagnostics.filter((d) => d.kind === 'syntax')).toEqual([]);
        // Each fix alone is checked (several together may legitimately interact: a removed block takes inserts with it).
        if (applied.length === 1) {
          const i = Number(applied[0]!.ruleId.slice('prop/op'.length));
          expect(intents[i]!.check(byName(fixed))).toBe(true);
        }
        // Inserted lines use the file's newline style.
        if (s.newline === '\r\n') expect(/[^\r]\n/.test(after)).toBe(false);
        // Every fix is either applied or reported as conflicting.
        expect(plan.steps.length + plan.conflicts.length + plan.skipped.length).toBe(findings.length);
      }),
      { seed: 20261129, numRuns: 400 },
    );
  });

  it('applies any single fix so that its intent shows in the re-parsed tree', () => {
    fc.assert(
      fc.property(tree, style, op, (nodes, s, o) => {
        const text = render(nodes, s);
        const config = loadConfigFromText(FILE, text, { singleFile: true, rootContext: 'main' });
        const it = intent(o, directives(config), 0);
        if (!it) return;
        const plan = planFixes(resultFor(config, [fakeFinding(0, it.edits)]), () => resultFor(config, []), { unsafe: false });
        const after = plan.files.get(FILE) ?? text;
        const fixed = loadConfigFromText(FILE, after, { singleFile: true, rootContext: 'main' });
        expect(fixed.diagnostics.filter((d) => d.kind === 'syntax')).toEqual([]);
        expect(it.check(byName(fixed))).toBe(true);
      }),
      { seed: 7, numRuns: 400 },
    );
  });
});
