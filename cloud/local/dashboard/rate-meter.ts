/** Events per second over a sliding window of whole seconds: a fixed ring of per-second counters. */
export class RateMeter {
  private readonly buckets: Float64Array;
  private readonly seconds: Float64Array;

  constructor(private readonly windowSeconds: number) {
    // One extra bucket for the second in progress, which is not yet complete and is not averaged.
    this.buckets = new Float64Array(windowSeconds + 1);
    this.seconds = new Float64Array(windowSeconds + 1).fill(-1);
  }

  count(nowMs: number, events = 1): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % this.buckets.length;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.buckets[slot] = 0;
    }
    this.buckets[slot]! += events;
  }

  /** Mean rate over the last `windowSeconds` complete seconds. */
  perSecond(nowMs: number): number {
    const current = Math.floor(nowMs / 1000);
    let total = 0;
    for (let i = 0; i < this.buckets.length; i += 1) {
      const second = this.seconds[i]!;
      if (second < current && second >= current - this.windowSeconds) total += this.buckets[i]!;
    }
    return total / this.windowSeconds;
  }
}
