/** Public shapes of the probe library (see docs/probe.md and schema/probe-result.schema.json). */

export interface ProbeProgress {
  /** Seconds since measurement began (0 during warm-up). */
  elapsedSec: number;
  warmingUp: boolean;
  requests: number;
  errors: number;
  /** Requests per second over the last progress interval. */
  currentRps: number;
}

export interface ProbeOptions {
  /** http://host[:port]/path; loopback only unless allowRemote. */
  url: string;
  /** Open connections in total (default 10). */
  connections?: number;
  /** Measured duration (default 10 s when `requests` is not given). */
  durationSec?: number;
  /** Stop after this many measured requests (bounded by durationSec, default 600 s). */
  requests?: number;
  /** Load sent before measuring, excluded from the numbers (default 0). */
  warmupSec?: number;
  method?: string;
  headers?: Record<string, string> | Array<[string, string]>;
  body?: string | Uint8Array;
  /** Requests in flight per connection (default 1). */
  pipeline?: number;
  /** Constant total rate in requests/s, latency corrected for coordinated omission (default: closed loop). */
  rate?: number;
  /** Pause on each connection between a response and the next request. */
  idleGapMs?: number;
  /** Read responses at this many bytes per second per connection. */
  slowReadBps?: number;
  /** Generator threads (default 1); 0 runs the engine on the calling thread. */
  threads?: number;
  /** A request unanswered (or a connect pending) this long counts as a timeout (default 5000). */
  timeoutMs?: number;
  /** Permit a target that is not a loopback address. */
  allowRemote?: boolean;
  signal?: AbortSignal;
  /** Called about four times a second while the probe runs. */
  onProgress?: (progress: ProbeProgress) => void;
}

export interface LatencyMs {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
  min: number;
  stdev: number;
}

export interface ProbeResult {
  url: string;
  requests: number;
  durationSec: number;
  rps: number;
  bytes: number;
  bytesPerSec: number;
  latencyMs: LatencyMs;
  /** Failed requests by kind (only kinds that occurred); see ERROR_KINDS. */
  errors: Record<string, number>;
  /** Completed responses by status code. */
  status: Record<string, number>;
  /** Connections re-opened because the server closed them (e.g. after keepalive_requests). */
  reconnects: number;
  /** CPU time (user + system) the probe process used while measuring. */
  probeCpuSec: number;
  /** Highest share of one core used by a generator thread while measuring (0..1). */
  generatorCpuUtil: number;
  /** True when a generator thread used more than 80 % of a core: the numbers describe the probe. */
  cpuSaturated: boolean;
  connections: number;
  threads: number;
  pipeline: number;
  /** Target rate in constant-rate mode. */
  rate?: number;
  /** Stopped early (signal or Ctrl-C): the numbers cover what was measured until then. */
  interrupted: boolean;
  warnings: string[];
}

/** Kinds of failure the probe tells apart. */
export const ERROR_KINDS = [
  'connectRefused',
  'connectError',
  'reset',
  'closed',
  'timeout',
  'parseError',
  'socketError',
  'non2xx',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];
