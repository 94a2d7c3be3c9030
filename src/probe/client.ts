/**
 * The load engine: N keep-alive connections on the current thread, raw `net` sockets, one
 * pre-serialized request, responses parsed in place from a shared read buffer (`onread`, so
 * reads allocate nothing). The hot path per response is: one clock read per socket read, a
 * byte-level parse, a histogram increment and one write of a pre-built buffer.
 *
 * Every run ends: at the measured duration, at the request budget, or on stop().
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { cpuSince, cpuSnapshot, type CpuSnapshot } from './cpu.js';
import { LatencyHistogram, type HistogramData } from './histogram.js';
import { PARSE_ERROR, ResponseParser } from './parser.js';
import { pipelineBatches } from './request.js';
import { ERROR_KINDS, type ErrorKind } from './types.js';

export interface EngineConfig {
  address: string;
  port: number;
  request: Uint8Array;
  headRequest: boolean;
  connections: number;
  durationMs: number;
  /** Measured request budget for this engine; 0 = until the duration ends. */
  requests: number;
  warmupMs: number;
  pipeline: number;
  /** Requests per second across this engine's connections; 0 = closed loop. */
  rate: number;
  idleGapMs: number;
  slowReadBps: number;
  timeoutMs: number;
}

export interface EngineProgress {
  measuredMs: number;
  warmingUp: boolean;
  completed: number;
  errors: number;
}

export interface EngineReport {
  histogram: HistogramData;
  completed: number;
  bytes: number;
  status: Record<string, number>;
  errors: Record<string, number>;
  reconnects: number;
  measuredMs: number;
  threadCpuMs: number;
  processCpuMs: number;
  interrupted: boolean;
}

export interface EngineHooks {
  onProgress?: (progress: EngineProgress) => void;
}

const HOUSEKEEPING_MS = 100;
const PROGRESS_EVERY = 2; // housekeeping ticks per progress report
const MAX_CONNECT_BACKOFF_MS = 500;
const ERROR_INDEX: Record<ErrorKind, number> = Object.fromEntries(
  ERROR_KINDS.map((kind, i) => [kind, i]),
) as Record<ErrorKind, number>;

function connectErrorKind(error: NodeJS.ErrnoException | null): ErrorKind {
  return error?.code === 'ECONNREFUSED' ? 'connectRefused' : 'connectError';
}

function socketErrorKind(error: NodeJS.ErrnoException | null): ErrorKind {
  if (!error) return 'closed';
  return error.code === 'ECONNRESET' || error.code === 'EPIPE' ? 'reset' : 'socketError';
}

class Connection {
  socket: net.Socket | null = null;
  open = false;
  /** Error seen on the current socket, classified when it closes. */
  lastError: NodeJS.ErrnoException | null = null;
  readonly parser: ResponseParser;
  /** Ring of send (or scheduled) times of in-flight requests, oldest at `head`. */
  readonly sendTimes: Float64Array;
  /** Whether each in-flight request was sent while measuring (1) or during warm-up (0). */
  readonly measuredSlots: Uint8Array;
  head = 0;
  inflight = 0;
  lastActivity = 0;
  /** Earliest time the next request may go (idle-gap mode). */
  readyAt = 0;
  /** Scheduled time of the next request (constant-rate mode). */
  nextDue = 0;
  retryDelayMs = 0;
  private wakeTimer: NodeJS.Timeout | null = null;
  private resumeTimer: NodeJS.Timeout | null = null;
  private readonly wake = (): void => {
    this.wakeTimer = null;
    if (this.engine.stopped) return;
    if (this.socket === null) this.connect();
    else this.pump(performance.now());
  };

  constructor(private readonly engine: LoadEngine) {
    const depth = engine.config.pipeline;
    this.parser = new ResponseParser(engine.config.headRequest);
    this.sendTimes = new Float64Array(depth);
    this.measuredSlots = new Uint8Array(depth);
  }

