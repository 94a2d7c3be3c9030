/**
 * Serializes the one request a probe sends, once, before any load starts: the hot path then only
 * writes the same bytes again (or a pre-built run of them when pipelining).
 */

export interface RequestSpec {
  method: string;
  /** Path plus query, e.g. "/api?x=1". */
  path: string;
  /** Value of the Host header (host[:port] as in the URL). */
  host: string;
  headers: Array<[string, string]>;
  body?: Uint8Array;
}

/** Headers the probe computes itself; a user-supplied one is replaced. */
const COMPUTED_HEADERS = new Set(['content-length', 'transfer-encoding']);

export function serializeRequest(spec: RequestSpec): Buffer {
  const lines = [`${spec.method} ${spec.path} HTTP/1.1`];
  const userHasHost = spec.headers.some(([name]) => name.toLowerCase() === 'host');
  if (!userHasHost) lines.push(`Host: ${spec.host}`);
  for (const [name, value] of spec.headers) {
    if (COMPUTED_HEADERS.has(name.toLowerCase())) continue;
    lines.push(`${name}: ${value}`);
  }
  const body = spec.body ?? new Uint8Array(0);
  const bodyAllowed = body.length > 0 || spec.method === 'POST' || spec.method === 'PUT' || spec.method === 'PATCH';
  if (bodyAllowed) lines.push(`Content-Length: ${body.length}`);
  const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
  return body.length > 0 ? Buffer.concat([head, body]) : head;
}

/**
 * `count` copies of `request` back to back, as views into one buffer: batch[k - 1] holds k
 * requests, so sending k pipelined requests is a single write with no allocation.
 */
export function pipelineBatches(request: Uint8Array, count: number): Buffer[] {
  const all = Buffer.alloc(request.length * count);
  for (let i = 0; i < count; i++) all.set(request, i * request.length);
  const batches: Buffer[] = [];
  for (let k = 1; k <= count; k++) batches.push(all.subarray(0, k * request.length));
  return batches;
}
