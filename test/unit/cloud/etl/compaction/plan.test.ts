import { describe, expect, it } from 'vitest';
import type { CuratedRow } from '../../../../../cloud/etl/curated-row.ts';
import { compactedKey, mergeCuratedRows, planCompaction } from '../../../../../cloud/etl/compaction/plan.ts';

const HOUR = 3_600_000;
const GRACE = 15 * 60_000;
const END_OF_17 = Date.parse('2026-11-24T18:00:00.000Z');
const key = (hour: string, file: string, dt = '2026-11-24'): string => `curated/vitals/dt=${dt}/hour=${hour}/${file}`;

describe('planCompaction', () => {
  const twoFilesIn17 = [key('17', 'shardId-000000000000-4964001.parquet'), key('17', 'shardId-000000000000-4964002.parquet')];

  it('leaves an hour alone until its end plus the grace period has passed', () => {
    expect(planCompaction(twoFilesIn17, { nowMs: END_OF_17 + GRACE - 1, graceMs: GRACE })).toEqual([]);
    expect(planCompaction(twoFilesIn17, { nowMs: END_OF_17 + GRACE, graceMs: GRACE })).toEqual([
      { partition: { dt: '2026-11-24', hour: '17' }, target: key('17', 'compacted.parquet'), sources: twoFilesIn17 },
    ]);
  });

  it('skips a closed partition already compacted into one file when its day has a rollup', () => {
    const keys = [key('15', 'compacted.parquet'), 'rollup/hourly/dt=2026-11-24/rollup.parquet'];
    expect(planCompaction(keys, { nowMs: END_OF_17 + HOUR, graceMs: GRACE })).toEqual([]);
  });

  it('compacts a quiet closed hour holding a single file the ETL wrote, so that it gets its rollup', () => {
    const keys = [key('16', 'shardId-000000000000-4964001.parquet'), 'rollup/hourly/dt=2026-11-24/rollup.parquet'];
    expect(planCompaction(keys, { nowMs: END_OF_17 + HOUR, graceMs: GRACE })).toEqual([
      { partition: { dt: '2026-11-24', hour: '16' }, target: key('16', 'compacted.parquet'), sources: [key('16', 'shardId-000000000000-4964001.parquet')] },
    ]);
  });

  it('recompacts the compacted hours of a day that has no rollup file (written before the rollup existed, or removed to rebuild)', () => {
    const keys = [key('15', 'compacted.parquet'), key('14', 'compacted.parquet', '2026-11-23'), 'rollup/hourly/dt=2026-11-23/rollup.parquet'];
    expect(planCompaction(keys, { nowMs: END_OF_17 + HOUR, graceMs: GRACE }).map((task) => task.target)).toEqual([key('15', 'compacted.parquet')]);
  });

  it('folds a late file into the compacted file of its partition, the compacted file being a source', () => {
    const keys = [key('16', 'shardId-000000000001-4964090.parquet'), key('16', 'compacted.parquet')];
    const [task] = planCompaction(keys, { nowMs: END_OF_17 + HOUR, graceMs: GRACE });
    expect(task!.target).toBe(key('16', 'compacted.parquet'));
    expect(task!.sources).toEqual([key('16', 'compacted.parquet'), key('16', 'shardId-000000000001-4964090.parquet')]);
  });

  it('ignores keys outside the curated Parquet layout and plans partitions oldest first', () => {
    const keys = [
      ...twoFilesIn17,
      key('03', 'a.parquet', '2026-11-23'), key('03', 'b.parquet', '2026-11-23'),
      key('17', 'shardId-0-1.parquet.tmp-123-abcd'), 'raw/vitals/dt=2026-11-24/hour=17/x.jsonl.gz',
      'curated/vitals/dt=2026-11-24/hour=17/nested/c.parquet', key('99', 'x.parquet'), key('99', 'y.parquet'),
    ];
    const tasks = planCompaction(keys, { nowMs: END_OF_17 + 10 * HOUR, graceMs: GRACE });
    expect(tasks.map((task) => task.target)).toEqual([key('03', 'compacted.parquet', '2026-11-23'), key('17', 'compacted.parquet')]);
    expect(tasks[1]!.sources).toEqual(twoFilesIn17);
  });

  it('names the compacted object deterministically per partition', () => {
    expect(compactedKey({ dt: '2026-01-02', hour: '07' })).toBe('curated/vitals/dt=2026-01-02/hour=07/compacted.parquet');
  });
});