  connect(): void {
    const engine = this.engine;
    this.parser.reset();
    this.head = 0;
    this.inflight = 0;
    this.open = false;
    this.lastError = null;
    this.lastActivity = performance.now();
    const socket: net.Socket = net.connect({
      host: engine.config.address,
      port: engine.config.port,
      onread: { buffer: engine.readBuffer, callback: (n: number): boolean => this.onRead(socket, n) },
    });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => this.onConnect(socket));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (socket === this.socket) this.lastError = error;
    });
    socket.on('close', () => this.onClose(socket));
  }

  arm(delayMs: number): void {
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(this.wake, Math.max(0, delayMs));
  }

  shutdown(): void {
    if (this.wakeTimer !== null) clearTimeout(this.wakeTimer);
    if (this.resumeTimer !== null) clearTimeout(this.resumeTimer);
    this.wakeTimer = null;
    this.resumeTimer = null;
    this.dropSocket();
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = null;
    this.open = false;
    if (socket !== null) socket.destroy();
  }

  private onConnect(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.open = true;
    this.retryDelayMs = 0;
    const now = performance.now();
    this.lastActivity = now;
    this.pump(now);
  }

  /** The hot path: parse everything just read, record, refill the pipeline. */
  private onRead(socket: net.Socket, n: number): boolean {
    if (socket !== this.socket) return false;
    const engine = this.engine;
    const now = performance.now();
    this.lastActivity = now;
    if (engine.measuring) engine.bytes += n;
    const buf = engine.readBuffer;
    const parser = this.parser;
    let offset = 0;
    while (offset < n) {
      const r = parser.execute(buf, offset, n);
      if (r < 0) {
        if (r === PARSE_ERROR) {
          this.fail('parseError');
          return false;
        }
        break;
      }
      offset = r;
      if (this.inflight === 0) {
        // A response nobody asked for (e.g. a 408 before an idle close): drop the connection.
        this.fail('parseError');
        return false;
      }
      this.completeOne(now);
      if (engine.stopped) return false;
      if (!parser.keepAlive) {
        this.serverClosing();
        return false;
      }
    }
    this.pump(now);
    if (engine.config.slowReadBps > 0) {
      // Returning false pauses the socket; the next read waits until the byte budget allows it.
      const delay = (n * 1000) / engine.config.slowReadBps;
      this.resumeTimer = setTimeout(() => {
        this.resumeTimer = null;
        if (socket === this.socket) socket.resume();
      }, delay);
      return false;
    }
    return true;
  }

  private completeOne(now: number): void {
    const slot = this.head;
    const measured = this.measuredSlots[slot] === 1;
    const sentAt = this.sendTimes[slot];
    this.head = slot + 1 === this.sendTimes.length ? 0 : slot + 1;
    this.inflight--;
    if (this.inflight === 0 && this.engine.config.idleGapMs > 0) {
      this.readyAt = now + this.engine.config.idleGapMs;
    }
    if (measured) this.engine.recordResponse(now - sentAt, this.parser.status);
  }

  /** Sends as many requests as the mode allows right now. */
  pump(now: number): void {
    const engine = this.engine;
    if (engine.stopped || !this.open) return;
    const config = engine.config;
    const depth = config.pipeline;
    if (config.rate > 0) {
      this.pumpScheduled(now);
      return;
    }
    if (config.idleGapMs > 0) {
      if (this.inflight > 0) return;
      if (now < this.readyAt) {
        this.arm(this.readyAt - now);
        return;
      }
    }
    const wanted = depth - this.inflight;
    if (wanted <= 0) return;
    const count = engine.takeBudget(wanted);
    if (count > 0) this.send(count, now);
  }

  /** Constant-rate mode: requests leave at their scheduled times, stamped with them (wrk2). */
  private pumpScheduled(now: number): void {
    const engine = this.engine;
    const depth = engine.config.pipeline;
    const interval = engine.intervalMs;
    while (this.inflight < depth && this.nextDue <= now && !engine.stopped) {
      if (engine.takeBudget(1) === 0) return;
      this.stamp(this.nextDue);
      this.nextDue += interval;
      this.socket!.write(engine.batches[0]);
    }
    if (this.inflight < depth && !engine.stopped) this.arm(this.nextDue - now);
  }

  private stamp(sentAt: number): void {
    let slot = this.head + this.inflight;
    if (slot >= this.sendTimes.length) slot -= this.sendTimes.length;
    this.sendTimes[slot] = sentAt;
    this.measuredSlots[slot] = this.engine.measuring ? 1 : 0;
    this.inflight++;
  }

  private send(count: number, now: number): void {
    for (let i = 0; i < count; i++) this.stamp(now);
    this.socket!.write(this.engine.batches[count - 1]);
  }

  /** Measured in-flight requests failed with `kind`; reconnect. */
  fail(kind: ErrorKind): void {
    const measured = this.countMeasuredInflight();
    this.inflight = 0;
    this.dropSocket();
    this.engine.recordFailures(kind, measured);
    this.reconnectLater(0);
  }

  /** The response said `Connection: close`: unanswered pipelined requests go again elsewhere. */
  private serverClosing(): void {
    this.engine.unsend(this.countMeasuredInflight());
    this.inflight = 0;
    this.engine.noteReconnect();
    this.dropSocket();
    this.reconnectLater(0);
  }

  private countMeasuredInflight(): number {
    let measured = 0;
    for (let i = 0, slot = this.head; i < this.inflight; i++) {
      if (this.measuredSlots[slot] === 1) measured++;
      slot = slot + 1 === this.sendTimes.length ? 0 : slot + 1;
    }
    return measured;
  }

  private onClose(socket: net.Socket): void {
    if (socket !== this.socket) return; // closed on purpose, already handled
    const engine = this.engine;
    const wasOpen = this.open;
    this.socket = null;
    this.open = false;
    if (engine.stopped) return;
    if (!wasOpen) {
      // Never connected: one failed attempt, retried with backoff so a dead port is not spun on.
      engine.recordConnectFailure(connectErrorKind(this.lastError));
      this.retryDelayMs = Math.min(MAX_CONNECT_BACKOFF_MS, Math.max(10, this.retryDelayMs * 2));
      this.arm(this.retryDelayMs);
      return;
    }
    if (this.lastError === null && this.parser.finishAtEof()) {
      this.completeOne(performance.now()); // body delimited by the close itself
      if (engine.stopped) return;
    }
    if (this.inflight > 0) {
      const kind = socketErrorKind(this.lastError);
      const measured = this.countMeasuredInflight();
      this.inflight = 0;
      engine.recordFailures(kind, measured);
    } else {
      engine.noteReconnect(); // an idle keep-alive connection closed by the server
    }
    this.reconnectLater(0);
  }

  /** Closed loop reconnects at once; paced modes reconnect when the next request is due. */
  private reconnectLater(delayMs: number): void {
    const engine = this.engine;
    if (engine.stopped) return;
    const config = engine.config;
    const now = performance.now();
    let due = now + delayMs;
    if (config.rate > 0) due = Math.max(due, this.nextDue);
    else if (config.idleGapMs > 0) due = Math.max(due, this.readyAt);
    if (due <= now) this.connect();
    else this.arm(due - now);
  }

  /** Housekeeping: a request or connect stuck longer than the timeout fails. */
  checkTimeout(now: number): void {
    if (this.socket === null) return;
    if (this.inflight === 0 && this.open) return;
    if (now - this.lastActivity <= this.engine.config.timeoutMs) return;
    if (!this.open) {
      this.dropSocket();
      this.engine.recordConnectFailure('timeout');
      this.reconnectLater(0);
      return;
    }
    this.fail('timeout');
  }
}

