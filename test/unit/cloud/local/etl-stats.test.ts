import { describe, expect, it } from 'vitest';
import { EtlStatsCollector } from '../../../../cloud/local/etl-stats.ts';

/** The EMF line the ETL handler logs per batch (cloud/etl/metrics.ts), with its latency figures. */
const emf = (p50: number, max: number): string => JSON.stringify({
  _aws: { Timestamp: 0, CloudWatchMetrics: [] }, IngestLatencyP50: p50, IngestLatencyMax: max,
});

describe('EtlStatsCollector latency', () => {
  it('keeps the start-up burst out of the steady-state p99 once the burst is over, and reports the burst apart', () => {
    let now = 1_000_000;
    const stats = new EtlStatsCollector(() => now, 300, 60_000);
    expect(stats.startupBurst()).toBeNull();
    // The first minute: outbox replays and a cold start, 9-30 s behind.
    for (let i = 0; i < 30; i += 1) {
      stats.observe(emf(4000, 9000 + i * 700));
      now += 2000;
    }
    now = 1_059_000;
    expect(stats.latencyPercentiles()).toEqual({ p50: 4000, p99: 29_300 });
    now = 1_060_000;
    // The burst is over and no steady batch has come yet: nothing to say, rather than the burst's figure.
    expect(stats.latencyPercentiles()).toEqual({ p50: null, p99: null });
    // Then one batch a second, 600 ms to 1.5 s behind.
    for (let i = 0; i < 120; i += 1) {
      stats.observe(emf(500, 600 + (i % 10) * 100));
      now += 1000;
    }
    expect(stats.latencyPercentiles()).toEqual({ p50: 500, p99: 1500 });
    expect(stats.startupBurst()).toEqual({ fromMs: 1_000_000, untilMs: 1_060_000, latencyP99Ms: 29_300 });
    expect(stats.lastBatchLatencyMs()).toBe(1500);
  });

  it('gives the burst’s own figures while the burst lasts', () => {
    let now = 0;
    const stats = new EtlStatsCollector(() => now, 300, 60_000);
    stats.observe(emf(2000, 8000));
    now = 30_000;
    expect(stats.latencyPercentiles()).toEqual({ p50: 2000, p99: 8000 });
    expect(stats.startupBurst()).toMatchObject({ fromMs: 0, untilMs: 60_000 });
  });
});
