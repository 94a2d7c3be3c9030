/**
 * Incremental HTTP/1.x response parser working byte by byte on Buffers.
 *
 * It never copies or decodes: it only extracts what a load generator needs (status code, body
 * framing, whether the server keeps the connection) and skips everything else, so a response
 * can arrive split at any byte across reads. `execute` stops after each complete response and
 * returns the offset just past it, letting the caller record it without a callback.
 */

export const NEED_MORE = -1;
export const PARSE_ERROR = -2;

/** Header sections larger than this are treated as garbage rather than buffered forever. */
const MAX_HEADER_BYTES = 256 * 1024;
/** Body sizes beyond 2^48 bytes cannot be real; refusing them keeps arithmetic exact. */
const MAX_BODY_SIZE = 2 ** 48;

const enum S {
  StatusPrefix,
  StatusVersionMinor,
  StatusCode,
  StatusReason,
  HeaderLineStart,
  HeaderName,
  HeaderValue,
  HeaderSkip,
  HeadersEndLf,
  BodyLength,
  ChunkSize,
  ChunkExtension,
  ChunkSizeLf,
  ChunkData,
  ChunkDataCr,
  ChunkDataLf,
  TrailerLineStart,
  TrailerLine,
  TrailerEndLf,
  BodyUntilClose,
}

const enum H {
  Other = 0,
  ContentLength = 1,
  TransferEncoding = 2,
  Connection = 4,
}

const CR = 13;
const LF = 10;
const HTTP_PREFIX = [72, 84, 84, 80, 47]; // "HTTP/"

function asciiCodes(s: string): number[] {
  return Array.from(s, (c) => c.charCodeAt(0));
}
const NAME_CONTENT_LENGTH = asciiCodes('content-length');
const NAME_TRANSFER_ENCODING = asciiCodes('transfer-encoding');
const NAME_CONNECTION = asciiCodes('connection');
const TOKEN_CHUNKED = asciiCodes('chunked');
const TOKEN_CLOSE = asciiCodes('close');
const TOKEN_KEEP_ALIVE = asciiCodes('keep-alive');

/** Lower-cases ASCII letters only (other bytes are compared as they are). */
function lower(b: number): number {
  return b >= 65 && b <= 90 ? b | 0x20 : b;
}

/** Advances a naive substring matcher; returns the new matched length. */
function advanceToken(token: number[], matched: number, b: number): number {
  if (matched < token.length && token[matched] === b) return matched + 1;
  if (matched === token.length) return matched; // already found: stays found
  return token[0] === b ? 1 : 0;
}