export class LoadEngine {
  readonly readBuffer: Buffer;
  readonly batches: Buffer[];
  readonly intervalMs: number;
  readonly histogram = new LatencyHistogram();
  measuring = false;
  stopped = false;
  bytes = 0;
  reconnects = 0;
  private completed = 0;
  private measuredSent = 0;
  private measuredDone = 0;
  private readonly statusCounts = new Float64Array(1000);
  private readonly errorCounts = new Float64Array(ERROR_KINDS.length);
  private readonly connections: Connection[] = [];
  private measureStart = 0;
  private measureEnd = 0;
  private cpuStart: CpuSnapshot | null = null;
  private cpuUsed = { threadMs: 0, processMs: 0 };
  private interrupted = false;
  private timers: NodeJS.Timeout[] = [];
  private resolveRun: ((report: EngineReport) => void) | null = null;

  constructor(
    readonly config: EngineConfig,
    private readonly hooks: EngineHooks = {},
  ) {
    // Slow readers read in small bites so each pause meters the bytes actually taken.
    const readSize =
      config.slowReadBps > 0 ? Math.max(16, Math.min(65536, Math.floor(config.slowReadBps / 10))) : 65536;
    this.readBuffer = Buffer.allocUnsafe(readSize);
    this.batches = pipelineBatches(config.request, config.pipeline);
    this.intervalMs = config.rate > 0 ? (1000 * config.connections) / config.rate : 0;
  }

