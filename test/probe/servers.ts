/**
 * Tiny loopback servers with one behaviour each, for the probe's tests. Each counts the requests
 * it sees (by the blank line ending a GET's headers) and is closed by the test that started it.
 */
import net from 'node:net';

export interface TestServer {
  port: number;
  url: string;
  /** Requests seen, across connections. */
  requests: number;
  /** Arrival times (performance.now()) of requests, per connection. */
  arrivals: number[][];
  /** Most requests that arrived in one read (pipelining shows up here). */
  maxRequestsPerRead: number;
  close(): Promise<void>;
}

/** What to do with the n-th request (0-based, across connections) on `socket`. */
export type Handler = (socket: net.Socket, n: number) => void;

export function okResponse(body = 'ok', extraHeaders = ''): string {
  return `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extraHeaders}\r\n${body}`;
}

function countRequests(chunk: string): number {
  return chunk.split('\r\n\r\n').length - 1;
}

export async function startServer(handler: Handler): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  const state = { requests: 0, arrivals: [] as number[][], maxRequestsPerRead: 0 };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    const arrivals: number[] = [];
    state.arrivals.push(arrivals);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      const count = countRequests(chunk);
      state.maxRequestsPerRead = Math.max(state.maxRequestsPerRead, count);
      for (let k = 0; k < count; k++) {
        arrivals.push(performance.now());
        handler(socket, state.requests++);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/`,
    get requests() {
      return state.requests;
    },
    get arrivals() {
      return state.arrivals;
    },
    get maxRequestsPerRead() {
      return state.maxRequestsPerRead;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port with nothing listening on it (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
