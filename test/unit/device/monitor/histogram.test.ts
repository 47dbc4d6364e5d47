import { describe, expect, it } from 'vitest';
import { Histogram } from '../../../../device/monitor/index.ts';

describe('Histogram', () => {
  it('reads percentiles within its 2 % bucket width', () => {
    const histogram = new Histogram();
    for (let v = 1; v <= 1_000; v++) histogram.record(v);
    expect(histogram.percentile(50)).toBeGreaterThanOrEqual(500);
    expect(histogram.percentile(50)).toBeLessThanOrEqual(500 * 1.03);
    expect(histogram.percentile(99)).toBeGreaterThanOrEqual(990);
    expect(histogram.percentile(99)).toBeLessThanOrEqual(1_000);
  });

  it('merges worker histograms as if one had recorded everything', () => {
    const a = new Histogram();
    const b = new Histogram();
    const all = new Histogram();
    for (let v = 0; v < 300; v++) {
      (v % 2 ? a : b).record(v * 1.7);
      all.record(v * 1.7);
    }
    const merged = new Histogram();
    merged.merge(a.toJSON());
    merged.merge(JSON.parse(JSON.stringify(b)) as { counts: number[]; max: number });
    expect(merged.count).toBe(300);
    expect(merged.percentile(99)).toBe(all.percentile(99));
    expect(merged.max).toBe(all.max);
  });

  it('is NaN when empty and clamps negative samples to zero', () => {
    const histogram = new Histogram();
    expect(histogram.percentile(99)).toBeNaN();
    histogram.record(-5);
    expect(histogram.percentile(100)).toBe(0);
  });
});