  run(): Promise<EngineReport> {
    return new Promise((resolve) => {
      this.resolveRun = resolve;
      const start = performance.now();
      for (let i = 0; i < this.config.connections; i++) {
        const connection = new Connection(this);
        // Spread scheduled sends evenly instead of firing every connection at once.
        connection.nextDue = start + (i * this.intervalMs) / this.config.connections;
        this.connections.push(connection);
      }
      let ticks = 0;
      this.timers.push(
        setInterval(() => {
          const now = performance.now();
          for (const c of this.connections) c.checkTimeout(now);
          if (++ticks % PROGRESS_EVERY === 0) this.reportProgress(now);
        }, HOUSEKEEPING_MS),
      );
      if (this.config.warmupMs > 0) {
        this.timers.push(setTimeout(() => this.beginMeasuring(), this.config.warmupMs));
      } else {
        this.beginMeasuring();
      }
      for (const c of this.connections) c.connect();
    });
  }

  /** Ends the run early; the report covers what was measured so far. */
  stop(): void {
    if (this.stopped) return;
    this.interrupted = true;
    this.finish();
  }

  private beginMeasuring(): void {
    if (this.stopped) return;
    this.measuring = true;
    this.measureStart = performance.now();
    this.cpuStart = cpuSnapshot();
    this.timers.push(setTimeout(() => this.finish(), this.config.durationMs));
  }

  private reportProgress(now: number): void {
    let errors = 0;
    for (const count of this.errorCounts) errors += count;
    this.hooks.onProgress?.({
      measuredMs: this.measuring ? now - this.measureStart : 0,
      warmingUp: !this.measuring,
      completed: this.completed,
      errors,
    });
  }

  /** How many of `wanted` requests may be sent now (the budget only limits measured ones). */
  takeBudget(wanted: number): number {
    if (!this.measuring || this.config.requests === 0) return wanted;
    const allowed = Math.min(wanted, this.config.requests - this.measuredSent);
    this.measuredSent += allowed;
    return allowed > 0 ? allowed : 0;
  }

  noteReconnect(): void {
    if (this.measuring) this.reconnects++;
  }

  unsend(count: number): void {
    if (this.config.requests > 0) this.measuredSent -= count;
  }

  recordResponse(latencyMs: number, status: number): void {
    this.histogram.record(latencyMs * 1000);
    this.statusCounts[status]++;
    this.completed++;
    if (status < 200 || status > 299) this.errorCounts[ERROR_INDEX.non2xx]++;
    this.countDone(1);
  }

  recordFailures(kind: ErrorKind, measuredRequests: number): void {
    if (measuredRequests === 0) return;
    this.errorCounts[ERROR_INDEX[kind]] += measuredRequests;
    this.countDone(measuredRequests);
  }

  /** A connection attempt failed: it stands for one request that could not be sent. */
  recordConnectFailure(kind: ErrorKind): void {
    if (!this.measuring) return;
    this.errorCounts[ERROR_INDEX[kind]]++;
    if (this.config.requests > 0) this.measuredSent++;
    this.countDone(1);
  }

  private countDone(count: number): void {
    this.measuredDone += count;
    if (this.config.requests > 0 && this.measuredDone >= this.config.requests) this.finish();
  }

  private finish(): void {
    if (this.stopped) return;
    this.stopped = true;
    const now = performance.now();
    if (this.measuring) {
      this.measureEnd = now;
      if (this.cpuStart) this.cpuUsed = cpuSince(this.cpuStart);
    }
    this.measuring = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    for (const c of this.connections) c.shutdown();
    this.resolveRun?.(this.report());
    this.resolveRun = null;
  }

  private report(): EngineReport {
    const status: Record<string, number> = {};
    this.statusCounts.forEach((count, code) => {
      if (count > 0) status[String(code)] = count;
    });
    const errors: Record<string, number> = {};
    this.errorCounts.forEach((count, i) => {
      if (count > 0) errors[ERROR_KINDS[i]] = count;
    });
    return {
      histogram: this.histogram.toData(),
      completed: this.completed,
      bytes: this.bytes,
      status,
      errors,
      reconnects: this.reconnects,
      measuredMs: this.measureEnd > 0 ? this.measureEnd - this.measureStart : 0,
      threadCpuMs: this.cpuUsed.threadMs,
      processCpuMs: this.cpuUsed.processMs,
      interrupted: this.interrupted,
    };
  }
}