function row(device_id: string, seq: number, ingested_at: number, kinesis_sequence = '49640001'): CuratedRow {
  return {
    device_id, seq, patient_key: 'k', ward: 'w', bed: 'b', measured_at: 1_000 * seq, heart_rate: 70, spo2: 97, respiratory_rate: 16,
    systolic_bp: 120, diastolic_bp: 80, temperature_c: 36.8, map_mmhg: 93, on_oxygen: false, spo2_scale: 1, consciousness: 'A', quality_flags: null,
    battery_pct: 90, time_scale: 1, news2_respiration: 0, news2_spo2: 0, news2_air_or_oxygen: 0, news2_systolic_bp: 0, news2_pulse: 0,
    news2_consciousness: 0, news2_temperature: 0, news2_total: 0, news2_band: 'low', news2_complete: true, news2_missing: null,
    source_schema: 'vitals/1', received_at: null, ingested_at, ingest_latency_ms: ingested_at - 1_000 * seq, kinesis_shard: 's', kinesis_sequence,
  };
}

describe('mergeCuratedRows', () => {
  it('sorts by device_id then seq (numerically)', () => {
    const merged = mergeCuratedRows([row('b', 2, 5), row('a', 10, 5), row('b', 1, 5), row('a', 9, 5)]);
    expect(merged.rows.map((r) => `${r.device_id}:${r.seq}`)).toEqual(['a:9', 'a:10', 'b:1', 'b:2']);
    expect(merged.duplicates).toBe(0);
  });

  it('keeps one row per reading, the first arrival, as the vitals view does', () => {
    const late = row('a', 1, 900, '49640009');
    const first = row('a', 1, 100, '49640002');
    const merged = mergeCuratedRows([late, row('a', 2, 100), first, row('a', 1, 500, '49640005')]);
    expect(merged.rows).toEqual([first, row('a', 2, 100)]);
    expect(merged.duplicates).toBe(2);
  });

  it('breaks an ingested_at tie by the lower Kinesis sequence number, compared as a number', () => {
    const lower = row('a', 1, 100, '9');
    const higher = row('a', 1, 100, '10');
    expect(mergeCuratedRows([higher, lower]).rows).toEqual([lower]);
    expect(mergeCuratedRows([lower, higher]).rows).toEqual([lower]);
  });

  it('returns nothing for nothing', () => {
    expect(mergeCuratedRows([])).toEqual({ rows: [], duplicates: 0, conflicts: [] });
  });

  it('keeps the first ingested of two copies with different content and returns the other as a conflict', () => {
    const first = row('a', 1, 100, '49640002');
    const reused = { ...row('a', 1, 900, '49640009'), measured_at: 50_000, heart_rate: 130 };
    const merged = mergeCuratedRows([reused, first]);
    expect(merged.rows).toEqual([first]);
    expect(merged.duplicates).toBe(0);
    expect(merged.conflicts).toEqual([reused]);
  });

  it('breaks an ingested_at tie by kinesis_shard first, as the vitals view orders copies', () => {
    const shardA = { ...row('a', 1, 100, '99'), kinesis_shard: 'shardId-000000000000' };
    const shardB = { ...row('a', 1, 100, '11'), kinesis_shard: 'shardId-000000000001', heart_rate: 71 };
    expect(mergeCuratedRows([shardB, shardA])).toMatchObject({ rows: [shardA], conflicts: [shardB] });
  });
});
