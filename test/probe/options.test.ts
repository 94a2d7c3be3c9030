import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProbeOptionsError, isLoopbackAddress, planProbe, probe } from '../../src/probe/index.js';
import { serializeRequest } from '../../src/probe/request.js';
import { unusedPort } from './servers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('probe options', () => {
  it('accepts loopback targets', () => {
    for (const url of ['http://127.0.0.1:8080/', 'http://127.1.2.3/', 'http://[::1]:81/x', 'http://localhost/']) {
      expect(planProbe({ url }).ok).toBe(true);
    }
  });

  it('refuses a non-loopback URL without allowRemote', () => {
    const outcome = planProbe({ url: 'http://10.0.0.5/' });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.diagnostics[0]).toMatch(/not a loopback address.*--allow-remote/);
  });

  it('refuses a host name that is not localhost without resolving it', () => {
    expect(planProbe({ url: 'http://example.com/' }).ok).toBe(false);
  });

  it('sends no traffic when it refuses a non-loopback target', async () => {
    const connect = vi.spyOn(net, 'connect');
    const createConnection = vi.spyOn(net, 'createConnection');
    await expect(probe({ url: 'http://192.0.2.10:8080/', requests: 1 })).rejects.toBeInstanceOf(ProbeOptionsError);
    expect(connect).not.toHaveBeenCalled();
    expect(createConnection).not.toHaveBeenCalled();
  });

  it('opens sockets through net.connect (so the no-traffic check above can see them)', async () => {
    const connect = vi.spyOn(net, 'connect');
    const result = await probe({ url: `http://127.0.0.1:${await unusedPort()}/`, requests: 1, threads: 0 });
    expect(result.errors).toEqual({ connectRefused: 1 });
    expect(connect).toHaveBeenCalled();
  });

  it('allows a non-loopback target with allowRemote', () => {
    expect(planProbe({ url: 'http://10.0.0.5/', allowRemote: true }).ok).toBe(true);
  });

  it('tells loopback addresses apart, IPv4-mapped forms included', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::ffff:7f00:1')).toBe(true);
    expect(isLoopbackAddress('128.0.0.1')).toBe(false);
    expect(isLoopbackAddress('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopbackAddress('localhost')).toBe(false);
  });

  it('rejects https and malformed URLs with a diagnostic', () => {
    const https = planProbe({ url: 'https://127.0.0.1/' });
    const junk = planProbe({ url: 'not a url' });
    expect(https.ok || junk.ok).toBe(false);
    if (!https.ok) expect(https.diagnostics[0]).toMatch(/unsupported scheme/);
    if (!junk.ok) expect(junk.diagnostics[0]).toMatch(/invalid URL/);
  });

  it('rejects out-of-range numbers with one line each', () => {
    const outcome = planProbe({ url: 'http://127.0.0.1/', connections: 0, pipeline: 2000, threads: 1.5 });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.diagnostics).toHaveLength(3);
  });

  it('rejects a header value with a line break (request smuggling)', () => {
    expect(planProbe({ url: 'http://127.0.0.1/', headers: { 'X-A': 'b\r\nX-Evil: 1' } }).ok).toBe(false);
  });

  it('refuses to combine constant rate with idle gaps', () => {
    expect(planProbe({ url: 'http://127.0.0.1/', rate: 10, idleGapMs: 100 }).ok).toBe(false);
  });

  it('bounds a count-only run in time', () => {
    const outcome = planProbe({ url: 'http://127.0.0.1/', requests: 10 });
    expect(outcome.ok && outcome.plan.durationMs).toBe(600_000);
  });
});

describe('serializeRequest', () => {
  it('writes a GET with a Host header and nothing else', () => {
    const text = serializeRequest({ method: 'GET', path: '/', host: '127.0.0.1:8080', headers: [] }).toString();
    expect(text).toBe('GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n');
  });

  it('keeps a user Host header and computes Content-Length itself', () => {
    const text = serializeRequest({
      method: 'POST',
      path: '/a',
      host: '127.0.0.1',
      headers: [['Host', 'app.test'], ['Content-Length', '999']],
      body: Buffer.from('hello'),
    }).toString();
    expect(text).toBe('POST /a HTTP/1.1\r\nHost: app.test\r\nContent-Length: 5\r\n\r\nhello');
  });
});
