/**
 * HDR-style latency histogram: log-linear buckets over integer microseconds.
 *
 * Values below SUB_BUCKETS are stored exactly; above that every power-of-two range is split into
 * SUB_BUCKETS/2 linear buckets, so the relative error of any reported value stays under
 * 1 / (SUB_BUCKETS/2) (0.8 % here) at a fixed memory cost (~26 KiB), whatever the spread.
 * Counts live in a Float64Array so they can be moved between threads and merged by addition.
 */

const SUB_BUCKET_BITS = 8;
const SUB_BUCKETS = 1 << SUB_BUCKET_BITS; // 256
const HALF = SUB_BUCKETS >> 1; // 128
/** Largest trackable value (~71 minutes in µs); larger values are clamped into the last bucket. */
export const MAX_TRACKABLE_MICROS = 0xffffffff;
const TOP_EXPONENT = 31; // floor(log2(MAX_TRACKABLE_MICROS))
export const BUCKET_COUNT = SUB_BUCKETS + (TOP_EXPONENT - SUB_BUCKET_BITS + 1) * HALF;

/** Bucket index of an integer µs value (0 <= v <= MAX_TRACKABLE_MICROS). */
export function bucketIndexOf(v: number): number {
  if (v < SUB_BUCKETS) return v;
  const exponent = 31 - Math.clz32(v); // >= SUB_BUCKET_BITS
  const shift = exponent - SUB_BUCKET_BITS + 1; // >= 1
  return SUB_BUCKETS + (shift - 1) * HALF + ((v >>> shift) - HALF);
}

/** Lowest and highest µs value that land in bucket `index`. */
export function bucketRange(index: number): [number, number] {
  if (index < SUB_BUCKETS) return [index, index];
  const shift = Math.floor((index - SUB_BUCKETS) / HALF) + 1;
  const sub = ((index - SUB_BUCKETS) % HALF) + HALF;
  const low = sub * 2 ** shift;
  return [low, low + 2 ** shift - 1];
}

/** Plain data form of a histogram, safe to post between threads. */
export interface HistogramData {
  counts: Float64Array;
  total: number;
  min: number;
  max: number;
  sum: number;
  sumOfSquares: number;
}

export interface LatencySummaryMicros {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  min: number;
  max: number;
  mean: number;
  stdev: number;
}

export class LatencyHistogram {
  counts = new Float64Array(BUCKET_COUNT);
  total = 0;
  min = Infinity;
  max = 0;
  sum = 0;
  sumOfSquares = 0;

  /** Records one latency given in (fractional) microseconds. */
  record(micros: number): void {
    let v = micros < 0 ? 0 : Math.round(micros);
    if (v > MAX_TRACKABLE_MICROS) v = MAX_TRACKABLE_MICROS;
    this.counts[bucketIndexOf(v)]++;
    this.total++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    this.sum += v;
    this.sumOfSquares += v * v;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.min = Infinity;
    this.max = 0;
    this.sum = 0;
    this.sumOfSquares = 0;
  }

  /** Adds another histogram's counts (e.g. one per generator thread). */
  merge(other: HistogramData): void {
    const counts = this.counts;
    const theirs = other.counts;
    for (let i = 0; i < counts.length; i++) counts[i] += theirs[i];
    this.total += other.total;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    this.sum += other.sum;
    this.sumOfSquares += other.sumOfSquares;
  }

  /**
   * Value at percentile `p` (0..100): the highest value equivalent to the bucket holding the
   * ceil(p% × total)-th smallest sample, clamped to the exact recorded min/max (HdrHistogram's way).
   */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, p)) / 100) * this.total));
    let seen = 0;
    const counts = this.counts;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        const high = bucketRange(i)[1];
        return Math.min(this.max, Math.max(this.min, high));
      }
    }
    return this.max;
  }

  mean(): number {
    return this.total === 0 ? 0 : this.sum / this.total;
  }

  /** Population standard deviation of the recorded (µs-rounded) values. */
  stdev(): number {
    if (this.total === 0) return 0;
    const mean = this.sum / this.total;
    return Math.sqrt(Math.max(0, this.sumOfSquares / this.total - mean * mean));
  }

  summary(): LatencySummaryMicros {
    return {
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      min: this.total === 0 ? 0 : this.min,
      max: this.max,
      mean: this.mean(),
      stdev: this.stdev(),
    };
  }

  toData(): HistogramData {
    return {
      counts: this.counts,
      total: this.total,
      min: this.min,
      max: this.max,
      sum: this.sum,
      sumOfSquares: this.sumOfSquares,
    };
  }

  static fromData(data: HistogramData): LatencyHistogram {
    const h = new LatencyHistogram();
    h.merge(data);
    return h;
  }
}
