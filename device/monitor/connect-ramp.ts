/**
 * The connect ramp of one host: a token bucket (its share of the fleet-wide connection rate; AWS IoT Core
 * allows 100 connects per second per account by default) in front of a FIFO of items waiting to connect.
 * Pure: the host passes the clock in and starts the connections itself.
 */
export class ConnectRamp<T> {
  private tokens = 1;
  private tokensAtMs = 0;
  private queue: T[] = [];
  private head = 0;

  constructor(private readonly ratePerSecond: number) {}

  enqueue(item: T): void {
    this.queue.push(item);
  }

  /** When the next waiting item can start (now if a token is there); Infinity when nobody waits. */
  nextStartMs(now: number): number {
    if (this.head >= this.queue.length) return Number.POSITIVE_INFINITY;
    this.refill(now);
    return this.tokens >= 1 ? now : now + ((1 - this.tokens) / this.ratePerSecond) * 1000;
  }

  /**
   * Starts waiting items while tokens last, oldest first. `start` returns false for an item that needs no
   * connect any more (already connecting, connected or stopped): it is skipped without spending a token.
   */
  drain(now: number, start: (item: T) => boolean): void {
    this.refill(now);
    while (this.head < this.queue.length && this.tokens >= 1) {
      if (start(this.queue[this.head++]!)) this.tokens -= 1;
    }
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
    }
  }

  private refill(now: number): void {
    // At most a tenth of a second's worth saved up: a burst after a quiet spell stays small.
    this.tokens = Math.min(Math.max(1, this.ratePerSecond / 10), this.tokens + ((now - this.tokensAtMs) / 1000) * this.ratePerSecond);
    this.tokensAtMs = now;
  }
}
