// Latency histogram with 1% wide log buckets from 10 µs to ~10 min: recording is one Math.log and an
// increment, so the load generator can record a million deliveries a second without keeping them.
const MIN_MS = 0.01;
const GROWTH = Math.log(1.01);
const BUCKETS = 2500;

export class Histogram {
  readonly counts = new Float64Array(BUCKETS);
  total = 0;

  record(ms: number, times = 1): void {
    const i = ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log(ms / MIN_MS) / GROWTH));
    this.counts[i]! += times;
    this.total += times;
  }

  /** The value at or below which a fraction `p` of the recordings lie (bucket upper bound, so ≤ 1% high). */
  percentile(p: number): number {
    if (this.total === 0) return NaN;
    const rank = Math.max(1, Math.ceil(p * this.total));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return MIN_MS * Math.exp(i * GROWTH);
    }
    return Infinity;
  }
}

export function median(xs: number[]): number {
  const sorted = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
