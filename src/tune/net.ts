// Loopback helpers for the sandbox: free ports above 1024 and readiness by probing, not sleeping.

import * as net from 'node:net';

/** A free TCP port on 127.0.0.1 chosen by the kernel (always above 1024). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type Endpoint = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** One HTTP GET; resolves with the status code, or null when nothing answered in time. */
export function httpStatus(endpoint: Endpoint, timeoutMs = 1000, path = '/'): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = endpoint.kind === 'tcp' ? net.connect(endpoint.port, endpoint.host) : net.connect(endpoint.path);
    let data = '';
    const finish = (v: number | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk: string) => {
      data += chunk;
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      if (m) finish(Number(m[1]));
    });
    socket.on('error', () => finish(null));
    socket.on('close', () => finish(null));
  });
}

/**
 * Polls `endpoint` until it answers HTTP (any status), the process exits, or `timeoutMs` passes.
 * Returns null when ready, else why not.
 */
export async function waitUntilReady(endpoint: Endpoint, opts: { timeoutMs: number; exited: () => boolean; signal?: AbortSignal }): Promise<string | null> {
  const deadline = Date.now() + opts.timeoutMs;
  let delay = 20;
  while (Date.now() < deadline) {
    if (opts.exited()) return 'it exited during start-up';
    if (opts.signal?.aborted) return 'interrupted';
    if ((await httpStatus(endpoint, 500)) !== null) return null;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(200, delay * 2);
  }
  return `it did not answer within ${Math.round(opts.timeoutMs / 1000)}s`;
}
