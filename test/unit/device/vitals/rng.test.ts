import { describe, expect, it } from 'vitest';
import { createRng, deriveSeed } from '../../../../device/vitals/index.ts';
import { inverseNormalCdf, normalTable4096 } from '../../../../device/vitals/rng.ts';

describe('createRng', () => {
  it('replays the same stream for the same seed', () => {
    const a = createRng(42);
    const b = createRng(42);
    for (let i = 0; i < 1000; i++) expect(a.next()).toBe(b.next());
  });

  it('gives unrelated streams for neighbouring seeds', () => {
    const a = createRng(1);
    const b = createRng(2);
    let same = 0;
    for (let i = 0; i < 1000; i++) if (a.next() === b.next()) same++;
    expect(same).toBe(0);
  });

  it('draws uniforms in [0, 1) with mean 1/2 and normals with mean 0 and sd 1', () => {
    const rng = createRng(7);
    let sum = 0;
    let min = 1;
    let max = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 2);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s1 += z;
      s2 += z * z;
    }
    expect(s1 / n).toBeCloseTo(0, 1);
    expect(Math.sqrt(s2 / n - (s1 / n) ** 2)).toBeCloseTo(1, 1);
  });

  it('tells apart seeds that differ only above 32 bits and rejects non-finite seeds', () => {
    expect(createRng(2 ** 40).next()).not.toBe(createRng(0).next());
    expect(() => createRng(Number.NaN)).toThrow(/finite/);
  });
});

describe('deriveSeed', () => {
  it('gives each device index its own 32-bit seed, deterministically', () => {
    const seeds = new Set(Array.from({ length: 10_000 }, (_, i) => deriveSeed(99, i)));
    expect(seeds.size).toBe(10_000);
    expect(deriveSeed(99, 5)).toBe(deriveSeed(99, 5));
    expect(deriveSeed(99, 5)).not.toBe(deriveSeed(100, 5));
    expect([...seeds].every((seed) => Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)).toBe(true);
  });
});

describe('table normals', () => {
  it('inverts the normal CDF at known quantiles', () => {
    expect(inverseNormalCdf(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormalCdf(0.975)).toBeCloseTo(1.959964, 5);
    expect(inverseNormalCdf(0.01)).toBeCloseTo(-2.326348, 5);
    expect(() => inverseNormalCdf(1)).toThrow(RangeError);
  });

  it('holds 4,096 equally likely values with mean 0 and sd within 0.1 % of 1', () => {
    const table = normalTable4096();
    expect(table).toHaveLength(4096);
    const mean = table.reduce((sum, z) => sum + z, 0) / table.length;
    const sd = Math.sqrt(table.reduce((sum, z) => sum + z * z, 0) / table.length - mean * mean);
    expect(Math.abs(mean)).toBeLessThan(1e-9);
    expect(Math.abs(sd - 1)).toBeLessThan(0.001);
  });
});
