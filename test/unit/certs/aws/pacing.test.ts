import { describe, expect, it } from 'vitest';
import { ApiPacer, TokenBucket } from '../../../../certs/aws/pacing.ts';
import { withRetry } from '../../../../certs/aws/retry.ts';
import { awsError, fakeClock } from './fake-iot.ts';

describe('TokenBucket (fake clock)', () => {
  it('lets the burst through at once, then spaces takes at the rate', async () => {
    const clock = fakeClock(0);
    const bucket = new TokenBucket(4, 2, clock);
    const times: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => bucket.take().then(() => times.push(clock.now()))));
    expect(times).toEqual([0, 0, 250, 500, 750, 1000]);
  });

  it('refills while idle, up to the burst only', async () => {
    const clock = fakeClock(0);
    const bucket = new TokenBucket(10, 3, clock);
    for (let i = 0; i < 3; i++) await bucket.take();
    clock.t += 60_000;
    const start = clock.now();
    for (let i = 0; i < 4; i++) await bucket.take();
    expect(clock.now() - start).toBe(100);
  });

  it('rejects a rate or burst that could never hand out a token', () => {
    expect(() => new TokenBucket(0, 1, fakeClock())).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, fakeClock())).toThrow(RangeError);
  });
});

describe('ApiPacer', () => {
  it('paces each API by its own rate', async () => {
    const clock = fakeClock(0);
    const pacer = new ApiPacer(clock, { Fast: 10, Slow: 2 });
    for (let i = 0; i < 3; i++) await pacer.take('Slow');
    expect(clock.now()).toBe(1000);
    const before = clock.now();
    for (let i = 0; i < 3; i++) await pacer.take('Fast');
    expect(clock.now() - before).toBe(200);
  });
});

describe('withRetry', () => {
  it('retries throttling with growing, capped, jittered backoff', async () => {
    const clock = fakeClock(0);
    const sleeps: number[] = [];
    const sleepy = { now: clock.now, sleep: async (ms: number) => void sleeps.push(ms) };
    let attempts = 0;
    const result = await withRetry(async () => {
      attempts += 1;
      if (attempts < 5) throw awsError('ThrottlingException');
      return 'done';
    }, { clock: sleepy, random: () => 0.999, baseDelayMs: 100, maxDelayMs: 500 });
    expect(result).toBe('done');
    expect(sleeps).toEqual([100, 200, 400, 500]);
  });

  it('does not retry a permanent error', async () => {
    let attempts = 0;
    await expect(withRetry(async () => {
      attempts += 1;
      throw awsError('InvalidRequestException');
    }, { clock: fakeClock() })).rejects.toThrow(/InvalidRequestException/);
    expect(attempts).toBe(1);
  });

  it('gives up after the attempt budget', async () => {
    let attempts = 0;
    await expect(withRetry(async () => {
      attempts += 1;
      throw awsError('ThrottlingException');
    }, { clock: fakeClock(), maxAttempts: 3 })).rejects.toThrow(/Throttling/);
    expect(attempts).toBe(3);
  });
});
