/**
 * A mergeable latency histogram (log buckets, 2 % wide): workers send their buckets to the fleet runner,
 * which adds them up and reads percentiles, without shipping every sample over IPC.
 */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets cover 0 .. ~10^6 ms (about 17 minutes); anything above lands in the last one. */
export const HISTOGRAM_BUCKETS = 700;

export class Histogram {
  readonly counts: number[];
  count = 0;
  max = 0;

  constructor(counts?: readonly number[]) {
    this.counts = counts ? [...counts] : new Array<number>(HISTOGRAM_BUCKETS).fill(0);
    for (const c of this.counts) this.count += c;
  }

  record(valueMs: number): void {
    const value = valueMs > 0 ? valueMs : 0;
    const index = Math.min(HISTOGRAM_BUCKETS - 1, Math.floor(Math.log1p(value) / LOG_GROWTH));
    this.counts[index]! += 1;
    this.count++;
    if (value > this.max) this.max = value;
  }

  merge(other: { counts: readonly number[]; max?: number }): void {
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      const c = other.counts[i] ?? 0;
      this.counts[i]! += c;
      this.count += c;
    }
    if ((other.max ?? 0) > this.max) this.max = other.max ?? 0;
  }

  /** Upper edge of the bucket holding the p-th percentile (ms); NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < HISTOGRAM_BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, Math.expm1((i + 1) * LOG_GROWTH));
    }
    return this.max;
  }

  toJSON(): { counts: number[]; max: number } {
    return { counts: this.counts, max: this.max };
  }
}
