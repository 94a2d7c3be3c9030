/**
 * The compiled engine as it runs from dist/: load on worker threads, and Ctrl-C handling in a
 * real process. The probe's sources (and the CLI command) are compiled alone into a temp dir,
 * so this does not depend on the rest of the project building.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { okResponse, startServer, type TestServer } from './servers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
let outDir = '';
let server: TestServer;

interface ChildRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an ES module script with node; `whileRunning` may signal it. Killed after 20 s. */
function runScript(source: string, args: string[], whileRunning?: (pid: number) => void): Promise<ChildRun> {
  const file = path.join(outDir, `script-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const limit = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    });
    if (whileRunning && child.pid !== undefined) whileRunning(child.pid);
  });
}

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'conftune-probe-dist-'));
  const tsconfig = path.join(outDir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(root, 'tsconfig.json'),
      compilerOptions: {
        outDir,
        rootDir: root,
        declaration: false,
        typeRoots: [path.join(root, 'node_modules', '@types')],
      },
      include: [path.join(root, 'src/probe/**/*.ts'), path.join(root, 'src/cli/probe.ts')],
    }),
  );
  writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}');
  const tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
  const build = await runScript(`await import(${JSON.stringify(pathToFileURL(tsc).href)});`, ['-p', tsconfig]);
  expect(build.code, build.stdout + build.stderr).toBe(0);
  server = await startServer((socket) => socket.write(okResponse()));
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

const moduleUrl = (relative: string): string => pathToFileURL(path.join(outDir, relative)).href;

describe('compiled probe', () => {
  it('runs the load on worker threads and merges their results', async () => {
    const run = await runScript(
      `const { probe, workerAvailable } = await import(${JSON.stringify(moduleUrl('src/probe/index.js'))});
       const result = await probe({ url: process.argv[2], connections: 4, threads: 2, durationSec: 0.5 });
       console.log(JSON.stringify({ workers: workerAvailable(), result }));`,
      [server.url],
    );
    expect(run.code, run.stderr).toBe(0);
    const { workers, result } = JSON.parse(run.stdout);
    expect(workers).toBe(true);
    expect(result.threads).toBe(2);
    expect(result.requests).toBeGreaterThan(0);
    expect(result.errors).toEqual({});
    expect(result.generatorCpuUtil).toBeGreaterThan(0);
  });

  it('stops on Ctrl-C, prints what it measured and exits 130', async () => {
    const run = await runScript(
      `const { registerProbeCommand } = await import(${JSON.stringify(moduleUrl('src/cli/probe.js'))});
       const { Command } = await import(${JSON.stringify(pathToFileURL(createRequire(path.join(root, 'package.json')).resolve('commander')).href)});
       const program = new Command();
       registerProbeCommand(program);
       await program.parseAsync(['probe', process.argv[2], '-d', '15s', '-c', '2'], { from: 'user' });`,
      [server.url],
      (pid) => {
        // Interrupt once load is flowing: by then the command's SIGINT handler is installed.
        const before = server.requests;
        const poll = setInterval(() => {
          if (server.requests > before + 100) {
            clearInterval(poll);
            process.kill(pid, 'SIGINT');
          }
        }, 50);
        setTimeout(() => clearInterval(poll), 15_000);
      },
    );
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/\(interrupted\)/);
    expect(run.stdout).toMatch(/requests\s+[1-9]/);
  });
});
