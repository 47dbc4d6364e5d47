/**
 * The last minutes of one bed in compact typed arrays: one Float64Array of times and one Float32Array per
 * series (NaN = missing). Starts small and doubles up to a cap, so 50 beds at 1 Hz cost about 30 KB each
 * and an idle bed almost nothing. When full, the oldest sample is overwritten.
 */
import { SERIES, type SeriesName, type VitalsPoint } from './feed-types.ts';

const INITIAL_CAPACITY = 64;

export class VitalsRing {
  private times: Float64Array;
  private values: Float32Array[];
  /** Index of the oldest sample. */
  private head = 0;
  private count = 0;
  /** Replays from a monitor's outbox arrive after newer readings; reads then sort. */
  private outOfOrder = false;
  private newestMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly maxSamples: number) {
    if (!Number.isInteger(maxSamples) || maxSamples < 2) {
      throw new RangeError(`maxSamples must be an integer >= 2 (got ${maxSamples})`);
    }
    const initial = Math.min(INITIAL_CAPACITY, maxSamples);
    this.times = new Float64Array(initial);
    this.values = SERIES.map(() => new Float32Array(initial));
  }

  get size(): number {
    return this.count;
  }

  get newest(): number {
    return this.newestMs;
  }

  push(point: VitalsPoint): void {
    if (this.count === this.times.length && this.count < this.maxSamples) this.grow();
    const capacity = this.times.length;
    let slot: number;
    if (this.count < capacity) {
      slot = (this.head + this.count) % capacity;
      this.count += 1;
    } else {
      slot = this.head;
      this.head = (this.head + 1) % capacity;
    }
    if (point.t < this.newestMs) this.outOfOrder = true;
    else this.newestMs = point.t;
    this.times[slot] = point.t;
    SERIES.forEach((name, i) => {
      const value = point.values[name];
      this.values[i]![slot] = value === null ? Number.NaN : value;
    });
  }

  /** Samples with `sinceMs < t` and `t >= newest - windowMs`, sorted by time. */
  read(sinceMs: number, windowMs: number): { t: number[]; series: Record<SeriesName, (number | null)[]> } {
    const from = Math.max(sinceMs, this.newestMs - windowMs - 1);
    const capacity = this.times.length;
    const slots: number[] = [];
    for (let i = 0; i < this.count; i += 1) {
      const slot = (this.head + i) % capacity;
      if (this.times[slot]! > from) slots.push(slot);
    }
    if (this.outOfOrder) slots.sort((a, b) => this.times[a]! - this.times[b]!);
    const series = Object.fromEntries(SERIES.map((name, i) => {
      const column = this.values[i]!;
      // Float32 keeps 7 digits: round back to what monitors send (integers, 0.1 °C).
      return [name, slots.map((slot) => (Number.isNaN(column[slot]!) ? null : Math.round(column[slot]! * 100) / 100))];
    })) as Record<SeriesName, (number | null)[]>;
    return { t: slots.map((slot) => this.times[slot]!), series };
  }

  private grow(): void {
    const capacity = Math.min(this.times.length * 2, this.maxSamples);
    const order = Array.from({ length: this.count }, (_, i) => (this.head + i) % this.times.length);
    const times = new Float64Array(capacity);
    order.forEach((slot, i) => { times[i] = this.times[slot]!; });
    this.values = this.values.map((column) => {
      const next = new Float32Array(capacity);
      order.forEach((slot, i) => { next[i] = column[slot]!; });
      return next;
    });
    this.times = times;
    this.head = 0;
  }
}
