import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchDeduplicator } from '../../../../cloud/etl/batch-dedup.ts';

/** The rows kept so far, as the curated columns would hold them. */
class Kept {
  readonly rows: { device: string; seq: number; index: number }[] = [];
  *keptOf(device: string): Iterable<readonly [number, number]> {
    for (const row of this.rows) if (row.device === device) yield [row.seq, row.index];
  }
}

/** The plain way: a map of every (device, seq) kept. */
function referenceDuplicates(readings: readonly (readonly [string, number])[]): number[] {
  const seen = new Map<string, number>();
  return readings.map(([device, seq], index) => {
    const key = `${device}\u0000${seq}`;
    const kept = seen.get(key);
    if (kept !== undefined) return kept;
    seen.set(key, index);
    return -1;
  });
}

function run(readings: readonly (readonly [string, number])[]): number[] {
  const kept = new Kept();
  const dedup = new BatchDeduplicator(kept);
  return readings.map(([device, seq], index) => {
    const earlier = dedup.keep(device, seq, index);
    if (earlier < 0) kept.rows.push({ device, seq, index });
    return earlier;
  });
}

describe('BatchDeduplicator', () => {
  it('finds every repeated (device, seq) and the position of its first reading, in any order', () => {
    const reading = fc.tuple(fc.constantFrom('bed-1', 'bed-2', 'bed-3'), fc.integer({ min: 0, max: 12 }));
    fc.assert(fc.property(fc.array(reading, { maxLength: 60 }), (readings) => {
      expect(run(readings)).toEqual(referenceDuplicates(readings));
    }), { numRuns: 2_000 });
  });

  it('keeps rising seqs without building any map, and falls back when a seq comes again', () => {
    expect(run([['bed-1', 1], ['bed-2', 1], ['bed-1', 2], ['bed-1', 3], ['bed-1', 2], ['bed-1', 4], ['bed-1', 3], ['bed-2', 1]]))
      .toEqual([-1, -1, -1, -1, 2, -1, 3, 1]);
  });
});
