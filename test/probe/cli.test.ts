import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { Command } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flagsToOptions, parseBytes, parseDurationSec, registerProbeCommand } from '../../src/cli/probe.js';
import { okResponse, startServer, type TestServer } from './servers.js';

interface Run {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

async function runCli(args: string[], isTTY = false): Promise<Run> {
  const run: Run = { code: undefined, stdout: '', stderr: '' };
  const program = new Command().exitOverride();
  registerProbeCommand(program, {
    stdout: { write: (t: string) => (run.stdout += t) },
    stderr: { write: (t: string) => (run.stderr += t), isTTY },
    onInterrupt: () => () => undefined,
    setExitCode: (code) => (run.code = code),
  });
  await program.parseAsync(['probe', ...args], { from: 'user' });
  return run;
}

const servers: TestServer[] = [];
async function okServer(): Promise<TestServer> {
  const server = await startServer((socket) => socket.write(okResponse()));
  servers.push(server);
  return server;
}
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('conftune probe', () => {
  it('prints one JSON object that satisfies the published schema', async () => {
    const server = await okServer();
    const run = await runCli([server.url, '--json', '-n', '50', '-c', '2', '-t', '0']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]);
    const schema = JSON.parse(readFileSync(new URL('../../schema/probe-result.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv({ allErrors: true }).compile(schema);
    expect(validate(result), JSON.stringify(validate.errors)).toBe(true);
    expect(result.requests).toBe(50);
  });

  it('prints a compact table by default', async () => {
    const server = await okServer();
    const run = await runCli([server.url, '-n', '20', '-t', '0']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/requests\s+20/);
    expect(run.stdout).toMatch(/latency ms\s+p50/);
    expect(run.stdout).toMatch(/status\s+200: 20/);
  });

  it('draws no progress line when stderr is not a terminal', async () => {
    const server = await okServer();
    const run = await runCli([server.url, '-d', '0.6s', '-c', '1', '-t', '0']);
    expect(run.stderr).toBe('');
  });

  it('draws a progress line on a terminal and clears it at the end', async () => {
    const server = await okServer();
    const run = await runCli([server.url, '-d', '0.6s', '-c', '1', '-t', '0'], true);
    expect(run.stderr).toMatch(/req\/s/);
    expect(run.stderr.endsWith('\r\x1b[K')).toBe(true);
  });

  it('exits 2 with one line, and sends nothing, for a non-loopback target', async () => {
    const connect = vi.spyOn(net, 'connect');
    const run = await runCli(['http://203.0.113.7/', '-n', '1']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^conftune probe: refusing to send load to 203\.0\.113\.7/);
    expect(connect).not.toHaveBeenCalled();
  });

  it('exits 2 with one line for a bad URL', async () => {
    const run = await runCli(['127.0.0.1:8080']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^conftune probe: (invalid URL|unsupported scheme)[^\n]*\n$/);
  });

  it('exits 2 with one line for a malformed duration', async () => {
    const run = await runCli(['http://127.0.0.1:1/', '-d', 'soon']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('conftune probe: --duration: expected a duration like 10s, 500ms or 2m (got "soon")\n');
  });

  it('turns repeated -H flags and --body @file into library options', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'conftune-probe-body-'));
    try {
      writeFileSync(path.join(dir, 'body.json'), '{"x":1}');
      const parsed = flagsToOptions('http://127.0.0.1/', {
        header: ['A: 1', 'B:two words'],
        body: `@${path.join(dir, 'body.json')}`,
        idleGap: '1.5s',
        slowRead: '10k',
      });
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.value.headers).toEqual([['A', '1'], ['B', 'two words']]);
      expect(Buffer.from(parsed.value.body as Uint8Array).toString()).toBe('{"x":1}');
      expect(parsed.value.idleGapMs).toBe(1500);
      expect(parsed.value.slowReadBps).toBe(10240);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads durations and byte rates with units', () => {
    expect(parseDurationSec('1.5s', 'x')).toEqual({ ok: true, value: 1.5 });
    expect(parseDurationSec('250ms', 'x')).toEqual({ ok: true, value: 0.25 });
    expect(parseDurationSec('2m', 'x')).toEqual({ ok: true, value: 120 });
    expect(parseDurationSec('3', 'x')).toEqual({ ok: true, value: 3 });
    expect(parseBytes('10k', 'x')).toEqual({ ok: true, value: 10240 });
    expect(parseBytes('512', 'x')).toEqual({ ok: true, value: 512 });
  });
});
