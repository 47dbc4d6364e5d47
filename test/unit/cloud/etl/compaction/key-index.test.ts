import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../../../../cloud/etl/compaction/key-index.ts';

const keys = (device_id: string, ...seqs: number[]) => seqs.map((seq) => ({ device_id, seq }));

describe('KeyIndex', () => {
  it('holds an hour of a monitor as one run per stretch of consecutive seqs', () => {
    const index = new KeyIndex();
    index.add('2026-12-04/10', keys('a', ...Array.from({ length: 3600 }, (_, i) => i)));
    index.add('2026-12-04/11', keys('a', ...Array.from({ length: 3600 }, (_, i) => 3600 + i), 9000));
    expect(index.size).toBe(3);
  });

  it('names the other partition holding a key, never the asking one', () => {
    const index = new KeyIndex();
    index.add('2026-12-04/10', keys('a', 1, 2, 3, 4));
    index.add('2026-12-04/11', keys('a', 5, 6));
    index.add('2026-12-04/11', keys('b', 1));
    expect(index.claimedElsewhere('2026-12-04/11', keys('a', 3, 5, 7))).toEqual([{ device_id: 'a', seq: 3, partition: '2026-12-04/10' }]);
    expect(index.claimedElsewhere('2026-12-04/10', keys('a', 3, 5))).toEqual([{ device_id: 'a', seq: 5, partition: '2026-12-04/11' }]);
    expect(index.claimedElsewhere('2026-12-04/12', keys('c', 1))).toEqual([]);
  });

  it('forgets a partition for the given devices, and single keys, splitting a run', () => {
    const index = new KeyIndex();
    index.add('2026-12-04/10', keys('a', 1, 2, 3, 4, 5));
    index.remove('2026-12-04/10', keys('a', 3));
    expect(index.claimedElsewhere('x', keys('a', 1, 2, 3, 4, 5)).map((k) => k.seq)).toEqual([1, 2, 4, 5]);
    index.removePartition('2026-12-04/10', ['a']);
    expect(index.claimedElsewhere('x', keys('a', 1, 2, 4, 5))).toEqual([]);
  });

  it('survives encode and decode', () => {
    const index = new KeyIndex();
    index.add('2026-12-04/10', keys('a', 1, 2, 3));
    index.add('2026-12-04/11', keys('b', 7));
    const back = KeyIndex.decode(index.encode());
    expect(back.claimedElsewhere('x', [...keys('a', 2), ...keys('b', 7)])).toEqual([
      { device_id: 'a', seq: 2, partition: '2026-12-04/10' }, { device_id: 'b', seq: 7, partition: '2026-12-04/11' },
    ]);
  });

  it('fails loudly, naming the fix, on an index it cannot read', () => {
    expect(() => KeyIndex.decode(Uint8Array.from([1, 2, 3]))).toThrow(/remove it and the next pass rebuilds it/);
  });
});
