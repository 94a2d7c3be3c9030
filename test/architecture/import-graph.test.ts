// The layers drawn in docs/architecture.md, enforced: every relative import in src/ and rules/
// (type-only imports included) must point at a layer its folder is allowed to use.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');

/** Layer of a file: its first folder under src/ (files directly in src/ are "api"), or "rules". */
function layerOf(file: string): string {
  const parts = relative(root, file).split(sep);
  if (parts[0] === 'rules') return 'rules';
  return parts.length > 2 ? parts[1]! : 'api';
}

// Lower layers first. A layer may import itself and the layers listed for it, nothing else.
const allowedImports: Record<string, string[]> = {
  util: [],
  nginx: ['util'],
  gunicorn: ['nginx', 'util'],
  model: ['nginx', 'gunicorn', 'util'],
  lint: ['model', 'nginx', 'gunicorn', 'util'],
  edit: ['lint', 'nginx', 'gunicorn', 'util'],
  analysis: ['edit', 'lint', 'model', 'nginx', 'gunicorn', 'util'],
  sandbox: ['edit', 'lint', 'nginx', 'util'],
  rules: ['analysis', 'edit', 'lint', 'model', 'nginx', 'gunicorn', 'util'],
  // The check API (src/check.ts, src/index.ts) composes the rules with the engine.
  api: ['rules', 'fix', 'lint', 'model', 'nginx', 'gunicorn', 'probe', 'tune', 'report', 'util'],
  fix: ['api', 'sandbox', 'edit', 'lint', 'nginx', 'gunicorn', 'util'],
  report: ['api', 'lint', 'nginx', 'util'],
  probe: ['util'],
  tune: ['api', 'rules', 'fix', 'sandbox', 'probe', 'analysis', 'edit', 'lint', 'model', 'nginx', 'gunicorn', 'util'],
  // The baseline filters a check's findings: it reads the api's CheckResult type only.
  baseline: ['api', 'lint', 'nginx', 'util'],
  // The language server runs the api in a worker and borrows `explain`'s text (loaded on demand) for hovers.
  lsp: ['cli', 'api', 'report', 'lint', 'model', 'nginx', 'gunicorn', 'util'],
  cli: ['baseline', 'lsp', 'api', 'rules', 'fix', 'report', 'tune', 'probe', 'sandbox', 'analysis', 'edit', 'lint', 'model', 'nginx', 'gunicorn', 'util'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

interface ImportEdge { from: string; to: string; specifier: string }

function relativeImports(file: string): ImportEdge[] {
  const text = readFileSync(file, 'utf8');
  const edges: ImportEdge[] = [];
  // Static imports, re-exports and dynamic import() with a relative specifier.
  for (const match of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.{1,2}\/[^']+)'/g)) {
    const specifier = match[1]!;
    edges.push({ from: file, to: resolve(dirname(file), specifier), specifier });
  }
  return edges;
}

const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'rules'))];

describe('import graph', () => {
  it('knows every layer that exists', () => {
    const layers = new Set(files.map(layerOf));
    for (const layer of layers) expect(allowedImports, `layer ${layer} has no row`).toHaveProperty(layer);
  });

  it('every import goes to the same layer or an allowed one', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const edge of relativeImports(file)) {
        const to = layerOf(edge.to);
        if (to !== from && !allowedImports[from]!.includes(to)) {
          violations.push(`${relative(root, file)} (${from}) imports '${edge.specifier}' (${to})`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('the parser layer stays free of everything above it', () => {
    const nginxFiles = files.filter((f) => layerOf(f) === 'nginx');
    expect(nginxFiles.length).toBeGreaterThan(3);
    const outward = nginxFiles.flatMap(relativeImports).filter((e) => !['nginx', 'util'].includes(layerOf(e.to)));
    expect(outward.map((e) => `${relative(root, e.from)} -> ${e.specifier}`)).toEqual([]);
  });

  it('catches a forbidden import', () => {
    // Guard against a regex that silently matches nothing.
    const edges = relativeImports(join(root, 'src/check.ts'));
    expect(edges.length).toBeGreaterThan(0);
    expect(allowedImports.nginx!.includes(layerOf(join(root, 'src/lint/rule.ts')))).toBe(false);
  });
});