function hexValue(b: number): number {
  if (b >= 48 && b <= 57) return b - 48;
  const l = b | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

function nameOf(kind: H): number[] {
  if (kind === H.ContentLength) return NAME_CONTENT_LENGTH;
  if (kind === H.TransferEncoding) return NAME_TRANSFER_ENCODING;
  return NAME_CONNECTION;
}

/** Whether buf[at…] is `name` (any case) followed by a colon. */
function nameAt(buf: Buffer, at: number, name: number[]): boolean {
  for (let k = 0; k < name.length; k++) {
    if (lower(buf[at + k]) !== name[k]) return false;
  }
  return buf[at + name.length] === 58;
}

/** Which interesting header starts at buf[at] (caller ensures the longest name fits). */
function quickHeaderName(buf: Buffer, at: number): H {
  if ((buf[at] | 0x20) === 116) return nameAt(buf, at, NAME_TRANSFER_ENCODING) ? H.TransferEncoding : H.Other;
  if ((buf[at + 3] | 0x20) === 116) return nameAt(buf, at, NAME_CONTENT_LENGTH) ? H.ContentLength : H.Other;
  return nameAt(buf, at, NAME_CONNECTION) ? H.Connection : H.Other;
}

function isDigit(b: number): boolean {
  return b >= 48 && b <= 57;
}

export class ResponseParser {
  /** Status code of the last complete response. */
  status = 0;
  /** Whether the connection may carry another request after the last complete response. */
  keepAlive = true;
  /** Describes the last parse error, for diagnostics. */
  error = '';

  private state: S = S.StatusPrefix;
  private pos = 0;
  private http10 = false;
  private code = 0;
  private codeDigits = 0;
  private headerKind: H = H.Other;
  private nameCandidates = 0;
  private nameLength = 0;
  private contentLength = -1;
  private lengthDigits = 0;
  private chunked = false;
  private closeMatched = 0;
  private keepAliveMatched = 0;
  private chunkedMatched = 0;
  private sawClose = false;
  private sawKeepAlive = false;
  private remaining = 0;
  private chunkDigits = 0;
  private headerBytes = 0;

  /** @param noBody true for HEAD requests: responses carry headers only. */
  constructor(private readonly noBody = false) {}

  /** Forgets any partial response (a new connection starts clean). */
  reset(): void {
    this.state = S.StatusPrefix;
    this.pos = 0;
    this.startResponse();
  }

  /** True while a response has started but is not complete. */
  inResponse(): boolean {
    return !(this.state === S.StatusPrefix && this.pos === 0);
  }

  /**
   * Called when the server closes the connection. Returns true when that close completes a
   * response whose body runs until the end of the connection.
   */
  finishAtEof(): boolean {
    if (this.state !== S.BodyUntilClose) return false;
    this.status = this.code;
    this.keepAlive = false;
    this.reset();
    return true;
  }

  /**
   * Parses buf[start, end). Returns the offset just past a complete response (then `status`
   * and `keepAlive` describe it), NEED_MORE when every byte was consumed without completing a
   * response, or PARSE_ERROR.
   *
   * Lines the probe does not care about are skipped with tight scans for LF; only the status
   * code and three header names/values are looked at byte by byte.
   */
  execute(buf: Buffer, start: number, end: number): number {
    let i = start;
    const headerStart = i;
    while (i < end) {
      const state = this.state;
      switch (state) {
        case S.BodyLength:
        case S.ChunkData: {
          // Bodies are skipped in bulk, never byte by byte.
          const take = Math.min(this.remaining, end - i);
          i += take;
          this.remaining -= take;
          if (this.remaining > 0) return NEED_MORE;
          if (state === S.BodyLength) return this.complete(i);
          this.state = S.ChunkDataCr;
          continue;
        }
        case S.BodyUntilClose:
          return NEED_MORE;
        case S.HeaderSkip:
        case S.StatusReason:
        case S.TrailerLine: {
          // memchr beats a JS byte loop; a hit past `end` is stale data from an earlier read.
          const lf = buf.indexOf(LF, i);
          if (lf < 0 || lf >= end) {
            i = end;
            break;
          }
          i = lf + 1;
          this.state = state === S.TrailerLine ? S.TrailerLineStart : S.HeaderLineStart;
          continue;
        }
        case S.StatusPrefix:
          if (this.pos === 0 && end - i >= 13) {
            const next = this.quickStatusLine(buf, i);
            if (next > 0) {
              i = next;
              continue;
            }
          }
          break;
        case S.HeaderLineStart: {
          const b = buf[i++];
          if (b === CR) {
            this.state = S.HeadersEndLf;
          } else if (b === LF) {
            const r = this.headersDone(i);
            if (r !== NEED_MORE) return r;
          } else {
            const c = b | 0x20;
            // Only content-length, connection and transfer-encoding matter.
            if (c === 99 /* c */ || c === 116 /* t */) {
              if (end - i >= NAME_TRANSFER_ENCODING.length) {
                // Whole name in this read: compare it at once instead of byte by byte.
                const kind = quickHeaderName(buf, i - 1);
                if (kind === H.Other) {
                  this.state = S.HeaderSkip;
                } else {
                  this.nameCandidates = kind;
                  this.nameLength = nameOf(kind).length;
                  i += this.nameLength; // now just past the colon
                  this.startValue();
                }
                continue;
              }
              this.nameCandidates = H.ContentLength | H.TransferEncoding | H.Connection;
              this.nameLength = 0;
              this.state = S.HeaderName;
              this.nameByte(b);
            } else {
              this.state = S.HeaderSkip;
            }
          }
          continue;
        }
        case S.HeaderName:
          while (i < end && this.state === S.HeaderName) {
            const b = buf[i++];
            if (b === 58) this.startValue();
            else if (b === LF) this.state = S.HeaderLineStart; // tolerate a line without a colon
            else this.nameByte(b);
          }
          continue;
        case S.HeaderValue:
          while (i < end) {
            const b = buf[i++];
            if (b === LF) {
              if (this.headerKind === H.ContentLength && this.lengthDigits === 0) {
                return this.fail('empty Content-Length');
              }
              this.state = S.HeaderLineStart;
              break;
            }
            if (this.valueByte(b) === PARSE_ERROR) return PARSE_ERROR;
          }
          continue;
        default:
          break;
      }
      if (i === end) break;
      const b = buf[i++];
      switch (state) {
        case S.StatusPrefix:
          if (b !== HTTP_PREFIX[this.pos]) return this.fail('response does not start with HTTP/');
          if (++this.pos === HTTP_PREFIX.length) this.state = S.StatusVersionMinor;
          break;
        case S.StatusVersionMinor:
          // "1.1" / "1.0": only the minor digit matters (HTTP/1.0 closes unless keep-alive).
          // `pos` is free once the prefix matched, so it holds the previous byte here.
          if (b === 32) {
            this.state = S.StatusCode;
          } else {
            if (b === 48 && this.pos === 46) this.http10 = true;
            this.pos = b;
          }
          break;
        case S.StatusCode:
          if (b >= 48 && b <= 57 && this.codeDigits < 3) {
            this.code = this.code * 10 + (b - 48);
            this.codeDigits++;
          } else if (this.codeDigits === 3 && (b === 32 || b === CR || b === LF)) {
            this.state = b === LF ? S.HeaderLineStart : S.StatusReason;
          } else {
            return this.fail('malformed status code');
          }
          break;
        case S.HeadersEndLf: {
          if (b !== LF) return this.fail('bad end of headers');
          const r = this.headersDone(i);
          if (r !== NEED_MORE) return r;
          break;
        }
        case S.ChunkSize: {
          const v = hexValue(b);
          if (v >= 0) {
            this.remaining = this.remaining * 16 + v;
            this.chunkDigits++;
            if (this.remaining > MAX_BODY_SIZE) return this.fail('chunk size too large');
          } else if (b === CR) {
            this.state = S.ChunkSizeLf;
          } else if (b === LF) {
            if (this.chunkSizeDone() === PARSE_ERROR) return PARSE_ERROR;
          } else if (b === 59 || b === 32 || b === 9) {
            this.state = S.ChunkExtension;
          } else {
            return this.fail('malformed chunk size');
          }
          break;
        }
        case S.ChunkExtension:
          if (b === LF && this.chunkSizeDone() === PARSE_ERROR) return PARSE_ERROR;
          break;
        case S.ChunkSizeLf:
          if (b !== LF) return this.fail('malformed chunk size line');
          if (this.chunkSizeDone() === PARSE_ERROR) return PARSE_ERROR;
          break;
        case S.ChunkDataCr:
          if (b === CR) this.state = S.ChunkDataLf;
          else if (b === LF) this.startChunkSize();
          else return this.fail('chunk data longer than its size');
          break;
        case S.ChunkDataLf:
          if (b !== LF) return this.fail('chunk data longer than its size');
          this.startChunkSize();
          break;
        case S.TrailerLineStart:
          if (b === CR) this.state = S.TrailerEndLf;
          else if (b === LF) return this.complete(i);
          else this.state = S.TrailerLine;
          break;
        case S.TrailerEndLf:
          if (b !== LF) return this.fail('bad end of trailers');
          return this.complete(i);
      }
    }
    if (this.state <= S.HeadersEndLf) {
      this.headerBytes += end - headerStart;
      if (this.headerBytes > MAX_HEADER_BYTES) return this.fail('header section too large');
    }
    return NEED_MORE;
  }

  /**
   * Fast path for a status line that starts inside this read: "HTTP/1.x NNN" checked at once.
   * Returns the offset after the status code, or 0 to fall back to the byte-by-byte path.
   */
  private quickStatusLine(buf: Buffer, i: number): number {
    if (
      buf[i] !== 72 || buf[i + 1] !== 84 || buf[i + 2] !== 84 || buf[i + 3] !== 80 || buf[i + 4] !== 47 ||
      buf[i + 5] !== 49 || buf[i + 6] !== 46 || buf[i + 8] !== 32
    ) {
      return 0;
    }
    const d0 = buf[i + 9];
    const d1 = buf[i + 10];
    const d2 = buf[i + 11];
    const after = buf[i + 12];
    if (!isDigit(d0) || !isDigit(d1) || !isDigit(d2) || (after !== 32 && after !== CR && after !== LF)) return 0;
    this.http10 = buf[i + 7] === 48;
    this.code = (d0 - 48) * 100 + (d1 - 48) * 10 + (d2 - 48);
    this.codeDigits = 3;
    this.pos = 1; // the response has started
    if (after === LF) {
      this.state = S.HeaderLineStart;
      return i + 13;
    }
    this.state = S.StatusReason;
    return i + 12;
  }

  private fail(message: string): number {
    this.error = message;
    return PARSE_ERROR;
  }

  private startResponse(): void {
    this.http10 = false;
    this.code = 0;
    this.codeDigits = 0;
    this.contentLength = -1;
    this.chunked = false;
    this.sawClose = false;
    this.sawKeepAlive = false;
    this.headerBytes = 0;
    this.remaining = 0;
  }

  private nameByte(b: number): void {
    const c = lower(b);
    const n = this.nameLength++;
    let m = this.nameCandidates;
    if (m & H.ContentLength && NAME_CONTENT_LENGTH[n] !== c) m &= ~H.ContentLength;
    if (m & H.TransferEncoding && NAME_TRANSFER_ENCODING[n] !== c) m &= ~H.TransferEncoding;
    if (m & H.Connection && NAME_CONNECTION[n] !== c) m &= ~H.Connection;
    this.nameCandidates = m;
    if (m === 0) this.state = S.HeaderSkip; // not a header we care about: skip to end of line
  }

  private startValue(): void {
    const n = this.nameLength;
    const m = this.nameCandidates;
    if (m & H.ContentLength && n === NAME_CONTENT_LENGTH.length) {
      this.headerKind = H.ContentLength;
      this.contentLength = 0;
      this.lengthDigits = 0;
    } else if (m & H.TransferEncoding && n === NAME_TRANSFER_ENCODING.length) {
      this.headerKind = H.TransferEncoding;
      this.chunkedMatched = 0;
    } else if (m & H.Connection && n === NAME_CONNECTION.length) {
      this.headerKind = H.Connection;
      this.closeMatched = 0;
      this.keepAliveMatched = 0;
    } else {
      this.state = S.HeaderSkip;
      return;
    }
    this.state = S.HeaderValue;
  }

  private valueByte(b: number): number {
    if (b === CR) return 0;
    switch (this.headerKind) {
      case H.ContentLength:
        if (b >= 48 && b <= 57) {
          this.contentLength = this.contentLength * 10 + (b - 48);
          this.lengthDigits++;
          if (this.contentLength > MAX_BODY_SIZE) return this.fail('Content-Length too large');
        } else if (b !== 32 && b !== 9) {
          return this.fail('malformed Content-Length');
        }
        return 0;
      case H.TransferEncoding:
        this.chunkedMatched = advanceToken(TOKEN_CHUNKED, this.chunkedMatched, lower(b));
        if (this.chunkedMatched === TOKEN_CHUNKED.length) this.chunked = true;
        return 0;
      default: {
        const c = lower(b);
        this.closeMatched = advanceToken(TOKEN_CLOSE, this.closeMatched, c);
        this.keepAliveMatched = advanceToken(TOKEN_KEEP_ALIVE, this.keepAliveMatched, c);
        if (this.closeMatched === TOKEN_CLOSE.length) this.sawClose = true;
        if (this.keepAliveMatched === TOKEN_KEEP_ALIVE.length) this.sawKeepAlive = true;
        return 0;
      }
    }
  }

  /** Decides how the body is framed once the blank line after the headers is seen. */
  private headersDone(i: number): number {
    const code = this.code;
    if (code >= 100 && code < 200 && code !== 101) {
      // Interim response (100 Continue, 103 Early Hints): the real one follows.
      this.state = S.StatusPrefix;
      this.pos = 0;
      this.startResponse();
      return NEED_MORE;
    }
    if (this.noBody || code === 204 || code === 304 || code === 101) return this.complete(i);
    if (this.chunked) {
      this.startChunkSize();
      return NEED_MORE;
    }
    if (this.contentLength >= 0) {
      if (this.contentLength === 0) return this.complete(i);
      this.remaining = this.contentLength;
      this.state = S.BodyLength;
      return NEED_MORE;
    }
    // No framing: the body ends when the server closes the connection.
    this.state = S.BodyUntilClose;
    return NEED_MORE;
  }

  private startChunkSize(): void {
    this.state = S.ChunkSize;
    this.remaining = 0;
    this.chunkDigits = 0;
  }

  private chunkSizeDone(): number {
    if (this.chunkDigits === 0) return this.fail('missing chunk size');
    if (this.remaining === 0) {
      this.state = S.TrailerLineStart;
      return NEED_MORE;
    }
    this.state = S.ChunkData;
    return NEED_MORE;
  }

  private complete(i: number): number {
    this.status = this.code;
    this.keepAlive = this.code !== 101 && !this.sawClose && (!this.http10 || this.sawKeepAlive);
    this.state = S.StatusPrefix;
    this.pos = 0;
    this.startResponse();
    return i;
  }
}
