#!/usr/bin/env node
// Build: regenerate the rule index, compile TypeScript to dist/.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
run(process.execPath, ['scripts/gen-rule-index.mjs']);
run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json']);
// The CLI as one bundle (code split per command): loading ~40 ES modules from dist/src cost
// ~0.1 s of module resolution at every start; `conftune check` loads only the chunks it needs.
// Chunks sit beside main.js at dist/bundle, the same depth as dist/src/<dir>, so the package-relative
// lookups (schema/, rules/*.md, package.json) and the probe's worker.js resolve alike.
fs.rmSync(path.join(root, 'dist/bundle'), { recursive: true, force: true });
run(path.join(root, 'node_modules/.bin/esbuild'), [
  'src/cli/main.ts', 'src/probe/worker.ts', '--bundle', '--splitting', '--format=esm', '--platform=node', '--target=node20',
  '--outdir=dist/bundle', '--entry-names=[name]', '--chunk-names=[name]-[hash]', '--log-level=warning',
  // Bundled CommonJS dependencies call require(): give the ES modules one.
  "--banner:js=import { createRequire as __conftuneRequire } from 'node:module'; const require = __conftuneRequire(import.meta.url);",
]);
fs.chmodSync(path.join(root, 'dist/bundle/main.js'), 0o755);
