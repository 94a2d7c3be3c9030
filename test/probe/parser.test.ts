import { describe, expect, it } from 'vitest';
import { NEED_MORE, PARSE_ERROR, ResponseParser } from '../../src/probe/parser.js';

interface Parsed {
  status: number;
  keepAlive: boolean;
}

/** Feeds `chunks` one read at a time and collects every complete response. */
function parseChunks(chunks: string[], parser = new ResponseParser()): { responses: Parsed[]; error: boolean } {
  const responses: Parsed[] = [];
  for (const text of chunks) {
    const buf = Buffer.from(text, 'latin1');
    let offset = 0;
    while (offset < buf.length) {
      const r = parser.execute(buf, offset, buf.length);
      if (r === PARSE_ERROR) return { responses, error: true };
      if (r === NEED_MORE) break;
      offset = r;
      responses.push({ status: parser.status, keepAlive: parser.keepAlive });
    }
  }
  return { responses, error: false };
}

/** Every way of cutting `text` in two. */
function allSplits(text: string): string[][] {
  return Array.from({ length: text.length - 1 }, (_, i) => [text.slice(0, i + 1), text.slice(i + 1)]);
}

const NGINX_200 =
  'HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 29 Nov 2026 00:29:40 GMT\r\n' +
  'Content-Type: text/plain\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nok\n';
const CHUNKED =
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '5\r\nhello\r\n1a;ext=1\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: 1\r\n\r\n';

describe('ResponseParser', () => {
  it('completes a Content-Length response at its last body byte', () => {
    const buf = Buffer.from(NGINX_200 + 'HTTP/1.1', 'latin1');
    const parser = new ResponseParser();
    expect(parser.execute(buf, 0, buf.length)).toBe(NGINX_200.length);
    expect(parser.status).toBe(200);
    expect(parser.keepAlive).toBe(true);
  });

  it('parses a Content-Length response split at any byte', () => {
    for (const split of allSplits(NGINX_200)) {
      expect(parseChunks(split).responses).toEqual([{ status: 200, keepAlive: true }]);
    }
  });

  it('parses a chunked body with extensions and trailers', () => {
    expect(parseChunks([CHUNKED]).responses).toEqual([{ status: 200, keepAlive: true }]);
  });

  it('parses a chunked response split across packets at any byte', () => {
    for (const split of allSplits(CHUNKED)) {
      expect(parseChunks(split).responses).toHaveLength(1);
    }
  });

  it('parses a chunked response delivered one byte per read', () => {
    expect(parseChunks([...CHUNKED]).responses).toHaveLength(1);
  });

  it('finds several pipelined responses in one read', () => {
    const three = NGINX_200 + CHUNKED + 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';
    expect(parseChunks([three]).responses.map((r) => r.status)).toEqual([200, 200, 404]);
  });

  it('expects no body after a HEAD request even with a Content-Length', () => {
    const parser = new ResponseParser(true);
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n';
    expect(parseChunks([head + head], parser).responses).toHaveLength(2);
  });

  it('expects no body on 204 and 304 responses', () => {
    const text =
      'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n' +
      'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n';
    expect(parseChunks([text]).responses.map((r) => r.status)).toEqual([204, 304]);
  });

  it('reports Connection: close as the end of keep-alive', () => {
    const text = 'HTTP/1.1 200 OK\r\nConnection: Close\r\nContent-Length: 0\r\n\r\n';
    expect(parseChunks([text]).responses).toEqual([{ status: 200, keepAlive: false }]);
  });

  it('treats HTTP/1.0 as closing unless it says keep-alive', () => {
    const plain = 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n';
    const kept = 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n';
    expect(parseChunks([plain]).responses[0].keepAlive).toBe(false);
    expect(parseChunks([kept]).responses[0].keepAlive).toBe(true);
  });

  it('skips an interim 100 Continue and reports the final response', () => {
    const text = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok';
    expect(parseChunks([text]).responses.map((r) => r.status)).toEqual([201]);
  });

  it('ends an unframed body when the connection closes', () => {
    const parser = new ResponseParser();
    expect(parseChunks(['HTTP/1.1 200 OK\r\n\r\nsome body'], parser).responses).toHaveLength(0);
    expect(parser.finishAtEof()).toBe(true);
    expect(parser.status).toBe(200);
    expect(parser.keepAlive).toBe(false);
  });

  it('does not complete a half-received response at end of connection', () => {
    const parser = new ResponseParser();
    parseChunks(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'], parser);
    expect(parser.inResponse()).toBe(true);
    expect(parser.finishAtEof()).toBe(false);
  });

  it('ignores stale bytes left past the end of a read in a reused buffer', () => {
    const parser = new ResponseParser();
    const buf = Buffer.alloc(4096, '\n');
    for (const [first, second] of allSplits(NGINX_200)) {
      buf.write(first, 0, 'latin1');
      expect(parser.execute(buf, 0, first.length)).toBe(NEED_MORE);
      buf.write(second, 0, 'latin1');
      expect(parser.execute(buf, 0, second.length)).toBe(second.length);
    }
  });

  it('rejects bytes that are not an HTTP response', () => {
    expect(parseChunks(['SSH-2.0-OpenSSH_9.6\r\n']).error).toBe(true);
  });

  it('rejects a malformed status code', () => {
    expect(parseChunks(['HTTP/1.1 2x0 OK\r\n\r\n']).error).toBe(true);
  });

  it('rejects a malformed Content-Length', () => {
    expect(parseChunks(['HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\n']).error).toBe(true);
  });

  it('rejects chunk data longer than its declared size', () => {
    const text = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n';
    expect(parseChunks([text]).error).toBe(true);
  });

  it('ignores header names that merely start like the ones it reads', () => {
    const text =
      'HTTP/1.1 200 OK\r\nContent-Lengthy: 99\r\nConnectionx: close\r\nContent-Length: 2\r\n\r\nok';
    expect(parseChunks([text]).responses).toEqual([{ status: 200, keepAlive: true }]);
  });
});
