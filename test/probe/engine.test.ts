/**
 * The engine against small loopback servers, run in-process (threads: 0). Every load lasts at
 * most ~2 s and every server is closed in afterEach.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probe } from '../../src/probe/index.js';
import { okResponse, startServer, unusedPort, type TestServer } from './servers.js';

const servers: TestServer[] = [];
async function serve(...args: Parameters<typeof startServer>): Promise<TestServer> {
  const server = await startServer(...args);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

describe('probe engine', () => {
  it('measures a fixed server delay: p50 within 10% of it', async () => {
    const delayMs = 20;
    const server = await serve((socket) => setTimeout(() => socket.write(okResponse()), delayMs));
    const result = await probe({ url: server.url, connections: 4, durationSec: 1, threads: 0 });
    expect(result.requests).toBeGreaterThan(50);
    expect(Math.abs(result.latencyMs.p50 - delayMs) / delayMs).toBeLessThanOrEqual(0.1);
    expect(result.status).toEqual({ 200: result.requests });
    expect(result.errors).toEqual({});
  });

  it('stops after exactly the requested number of requests', async () => {
    const server = await serve((socket) => socket.write(okResponse()));
    const result = await probe({ url: server.url, connections: 8, requests: 500, durationSec: 5, threads: 0 });
    expect(result.requests).toBe(500);
    expect(server.requests).toBe(500);
  });

  it('excludes warm-up requests from the numbers', async () => {
    const server = await serve((socket) => socket.write(okResponse()));
    const result = await probe({ url: server.url, connections: 2, requests: 100, warmupSec: 0.3, threads: 0 });
    expect(result.requests).toBe(100);
    expect(server.requests).toBeGreaterThan(100);
  });

  it('counts non-2xx responses by status and as errors', async () => {
    const server = await serve((socket) =>
      socket.write('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n'),
    );
    const result = await probe({ url: server.url, connections: 2, requests: 50, threads: 0 });
    expect(result.status).toEqual({ 500: 50 });
    expect(result.errors).toEqual({ non2xx: 50 });
  });

  it('counts a reset connection as a reset error', async () => {
    const server = await serve((socket) => socket.resetAndDestroy());
    const result = await probe({ url: server.url, connections: 2, requests: 20, threads: 0 });
    expect(result.errors).toEqual({ reset: 20 });
    expect(result.requests).toBe(0);
  });

  it('counts a connection closed without an answer as closed', async () => {
    const server = await serve((socket) => socket.end());
    const result = await probe({ url: server.url, connections: 2, requests: 20, threads: 0 });
    expect(result.errors).toEqual({ closed: 20 });
  });

  it('counts refused connections', async () => {
    const port = await unusedPort();
    const result = await probe({ url: `http://127.0.0.1:${port}/`, connections: 2, requests: 10, threads: 0 });
    expect(result.errors).toEqual({ connectRefused: 10 });
  });

  it('counts an unanswered request as a timeout', async () => {
    const server = await serve(() => undefined);
    const result = await probe({ url: server.url, connections: 1, requests: 2, timeoutMs: 150, threads: 0 });
    expect(result.errors).toEqual({ timeout: 2 });
  });

  it('counts a garbage answer as a parse error', async () => {
    const server = await serve((socket) => socket.write('SSH-2.0-nope\r\n'));
    const result = await probe({ url: server.url, connections: 1, requests: 5, threads: 0 });
    expect(result.errors).toEqual({ parseError: 5 });
  });

  it('reconnects when the server says Connection: close, without errors', async () => {
    const server = await serve((socket, n) => {
      // Close after every 10th response, like nginx after keepalive_requests.
      if (n % 10 === 9) socket.end(okResponse('ok', 'Connection: close\r\n'));
      else socket.write(okResponse());
    });
    const result = await probe({ url: server.url, connections: 1, requests: 100, threads: 0 });
    expect(result.requests).toBe(100);
    expect(result.errors).toEqual({});
    expect(result.reconnects).toBeGreaterThanOrEqual(9);
  });

  it('reads chunked responses end to end', async () => {
    const server = await serve((socket) =>
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'),
    );
    const result = await probe({ url: server.url, connections: 2, requests: 50, threads: 0 });
    expect(result.status).toEqual({ 200: 50 });
  });

  it('sends about rate × duration requests in constant-rate mode', async () => {
    const server = await serve((socket) => socket.write(okResponse()));
    const result = await probe({ url: server.url, connections: 4, rate: 200, durationSec: 1.5, threads: 0 });
    expect(result.requests).toBeGreaterThanOrEqual(300 * 0.85);
    expect(result.requests).toBeLessThanOrEqual(300 * 1.15);
    expect(result.rate).toBe(200);
  });

  it('charges queueing to latency in constant-rate mode (coordinated omission)', async () => {
    // One connection, 50 req/s wanted, but every answer takes 100 ms: requests fall behind
    // schedule, and latency measured from the scheduled time grows far past the service time.
    const server = await serve((socket) => setTimeout(() => socket.write(okResponse()), 100));
    const result = await probe({ url: server.url, connections: 1, rate: 50, durationSec: 1.5, threads: 0 });
    expect(result.latencyMs.max).toBeGreaterThan(300);
  });

  it('leaves the idle gap between requests on a connection', async () => {
    const server = await serve((socket) => socket.write(okResponse()));
    const result = await probe({ url: server.url, connections: 1, idleGapMs: 300, durationSec: 1.2, threads: 0 });
    const arrivals = server.arrivals.flat();
    expect(arrivals.length).toBeGreaterThanOrEqual(3);
    for (let i = 1; i < arrivals.length; i++) expect(arrivals[i] - arrivals[i - 1]).toBeGreaterThanOrEqual(295);
    expect(result.errors).toEqual({});
  });

  it('reads slowly at the slow-read rate', async () => {
    const body = 'x'.repeat(30_000);
    const server = await serve((socket) => socket.write(okResponse(body)));
    const result = await probe({ url: server.url, connections: 1, slowReadBps: 60_000, durationSec: 1.5, threads: 0 });
    // 30 kB at 60 kB/s cannot take less than about half a second per response.
    expect(result.requests).toBeGreaterThanOrEqual(1);
    expect(result.latencyMs.min).toBeGreaterThan(300);
  });

  it('pipelines requests in one write', async () => {
    const server = await serve((socket) => socket.write(okResponse()));
    const result = await probe({ url: server.url, connections: 1, pipeline: 4, requests: 200, threads: 0 });
    expect(result.requests).toBe(200);
    expect(server.maxRequestsPerRead).toBeGreaterThanOrEqual(2);
  });

  it('sends the method, headers and body it is given', async () => {
    const seen: string[] = [];
    const raw = net.createServer((socket) => {
      socket.once('data', (chunk) => {
        seen.push(chunk.toString('latin1'));
        socket.end(okResponse('ok', 'Connection: close\r\n'));
      });
    });
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve));
    const port = (raw.address() as net.AddressInfo).port;
    try {
      await probe({
        url: `http://127.0.0.1:${port}/submit?x=1`,
        method: 'post',
        headers: { 'X-Test': 'yes' },
        body: '{"a":1}',
        connections: 1,
        requests: 1,
        threads: 0,
      });
    } finally {
      raw.close();
    }
    expect(seen).toEqual([
      `POST /submit?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Test: yes\r\nContent-Length: 7\r\n\r\n{"a":1}`,
    ]);
  });

  it('stops cleanly on abort and still reports what it measured', async () => {
    const server = await serve((socket) => socket.write(okResponse()));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await probe({ url: server.url, connections: 2, durationSec: 10, signal: controller.signal, threads: 0 });
    expect(result.interrupted).toBe(true);
    expect(result.durationSec).toBeLessThan(2);
    expect(result.requests).toBeGreaterThan(0);
  });

  it('reports progress while running', async () => {
    const server = await serve((socket) => socket.write(okResponse()));
    const seen: number[] = [];
    await probe({
      url: server.url,
      connections: 1,
      durationSec: 0.7,
      threads: 0,
      onProgress: (p) => seen.push(p.requests),
    });
    expect(seen.length).toBeGreaterThanOrEqual(2);
  });

  it('measures its own CPU time', async () => {
    const server = await serve((socket) => socket.write(okResponse()));
    const result = await probe({ url: server.url, connections: 4, durationSec: 0.5, threads: 0 });
    expect(result.probeCpuSec).toBeGreaterThan(0);
    expect(result.generatorCpuUtil).toBeGreaterThanOrEqual(0);
    expect(typeof result.cpuSaturated).toBe('boolean');
  });
});
