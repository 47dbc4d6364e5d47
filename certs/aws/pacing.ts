/**
 * Token buckets per API (pure timing logic; the clock and sleep are injected so tests run on a fake
 * clock). A bucket holds at most `burst` tokens and refills at `ratePerSecond`; `take()` resolves when a
 * token is available. Waiters are served in call order.
 */
import { DEFAULT_RATES_PER_SECOND, FALLBACK_RATE_PER_SECOND } from './quotas.ts';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: Clock,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new RangeError(`token bucket needs rate > 0 and burst >= 1, got ${ratePerSecond}, ${burst}`);
    this.tokens = burst;
    this.last = clock.now();
  }

  take(): Promise<void> {
    // Chain on the previous waiter so tokens go out in call order.
    const turn = this.queue.then(() => this.acquire());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
  }

  private async acquire(): Promise<void> {
    this.refill();
    while (this.tokens < 1) {
      await this.clock.sleep(Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000));
      this.refill();
    }
    this.tokens -= 1;
  }
}

/** One bucket per API name, created on first use. */
export class ApiPacer {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly rates: Readonly<Record<string, number>> = DEFAULT_RATES_PER_SECOND,
  ) {}

  take(api: string): Promise<void> {
    let bucket = this.buckets.get(api);
    if (!bucket) {
      const rate = this.rates[api] ?? FALLBACK_RATE_PER_SECOND;
      // Burst of one: calls evenly spaced, so no one-second window ever holds more than `rate` calls.
      bucket = new TokenBucket(rate, 1, this.clock);
      this.buckets.set(api, bucket);
    }
    return bucket.take();
  }
}
